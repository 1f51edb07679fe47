// CPU GEMM benchmarks at GSN shapes (bench/ops_linear.h): our fast path (gsn::cpu::gemm,
// Eigen, all cores) as "sgemm/<shape>/gsn_cpu", and the plain reference loop
// (gsn::ref::gemm<float>) as "sgemm/<shape>/ref" where it finishes in well under a second.
// Operands and C are allocated once per benchmark, outside the timed loop. GFLOP/s counts
// 2*M*N*K per call. Wall-clock time (UseRealTime): the work runs on OpenMP threads,
// so the main thread's CPU time would overstate the rate. The linear() bias pieces are timed too ("bias_add", "sum_rows", GB/s).
#include <memory>

#include "bench/bench_util.h"
#include "bench/ops_linear.h"
#include "kernels/core/random.h"
#include "kernels/linear/linear.h"

namespace {
using namespace gsn;
namespace gb = gsn::bench;

struct Operands {
  Tensor a, b, c;
  explicit Operands(const gb::GemmShape& s) {
    Generator g(7);
    a = rand_uniform(Shape{s.M * s.K}, g, -1.0, 1.0);
    b = rand_uniform(Shape{s.K * s.N}, g, -1.0, 1.0);
    c = Tensor::zeros(Shape{s.M * s.N});
  }
};

template <class Gemm> void reg(const gb::GemmShape& s, const char* impl, Gemm gemm) {
  gb::add("sgemm", s.name, impl, [s, gemm](benchmark::State& st) {
    Operands o(s);
    const int64_t lda = s.ta ? s.M : s.K, ldb = s.tb ? s.K : s.N;
    for (auto _ : st) {
      gemm(s.ta, s.tb, s.M, s.N, s.K, 1.f, o.a.data<float>(), lda, o.b.data<float>(), ldb, 0.f, o.c.data<float>(),
           s.N);
      benchmark::ClobberMemory();
    }
    gb::set_flops(st, s.flops());
    st.SetLabel(s.label());
  })->MinTime(0.2)->UseRealTime()->Unit(benchmark::kMicrosecond);
}
}  // namespace

GSN_BENCHMARKS(linear_cpu) {
  for (const gb::GemmShape& s : gb::gemm_shapes()) {
    if (!s.cpu) continue;
    reg(s, "gsn_cpu", cpu::gemm);
    if (s.flops() <= 3e8) reg(s, "ref", ref::gemm<float>);
  }
  // Bias add and its gradient at the head's [B, out] and a wide [B, 4096].
  for (auto [name, N, M] : std::vector<std::tuple<const char*, int64_t, int64_t>>{{"tiny.head.fc1", 16, 16},
                                                                                 {"16x4096", 16, 4096}}) {
    const double bytes = 4.0 * static_cast<double>(N * M + M);
    gb::add("bias_add", name, "gsn_cpu", [N = N, M = M, bytes](benchmark::State& st) {
      Tensor y = Tensor::zeros(Shape{N, M}), b = Tensor::full(Shape{M}, 0.5);
      for (auto _ : st) {
        cpu::add_bias_rows(y.data<float>(), b.data<float>(), N, M);
        benchmark::ClobberMemory();
      }
      gb::set_bytes(st, 2 * bytes);
    })->MinTime(0.1)->UseRealTime()->Unit(benchmark::kMicrosecond);
    gb::add("sum_rows", name, "gsn_cpu", [N = N, M = M, bytes](benchmark::State& st) {
      Tensor g = Tensor::full(Shape{N, M}, 0.25), s = Tensor::zeros(Shape{M});
      for (auto _ : st) {
        cpu::sum_rows(g.data<float>(), N, M, s.data<float>());
        benchmark::ClobberMemory();
      }
      gb::set_bytes(st, bytes);
    })->MinTime(0.1)->UseRealTime()->Unit(benchmark::kMicrosecond);
  }
}
