// Fast CPU losses. B is at most a few thousand, so one thread (a fork would cost more than
// the work) and three passes over q and y that stay in L1:
//   1. max of q/tau and y/tau, and the MSE sum (a vectorised loop);
//   2. the two exp sums of the log-sum-exps (exp in float, sums in double);
//   3. KL and the gradient together, from the same exp(a_i), exp(b_i).
// Differs from the reference only in doing the exps in float. The log-sum-exp is kept as
// m + s and applied as (x - m) - s, as in the reference (losses_ref.cpp says why).
#include <cmath>
#include <limits>

#include "losses/losses.h"

namespace gsn::cpu {

void loss_forward(const float* q, const float* y, int64_t n, float w_mse, float w_kl, float tau, float* value,
                  float* grad) {
  const float inv_tau = 1.f / tau;
  const float inv_n = static_cast<float>(1.0 / static_cast<double>(n));
  double sq = 0.0;
#pragma omp simd reduction(+ : sq)
  for (int64_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(q[i]) - static_cast<double>(y[i]);
    sq += d * d;
  }
  double kl = 0.0;
  float mq = -std::numeric_limits<float>::infinity(), my = mq, s_q = 0.f, s_y = 0.f;
  if (w_kl != 0.f) {
    for (int64_t i = 0; i < n; ++i) {
      const float xq = q[i] * inv_tau, xy = y[i] * inv_tau;
      mq = xq > mq ? xq : mq;  // NaN never becomes the max; it reaches the sums below
      my = xy > my ? xy : my;
    }
    double sq_sum = 0.0, sy_sum = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      sq_sum += static_cast<double>(std::exp(q[i] * inv_tau - mq));
      sy_sum += static_cast<double>(std::exp(y[i] * inv_tau - my));
    }
    s_q = static_cast<float>(std::log(sq_sum));
    s_y = static_cast<float>(std::log(sy_sum));
  }
  const float g_mse = 2.f * w_mse * inv_n, g_kl = w_kl * inv_tau;
  if (w_kl != 0.f) {
    for (int64_t i = 0; i < n; ++i) {
      const float a = (y[i] * inv_tau - my) - s_y, b = (q[i] * inv_tau - mq) - s_q;
      const float p = std::exp(a);
      kl += static_cast<double>(p) * static_cast<double>(a - b);
      if (grad) grad[i] = (w_mse != 0.f ? g_mse * (q[i] - y[i]) : 0.f) + g_kl * (std::exp(b) - p);
    }
  } else if (grad) {
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) grad[i] = w_mse != 0.f ? g_mse * (q[i] - y[i]) : 0.f;
  }
  const double v = (w_mse != 0.f ? static_cast<double>(w_mse) * sq / static_cast<double>(n) : 0.0) +
                   (w_kl != 0.f ? static_cast<double>(w_kl) * kl : 0.0);
  value[0] = static_cast<float>(v);
}

void scale_by(const float* x, const float* s, float* out, int64_t n) {
  const float v = s[0];
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) out[i] = v * x[i];
}

}  // namespace gsn::cpu
