// Reference optimizer steps: one plain loop per tensor over its elements, in T, with the
// shared formulas of optim_math.h. This defines the steps (see optim.h). The gradient
// norm sums squares in double over every element in order.
#include <cmath>

#include "kernels/optim/optim_math.h"

namespace gsn::ref {

template <class T> void adam_step(const std::vector<ParamSlot<T>>& slots, const AdamParams& hp, const T* grad_scale) {
  const AdamCoef<T> c = adam_coef<T>(hp);
  const T s = grad_scale ? grad_scale[0] : T(1);
  for (const ParamSlot<T>& t : slots)
    for (int64_t i = 0; i < t.n; ++i) adam_update(t.p[i], s * t.g[i], t.m[i], t.v[i], c);
}

template <class T> void sgd_step(const std::vector<ParamSlot<T>>& slots, const SgdParams& hp, const T* grad_scale) {
  const SgdCoef<T> c = sgd_coef<T>(hp);
  const T s = grad_scale ? grad_scale[0] : T(1);
  for (const ParamSlot<T>& t : slots)
    for (int64_t i = 0; i < t.n; ++i) sgd_update(t.p[i], s * t.g[i], c.momentum ? t.m + i : nullptr, c);
}

template <class T> void grad_norm(const std::vector<ParamSlot<T>>& slots, double max_norm, T* norm, T* coef) {
  double acc = 0.0;
  for (const ParamSlot<T>& t : slots)
    for (int64_t i = 0; i < t.n; ++i) acc += static_cast<double>(t.g[i]) * static_cast<double>(t.g[i]);
  const double nrm = std::sqrt(acc);
  norm[0] = static_cast<T>(nrm);
  if (coef) coef[0] = static_cast<T>(clip_coef_of(nrm, max_norm));
}

#define GSN_INSTANTIATE(T)                                                                        \
  template void adam_step<T>(const std::vector<ParamSlot<T>>&, const AdamParams&, const T*);      \
  template void sgd_step<T>(const std::vector<ParamSlot<T>>&, const SgdParams&, const T*);        \
  template void grad_norm<T>(const std::vector<ParamSlot<T>>&, double, T*, T*);
GSN_INSTANTIATE(float)
GSN_INSTANTIATE(double)
#undef GSN_INSTANTIATE

}  // namespace gsn::ref
