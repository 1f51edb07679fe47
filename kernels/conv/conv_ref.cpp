// Reference conv2d: the definition (conv.h), plain loops, every output element summed in
// double in a fixed order. Backward-data is written as a gather (each gx element sums the
// (o, u, v) taps that read it), so it needs no scatter and no zeroing.
#include "kernels/conv/conv.h"

namespace gsn::ref {

template <class T> void conv2d_forward(const T* x, const T* w, const T* b, const ConvGeom& g, T* y) {
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t o = 0; o < g.O; ++o)
      for (int64_t i = 0; i < g.Ho; ++i)
        for (int64_t j = 0; j < g.Wo; ++j) {
          double acc = b ? static_cast<double>(b[o]) : 0.0;
          for (int64_t c = 0; c < g.C; ++c)
            for (int64_t u = 0; u < g.k; ++u) {
              const int64_t h = i * g.s - g.p + u;
              if (h < 0 || h >= g.H) continue;
              for (int64_t v = 0; v < g.k; ++v) {
                const int64_t ww = j * g.s - g.p + v;
                if (ww < 0 || ww >= g.W) continue;
                acc += static_cast<double>(w[((o * g.C + c) * g.k + u) * g.k + v]) *
                       static_cast<double>(x[((n * g.C + c) * g.H + h) * g.W + ww]);
              }
            }
          y[((n * g.O + o) * g.Ho + i) * g.Wo + j] = static_cast<T>(acc);
        }
}

template <class T> void conv2d_backward_data(const T* gy, const T* w, const ConvGeom& g, T* gx) {
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t c = 0; c < g.C; ++c)
      for (int64_t h = 0; h < g.H; ++h)
        for (int64_t ww = 0; ww < g.W; ++ww) {
          double acc = 0.0;
          for (int64_t o = 0; o < g.O; ++o)
            for (int64_t u = 0; u < g.k; ++u) {
              const int64_t ti = h + g.p - u;  // = i*s when output row i reads row h through tap u
              if (ti < 0 || ti % g.s != 0 || ti / g.s >= g.Ho) continue;
              for (int64_t v = 0; v < g.k; ++v) {
                const int64_t tj = ww + g.p - v;
                if (tj < 0 || tj % g.s != 0 || tj / g.s >= g.Wo) continue;
                acc += static_cast<double>(w[((o * g.C + c) * g.k + u) * g.k + v]) *
                       static_cast<double>(gy[((n * g.O + o) * g.Ho + ti / g.s) * g.Wo + tj / g.s]);
              }
            }
          gx[((n * g.C + c) * g.H + h) * g.W + ww] = static_cast<T>(acc);
        }
}

template <class T> void conv2d_backward_weight(const T* gy, const T* x, const ConvGeom& g, T* gw) {
  for (int64_t o = 0; o < g.O; ++o)
    for (int64_t c = 0; c < g.C; ++c)
      for (int64_t u = 0; u < g.k; ++u)
        for (int64_t v = 0; v < g.k; ++v) {
          double acc = 0.0;
          for (int64_t n = 0; n < g.N; ++n)
            for (int64_t i = 0; i < g.Ho; ++i) {
              const int64_t h = i * g.s - g.p + u;
              if (h < 0 || h >= g.H) continue;
              for (int64_t j = 0; j < g.Wo; ++j) {
                const int64_t ww = j * g.s - g.p + v;
                if (ww < 0 || ww >= g.W) continue;
                acc += static_cast<double>(gy[((n * g.O + o) * g.Ho + i) * g.Wo + j]) *
                       static_cast<double>(x[((n * g.C + c) * g.H + h) * g.W + ww]);
              }
            }
          gw[((o * g.C + c) * g.k + u) * g.k + v] = static_cast<T>(acc);
        }
}

template <class T> void conv2d_backward_bias(const T* gy, const ConvGeom& g, T* gb) {
  const int64_t hw = g.Ho * g.Wo;
  for (int64_t o = 0; o < g.O; ++o) {
    double acc = 0.0;
    for (int64_t n = 0; n < g.N; ++n)
      for (int64_t q = 0; q < hw; ++q) acc += static_cast<double>(gy[(n * g.O + o) * hw + q]);
    gb[o] = static_cast<T>(acc);
  }
}

#define GSN_CONV_REF(T)                                                                       \
  template void conv2d_forward<T>(const T*, const T*, const T*, const ConvGeom&, T*);         \
  template void conv2d_backward_data<T>(const T*, const T*, const ConvGeom&, T*);             \
  template void conv2d_backward_weight<T>(const T*, const T*, const ConvGeom&, T*);           \
  template void conv2d_backward_bias<T>(const T*, const ConvGeom&, T*);
GSN_CONV_REF(float)
GSN_CONV_REF(double)
#undef GSN_CONV_REF

}  // namespace gsn::ref
