// CUDA timing for benchmarks: cudaEvent pairs around each launch (manual time), a
// warm-up, and an L2 flush before every timed repeat so each kernel starts from DRAM, as
// it would in a training step where the previous layer evicted its inputs.
//
//   gsn::bench::cuda_timed(gsn::bench::add(op, shape, impl, [&](benchmark::State& st) {
//     gsn::bench::time_cuda(st, [&] { launch(); });
//   }));
//
// Every CUDA benchmark runs a fixed number of timed repeats (cuda_timed; kCudaIterations,
// fewer for the heaviest calls): with a
// minimum time instead, a 3 us kernel would need ~30k repeats, each paying the flush of
// twice the L2 and an event sync (~50 us of wall time), and the GPU check's benchmark
// step (scripts/gpu-check.sh) would not fit its time.
#pragma once
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>

#include "kernels/core/backend.h"
#include "kernels/core/cuda_check.cuh"
#include "kernels/core/random.h"
#include "kernels/core/tensor.h"

namespace gsn::bench {

// A float32 tensor of shape s on the device, uniform in [-1, 1): a block of 2^20 values
// drawn on the host from seed, repeated by doubling device-to-device copies. Drawing every
// value on the host took seconds per paper-sized buffer (the nn benchmarks alone fill
// ~3.7 G floats); a million distinct random values are as good for timing.
inline Tensor cuda_random(const Shape& s, uint64_t seed) {
  Tensor t = Tensor::empty(s, DType::F32, Device::CUDA);
  const int64_t n = s.numel();
  if (n == 0) return t;
  Generator g(seed);
  const int64_t block = std::min<int64_t>(n, int64_t{1} << 20);
  Tensor host = rand_uniform(Shape{block}, g, -1.0, 1.0);
  float* d = t.data<float>();
  cuda_copy_h2d(d, host.raw(), static_cast<std::size_t>(block) * sizeof(float));
  for (int64_t filled = block; filled < n;) {
    const int64_t m = std::min(filled, n - filled);
    cuda_copy_d2d(d + filled, d, static_cast<std::size_t>(m) * sizeof(float));
    filled += m;
  }
  return t;
}

class L2Flusher {
 public:
  L2Flusher() {
    int dev = 0, l2 = 0;
    GSN_CUDA_CHECK(cudaGetDevice(&dev));
    GSN_CUDA_CHECK(cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, dev));
    bytes_ = static_cast<std::size_t>(l2 > 0 ? l2 : (64 << 20)) * 2;
    GSN_CUDA_CHECK(cudaMalloc(&buf_, bytes_));
  }
  ~L2Flusher() { cudaFree(buf_); }
  void flush() { GSN_CUDA_CHECK(cudaMemsetAsync(buf_, 0, bytes_, cuda_stream())); }

 private:
  void* buf_ = nullptr;
  std::size_t bytes_ = 0;
};

inline L2Flusher& l2_flusher() {
  static L2Flusher f;
  return f;
}

constexpr int kCudaIterations = 30;
// Calls of more than kHeavyFlops (the paper preset's 64x64-and-up block convs: 40-530
// GFLOP a pass) run kHeavyIterations repeats after one warm-up: 30 repeats of every
// variant of those layers would take minutes, more than the GPU check's benchmark step has.
constexpr double kHeavyFlops = 20e9;
constexpr int kHeavyIterations = 5;
inline int iterations_for(double flops) { return flops > kHeavyFlops ? kHeavyIterations : kCudaIterations; }
inline int warmups_for(double flops) { return flops > kHeavyFlops ? 1 : 3; }

// The CUDA benchmarks' run policy: manual (event) time, a fixed number of repeats.
inline benchmark::internal::Benchmark* cuda_timed(benchmark::internal::Benchmark* b,
                                                  int iterations = kCudaIterations) {
  return b->UseManualTime()->Iterations(iterations)->Unit(benchmark::kMicrosecond);
}

template <class Launch>
void time_cuda(benchmark::State& st, Launch launch, int warmup = 3) {
  cudaStream_t s = cuda_stream();
  for (int i = 0; i < warmup; ++i) launch();
  GSN_CUDA_CHECK(cudaStreamSynchronize(s));
  cudaEvent_t start, stop;
  GSN_CUDA_CHECK(cudaEventCreate(&start));
  GSN_CUDA_CHECK(cudaEventCreate(&stop));
  for (auto _ : st) {
    l2_flusher().flush();
    GSN_CUDA_CHECK(cudaEventRecord(start, s));
    launch();
    GSN_CUDA_CHECK(cudaEventRecord(stop, s));
    GSN_CUDA_CHECK(cudaEventSynchronize(stop));
    float ms = 0.f;
    GSN_CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
    st.SetIterationTime(static_cast<double>(ms) * 1e-3);
  }
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
}

}  // namespace gsn::bench
