// Helpers for gsn's Google Benchmark suite (one binary, gsn_bench, every kernel against
// its baseline in one run).
//
// Naming: every benchmark is "<op>/<shape>/<impl>", e.g. "sgemm/tiny.fuse.fc1/gsn_cuda"
// and "sgemm/tiny.fuse.fc1/cublas". Baselines call mark_baseline(state); the report script
// (scripts/bench_report.py) pairs each impl with the baseline of the same op and shape
// and prints the ratio. Throughput counters: set_flops() adds "GFLOP/s", set_bytes()
// adds "GB/s", both per second of (manual or real) time.
//
// Each bench/ops_<family>.cpp file is self-contained: its GSN_BENCHMARKS(name) { ... }
// blocks are listed at static-initialisation time and run from main (bench/bench_main.cpp).
// Not run at static initialisation: the CUDA runtime learns each .cu file's kernels from
// that file's own static constructor, in an order across files that C++ leaves open, so a
// kernel launched while registering (to prepare a benchmark's input) could run before its
// file was registered. The first GPU run died so (cudaErrorInvalidResourceHandle from
// max_pool2d_forward, launched by bench/ops_nn.cu to fill the pooling indices).
#pragma once
#include <benchmark/benchmark.h>

#include <functional>
#include <string>
#include <vector>

namespace gsn::bench {

inline benchmark::internal::Benchmark* add(const std::string& op, const std::string& shape, const std::string& impl,
                                           std::function<void(benchmark::State&)> fn) {
  return benchmark::RegisterBenchmark((op + "/" + shape + "/" + impl).c_str(),
                                      [fn](benchmark::State& st) { fn(st); });
}

inline void set_flops(benchmark::State& st, double flops_per_iter) {
  st.counters["GFLOP/s"] = benchmark::Counter(flops_per_iter * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
inline void set_bytes(benchmark::State& st, double bytes_per_iter) {
  st.counters["GB/s"] = benchmark::Counter(bytes_per_iter * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
inline void mark_baseline(benchmark::State& st) { st.counters["baseline"] = 1; }

// The GSN_BENCHMARKS blocks, in no particular order; main runs them before the benchmarks.
using Registration = void (*)();
inline std::vector<Registration>& registrations() {
  static std::vector<Registration> list;  // a function's static: ready whichever file asks first
  return list;
}

}  // namespace gsn::bench

#define GSN_BENCHMARKS(name)                                                                 \
  static void gsn_benchmarks_##name();                                                       \
  static const bool gsn_benchmarks_listed_##name =                                           \
      (::gsn::bench::registrations().push_back(gsn_benchmarks_##name), true);                \
  static void gsn_benchmarks_##name()
