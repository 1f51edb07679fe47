// Reference concat / split / batch-slice backward: element loops. This defines the ops.
#include "kernels/tensor_ops/tensor_ops.h"

namespace gsn::ref {

template <class T> void concat_channels(const T* const* xs, const int64_t* ch, int k, int64_t N, int64_t hw, T* y) {
  int64_t total = 0;
  for (int j = 0; j < k; ++j) total += ch[j];
  for (int64_t n = 0; n < N; ++n) {
    int64_t off = 0;
    for (int j = 0; j < k; ++j) {
      for (int64_t c = 0; c < ch[j]; ++c)
        for (int64_t i = 0; i < hw; ++i) y[(n * total + off + c) * hw + i] = xs[j][(n * ch[j] + c) * hw + i];
      off += ch[j];
    }
  }
}

template <class T> void split_channels(const T* y, const int64_t* ch, int k, int64_t N, int64_t hw, T* const* xs) {
  int64_t total = 0;
  for (int j = 0; j < k; ++j) total += ch[j];
  for (int64_t n = 0; n < N; ++n) {
    int64_t off = 0;
    for (int j = 0; j < k; ++j) {
      for (int64_t c = 0; c < ch[j]; ++c)
        for (int64_t i = 0; i < hw; ++i) xs[j][(n * ch[j] + c) * hw + i] = y[(n * total + off + c) * hw + i];
      off += ch[j];
    }
  }
}

template <class T> void slice_batch_backward(const T* gy, int64_t row, int64_t N, int64_t begin, int64_t end, T* gx) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t i = 0; i < row; ++i) gx[n * row + i] = (n >= begin && n < end) ? gy[(n - begin) * row + i] : T(0);
}

#define GSN_INSTANTIATE(T)                                                                           \
  template void concat_channels<T>(const T* const*, const int64_t*, int, int64_t, int64_t, T*);      \
  template void split_channels<T>(const T*, const int64_t*, int, int64_t, int64_t, T* const*);       \
  template void slice_batch_backward<T>(const T*, int64_t, int64_t, int64_t, int64_t, T*);
GSN_INSTANTIATE(float)
GSN_INSTANTIATE(double)
#undef GSN_INSTANTIATE

}  // namespace gsn::ref
