// Reference attention pieces: plain loops, sums in double. This defines the ops.
#include "kernels/attention/attention.h"

namespace gsn::ref {

template <class T> void channel_mean_max_forward(const T* x, int64_t N, int64_t C, int64_t hw, T* y, T* argmax) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t p = 0; p < hw; ++p) {
      double s = 0.0;
      T best = x[n * C * hw + p];
      int64_t best_c = 0;
      for (int64_t c = 0; c < C; ++c) {
        const T v = x[(n * C + c) * hw + p];
        s += static_cast<double>(v);
        if (v > best) {  // strict: the lowest channel wins a tie
          best = v;
          best_c = c;
        }
      }
      y[(n * 2 + 0) * hw + p] = static_cast<T>(s / static_cast<double>(C));
      y[(n * 2 + 1) * hw + p] = best;
      argmax[n * hw + p] = static_cast<T>(best_c);
    }
}

template <class T>
void channel_mean_max_backward(const T* gy, const T* argmax, int64_t N, int64_t C, int64_t hw, T* gx) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t p = 0; p < hw; ++p) {
        T g = gy[(n * 2 + 0) * hw + p] / static_cast<T>(C);
        if (static_cast<int64_t>(argmax[n * hw + p]) == c) g += gy[(n * 2 + 1) * hw + p];
        gx[(n * C + c) * hw + p] = g;
      }
}

template <class T> void gate_forward(const T* x, const T* a, int64_t N, int64_t C, int64_t hw, T* y) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t p = 0; p < hw; ++p) y[(n * C + c) * hw + p] = x[(n * C + c) * hw + p] * a[n * hw + p];
}

template <class T>
void gate_backward(const T* x, const T* a, const T* gy, int64_t N, int64_t C, int64_t hw, T* gx, T* ga) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t p = 0; p < hw; ++p) {
      double s = 0.0;
      for (int64_t c = 0; c < C; ++c) {
        const int64_t at = (n * C + c) * hw + p;
        if (gx) gx[at] = gy[at] * a[n * hw + p];
        s += static_cast<double>(gy[at]) * static_cast<double>(x[at]);
      }
      if (ga) ga[n * hw + p] = static_cast<T>(s);
    }
}

#define GSN_INSTANTIATE(T)                                                                            \
  template void channel_mean_max_forward<T>(const T*, int64_t, int64_t, int64_t, T*, T*);             \
  template void channel_mean_max_backward<T>(const T*, const T*, int64_t, int64_t, int64_t, T*);      \
  template void gate_forward<T>(const T*, const T*, int64_t, int64_t, int64_t, T*);                   \
  template void gate_backward<T>(const T*, const T*, const T*, int64_t, int64_t, int64_t, T*, T*);
GSN_INSTANTIATE(float)
GSN_INSTANTIATE(double)
#undef GSN_INSTANTIATE

}  // namespace gsn::ref
