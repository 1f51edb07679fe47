// CUDA reductions without atomics, so the sum is the same bits on every run.
//
// sum_all is two launches:
//   1. G blocks (G depends only on n) each sum a grid-stride slice into a register, then
//      reduce the block in shared memory (a fixed tree) and write partial[block];
//   2. one block reduces the G partials the same way and writes scale * total.
// Partials are float. Each thread sums its grid-stride slice (about n / (G * 256)
// elements) in order, then the trees add O(log(G * 256)) levels: the error grows with
// the slice length, like any ordered float sum of that length.
#include <algorithm>

#include "kernels/core/cuda_check.cuh"
#include "kernels/core/tensor.h"
#include "kernels/reduce/reduce.h"

namespace gsn::cuda {

namespace {
constexpr int kBlock = 256;
constexpr int kMaxBlocks = 1024;

// Sums v over the block in a fixed order; thread 0 gets the total.
__device__ float block_sum(float v) {
  __shared__ float buf[kBlock];
  buf[threadIdx.x] = v;
  __syncthreads();
  for (int stride = kBlock / 2; stride > 0; stride >>= 1) {
    if (static_cast<int>(threadIdx.x) < stride) buf[threadIdx.x] += buf[threadIdx.x + stride];
    __syncthreads();
  }
  return buf[0];
}

__global__ void partial_sums(const float* __restrict__ x, int64_t n, float* __restrict__ partial) {
  float acc = 0.f;
  GSN_GRID_STRIDE(i, n) acc += x[i];
  float total = block_sum(acc);
  if (threadIdx.x == 0) partial[blockIdx.x] = total;
}

__global__ void final_sum(const float* __restrict__ partial, int count, float scale, float* __restrict__ y) {
  float acc = 0.f;
  for (int i = threadIdx.x; i < count; i += kBlock) acc += partial[i];
  float total = block_sum(acc);
  if (threadIdx.x == 0) y[0] = scale * total;
}

__global__ void expand_kernel(const float* __restrict__ g, float scale, float* __restrict__ out, int64_t n) {
  const float v = scale * g[0];
  GSN_GRID_STRIDE(i, n) out[i] = v;
}
}  // namespace

void sum_all(const float* x, int64_t n, float scale, float* y) {
  const int blocks = static_cast<int>(std::min<int64_t>(std::max<int64_t>(ceil_div(n, kBlock * 4), 1), kMaxBlocks));
  Tensor partial = Tensor::empty(Shape{blocks}, DType::F32, Device::CUDA);
  partial_sums<<<blocks, kBlock, 0, cuda_stream()>>>(x, n, partial.data<float>());
  GSN_CUDA_CHECK_LAUNCH();
  final_sum<<<1, kBlock, 0, cuda_stream()>>>(partial.data<float>(), blocks, scale, y);
  GSN_CUDA_CHECK_LAUNCH();
}

void expand_scalar(const float* g, float scale, float* out, int64_t n) {
  if (n == 0) return;
  expand_kernel<<<grid_1d(n, kBlock), kBlock, 0, cuda_stream()>>>(g, scale, out, n);
  GSN_CUDA_CHECK_LAUNCH();
}

}  // namespace gsn::cuda
