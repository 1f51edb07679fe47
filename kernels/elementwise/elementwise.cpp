// Tensor-level elementwise ops: check, allocate, dispatch (see kernels/core/dispatch.h).
#include "kernels/elementwise/elementwise.h"

#include "kernels/core/dispatch.h"

namespace gsn {

namespace {

void binary_into(const char* name, BinaryOp op, const Tensor& a, const Tensor& b, Tensor& y) {
  switch (select_impl(name, a)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(a.dtype(), T, ref::binary<T>(op, a.data<T>(), b.data<T>(), y.data<T>(), a.numel()));
      break;
    case Impl::Cpu: cpu::binary(op, a.data<float>(), b.data<float>(), y.data<float>(), a.numel()); break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(cuda::binary(op, a.data<float>(), b.data<float>(), y.data<float>(), a.numel()));
      break;
  }
}

Tensor binary(const char* name, BinaryOp op, const Tensor& a, const Tensor& b) {
  check_same_shape(name, a, b);
  check_same_device(name, a, b);
  check_same_dtype(name, a, b);
  Tensor y = Tensor::empty_like(a);
  binary_into(name, op, a, b, y);
  return y;
}

Tensor unary(const char* name, UnaryOp op, const Tensor& x, double s) {
  GSN_CHECK(x.defined(), name, ": undefined input");
  Tensor y = Tensor::empty_like(x);
  switch (select_impl(name, x)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(x.dtype(), T, ref::unary<T>(op, x.data<T>(), static_cast<T>(s), y.data<T>(), x.numel()));
      break;
    case Impl::Cpu: cpu::unary(op, x.data<float>(), static_cast<float>(s), y.data<float>(), x.numel()); break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(cuda::unary(op, x.data<float>(), static_cast<float>(s), y.data<float>(), x.numel()));
      break;
  }
  return y;
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) { return binary("add", BinaryOp::Add, a, b); }
Tensor sub(const Tensor& a, const Tensor& b) { return binary("sub", BinaryOp::Sub, a, b); }
Tensor mul(const Tensor& a, const Tensor& b) { return binary("mul", BinaryOp::Mul, a, b); }
Tensor relu_backward(const Tensor& x, const Tensor& gy) {
  return binary("relu_backward", BinaryOp::ReluBackward, x, gy);
}
Tensor sigmoid_backward(const Tensor& y, const Tensor& gy) {
  return binary("sigmoid_backward", BinaryOp::SigmoidBackward, y, gy);
}
Tensor scale(const Tensor& x, double s) { return unary("scale", UnaryOp::Scale, x, s); }
Tensor relu(const Tensor& x) { return unary("relu", UnaryOp::Relu, x, 0.0); }
Tensor sigmoid(const Tensor& x) { return unary("sigmoid", UnaryOp::Sigmoid, x, 0.0); }

void add_inplace(Tensor& acc, const Tensor& x) {
  check_same_shape("add_inplace", acc, x);
  check_same_device("add_inplace", acc, x);
  check_same_dtype("add_inplace", acc, x);
  // y may alias a: every implementation reads a[i] and b[i] before writing y[i].
  binary_into("add_inplace", BinaryOp::Add, acc, x, acc);
}

}  // namespace gsn
