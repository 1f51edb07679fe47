// One GSN training step, end to end, in pairs per second: the forward pass (model and
// loss) and the backward pass timed separately, for the tiny preset at 64x64 and the
// paper preset at 192x192, batch 16 pairs, on the CPU and (when a device answers) CUDA.
// Counters: pairs/s, and peak memory of the step (CPU tensors, or the CUDA allocator).
// The optimizer step is not included: it is a single fused pass over the parameters
// (bench/ops_* time it) and costs well under 1% of a step.
#include <benchmark/benchmark.h>

#include "kernels/core/backend.h"
#include "kernels/core/random.h"
#include "losses/losses_ag.h"
#include "nn/gsn_model.h"

namespace {

using namespace gsn;

struct StepSetup {
  nn::GsnModel model;
  Tensor ref, dist;
  Var y;
  StepSetup(const std::string& preset, int size, int batch, Device dev)
      : model(nn::GsnConfig::from_preset(preset), 0) {
    Generator g(1);
    model.to(dev);
    ref = rand_uniform({batch, 3, size, size}, g, 0, 1).to(dev);
    dist = rand_uniform({batch, 3, size, size}, g, 0, 1).to(dev);
    y = Var(randn({batch}, g).to(dev));
  }
};

void sync(Device d) {
  if (d == Device::CUDA) cuda_synchronize();
}

// part: 0 = whole step (forward + backward), 1 = forward only, 2 = backward only.
// Every untimed stretch ends with a device sync: the GPU runs behind the host, and work
// queued while the timer was paused (the backward pass, when timing the forward) would
// otherwise run in the next timed stretch. The first GPU run's forward "took" 309 ms of
// a 327 ms step so; Nsight Compute put its kernels at about 100 ms.
void bm_step(benchmark::State& st, std::string preset, int size, Device dev, int part) {
  const int batch = 16;
  StepSetup s(preset, size, batch, dev);
  cpu_reset_peak();
  cuda_reset_peak();
  for (auto _ : st) {
    if (part == 2) st.PauseTiming();
    Var loss = ag::gsn_loss(s.model.forward(s.ref, s.dist), s.y);
    sync(dev);
    if (part == 2) st.ResumeTiming();
    if (part == 1) {
      st.PauseTiming();
      backward(loss);
      s.model.zero_grad();
      sync(dev);
      st.ResumeTiming();
    } else {
      backward(loss);
      sync(dev);
      if (part == 0) {
        s.model.zero_grad();
        sync(dev);
      } else {
        st.PauseTiming();
        s.model.zero_grad();
        sync(dev);
        st.ResumeTiming();
      }
    }
  }
  st.counters["pairs/s"] = benchmark::Counter(batch, benchmark::Counter::kIsIterationInvariantRate);
  st.counters["peak_MiB"] =
      static_cast<double>(dev == Device::CPU ? cpu_peak_bytes() : cuda_memory_stats().peak) / (1 << 20);
}

const bool registered = [] {
  const char* parts[] = {"step", "forward", "backward"};
  struct P { const char* preset; int size; };
  for (Device dev : {Device::CPU, Device::CUDA}) {
    if (dev == Device::CUDA && !cuda_available()) continue;
    for (P p : {P{"tiny", 64}, P{"paper", 192}}) {
      for (int part = 0; part < 3; ++part) {
        std::string name = std::string("train_") + parts[part] + "/" + p.preset + "." + std::to_string(p.size) + "/" +
                           (dev == Device::CPU ? "gsn_cpu" : "gsn_cuda");
        auto* b = benchmark::RegisterBenchmark(name.c_str(), bm_step, std::string(p.preset), p.size, dev, part);
        b->Unit(benchmark::kMillisecond);
        if (dev == Device::CPU && std::string(p.preset) == "paper")
          b->Iterations(1);  // seconds per step on a small CPU
        else
          b->MinTime(dev == Device::CPU ? 3.0 : 1.0);
      }
    }
  }
  return true;
}();

}  // namespace
