// The main of the gpu-labelled doctest binaries (CUDA kernels against cuBLAS / cuDNN).
// Without a device it prints SKIPPED and exits 77, which ctest reports as "Skipped".
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cuda_runtime.h>

#include <cstdio>

#include "kernels/core/backend.h"

#ifdef GSN_WITH_CUDNN
#include <cudnn.h>
#endif

int main(int argc, char** argv) {
  if (!gsn::cuda_available()) {
    std::printf("SKIPPED: gpu baseline tests not run: %s\n", gsn::cuda_status().c_str());
    return 77;
  }
  // What ran, for the log: a cuDNN built for another CUDA major version than the runtime
  // (a PyTorch wheel's, say) is the likeliest cause of a baseline that fails to start.
  int runtime = 0, driver = 0;
  cudaRuntimeGetVersion(&runtime);
  cudaDriverGetVersion(&driver);
  std::printf("device: %s; CUDA runtime %d, driver %d", gsn::cuda_status().c_str(), runtime, driver);
#ifdef GSN_WITH_CUDNN
  std::printf("; cuDNN %zu (built for CUDA runtime %zu)", cudnnGetVersion(), cudnnGetCudartVersion());
#endif
  std::printf("\n");
  doctest::Context ctx(argc, argv);
  return ctx.run();
}
