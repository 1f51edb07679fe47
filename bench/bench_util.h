// Helpers for gsn's Google Benchmark suite (one binary, gsn_bench, every kernel against
// its baseline in one run).
//
// Naming: every benchmark is "<op>/<shape>/<impl>", e.g. "sgemm/tiny.fuse.fc1/gsn_cuda"
// and "sgemm/tiny.fuse.fc1/cublas". Baselines call mark_baseline(state); the report script
// (scripts/bench_report.py) pairs each impl with the baseline of the same op and shape
// and prints the ratio. Throughput counters: set_flops() adds "GFLOP/s", set_bytes()
// adds "GB/s", both per second of (manual or real) time.
//
// Registration happens at static-initialisation time through GSN_BENCHMARKS(name) { ... }
// blocks, so each bench/ops_<family>.cpp file is self-contained.
#pragma once
#include <benchmark/benchmark.h>

#include <functional>
#include <string>

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

}  // namespace gsn::bench

#define GSN_BENCHMARKS(name)                                      \
  static void gsn_benchmarks_##name();                            \
  static const bool gsn_benchmarks_registered_##name = [] {       \
    gsn_benchmarks_##name();                                      \
    return true;                                                  \
  }();                                                            \
  static void gsn_benchmarks_##name()
