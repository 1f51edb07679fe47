// CUDA timing for benchmarks: cudaEvent pairs around each launch (manual time), a
// warm-up, and an L2 flush before every timed repeat so each kernel starts from DRAM, as
// it would in a training step where the previous layer evicted its inputs.
//
//   gsn::bench::cuda_timed(gsn::bench::add(op, shape, impl, [&](benchmark::State& st) {
//     gsn::bench::time_cuda(st, [&] { launch(); });
//   }));
//
// Every CUDA benchmark runs a fixed kCudaIterations timed repeats (cuda_timed): with a
// minimum time instead, a 3 us kernel would need ~30k repeats, each paying the flush of
// twice the L2 and an event sync (~50 us of wall time), and the GPU check's benchmark
// step (scripts/gpu-check.sh) would not fit its time.
#pragma once
#include <benchmark/benchmark.h>

#include "kernels/core/cuda_check.cuh"

namespace gsn::bench {

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

// The CUDA benchmarks' run policy: manual (event) time, kCudaIterations repeats.
inline benchmark::internal::Benchmark* cuda_timed(benchmark::internal::Benchmark* b) {
  return b->UseManualTime()->Iterations(kCudaIterations)->Unit(benchmark::kMicrosecond);
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
