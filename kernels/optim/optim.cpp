// Tensor-level optimizer steps and gradient norm: check the lists, build the slot table,
// dispatch (kernels/core/dispatch.h).
#include <cmath>
#include <limits>

#include "kernels/core/dispatch.h"
#include "kernels/optim/optim.h"

namespace gsn {

namespace {

void check_state(const char* op, const char* what, std::size_t i, const Tensor* t, const Tensor& p) {
  GSN_CHECK(t && t->defined(), op, ": ", what, "[", i, "] is missing");
  GSN_CHECK(t->shape() == p.shape(), op, ": ", what, "[", i, "] has shape ", t->shape().str(), ", params[", i,
            "] has shape ", p.shape().str());
  GSN_CHECK(t->device() == p.device() && t->dtype() == p.dtype(), op, ": ", what, "[", i, "] is ", t->str(),
            ", params[", i, "] is ", p.str());
}

// Checks the lists (m, v may be null: not used) and returns the slots in T.
template <class T>
std::vector<ParamSlot<T>> slots_of(const char* op, const std::vector<Tensor*>& params,
                                   const std::vector<const Tensor*>& grads, const std::vector<Tensor*>* m,
                                   const std::vector<Tensor*>* v) {
  GSN_CHECK(grads.size() == params.size(), op, ": ", params.size(), " params but ", grads.size(), " grads");
  GSN_CHECK(!m || m->size() == params.size(), op, ": ", params.size(), " params but ", m->size(), " state tensors");
  GSN_CHECK(!v || v->size() == params.size(), op, ": ", params.size(), " params but ", v->size(), " state tensors");
  std::vector<ParamSlot<T>> slots(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    GSN_CHECK(params[i] && params[i]->defined(), op, ": params[", i, "] is missing");
    const Tensor& p = *params[i];
    GSN_CHECK(p.device() == params[0]->device() && p.dtype() == params[0]->dtype(), op, ": params[", i, "] is ",
              p.str(), ", params[0] is ", params[0]->str(), " (one device and dtype for all)");
    check_state(op, "grads", i, grads[i], p);
    slots[i].p = params[i]->data<T>();
    slots[i].g = grads[i]->data<T>();
    if (m) {
      check_state(op, "state (m / momentum)", i, (*m)[i], p);
      slots[i].m = (*m)[i]->data<T>();
    }
    if (v) {
      check_state(op, "state (v)", i, (*v)[i], p);
      slots[i].v = (*v)[i]->data<T>();
    }
    slots[i].n = p.numel();
  }
  return slots;
}

void check_scale(const char* op, const Tensor* s, const Tensor& p0) {
  if (!s) return;
  GSN_CHECK(s->defined() && s->numel() == 1, op, ": grad_scale must have one element");
  GSN_CHECK(s->device() == p0.device() && s->dtype() == p0.dtype(), op, ": grad_scale is ", s->str(),
            ", params are ", p0.str());
}

template <class T> const T* scale_ptr(const Tensor* s) { return s ? s->data<T>() : nullptr; }

}  // namespace

void adam_step(const std::vector<Tensor*>& params, const std::vector<const Tensor*>& grads,
               const std::vector<Tensor*>& m, const std::vector<Tensor*>& v, const AdamParams& hp,
               const Tensor* grad_scale) {
  const char* op = hp.decoupled ? "adamw_step" : "adam_step";
  GSN_CHECK(hp.step >= 1, op, ": step must be >= 1 (t of the bias corrections), got ", hp.step);
  GSN_CHECK(hp.beta1 >= 0.0 && hp.beta1 < 1.0 && hp.beta2 >= 0.0 && hp.beta2 < 1.0, op,
            ": betas must be in [0, 1), got ", hp.beta1, ", ", hp.beta2);
  if (params.empty()) return;
  check_scale(op, grad_scale, *params[0]);
  switch (select_impl(op, *params[0])) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(params[0]->dtype(), T,
                      ref::adam_step<T>(slots_of<T>(op, params, grads, &m, &v), hp, scale_ptr<T>(grad_scale)));
      break;
    case Impl::Cpu: cpu::adam_step(slots_of<float>(op, params, grads, &m, &v), hp, scale_ptr<float>(grad_scale)); break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(cuda::adam_step(slots_of<float>(op, params, grads, &m, &v), hp, scale_ptr<float>(grad_scale)));
      break;
  }
}

void sgd_step(const std::vector<Tensor*>& params, const std::vector<const Tensor*>& grads,
              const std::vector<Tensor*>& momentum_buf, const SgdParams& hp, const Tensor* grad_scale) {
  const char* op = "sgd_step";
  GSN_CHECK(!hp.nesterov || hp.momentum > 0.0, op, ": nesterov needs a momentum > 0");
  if (params.empty()) return;
  check_scale(op, grad_scale, *params[0]);
  const std::vector<Tensor*>* buf = hp.momentum != 0.0 ? &momentum_buf : nullptr;
  switch (select_impl(op, *params[0])) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(params[0]->dtype(), T,
                      ref::sgd_step<T>(slots_of<T>(op, params, grads, buf, nullptr), hp, scale_ptr<T>(grad_scale)));
      break;
    case Impl::Cpu: cpu::sgd_step(slots_of<float>(op, params, grads, buf, nullptr), hp, scale_ptr<float>(grad_scale)); break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(cuda::sgd_step(slots_of<float>(op, params, grads, buf, nullptr), hp, scale_ptr<float>(grad_scale)));
      break;
  }
}

namespace {
ClipCoef norm_impl(const char* op, const std::vector<const Tensor*>& grads, double max_norm, bool want_coef) {
  GSN_CHECK(!grads.empty(), op, ": no gradients");
  GSN_CHECK(grads[0] && grads[0]->defined(), op, ": grads[0] is missing");
  const Tensor& g0 = *grads[0];
  // Reuse the slot builder with the gradients standing in as params (only g and n are read).
  std::vector<Tensor*> as_params;
  for (const Tensor* g : grads) as_params.push_back(const_cast<Tensor*>(g));
  ClipCoef r;
  r.norm = Tensor::empty(Shape{1}, g0.dtype(), g0.device());
  if (want_coef) r.coef = Tensor::empty(Shape{1}, g0.dtype(), g0.device());
  switch (select_impl(op, g0)) {
    case Impl::Reference:
      GSN_FLOAT_TYPES(g0.dtype(), T,
                      ref::grad_norm<T>(slots_of<T>(op, as_params, grads, nullptr, nullptr), max_norm,
                                        r.norm.data<T>(), want_coef ? r.coef.data<T>() : nullptr));
      break;
    case Impl::Cpu:
      cpu::grad_norm(slots_of<float>(op, as_params, grads, nullptr, nullptr), max_norm, r.norm.data<float>(),
                     want_coef ? r.coef.data<float>() : nullptr);
      break;
    case Impl::Cuda:
      GSN_CUDA_ONLY(cuda::grad_norm(slots_of<float>(op, as_params, grads, nullptr, nullptr), max_norm,
                                    r.norm.data<float>(), want_coef ? r.coef.data<float>() : nullptr));
      break;
  }
  return r;
}
}  // namespace

Tensor grad_norm(const std::vector<const Tensor*>& grads) {
  return norm_impl("grad_norm", grads, std::numeric_limits<double>::infinity(), false).norm;
}

ClipCoef clip_grad_norm(const std::vector<const Tensor*>& grads, double max_norm) {
  GSN_CHECK(max_norm > 0.0, "clip_grad_norm: max_norm must be > 0, got ", max_norm);
  return norm_impl("clip_grad_norm", grads, max_norm, true);
}

}  // namespace gsn
