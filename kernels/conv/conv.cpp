// Tensor-level conv2d: check, allocate, dispatch (see kernels/core/dispatch.h).
#include "kernels/conv/conv.h"

#include "kernels/core/dispatch.h"

namespace gsn {

int64_t conv_out_size(int64_t in, int64_t k, int64_t stride, int64_t pad) {
  GSN_CHECK(k >= 1 && stride >= 1 && pad >= 0, "conv2d: need k >= 1, stride >= 1, pad >= 0; got k ", k, ", stride ",
            stride, ", pad ", pad);
  GSN_CHECK(in + 2 * pad >= k, "conv2d: kernel ", k, " larger than the padded input (", in, " + 2*", pad, ")");
  return (in + 2 * pad - k) / stride + 1;
}

ConvGeom conv_geom(const Shape& xs, const Shape& ws, int stride, int pad) {
  GSN_CHECK(xs.ndim() == 4, "conv2d: x must be [N,C,H,W], got ", xs.str());
  GSN_CHECK(ws.ndim() == 4 && ws[2] == ws[3], "conv2d: w must be [O,C,k,k], got ", ws.str());
  GSN_CHECK(ws[1] == xs[1], "conv2d: weight has ", ws[1], " input channels, x has ", xs[1]);
  ConvGeom g;
  g.N = xs[0];
  g.C = xs[1];
  g.H = xs[2];
  g.W = xs[3];
  g.O = ws[0];
  g.k = ws[2];
  g.s = stride;
  g.p = pad;
  g.Ho = conv_out_size(g.H, g.k, stride, pad);
  g.Wo = conv_out_size(g.W, g.k, stride, pad);
  return g;
}

Tensor conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, int stride, int pad) {
  GSN_CHECK(x.defined() && w.defined(), "conv2d: undefined input");
  check_same_device("conv2d", x, w);
  check_same_dtype("conv2d", x, w);
  const ConvGeom g = conv_geom(x.shape(), w.shape(), stride, pad);
  if (b.defined()) {
    check_same_device("conv2d", x, b);
    check_same_dtype("conv2d", x, b);
    GSN_CHECK(b.ndim() == 1 && b.dim(0) == g.O, "conv2d: bias must be [", g.O, "], got ", b.str());
  }
  Tensor y = Tensor::empty(Shape{g.N, g.O, g.Ho, g.Wo}, x.dtype(), x.device());
  if (y.numel() == 0) return y;
  switch (select_impl("conv2d", x)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(x.dtype(), T,
                      ref::conv2d_forward<T>(x.data<T>(), w.data<T>(), b.defined() ? b.data<T>() : nullptr, g, y.data<T>()));
      break;
    case Impl::Cpu:
      cpu::conv2d_forward(x.data<float>(), w.data<float>(), b.defined() ? b.data<float>() : nullptr, g, y.data<float>());
      break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(cuda::conv2d_forward(x.data<float>(), w.data<float>(), b.defined() ? b.data<float>() : nullptr, g,
                                         y.data<float>()));
      break;
  }
  return y;
}

Tensor conv2d_backward_data(const Tensor& gy, const Tensor& w, const Shape& x_shape, int stride, int pad) {
  GSN_CHECK(gy.defined() && w.defined(), "conv2d_backward_data: undefined input");
  check_same_device("conv2d_backward_data", gy, w);
  check_same_dtype("conv2d_backward_data", gy, w);
  const ConvGeom g = conv_geom(x_shape, w.shape(), stride, pad);
  GSN_CHECK(gy.shape() == (Shape{g.N, g.O, g.Ho, g.Wo}), "conv2d_backward_data: gy ", gy.str(), " does not match x ",
            x_shape.str(), " and w ", w.str());
  Tensor gx = Tensor::empty(x_shape, gy.dtype(), gy.device());
  if (gx.numel() == 0) return gx;
  if (gy.numel() == 0) {
    gx.zero_();
    return gx;
  }
  switch (select_impl("conv2d_backward_data", gy)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(gy.dtype(), T, ref::conv2d_backward_data<T>(gy.data<T>(), w.data<T>(), g, gx.data<T>()));
      break;
    case Impl::Cpu: cpu::conv2d_backward_data(gy.data<float>(), w.data<float>(), g, gx.data<float>()); break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(cuda::conv2d_backward_data(gy.data<float>(), w.data<float>(), g, gx.data<float>()));
      break;
  }
  return gx;
}

Tensor conv2d_backward_weight(const Tensor& gy, const Tensor& x, const Shape& w_shape, int stride, int pad) {
  GSN_CHECK(gy.defined() && x.defined(), "conv2d_backward_weight: undefined input");
  check_same_device("conv2d_backward_weight", gy, x);
  check_same_dtype("conv2d_backward_weight", gy, x);
  const ConvGeom g = conv_geom(x.shape(), w_shape, stride, pad);
  GSN_CHECK(gy.shape() == (Shape{g.N, g.O, g.Ho, g.Wo}), "conv2d_backward_weight: gy ", gy.str(), " does not match x ",
            x.str(), " and w ", w_shape.str());
  Tensor gw = Tensor::empty(w_shape, gy.dtype(), gy.device());
  if (gw.numel() == 0) return gw;
  if (gy.numel() == 0) {
    gw.zero_();
    return gw;
  }
  switch (select_impl("conv2d_backward_weight", gy)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(gy.dtype(), T, ref::conv2d_backward_weight<T>(gy.data<T>(), x.data<T>(), g, gw.data<T>()));
      break;
    case Impl::Cpu: cpu::conv2d_backward_weight(gy.data<float>(), x.data<float>(), g, gw.data<float>()); break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(cuda::conv2d_backward_weight(gy.data<float>(), x.data<float>(), g, gw.data<float>()));
      break;
  }
  return gw;
}

Tensor conv2d_backward_bias(const Tensor& gy) {
  check_ndim("conv2d_backward_bias", "gy", gy, 4);
  ConvGeom g{};
  g.N = gy.dim(0);
  g.O = gy.dim(1);
  g.Ho = gy.dim(2);
  g.Wo = gy.dim(3);
  Tensor gb = Tensor::empty(Shape{g.O}, gy.dtype(), gy.device());
  if (g.O == 0) return gb;
  if (gy.numel() == 0) {
    gb.zero_();
    return gb;
  }
  switch (select_impl("conv2d_backward_bias", gy)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(gy.dtype(), T, ref::conv2d_backward_bias<T>(gy.data<T>(), g, gb.data<T>()));
      break;
    case Impl::Cpu: cpu::conv2d_backward_bias(gy.data<float>(), g, gb.data<float>()); break;
    case Impl::Cuda: GSN_CUDA_ONLY(cuda::conv2d_backward_bias(gy.data<float>(), g, gb.data<float>())); break;
  }
  return gb;
}

}  // namespace gsn
