// Elementwise ops. Every tensor here has the same shape (any rank, n = numel elements);
// the index i runs over all n elements in memory order.
//
//   add(a, b)             y[i] = a[i] + b[i]
//   sub(a, b)             y[i] = a[i] - b[i]
//   mul(a, b)             y[i] = a[i] * b[i]
//   scale(x, s)           y[i] = s * x[i]
//   relu(x)               y[i] = max(x[i], 0)
//   relu_backward(x, gy)  gx[i] = x[i] > 0 ? gy[i] : 0
//   sigmoid(x)            y[i] = 1 / (1 + exp(-x[i]))   (computed without overflow)
//   sigmoid_backward(y, gy)  gx[i] = gy[i] * y[i] * (1 - y[i])   (takes the OUTPUT y)
//   add_inplace(acc, x)   acc[i] += x[i]   (gradient accumulation)
//
// Backward of add/sub/mul/scale is other elementwise ops (gy, -gy, gy*b, s*gy), so they
// need no kernels of their own. The reference, fast CPU and CUDA paths share the scalar
// formulas in elementwise_math.h, so they differ only by how the loop is run.
#pragma once
#include "kernels/core/tensor.h"

namespace gsn {

Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor scale(const Tensor& x, double s);
Tensor relu(const Tensor& x);
Tensor relu_backward(const Tensor& x, const Tensor& gy);
Tensor sigmoid(const Tensor& x);
Tensor sigmoid_backward(const Tensor& y, const Tensor& gy);
void add_inplace(Tensor& acc, const Tensor& x);

// The implementations behind the functions above, on raw pointers (n elements each).
enum class BinaryOp { Add, Sub, Mul, ReluBackward, SigmoidBackward };
enum class UnaryOp { Scale, Relu, Sigmoid };

namespace ref {
template <class T> void binary(BinaryOp op, const T* a, const T* b, T* y, int64_t n);
template <class T> void unary(UnaryOp op, const T* x, T s, T* y, int64_t n);
}  // namespace ref
namespace cpu {
void binary(BinaryOp op, const float* a, const float* b, float* y, int64_t n);
void unary(UnaryOp op, const float* x, float s, float* y, int64_t n);
}  // namespace cpu
namespace cuda {
void binary(BinaryOp op, const float* a, const float* b, float* y, int64_t n);
void unary(UnaryOp op, const float* x, float s, float* y, int64_t n);
}  // namespace cuda

}  // namespace gsn
