// Reference CDC pieces: plain loops, tap sums in double. The two-conv form itself is the
// composition in cdc.cpp run on the reference path (reference conv2d twice).
#include "kernels/conv/cdc.h"

namespace gsn::ref {

template <class T> void cdc_fold_weight(const T* w, int64_t OC, T theta, T* wf) {
  for (int64_t oc = 0; oc < OC; ++oc) {
    double s = 0.0;
    for (int t = 0; t < 9; ++t) s += static_cast<double>(w[oc * 9 + t]);
    for (int t = 0; t < 9; ++t) wf[oc * 9 + t] = w[oc * 9 + t];
    wf[oc * 9 + 4] = static_cast<T>(static_cast<double>(w[oc * 9 + 4]) - static_cast<double>(theta) * s);
  }
}

template <class T> void cdc_sum_taps(const T* w, int64_t OC, T* s) {
  for (int64_t oc = 0; oc < OC; ++oc) {
    double acc = 0.0;
    for (int t = 0; t < 9; ++t) acc += static_cast<double>(w[oc * 9 + t]);
    s[oc] = static_cast<T>(acc);
  }
}

template <class T> void cdc_unfold_grad(const T* G, const T* H, int64_t h_stride, int64_t OC, T theta, T* gw) {
  for (int64_t oc = 0; oc < OC; ++oc) {
    const double h = static_cast<double>(H[oc * h_stride]);
    for (int t = 0; t < 9; ++t)
      gw[oc * 9 + t] = static_cast<T>(static_cast<double>(G[oc * 9 + t]) - static_cast<double>(theta) * h);
  }
}

template <class T> void cdc_sub_scaled(const T* a, const T* b, T theta, T* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    y[i] = static_cast<T>(static_cast<double>(a[i]) - static_cast<double>(theta) * static_cast<double>(b[i]));
}

#define GSN_CDC_REF(T)                                                                  \
  template void cdc_fold_weight<T>(const T*, int64_t, T, T*);                           \
  template void cdc_sum_taps<T>(const T*, int64_t, T*);                                 \
  template void cdc_unfold_grad<T>(const T*, const T*, int64_t, int64_t, T, T*);        \
  template void cdc_sub_scaled<T>(const T*, const T*, T, T*, int64_t);
GSN_CDC_REF(float)
GSN_CDC_REF(double)
#undef GSN_CDC_REF

}  // namespace gsn::ref
