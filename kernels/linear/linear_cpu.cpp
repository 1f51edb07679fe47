// Fast CPU matmul: Eigen's GEMM (cache-blocked, vectorised) on Maps of gsn's row-major
// buffers. A transposed operand is a transposed Map, never a copy.
//
// Threads, and why the result does not depend on their number: left to itself, Eigen
// threads a GEMM and its per-element rounding then changes with the thread count
// (measured: 4 of 12 GSN shapes differed bit-wise between 1 and 2 threads). So gsn
// splits C itself into fixed chunks of up to kChunk columns (or rows, whichever extent is
// longer), a split that depends only on the shape, and runs one single-threaded Eigen
// product per chunk inside an OpenMP parallel region (Eigen does not thread when called
// from a team of more than one thread; with a team of one, OpenMP's thread count is one
// too). Tiny products (the GSN head) skip the region: a coefficient-wise lazy product,
// serial by construction. The bias add and the bias gradient are row sweeps.
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

// The same with a coefficient-wise (lazy) product: no blocking, no threads.
template <class OpA, class OpB>
void product_lazy(const OpA& a, const OpB& b, float alpha, float beta, MutMap& c) {
  if (beta == 0.f)
    c.noalias() = alpha * a.lazyProduct(b);
  else
    c = beta * c + alpha * a.lazyProduct(b);
}

// Largest chunk extent along the split dimension, and the size (M*N*K) below which one lazy
// product on the calling thread is cheaper than a parallel region.
constexpr int64_t kChunk = 256;
constexpr int64_t kTinyWork = int64_t{1} << 17;
}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    MutMap c(C, M, N, Eigen::OuterStride<>(ldc));
    if (beta == 0.f)
      c.setZero();
    else
      c *= beta;
    return;
  }
  // Stored shapes: A is [M,K] or [K,M]; B is [K,N] or [N,K].
  const ConstMap a(A, trans_a ? K : M, trans_a ? M : K, Eigen::OuterStride<>(lda));
  const ConstMap b(B, trans_b ? N : K, trans_b ? K : N, Eigen::OuterStride<>(ldb));
  // C[r0:r1, c0:c1] from the matching rows of op(A) and columns of op(B).
  auto block = [&](int64_t r0, int64_t r1, int64_t c0, int64_t c1, bool lazy) {
    MutMap c(C + r0 * ldc + c0, r1 - r0, c1 - c0, Eigen::OuterStride<>(ldc));
    auto run = [&](const auto& opa, const auto& opb) {
      const auto ra = opa.middleRows(r0, r1 - r0);
      const auto rb = opb.middleCols(c0, c1 - c0);
      if (lazy)
        product_lazy(ra, rb, alpha, beta, c);
      else
        product(ra, rb, alpha, beta, c);
    };
    if (!trans_a && !trans_b) run(a, b);
    if (!trans_a && trans_b) run(a, b.transpose());
    if (trans_a && !trans_b) run(a.transpose(), b);
    if (trans_a && trans_b) run(a.transpose(), b.transpose());
  };
  if (M * N * K <= kTinyWork) {
    block(0, M, 0, N, true);
    return;
  }
  const bool split_cols = N >= M;
  const int64_t extent = split_cols ? N : M;
  // At least ~8 chunks when the extent allows (a [48,288] weight gradient would be 2
  // uneven chunks of 256), 32..256 wide, a multiple of 16: a function of the shape only.
  const int64_t chunk = std::clamp<int64_t>((extent + 8 * 16 - 1) / (8 * 16) * 16, 32, kChunk);
  const int64_t chunks = (extent + chunk - 1) / chunk;
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t ch = 0; ch < chunks; ++ch) {
    const int64_t e0 = ch * chunk, e1 = std::min(extent, e0 + chunk);
    if (split_cols)
      block(0, M, e0, e1, false);
    else
      block(e0, e1, 0, N, false);
  }
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
// Chunks of at least ~64K elements, so a small gradient does not pay for a parallel region.
void sum_rows(const float* g, int64_t N, int64_t M, float* s) {
  const int64_t cols = std::max<int64_t>(256, (65536 / std::max<int64_t>(N, 1) + 15) / 16 * 16);
  parallel_for(M, cols, [&](int64_t m0, int64_t m1) {
    for (int64_t m = m0; m < m1; ++m) s[m] = 0.f;
    for (int64_t n = 0; n < N; ++n) {
      const float* row = g + n * M;
#pragma omp simd
      for (int64_t m = m0; m < m1; ++m) s[m] += row[m];
    }
  });
}

}  // namespace gsn::cpu
