// Reference pooling: plain loops over every output (forward) or a scatter from every
// output (backward), sums in double. This is what defines the ops.
#include "kernels/pool/pool.h"
#include "kernels/pool/pool_math.h"

namespace gsn::ref {

template <class T> void max_pool2d_forward(const T* x, const PoolGeom& g, T* y, T* idx) {
  for (int64_t pl = 0; pl < g.planes; ++pl) {
    const T* xp = x + pl * g.H * g.W;
    for (int64_t i = 0; i < g.Ho; ++i)
      for (int64_t j = 0; j < g.Wo; ++j) {
        bool found = false;
        T best = T(0);
        int64_t best_at = 0;
        for (int64_t a = 0; a < g.k; ++a)
          for (int64_t b = 0; b < g.k; ++b) {
            const int64_t h = i * g.s - g.p + a, w = j * g.s - g.p + b;
            if (h < 0 || h >= g.H || w < 0 || w >= g.W) continue;  // padding: -inf
            const T v = xp[h * g.W + w];
            if (!found || v > best) {  // strict: the first maximum in scan order wins
              found = true;
              best = v;
              best_at = h * g.W + w;
            }
          }
        const int64_t o = pl * g.Ho * g.Wo + i * g.Wo + j;
        y[o] = best;
        idx[o] = static_cast<T>(best_at);
      }
  }
}

template <class T> void max_pool2d_backward(const T* gy, const T* idx, const PoolGeom& g, T* gx) {
  for (int64_t e = 0; e < g.planes * g.H * g.W; ++e) gx[e] = T(0);
  for (int64_t pl = 0; pl < g.planes; ++pl)
    for (int64_t o = 0; o < g.Ho * g.Wo; ++o) {
      const int64_t at = static_cast<int64_t>(idx[pl * g.Ho * g.Wo + o]);
      gx[pl * g.H * g.W + at] += gy[pl * g.Ho * g.Wo + o];
    }
}

template <class T> void adaptive_avg_pool2d_forward(const T* x, const PoolGeom& g, T* y) {
  for (int64_t pl = 0; pl < g.planes; ++pl)
    for (int64_t i = 0; i < g.Ho; ++i)
      for (int64_t j = 0; j < g.Wo; ++j) {
        const int64_t h0 = adaptive_start(i, g.H, g.Ho), h1 = adaptive_end(i, g.H, g.Ho);
        const int64_t w0 = adaptive_start(j, g.W, g.Wo), w1 = adaptive_end(j, g.W, g.Wo);
        double acc = 0.0;
        for (int64_t h = h0; h < h1; ++h)
          for (int64_t w = w0; w < w1; ++w) acc += static_cast<double>(x[(pl * g.H + h) * g.W + w]);
        y[(pl * g.Ho + i) * g.Wo + j] = static_cast<T>(acc / static_cast<double>((h1 - h0) * (w1 - w0)));
      }
}

template <class T> void adaptive_avg_pool2d_backward(const T* gy, const PoolGeom& g, T* gx) {
  for (int64_t e = 0; e < g.planes * g.H * g.W; ++e) gx[e] = T(0);
  for (int64_t pl = 0; pl < g.planes; ++pl)
    for (int64_t i = 0; i < g.Ho; ++i)
      for (int64_t j = 0; j < g.Wo; ++j) {
        const int64_t h0 = adaptive_start(i, g.H, g.Ho), h1 = adaptive_end(i, g.H, g.Ho);
        const int64_t w0 = adaptive_start(j, g.W, g.Wo), w1 = adaptive_end(j, g.W, g.Wo);
        const T share = gy[(pl * g.Ho + i) * g.Wo + j] / static_cast<T>((h1 - h0) * (w1 - w0));
        for (int64_t h = h0; h < h1; ++h)
          for (int64_t w = w0; w < w1; ++w) gx[(pl * g.H + h) * g.W + w] += share;
      }
}

template <class T> void global_avg_pool_forward(const T* x, int64_t planes, int64_t hw, T* y) {
  for (int64_t pl = 0; pl < planes; ++pl) {
    double acc = 0.0;
    for (int64_t e = 0; e < hw; ++e) acc += static_cast<double>(x[pl * hw + e]);
    y[pl] = static_cast<T>(acc / static_cast<double>(hw));
  }
}

template <class T> void global_avg_pool_backward(const T* gy, int64_t planes, int64_t hw, T* gx) {
  for (int64_t pl = 0; pl < planes; ++pl)
    for (int64_t e = 0; e < hw; ++e) gx[pl * hw + e] = gy[pl] / static_cast<T>(hw);
}

#define GSN_INSTANTIATE(T)                                                                   \
  template void max_pool2d_forward<T>(const T*, const PoolGeom&, T*, T*);                    \
  template void max_pool2d_backward<T>(const T*, const T*, const PoolGeom&, T*);             \
  template void adaptive_avg_pool2d_forward<T>(const T*, const PoolGeom&, T*);               \
  template void adaptive_avg_pool2d_backward<T>(const T*, const PoolGeom&, T*);              \
  template void global_avg_pool_forward<T>(const T*, int64_t, int64_t, T*);                  \
  template void global_avg_pool_backward<T>(const T*, int64_t, int64_t, T*);
GSN_INSTANTIATE(float)
GSN_INSTANTIATE(double)
#undef GSN_INSTANTIATE

}  // namespace gsn::ref
