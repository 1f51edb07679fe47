// Reference fusion ops: plain loops, bin sums in double. This defines the ops.
#include "kernels/fusion/fusion.h"
#include "kernels/pool/pool_math.h"

namespace gsn::ref {

template <class T> void siamese_diff_concat_forward(const T* F, int64_t B, int64_t chw, T* P) {
  for (int64_t b = 0; b < B; ++b)
    for (int64_t k = 0; k < chw; ++k) {
      const T r = F[b * chw + k], d = F[(B + b) * chw + k];
      P[(b * 3 + 0) * chw + k] = r;
      P[(b * 3 + 1) * chw + k] = d;
      P[(b * 3 + 2) * chw + k] = r - d;
    }
}

template <class T> void siamese_diff_concat_backward(const T* gP, int64_t B, int64_t chw, T* gF) {
  for (int64_t b = 0; b < B; ++b)
    for (int64_t k = 0; k < chw; ++k) {
      const T g0 = gP[(b * 3 + 0) * chw + k], g1 = gP[(b * 3 + 1) * chw + k], g2 = gP[(b * 3 + 2) * chw + k];
      gF[b * chw + k] = g0 + g2;
      gF[(B + b) * chw + k] = g1 - g2;
    }
}

template <class T> void fuse_levels_forward(const FuseGeom& g, const T* p1, const T* p2, const T* p3, T* y) {
  const T* src[3] = {p1, p2, p3};
  const int64_t Ho = g.H[2], Wo = g.W[2], Ct = g.total_channels();
  for (int64_t b = 0; b < g.B; ++b) {
    int64_t off = 0;
    for (int l = 0; l < 3; ++l) {
      for (int64_t c = 0; c < g.C[l]; ++c) {
        const T* xp = src[l] + (b * g.C[l] + c) * g.H[l] * g.W[l];
        for (int64_t i = 0; i < Ho; ++i)
          for (int64_t j = 0; j < Wo; ++j) {
            const int64_t h0 = adaptive_start(i, g.H[l], Ho), h1 = adaptive_end(i, g.H[l], Ho);
            const int64_t w0 = adaptive_start(j, g.W[l], Wo), w1 = adaptive_end(j, g.W[l], Wo);
            double acc = 0.0;
            for (int64_t h = h0; h < h1; ++h)
              for (int64_t w = w0; w < w1; ++w) acc += static_cast<double>(xp[h * g.W[l] + w]);
            y[((b * Ct + off + c) * Ho + i) * Wo + j] = static_cast<T>(acc / static_cast<double>((h1 - h0) * (w1 - w0)));
          }
      }
      off += g.C[l];
    }
  }
}

template <class T> void fuse_levels_backward(const FuseGeom& g, const T* gy, T* g1, T* g2, T* g3) {
  T* dst[3] = {g1, g2, g3};
  const int64_t Ho = g.H[2], Wo = g.W[2], Ct = g.total_channels();
  for (int l = 0; l < 3; ++l)
    for (int64_t e = 0; e < g.B * g.C[l] * g.H[l] * g.W[l]; ++e) dst[l][e] = T(0);
  for (int64_t b = 0; b < g.B; ++b) {
    int64_t off = 0;
    for (int l = 0; l < 3; ++l) {
      for (int64_t c = 0; c < g.C[l]; ++c) {
        T* gp = dst[l] + (b * g.C[l] + c) * g.H[l] * g.W[l];
        for (int64_t i = 0; i < Ho; ++i)
          for (int64_t j = 0; j < Wo; ++j) {
            const int64_t h0 = adaptive_start(i, g.H[l], Ho), h1 = adaptive_end(i, g.H[l], Ho);
            const int64_t w0 = adaptive_start(j, g.W[l], Wo), w1 = adaptive_end(j, g.W[l], Wo);
            const T share = gy[((b * Ct + off + c) * Ho + i) * Wo + j] / static_cast<T>((h1 - h0) * (w1 - w0));
            for (int64_t h = h0; h < h1; ++h)
              for (int64_t w = w0; w < w1; ++w) gp[h * g.W[l] + w] += share;
          }
      }
      off += g.C[l];
    }
  }
}

#define GSN_INSTANTIATE(T)                                                                      \
  template void siamese_diff_concat_forward<T>(const T*, int64_t, int64_t, T*);                 \
  template void siamese_diff_concat_backward<T>(const T*, int64_t, int64_t, T*);                \
  template void fuse_levels_forward<T>(const FuseGeom&, const T*, const T*, const T*, T*);      \
  template void fuse_levels_backward<T>(const FuseGeom&, const T*, T*, T*, T*);
GSN_INSTANTIATE(float)
GSN_INSTANTIATE(double)
#undef GSN_INSTANTIATE

}  // namespace gsn::ref
