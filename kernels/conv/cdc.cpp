// Tensor-level CDC: the folded and the two-conv form over conv2d (see cdc.h).
#include "kernels/conv/cdc.h"

#include "kernels/core/dispatch.h"

namespace gsn {

namespace {
void check_theta(double theta) {
  GSN_CHECK(theta >= 0.0 && theta <= 1.0, "cdc_conv2d: theta must be in [0, 1], got ", theta);
}
void check_kernel(const char* op, const Shape& ws) {
  GSN_CHECK(ws.ndim() == 4 && ws[2] == 3 && ws[3] == 3, op, ": CDC needs a [O,C,3,3] kernel, got ", ws.str());
}

// The form to run: Auto is folded on the fast paths, two-conv on the reference path.
bool use_folded(CdcForm form, const Tensor& t) {
  if (form != CdcForm::Auto) return form == CdcForm::Folded;
  return select_impl("cdc_conv2d", t) != Impl::Reference;
}

// y = a - theta * b (same shapes).
Tensor sub_scaled(const Tensor& a, const Tensor& b, double theta) {
  check_same_shape("cdc_sub_scaled", a, b);
  Tensor y = Tensor::empty_like(a);
  if (y.numel() == 0) return y;
  switch (select_impl("cdc_sub_scaled", a)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(a.dtype(), T,
                      ref::cdc_sub_scaled<T>(a.data<T>(), b.data<T>(), static_cast<T>(theta), y.data<T>(), y.numel()));
      break;
    case Impl::Cpu:
      cpu::cdc_sub_scaled(a.data<float>(), b.data<float>(), static_cast<float>(theta), y.data<float>(), y.numel());
      break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(cuda::cdc_sub_scaled(a.data<float>(), b.data<float>(), static_cast<float>(theta), y.data<float>(),
                                         y.numel()));
      break;
  }
  return y;
}

// gw[oc,t] = G[oc,t] - theta * H[oc*h_stride] (see cdc.h).
Tensor unfold(const Tensor& G, const Tensor& H, int64_t h_stride, int64_t h_offset, double theta) {
  Tensor gw = Tensor::empty_like(G);
  const int64_t OC = G.numel() / 9;
  if (OC == 0) return gw;
  switch (select_impl("cdc_unfold_grad", G)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(G.dtype(), T,
                      ref::cdc_unfold_grad<T>(G.data<T>(), H.data<T>() + h_offset, h_stride, OC, static_cast<T>(theta),
                                              gw.data<T>()));
      break;
    case Impl::Cpu:
      cpu::cdc_unfold_grad(G.data<float>(), H.data<float>() + h_offset, h_stride, OC, static_cast<float>(theta),
                           gw.data<float>());
      break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(cuda::cdc_unfold_grad(G.data<float>(), H.data<float>() + h_offset, h_stride, OC,
                                          static_cast<float>(theta), gw.data<float>()));
      break;
  }
  return gw;
}
}  // namespace

Tensor cdc_fold_weight(const Tensor& w, double theta) {
  check_theta(theta);
  check_kernel("cdc_fold_weight", w.shape());
  Tensor wf = Tensor::empty_like(w);
  const int64_t OC = w.dim(0) * w.dim(1);
  if (OC == 0) return wf;
  switch (select_impl("cdc_fold_weight", w)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(w.dtype(), T, ref::cdc_fold_weight<T>(w.data<T>(), OC, static_cast<T>(theta), wf.data<T>()));
      break;
    case Impl::Cpu: cpu::cdc_fold_weight(w.data<float>(), OC, static_cast<float>(theta), wf.data<float>()); break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(cuda::cdc_fold_weight(w.data<float>(), OC, static_cast<float>(theta), wf.data<float>()));
      break;
  }
  return wf;
}

Tensor cdc_unfold_grad(const Tensor& G, double theta) {
  check_theta(theta);
  check_kernel("cdc_unfold_grad", G.shape());
  return unfold(G, G, 9, 4, theta);
}

Tensor cdc_sum_taps(const Tensor& w) {
  check_kernel("cdc_sum_taps", w.shape());
  Tensor s = Tensor::empty(Shape{w.dim(0), w.dim(1), 1, 1}, w.dtype(), w.device());
  const int64_t OC = w.dim(0) * w.dim(1);
  if (OC == 0) return s;
  switch (select_impl("cdc_sum_taps", w)) {
    case Impl::Reference: GSN_FLOAT_TYPES(w.dtype(), T, ref::cdc_sum_taps<T>(w.data<T>(), OC, s.data<T>())); break;
    case Impl::Cpu: cpu::cdc_sum_taps(w.data<float>(), OC, s.data<float>()); break;
    case Impl::Cuda: GSN_CUDA_ONLY(cuda::cdc_sum_taps(w.data<float>(), OC, s.data<float>())); break;
  }
  return s;
}

Tensor cdc_conv2d_forward(const Tensor& x, const Tensor& w, double theta, CdcForm form) {
  check_theta(theta);
  check_kernel("cdc_conv2d", w.shape());
  GSN_CHECK(x.defined(), "cdc_conv2d: undefined input");
  if (use_folded(form, x)) return conv2d_forward(x, cdc_fold_weight(w, theta), Tensor(), 1, 1);
  Tensor y3 = conv2d_forward(x, w, Tensor(), 1, 1);
  Tensor y1 = conv2d_forward(x, cdc_sum_taps(w), Tensor(), 1, 0);
  return sub_scaled(y3, y1, theta);
}

Tensor cdc_conv2d_backward_data(const Tensor& gy, const Tensor& w, const Shape& x_shape, double theta, CdcForm form) {
  check_theta(theta);
  check_kernel("cdc_conv2d_backward_data", w.shape());
  GSN_CHECK(gy.defined(), "cdc_conv2d_backward_data: undefined input");
  if (use_folded(form, gy)) return conv2d_backward_data(gy, cdc_fold_weight(w, theta), x_shape, 1, 1);
  Tensor g3 = conv2d_backward_data(gy, w, x_shape, 1, 1);
  Tensor g1 = conv2d_backward_data(gy, cdc_sum_taps(w), x_shape, 1, 0);
  return sub_scaled(g3, g1, theta);
}

Tensor cdc_conv2d_backward_weight(const Tensor& gy, const Tensor& x, const Shape& w_shape, double theta, CdcForm form) {
  check_theta(theta);
  check_kernel("cdc_conv2d_backward_weight", w_shape);
  GSN_CHECK(gy.defined(), "cdc_conv2d_backward_weight: undefined input");
  Tensor G = conv2d_backward_weight(gy, x, w_shape, 1, 1);
  if (use_folded(form, gy)) return unfold(G, G, 9, 4, theta);
  Tensor H = conv2d_backward_weight(gy, x, Shape{w_shape[0], w_shape[1], 1, 1}, 1, 0);
  return unfold(G, H, 1, 0, theta);
}

}  // namespace gsn
