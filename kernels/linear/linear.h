// Matrix multiply and the fully connected layer. All matrices are dense row-major 2-D
// tensors (gsn has no strides); "op(X)" is X or its transpose, chosen by a flag, so a
// backward never materialises a transpose.
//
//   matmul(a, b, ta, tb)  C[M,N] = op(A) op(B)
//                         op(A) is [M,K]: a is [M,K], or [K,M] when ta
//                         op(B) is [K,N]: b is [K,N], or [N,K] when tb
//   linear(x, w, b)       y[N,M] = x w^T + b       x: [N,K] (N rows = batch), w: [M,K]
//                         (PyTorch's nn.Linear layout), b: [M] or undefined (no bias)
//   sum_rows(g)           s[M] = sum_n g[n,m]      g: [N,M]  (the bias gradient)
//
// Backward, written with the flags (no transposes are copied):
//   C = A B:          dA = dC B^T = matmul(dC, B, false, true)
//                     dB = A^T dC = matmul(A, dC, true, false)
//   y = x w^T + b:    dx = dy w   = matmul(dy, w)
//                     dw = dy^T x = matmul(dy, x, true, false)
//                     db = sum_rows(dy)
//
// The raw layer below is BLAS-like on row-major storage:
//   gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc):
//     C[i,j] = alpha * sum_k op(A)[i,k] op(B)[k,j] + beta * C[i,j]
//   op(A)[i,k] = A[i*lda + k] (ta false) or A[k*lda + i] (ta true); likewise B.
//   lda is the row stride of A as stored ([M,K] -> lda >= K; [K,M] -> lda >= M).
//   beta == 0 means C is not read (it may hold NaN or garbage), as in BLAS.
//   K == 0 gives C = beta * C.
//
// Determinism: ref::gemm sums k in order 0..K-1 for each C element. cpu::gemm splits C
// into fixed chunks that depend only on the shape and runs one single-threaded Eigen
// product per chunk, so its bits do not depend on the number of threads (checked at the
// bench shapes for 1, 2, 3 and 8 threads; see linear_cpu.cpp for why Eigen's own
// threading is kept off). They do depend on the CPU's vector width (-march).
// cuda::gemm: every C element is summed by one thread in a fixed order (no split-K, no
// atomics), so the bits are the same run to run for a given kernel version.
// sum_rows: the reference and the CPU sum n in order 0..N-1 for each column; CUDA sums 8
// interleaved partials (rows r, r+8, ...) and adds them in order: deterministic, but not
// the reference's bits.
#pragma once
#include "kernels/core/tensor.h"

namespace gsn {

Tensor matmul(const Tensor& a, const Tensor& b, bool trans_a = false, bool trans_b = false);
Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b);
Tensor sum_rows(const Tensor& g);

namespace ref {
// Plain triple loop, accumulated in T: the reference that defines the op.
template <class T>
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda, const T* B,
          int64_t ldb, T beta, T* C, int64_t ldc);
// y[n*M + m] += b[m] for n < N, m < M.
template <class T> void add_bias_rows(T* y, const T* b, int64_t N, int64_t M);
// s[m] = sum_{n=0..N-1} g[n*M + m], n in order.
template <class T> void sum_rows(const T* g, int64_t N, int64_t M, T* s);
}  // namespace ref

namespace cpu {
// Eigen's GEMM on Maps of the row-major buffers; OpenMP threads over fixed chunks of C.
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
void add_bias_rows(float* y, const float* b, int64_t N, int64_t M);
void sum_rows(const float* g, int64_t N, int64_t M, float* s);
}  // namespace cpu

namespace cuda {
// The hand-written SGEMM (kernels/linear/sgemm.cu); device pointers, gsn's stream.
// gemm() picks the version for the shape; gemm_version() runs one version for tests and
// benchmarks: 1 naive, 2 shared-memory 32x32 tiles, 3 register-blocked 128x128 tile
// (8x8 per thread), 4 register-blocked 64x64 tile (4x4 per thread).
constexpr int kGemmVersions = 4;
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
void gemm_version(int version, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                  const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
int gemm_pick_version(int64_t M, int64_t N, int64_t K);  // what gemm() runs for this shape
void add_bias_rows(float* y, const float* b, int64_t N, int64_t M);
void sum_rows(const float* g, int64_t N, int64_t M, float* s);
}  // namespace cuda

}  // namespace gsn
