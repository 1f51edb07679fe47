// CUDA bias add and bias gradient for linear(); the matmul itself is in sgemm.cu.
//
// sum_rows without atomics: a block of 32 x 8 threads owns 32 columns; thread (x, y) adds
// rows y, y+8, y+16, ... of column x in order, and thread y = 0 adds the 8 partials in
// order 0..7. The order depends only on N, so the bits are the same on every run.
#include "kernels/core/cuda_check.cuh"
#include "kernels/linear/linear.h"

namespace gsn::cuda {

namespace {
constexpr int kCols = 32, kRowGroups = 8;

__global__ void add_bias_kernel(float* __restrict__ y, const float* __restrict__ b, int64_t n, int64_t M) {
  GSN_GRID_STRIDE(i, n) y[i] += b[i % M];
}

__global__ void sum_rows_kernel(const float* __restrict__ g, int64_t N, int64_t M, float* __restrict__ s) {
  __shared__ float part[kRowGroups][kCols + 1];
  const int tx = static_cast<int>(threadIdx.x), ty = static_cast<int>(threadIdx.y);
  const int64_t m = static_cast<int64_t>(blockIdx.x) * kCols + tx;
  float acc = 0.f;
  if (m < M)
    for (int64_t n = ty; n < N; n += kRowGroups) acc += g[n * M + m];
  part[ty][tx] = acc;
  __syncthreads();
  if (ty == 0 && m < M) {
    float total = 0.f;
#pragma unroll
    for (int r = 0; r < kRowGroups; ++r) total += part[r][tx];
    s[m] = total;
  }
}
}  // namespace

void add_bias_rows(float* y, const float* b, int64_t N, int64_t M) {
  const int64_t n = N * M;
  if (n == 0) return;
  add_bias_kernel<<<grid_1d(n, 256), 256, 0, cuda_stream()>>>(y, b, n, M);
  GSN_CUDA_CHECK_LAUNCH();
}

void sum_rows(const float* g, int64_t N, int64_t M, float* s) {
  if (M == 0) return;
  const int64_t blocks = ceil_div(M, kCols);
  GSN_CHECK(blocks < (1LL << 31), "sum_rows: too many columns (", M, ")");
  sum_rows_kernel<<<static_cast<unsigned>(blocks), dim3(kCols, kRowGroups), 0, cuda_stream()>>>(g, N, M, s);
  GSN_CUDA_CHECK_LAUNCH();
}

}  // namespace gsn::cuda
