// CUDA elementwise ops. Memory-bound: one grid-stride loop, the op chosen by a template
// parameter so each kernel is a single formula. Version 1 (this one) reads scalars; a
// float4 version would matter only for tensors far larger than GSN's.
#include "kernels/core/cuda_check.cuh"
#include "kernels/elementwise/elementwise_math.h"

namespace gsn::cuda {

namespace {
constexpr int kBlock = 256;

// y may alias a (add_inplace), so neither is __restrict__: each thread reads a[i] and b[i]
// before it writes y[i], which is all the aliasing needs.
template <BinaryOp OP>
__global__ void binary_kernel(const float* a, const float* __restrict__ b, float* y, int64_t n) {
  GSN_GRID_STRIDE(i, n) y[i] = binary_of(OP, a[i], b[i]);
}

template <UnaryOp OP>
__global__ void unary_kernel(const float* __restrict__ x, float s, float* __restrict__ y, int64_t n) {
  GSN_GRID_STRIDE(i, n) y[i] = unary_of(OP, x[i], s);
}

template <BinaryOp OP> void launch(const float* a, const float* b, float* y, int64_t n) {
  binary_kernel<OP><<<grid_1d(n, kBlock), kBlock, 0, cuda_stream()>>>(a, b, y, n);
}
template <UnaryOp OP> void launch(const float* x, float s, float* y, int64_t n) {
  unary_kernel<OP><<<grid_1d(n, kBlock), kBlock, 0, cuda_stream()>>>(x, s, y, n);
}
}  // namespace

void binary(BinaryOp op, const float* a, const float* b, float* y, int64_t n) {
  if (n == 0) return;
  switch (op) {
    case BinaryOp::Add: launch<BinaryOp::Add>(a, b, y, n); break;
    case BinaryOp::Sub: launch<BinaryOp::Sub>(a, b, y, n); break;
    case BinaryOp::Mul: launch<BinaryOp::Mul>(a, b, y, n); break;
    case BinaryOp::ReluBackward: launch<BinaryOp::ReluBackward>(a, b, y, n); break;
    case BinaryOp::SigmoidBackward: launch<BinaryOp::SigmoidBackward>(a, b, y, n); break;
  }
  GSN_CUDA_CHECK_LAUNCH();
}

void unary(UnaryOp op, const float* x, float s, float* y, int64_t n) {
  if (n == 0) return;
  switch (op) {
    case UnaryOp::Scale: launch<UnaryOp::Scale>(x, s, y, n); break;
    case UnaryOp::Relu: launch<UnaryOp::Relu>(x, s, y, n); break;
    case UnaryOp::Sigmoid: launch<UnaryOp::Sigmoid>(x, s, y, n); break;
  }
  GSN_CUDA_CHECK_LAUNCH();
}

}  // namespace gsn::cuda
