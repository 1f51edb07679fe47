// gsn-info: what this build is and what a GSN preset holds: the CUDA status, and the
// parameter and buffer table (names and shapes) of a preset, as markdown.
#include <cstdio>

#include "apps/common/cli.h"
#include "kernels/core/backend.h"
#include "kernels/core/parallel.h"
#include "kernels/linear/sgemm_cpu_simd.h"
#include "nn/gsn_model.h"

int main(int argc, char** argv) {
  std::string preset = "tiny";
  CLI::App app{"gsn-info: the build's backends and a GSN preset's parameter table (markdown).\n"
               "Exit codes: 0 done, 2 bad arguments."};
  app.add_option("--preset", preset, "tiny | paper")->check(CLI::IsMember({"tiny", "paper"}))->capture_default_str();
  GSN_CLI_PARSE(app, argc, argv)
  // The CPU convs' micro-kernels: AVX-512F or AVX2+FMA, or "none" (im2col and Eigen), by
  // what the build targeted (kernels/linear/simd_vec.h); it explains CPU speeds.
  std::printf("gsn: CUDA backend %s; %s; %d CPU threads; CPU conv micro-kernels: %s\n\n",
              gsn::cuda_built() ? "built" : "not built", gsn::cuda_status().c_str(), gsn::num_threads(),
              gsn::cpu::sgemm_simd_name());
  gsn::nn::GsnModel model(gsn::nn::GsnConfig::from_preset(preset), 0);
  std::printf("| %s preset: name | shape | elements |\n|---|---|---:|\n", preset.c_str());
  for (auto& [name, v] : model.named_parameters())
    std::printf("| `%s` | %s | %lld |\n", name.c_str(), v.shape().str().c_str(), static_cast<long long>(v.numel()));
  for (auto& [name, t] : model.named_buffers())
    std::printf("| `%s` (buffer) | %s | %lld |\n", name.c_str(), t->shape().str().c_str(), static_cast<long long>(t->numel()));
  std::printf("\n%lld trainable parameters\n", static_cast<long long>(model.parameter_count()));
  return 0;
}
