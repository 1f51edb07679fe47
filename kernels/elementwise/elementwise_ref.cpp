// Reference elementwise ops: one plain loop. This is what defines them.
#include "kernels/elementwise/elementwise_math.h"

namespace gsn::ref {

using std::exp;

template <class T> void binary(BinaryOp op, const T* a, const T* b, T* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = binary_of(op, a[i], b[i]);
}
template <class T> void unary(UnaryOp op, const T* x, T s, T* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = unary_of(op, x[i], s);
}

template void binary<float>(BinaryOp, const float*, const float*, float*, int64_t);
template void binary<double>(BinaryOp, const double*, const double*, double*, int64_t);
template void unary<float>(UnaryOp, const float*, float, float*, int64_t);
template void unary<double>(UnaryOp, const double*, double, double*, int64_t);

}  // namespace gsn::ref
