// The per-element update formulas of the optimizers (optim.h), shared by the reference,
// the fast CPU path and the CUDA kernels, so the three differ only in how they loop.
// Coefficients are prepared once per step on the host, in double, then cast to T.
#pragma once
#include <cmath>

#include "kernels/optim/optim.h"

#ifndef GSN_HD
#ifdef __CUDACC__
#define GSN_HD __host__ __device__ __forceinline__
#else
#define GSN_HD inline
#endif
#endif

namespace gsn {

template <class T> struct AdamCoef {
  T beta1, beta2, one_minus_beta1, one_minus_beta2, eps;
  T wd;          // Adam: L2 coefficient added to the gradient (0 for AdamW)
  T decay;       // AdamW: p *= decay = 1 - lr*wd (1 for Adam)
  T step_size;   // lr / (1 - beta1^t)
  T bc2_sqrt;    // sqrt(1 - beta2^t)
  bool l2, decoupled;
};

template <class T> AdamCoef<T> adam_coef(const AdamParams& hp) {
  const double t = static_cast<double>(hp.step);
  AdamCoef<T> c{};
  c.beta1 = static_cast<T>(hp.beta1);
  c.beta2 = static_cast<T>(hp.beta2);
  c.one_minus_beta1 = static_cast<T>(1.0 - hp.beta1);
  c.one_minus_beta2 = static_cast<T>(1.0 - hp.beta2);
  c.eps = static_cast<T>(hp.eps);
  c.l2 = !hp.decoupled && hp.weight_decay != 0.0;
  c.decoupled = hp.decoupled && hp.weight_decay != 0.0;
  c.wd = static_cast<T>(c.l2 ? hp.weight_decay : 0.0);
  c.decay = static_cast<T>(c.decoupled ? 1.0 - hp.lr * hp.weight_decay : 1.0);
  c.step_size = static_cast<T>(hp.lr / (1.0 - std::pow(hp.beta1, t)));
  c.bc2_sqrt = static_cast<T>(std::sqrt(1.0 - std::pow(hp.beta2, t)));
  return c;
}

// g already multiplied by the gradient scale.
template <class T> GSN_HD void adam_update(T& p, T g, T& m, T& v, const AdamCoef<T>& c) {
  if (c.l2) g = g + c.wd * p;
  if (c.decoupled) p = p * c.decay;
  m = c.beta1 * m + c.one_minus_beta1 * g;
  v = c.beta2 * v + c.one_minus_beta2 * g * g;
  using std::sqrt;  // float: sqrtf on the host, the device's sqrtf in CUDA
  const T denom = sqrt(v) / c.bc2_sqrt + c.eps;
  p = p - c.step_size * (m / denom);
}

template <class T> struct SgdCoef {
  T lr, mu, wd;
  bool momentum, nesterov;
};

template <class T> SgdCoef<T> sgd_coef(const SgdParams& hp) {
  return SgdCoef<T>{static_cast<T>(hp.lr), static_cast<T>(hp.momentum), static_cast<T>(hp.weight_decay),
                    hp.momentum != 0.0, hp.nesterov};
}

// b is the momentum buffer (unused when !c.momentum).
template <class T> GSN_HD void sgd_update(T& p, T g, T* b, const SgdCoef<T>& c) {
  if (c.wd != T(0)) g = g + c.wd * p;
  if (c.momentum) {
    *b = c.mu * *b + g;
    g = c.nesterov ? g + c.mu * *b : *b;
  }
  p = p - c.lr * g;
}

// The clip coefficient from the norm, as torch.nn.utils.clip_grad_norm_ computes it.
// NaN norm -> NaN; inf norm -> 0; max_norm <= 0 or inf -> 1 (no clipping).
GSN_HD double clip_coef_of(double norm, double max_norm) {
  if (norm != norm) return norm;
  if (!(max_norm > 0.0) || max_norm > 1.7976931348623157e308) return 1.0;
  const double c = max_norm / (norm + 1e-6);
  return c < 1.0 ? c : 1.0;
}

}  // namespace gsn
