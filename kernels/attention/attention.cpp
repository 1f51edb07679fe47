// Tensor-level attention pieces: check, allocate, dispatch.
#include "kernels/attention/attention.h"

#include "kernels/core/dispatch.h"

namespace gsn {

ChannelPoolResult channel_mean_max(const Tensor& x) {
  check_ndim("channel_mean_max", "x", x, 4);
  GSN_CHECK(x.dim(1) >= 1, "channel_mean_max: no channels in ", x.str());
  const int64_t N = x.dim(0), C = x.dim(1), hw = x.dim(2) * x.dim(3);
  ChannelPoolResult r{Tensor::empty(Shape{N, 2, x.dim(2), x.dim(3)}, x.dtype(), x.device()),
                      Tensor::empty(Shape{N, 1, x.dim(2), x.dim(3)}, x.dtype(), x.device())};
  switch (select_impl("channel_mean_max", x)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(x.dtype(), T,
                      ref::channel_mean_max_forward<T>(x.data<T>(), N, C, hw, r.y.data<T>(), r.argmax.data<T>()));
      break;
    case Impl::Cpu:
      cpu::channel_mean_max_forward(x.data<float>(), N, C, hw, r.y.data<float>(), r.argmax.data<float>());
      break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(cuda::channel_mean_max_forward(x.data<float>(), N, C, hw, r.y.data<float>(), r.argmax.data<float>()));
      break;
  }
  return r;
}

Tensor channel_mean_max_backward(const Tensor& gy, const Tensor& argmax, int64_t channels) {
  check_ndim("channel_mean_max_backward", "gy", gy, 4);
  GSN_CHECK(gy.dim(1) == 2 && argmax.defined() && argmax.shape() == Shape({gy.dim(0), 1, gy.dim(2), gy.dim(3)}),
            "channel_mean_max_backward: gy ", gy.str(), " / argmax ", argmax.defined() ? argmax.str() : "undefined");
  check_same_device("channel_mean_max_backward", gy, argmax);
  check_same_dtype("channel_mean_max_backward", gy, argmax);
  const int64_t N = gy.dim(0), hw = gy.dim(2) * gy.dim(3);
  Tensor gx = Tensor::empty(Shape{N, channels, gy.dim(2), gy.dim(3)}, gy.dtype(), gy.device());
  switch (select_impl("channel_mean_max_backward", gy)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(gy.dtype(), T,
                      ref::channel_mean_max_backward<T>(gy.data<T>(), argmax.data<T>(), N, channels, hw, gx.data<T>()));
      break;
    case Impl::Cpu:
      cpu::channel_mean_max_backward(gy.data<float>(), argmax.data<float>(), N, channels, hw, gx.data<float>());
      break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(
          cuda::channel_mean_max_backward(gy.data<float>(), argmax.data<float>(), N, channels, hw, gx.data<float>()));
      break;
  }
  return gx;
}

namespace {
void check_gate(const char* op, const Tensor& x, const Tensor& a) {
  check_ndim(op, "x", x, 4);
  GSN_CHECK(a.defined() && a.shape() == Shape({x.dim(0), 1, x.dim(2), x.dim(3)}), op, ": a must be [", x.dim(0),
            ",1,", x.dim(2), ",", x.dim(3), "], got ", a.defined() ? a.str() : "undefined");
  check_same_device(op, x, a);
  check_same_dtype(op, x, a);
}
}  // namespace

Tensor gate(const Tensor& x, const Tensor& a) {
  check_gate("gate", x, a);
  const int64_t N = x.dim(0), C = x.dim(1), hw = x.dim(2) * x.dim(3);
  Tensor y = Tensor::empty_like(x);
  switch (select_impl("gate", x)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(x.dtype(), T, ref::gate_forward<T>(x.data<T>(), a.data<T>(), N, C, hw, y.data<T>()));
      break;
    case Impl::Cpu: cpu::gate_forward(x.data<float>(), a.data<float>(), N, C, hw, y.data<float>()); break;
    case Impl::Cuda: GSN_CUDA_ONLY(cuda::gate_forward(x.data<float>(), a.data<float>(), N, C, hw, y.data<float>())); break;
  }
  return y;
}

GateGrads gate_backward(const Tensor& x, const Tensor& a, const Tensor& gy, bool need_gx, bool need_ga) {
  check_gate("gate_backward", x, a);
  check_same_shape("gate_backward", x, gy);
  check_same_device("gate_backward", x, gy);
  check_same_dtype("gate_backward", x, gy);
  const int64_t N = x.dim(0), C = x.dim(1), hw = x.dim(2) * x.dim(3);
  GateGrads r;
  if (need_gx) r.gx = Tensor::empty_like(x);
  if (need_ga) r.ga = Tensor::empty_like(a);
  if (!need_gx && !need_ga) return r;
  switch (select_impl("gate_backward", x)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(x.dtype(), T,
                      ref::gate_backward<T>(x.data<T>(), a.data<T>(), gy.data<T>(), N, C, hw,
                                            need_gx ? r.gx.data<T>() : nullptr, need_ga ? r.ga.data<T>() : nullptr));
      break;
    case Impl::Cpu:
      cpu::gate_backward(x.data<float>(), a.data<float>(), gy.data<float>(), N, C, hw,
                         need_gx ? r.gx.data<float>() : nullptr, need_ga ? r.ga.data<float>() : nullptr);
      break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(cuda::gate_backward(x.data<float>(), a.data<float>(), gy.data<float>(), N, C, hw,
                                        need_gx ? r.gx.data<float>() : nullptr, need_ga ? r.ga.data<float>() : nullptr));
      break;
  }
  return r;
}

}  // namespace gsn
