// gsn_bench's main: Google Benchmark's own, except that the GSN_BENCHMARKS blocks register
// their benchmarks here, once main has started (bench/bench_util.h says why).
#include <benchmark/benchmark.h>

#include "bench/bench_util.h"

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  for (gsn::bench::Registration registration : gsn::bench::registrations()) registration();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
