// Autograd wrappers of the losses: the forward caches dL/dq from the same kernel call that
// computes the value; the backward scales it by the upstream gradient on the device.
#include "losses/losses_ag.h"

#include "losses/losses.h"

namespace gsn::ag {

namespace {
Var wrap(const char* name, const Var& q, const Var& y, double w_mse, double w_kl, double tau) {
  GSN_CHECK(q.defined() && y.defined(), name, ": undefined input Var");
  const bool want_grad = grad_enabled() && q.requires_grad();
  LossResult r = weighted_loss(name, q.value(), y.value(), w_mse, w_kl, tau, want_grad);
  Tensor cached = r.grad;
  // y is deliberately not an input of the node: targets are constants.
  return make_result(name, r.value, {q}, [cached](const Tensor& g, const std::vector<bool>&) {
    return std::vector<Tensor>{gsn::scale_by(cached, g)};
  });
}
}  // namespace

Var mse_loss(const Var& q, const Var& y) { return wrap("mse_loss", q, y, 1.0, 0.0, 1.0); }
Var kl_batch_loss(const Var& q, const Var& y, double tau) { return wrap("kl_batch_loss", q, y, 0.0, 1.0, tau); }
Var gsn_loss(const Var& q, const Var& y, double lambda, double tau) {
  return wrap("gsn_loss", q, y, 1.0, lambda, tau);
}

}  // namespace gsn::ag
