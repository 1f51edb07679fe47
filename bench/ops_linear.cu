// CUDA GEMM benchmarks at GSN shapes (bench/ops_linear.h): every SGEMM version of
// kernels/linear/sgemm.cu ("sgemm_v1" .. "sgemm_v4"), the launcher's own pick ("gsn_cuda",
// what training runs) and cuBLAS ("cublas", the baseline, default FP32 math: no TF32).
// Timing: CUDA events around each call after an L2 flush (bench/bench_cuda.cuh), manual
// time; GFLOP/s counts 2*M*N*K. Operands are filled with a constant on the device, so the
// largest paper shapes (a 1.4 G-element im2col operand) set up in milliseconds. The naive
// and smem-tile versions skip the shapes where one call would take most of a second.
// Registered only when a CUDA device answers (one line says so otherwise).
#include <cstdio>
#include <string>

#include "bench/bench_cuda.cuh"
#include "bench/bench_util.h"
#include "bench/ops_linear.h"
#include "kernels/core/backend.h"
#include "kernels/linear/linear.h"

namespace {
using namespace gsn;
namespace gb = gsn::bench;

struct DevOperands {
  Tensor a, b, c;
  explicit DevOperands(const gb::GemmShape& s) {
    a = Tensor::full(Shape{s.M * s.K}, 0.5, DType::F32, Device::CUDA);
    b = Tensor::full(Shape{s.K * s.N}, 0.25, DType::F32, Device::CUDA);
    c = Tensor::zeros(Shape{s.M * s.N}, DType::F32, Device::CUDA);
  }
};

// version 0: gemm() (the launcher's pick); -1: cuBLAS; 1..4: that version.
void reg(const gb::GemmShape& s, int version) {
  const std::string impl = version == 0 ? "gsn_cuda" : version < 0 ? "cublas" : "sgemm_v" + std::to_string(version);
  gb::cuda_timed(gb::add("sgemm", s.name, impl, [s, version](benchmark::State& st) {
    DevOperands o(s);
    const int64_t lda = s.ta ? s.M : s.K, ldb = s.tb ? s.K : s.N;
    const float* A = o.a.data<float>();
    const float* B = o.b.data<float>();
    float* C = o.c.data<float>();
    const float one = 1.f, zero = 0.f;
    gb::time_cuda(st, [&] {
      if (version < 0)  // row-major C = op(A) op(B) as column-major C^T = op(B)^T op(A)^T
        GSN_CUBLAS_CHECK(cublasSgemm(cublas_handle(), s.tb ? CUBLAS_OP_T : CUBLAS_OP_N, s.ta ? CUBLAS_OP_T : CUBLAS_OP_N,
                                     static_cast<int>(s.N), static_cast<int>(s.M), static_cast<int>(s.K), &one, B,
                                     static_cast<int>(ldb), A, static_cast<int>(lda), &zero, C, static_cast<int>(s.N)));
      else if (version == 0)
        cuda::gemm(s.ta, s.tb, s.M, s.N, s.K, 1.f, A, lda, B, ldb, 0.f, C, s.N);
      else
        cuda::gemm_version(version, s.ta, s.tb, s.M, s.N, s.K, 1.f, A, lda, B, ldb, 0.f, C, s.N);
    });
    gb::set_flops(st, s.flops());
    if (version < 0) gb::mark_baseline(st);
    st.SetLabel(s.label() + (version == 0 ? " v" + std::to_string(cuda::gemm_pick_version(s.M, s.N, s.K)) : ""));
  }));
}
}  // namespace

GSN_BENCHMARKS(linear_cuda) {
  if (!cuda_available()) {
    std::printf("gsn_bench: CUDA sgemm benchmarks not registered: %s\n", cuda_status().c_str());
    return;
  }
  for (const gb::GemmShape& s : gb::gemm_shapes()) {
    reg(s, -1);
    reg(s, 0);
    for (int v = 1; v <= cuda::kGemmVersions; ++v) {
      if (v == 1 && s.flops() > 2e10) continue;  // naive: ~1 TFLOP/s at best
      if (v == 2 && s.flops() > 1e11) continue;
      reg(s, v);
    }
  }
}
