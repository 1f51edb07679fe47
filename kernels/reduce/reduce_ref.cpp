// Reference reductions: one loop, accumulated in double.
#include "kernels/reduce/reduce.h"

namespace gsn::ref {

template <class T> void sum_all(const T* x, int64_t n, T scale, T* y) {
  double acc = 0.0;
  for (int64_t i = 0; i < n; ++i) acc += static_cast<double>(x[i]);
  y[0] = static_cast<T>(acc * static_cast<double>(scale));
}

template <class T> void expand_scalar(const T* g, T scale, T* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = scale * g[0];
}

template void sum_all<float>(const float*, int64_t, float, float*);
template void sum_all<double>(const double*, int64_t, double, double*);
template void expand_scalar<float>(const float*, float, float*, int64_t);
template void expand_scalar<double>(const double*, double, double*, int64_t);

}  // namespace gsn::ref
