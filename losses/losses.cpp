// Tensor-level losses: check, allocate, dispatch (see kernels/core/dispatch.h).
#include <cmath>

#include "kernels/core/dispatch.h"
#include "losses/losses.h"

namespace gsn {

LossResult weighted_loss(const char* name, const Tensor& q, const Tensor& y, double w_mse, double w_kl, double tau,
                         bool want_grad) {
  GSN_CHECK(q.defined() && y.defined(), name, ": undefined input");
  GSN_CHECK(q.shape() == y.shape(), name, ": predictions q ", q.shape().str(), " and targets y ", y.shape().str(),
            " must have the same shape (one target per prediction; reshape one of them)");
  check_same_device(name, q, y);
  check_same_dtype(name, q, y);
  GSN_CHECK(q.numel() >= 1, name, ": empty batch");
  GSN_CHECK(std::isfinite(w_mse) && std::isfinite(w_kl), name, ": weights must be finite, got ", w_mse, ", ", w_kl);
  GSN_CHECK(w_kl == 0.0 || (tau > 0.0 && std::isfinite(tau)), name, ": temperature tau must be > 0, got ", tau);
  const int64_t n = q.numel();
  LossResult r;
  r.value = Tensor::empty(Shape{1}, q.dtype(), q.device());
  if (want_grad) r.grad = Tensor::empty_like(q);
  switch (select_impl(name, q)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(q.dtype(), T,
                      ref::loss_forward<T>(q.data<T>(), y.data<T>(), n, static_cast<T>(w_mse), static_cast<T>(w_kl),
                                           static_cast<T>(tau), r.value.data<T>(), want_grad ? r.grad.data<T>() : nullptr));
      break;
    case Impl::Cpu:
      cpu::loss_forward(q.data<float>(), y.data<float>(), n, static_cast<float>(w_mse), static_cast<float>(w_kl),
                        static_cast<float>(tau), r.value.data<float>(), want_grad ? r.grad.data<float>() : nullptr);
      break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(cuda::loss_forward(q.data<float>(), y.data<float>(), n, static_cast<float>(w_mse),
                                       static_cast<float>(w_kl), static_cast<float>(tau), r.value.data<float>(),
                                       want_grad ? r.grad.data<float>() : nullptr));
      break;
  }
  return r;
}

LossResult mse_loss(const Tensor& q, const Tensor& y, bool want_grad) {
  return weighted_loss("mse_loss", q, y, 1.0, 0.0, 1.0, want_grad);
}
LossResult kl_batch_loss(const Tensor& q, const Tensor& y, double tau, bool want_grad) {
  return weighted_loss("kl_batch_loss", q, y, 0.0, 1.0, tau, want_grad);
}
LossResult gsn_loss(const Tensor& q, const Tensor& y, double lambda, double tau, bool want_grad) {
  return weighted_loss("gsn_loss", q, y, 1.0, lambda, tau, want_grad);
}

Tensor scale_by(const Tensor& x, const Tensor& s) {
  GSN_CHECK(x.defined() && s.defined(), "scale_by: undefined input");
  GSN_CHECK(s.numel() == 1, "scale_by: the scale must have one element, got ", s.str());
  check_same_device("scale_by", x, s);
  check_same_dtype("scale_by", x, s);
  Tensor out = Tensor::empty_like(x);
  switch (select_impl("scale_by", x)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(x.dtype(), T, ref::scale_by<T>(x.data<T>(), s.data<T>(), out.data<T>(), x.numel()));
      break;
    case Impl::Cpu: cpu::scale_by(x.data<float>(), s.data<float>(), out.data<float>(), x.numel()); break;
    case Impl::Cuda: GSN_CUDA_ONLY(cuda::scale_by(x.data<float>(), s.data<float>(), out.data<float>(), x.numel())); break;
  }
  return out;
}

}  // namespace gsn
