#include "kernels/reduce/reduce.h"

#include "kernels/core/dispatch.h"

namespace gsn {

namespace {
Tensor reduce(const char* name, const Tensor& x, double scale) {
  GSN_CHECK(x.defined(), name, ": undefined input");
  Tensor y = Tensor::empty(Shape{1}, x.dtype(), x.device());
  switch (select_impl(name, x)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(x.dtype(), T, ref::sum_all<T>(x.data<T>(), x.numel(), static_cast<T>(scale), y.data<T>()));
      break;
    case Impl::Cpu: cpu::sum_all(x.data<float>(), x.numel(), static_cast<float>(scale), y.data<float>()); break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(cuda::sum_all(x.data<float>(), x.numel(), static_cast<float>(scale), y.data<float>()));
      break;
  }
  return y;
}
}  // namespace

Tensor sum_all(const Tensor& x) { return reduce("sum_all", x, 1.0); }
Tensor mean_all(const Tensor& x) {
  GSN_CHECK(x.defined() && x.numel() > 0, "mean_all: mean of an empty tensor");
  return reduce("mean_all", x, 1.0 / static_cast<double>(x.numel()));
}

Tensor expand_scalar(const Tensor& g, const Shape& shape, double s) {
  GSN_CHECK(g.defined() && g.numel() == 1, "expand_scalar: g must have one element, got ", g.str());
  Tensor out = Tensor::empty(shape, g.dtype(), g.device());
  switch (select_impl("expand_scalar", g)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(g.dtype(), T, ref::expand_scalar<T>(g.data<T>(), static_cast<T>(s), out.data<T>(), out.numel()));
      break;
    case Impl::Cpu: cpu::expand_scalar(g.data<float>(), static_cast<float>(s), out.data<float>(), out.numel()); break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(cuda::expand_scalar(g.data<float>(), static_cast<float>(s), out.data<float>(), out.numel()));
      break;
  }
  return out;
}

}  // namespace gsn
