// Reference BatchNorm2d: per channel, a mean pass, a variance pass (two-pass, in double),
// then the output pass. This is what defines the op.
#include <cmath>

#include "kernels/norm/batch_norm.h"

namespace gsn::ref {

template <class T>
void batch_norm_forward(const T* x, const T* gamma, const T* beta, const BnGeom& g, bool training, T momentum, T eps,
                        T* y, T* save_mean, T* save_invstd, T* running_mean, T* running_var, bool relu) {
  const double M = static_cast<double>(g.per_channel());
  for (int64_t c = 0; c < g.C; ++c) {
    double mean, invstd;
    if (training) {
      double s = 0.0;
      for (int64_t n = 0; n < g.N; ++n)
        for (int64_t i = 0; i < g.HW; ++i) s += static_cast<double>(x[(n * g.C + c) * g.HW + i]);
      mean = s / M;
      double ss = 0.0;
      for (int64_t n = 0; n < g.N; ++n)
        for (int64_t i = 0; i < g.HW; ++i) {
          const double d = static_cast<double>(x[(n * g.C + c) * g.HW + i]) - mean;
          ss += d * d;
        }
      const double var = ss / M;
      invstd = 1.0 / std::sqrt(var + static_cast<double>(eps));
      const double m = static_cast<double>(momentum);
      running_mean[c] = static_cast<T>((1.0 - m) * static_cast<double>(running_mean[c]) + m * mean);
      running_var[c] = static_cast<T>((1.0 - m) * static_cast<double>(running_var[c]) + m * var * M / (M - 1.0));
    } else {
      mean = static_cast<double>(running_mean[c]);
      invstd = 1.0 / std::sqrt(static_cast<double>(running_var[c]) + static_cast<double>(eps));
    }
    save_mean[c] = static_cast<T>(mean);
    save_invstd[c] = static_cast<T>(invstd);
    for (int64_t n = 0; n < g.N; ++n)
      for (int64_t i = 0; i < g.HW; ++i) {
        const int64_t at = (n * g.C + c) * g.HW + i;
        const double xhat = (static_cast<double>(x[at]) - mean) * invstd;
        const double z = static_cast<double>(gamma[c]) * xhat + static_cast<double>(beta[c]);
        y[at] = static_cast<T>(relu && !(z > 0.0) ? 0.0 : z);
      }
  }
}

template <class T>
void batch_norm_backward(const T* x, const T* gy, const T* gamma, const T* save_mean, const T* save_invstd,
                         const BnGeom& g, bool training, T* gx, T* ggamma, T* gbeta, const T* relu_y) {
  const double M = static_cast<double>(g.per_channel());
  // The gradient reaching the normalisation: gy, or gy through the fused ReLU.
  auto grad = [&](int64_t at) { return relu_y && !(relu_y[at] > T(0)) ? 0.0 : static_cast<double>(gy[at]); };
  for (int64_t c = 0; c < g.C; ++c) {
    const double mean = static_cast<double>(save_mean[c]), invstd = static_cast<double>(save_invstd[c]);
    double sg = 0.0, sgx = 0.0;
    for (int64_t n = 0; n < g.N; ++n)
      for (int64_t i = 0; i < g.HW; ++i) {
        const int64_t at = (n * g.C + c) * g.HW + i;
        sg += grad(at);
        sgx += grad(at) * (static_cast<double>(x[at]) - mean) * invstd;
      }
    gbeta[c] = static_cast<T>(sg);
    ggamma[c] = static_cast<T>(sgx);
    const double a = static_cast<double>(gamma[c]) * invstd;
    for (int64_t n = 0; n < g.N; ++n)
      for (int64_t i = 0; i < g.HW; ++i) {
        const int64_t at = (n * g.C + c) * g.HW + i;
        const double xhat = (static_cast<double>(x[at]) - mean) * invstd;
        const double d = training ? grad(at) - sg / M - xhat * sgx / M : grad(at);
        gx[at] = static_cast<T>(a * d);
      }
  }
}

#define GSN_INSTANTIATE(T)                                                                                   \
  template void batch_norm_forward<T>(const T*, const T*, const T*, const BnGeom&, bool, T, T, T*, T*, T*, T*, \
                                      T*, bool);                                                             \
  template void batch_norm_backward<T>(const T*, const T*, const T*, const T*, const T*, const BnGeom&, bool, T*, \
                                       T*, T*, const T*);
GSN_INSTANTIATE(float)
GSN_INSTANTIATE(double)
#undef GSN_INSTANTIATE

}  // namespace gsn::ref
