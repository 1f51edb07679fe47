// Reference losses: three plain passes, everything accumulated in double. This defines
// MSE, the batch KL and the GSN loss (see losses.h for the formulas).
//   pass 1  m_q = max q_i/tau, m_y = max y_i/tau, and the MSE sum
//   pass 2  s_q = log sum exp(q_i/tau - m_q), s_y likewise (LSE = m + s)
//   pass 3  KL = sum P_i (a_i - b_i), a_i = (y_i/tau - m_y) - s_y, b_i = (q_i/tau - m_q) - s_q,
//           P_i = exp(a_i);
//           grad_i = w_mse * 2 (q_i - y_i)/B + w_kl * (exp(b_i) - P_i)/tau
// The log-sum-exp stays in its two parts: m + s would round s away once |m| >> 1 (at
// m = 1e30, s = log 2 is below half an ulp), and x - m is exact near the max.
// NaN: the max skips NaN (comparisons are false) but exp(NaN - m) puts it in the sums.
#include <cmath>
#include <limits>

#include "losses/losses.h"

namespace gsn::ref {

template <class T> void loss_forward(const T* q, const T* y, int64_t n, T w_mse, T w_kl, T tau, T* value, T* grad) {
  const double inv_tau = 1.0 / static_cast<double>(tau);
  const double wm = static_cast<double>(w_mse), wk = static_cast<double>(w_kl);
  const double inv_n = 1.0 / static_cast<double>(n);
  double sq = 0.0, mq = -std::numeric_limits<double>::infinity(), my = mq;
  for (int64_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(q[i]) - static_cast<double>(y[i]);
    sq += d * d;
    const double xq = static_cast<double>(q[i]) * inv_tau, xy = static_cast<double>(y[i]) * inv_tau;
    if (xq > mq) mq = xq;
    if (xy > my) my = xy;
  }
  double kl = 0.0, s_q = 0.0, s_y = 0.0;
  if (wk != 0.0) {
    double sq_sum = 0.0, sy_sum = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      sq_sum += std::exp(static_cast<double>(q[i]) * inv_tau - mq);
      sy_sum += std::exp(static_cast<double>(y[i]) * inv_tau - my);
    }
    s_q = std::log(sq_sum);
    s_y = std::log(sy_sum);
    for (int64_t i = 0; i < n; ++i) {
      const double a = (static_cast<double>(y[i]) * inv_tau - my) - s_y;
      const double b = (static_cast<double>(q[i]) * inv_tau - mq) - s_q;
      kl += std::exp(a) * (a - b);
    }
  }
  value[0] = static_cast<T>((wm != 0.0 ? wm * sq * inv_n : 0.0) + (wk != 0.0 ? wk * kl : 0.0));
  if (!grad) return;
  for (int64_t i = 0; i < n; ++i) {
    double g = 0.0;
    if (wm != 0.0) g += wm * 2.0 * (static_cast<double>(q[i]) - static_cast<double>(y[i])) * inv_n;
    if (wk != 0.0) {
      const double p = std::exp((static_cast<double>(y[i]) * inv_tau - my) - s_y);
      const double qq = std::exp((static_cast<double>(q[i]) * inv_tau - mq) - s_q);
      g += wk * (qq - p) * inv_tau;
    }
    grad[i] = static_cast<T>(g);
  }
}

template <class T> void scale_by(const T* x, const T* s, T* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = s[0] * x[i];
}

template void loss_forward<float>(const float*, const float*, int64_t, float, float, float, float*, float*);
template void loss_forward<double>(const double*, const double*, int64_t, double, double, double, double*, double*);
template void scale_by<float>(const float*, const float*, float*, int64_t);
template void scale_by<double>(const double*, const double*, double*, int64_t);

}  // namespace gsn::ref
