// Fast CPU matmul: Eigen's GEMM (cache-blocked, vectorised, threaded with OpenMP) on Maps
// of gsn's row-major buffers. A transposed operand is a transposed Map, never a copy.
// The bias add and the bias gradient are row sweeps over contiguous memory.
#include <Eigen/Core>
#include <algorithm>

#include "kernels/core/parallel.h"
#include "kernels/linear/linear.h"

namespace gsn::cpu {

namespace {
using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMat, Eigen::Unaligned, Eigen::OuterStride<>>;
using MutMap = Eigen::Map<RowMat, Eigen::Unaligned, Eigen::OuterStride<>>;

// C (+)= alpha * a * b for the four combinations of stored/transposed operands.
template <class OpA, class OpB>
void product(const OpA& a, const OpB& b, float alpha, float beta, MutMap& c) {
  if (beta == 0.f) {
    c.noalias() = alpha * a * b;  // C is not read
  } else {
    if (beta != 1.f) c *= beta;
    c.noalias() += alpha * a * b;
  }
}
}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
  MutMap c(C, M, N, Eigen::OuterStride<>(ldc));
  if (K == 0) {
    if (beta == 0.f)
      c.setZero();
    else
      c *= beta;
    return;
  }
  // Stored shapes: A is [M,K] or [K,M]; B is [K,N] or [N,K].
  ConstMap a(A, trans_a ? K : M, trans_a ? M : K, Eigen::OuterStride<>(lda));
  ConstMap b(B, trans_b ? N : K, trans_b ? K : N, Eigen::OuterStride<>(ldb));
  if (!trans_a && !trans_b) product(a, b, alpha, beta, c);
  if (!trans_a && trans_b) product(a, b.transpose(), alpha, beta, c);
  if (trans_a && !trans_b) product(a.transpose(), b, alpha, beta, c);
  if (trans_a && trans_b) product(a.transpose(), b.transpose(), alpha, beta, c);
}

void add_bias_rows(float* y, const float* b, int64_t N, int64_t M) {
  parallel_for(N, std::max<int64_t>(1, 65536 / std::max<int64_t>(M, 1)), [&](int64_t n0, int64_t n1) {
    for (int64_t n = n0; n < n1; ++n) {
      float* row = y + n * M;
#pragma omp simd
      for (int64_t m = 0; m < M; ++m) row[m] += b[m];
    }
  });
}

// Column blocks in parallel; inside a block, rows are added in order 0..N-1, so every
// s[m] is the same sum, in the same order, as the reference's.
void sum_rows(const float* g, int64_t N, int64_t M, float* s) {
  parallel_for(M, 256, [&](int64_t m0, int64_t m1) {
    for (int64_t m = m0; m < m1; ++m) s[m] = 0.f;
    for (int64_t n = 0; n < N; ++n) {
      const float* row = g + n * M;
#pragma omp simd
      for (int64_t m = m0; m < m1; ++m) s[m] += row[m];
    }
  });
}

}  // namespace gsn::cpu
