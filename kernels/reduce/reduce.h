// Full reductions to one value, and their backward.
//
//   sum_all(x)                 y[0] = sum_i x[i]                 x: any shape, y: [1]
//   mean_all(x)                y[0] = sum_i x[i] / n
//   expand_scalar(g, shape, s) out[i] = s * g[0]                  g: [1], out: shape
//                              (backward of sum: s = 1; of mean: s = 1/n)
//
// Deterministic on every path: the order of additions depends only on n, never on the
// number of threads or on timing (no float atomics on CUDA).
#pragma once
#include "kernels/core/tensor.h"

namespace gsn {

Tensor sum_all(const Tensor& x);
Tensor mean_all(const Tensor& x);
Tensor expand_scalar(const Tensor& g, const Shape& shape, double s);

namespace ref {
template <class T> void sum_all(const T* x, int64_t n, T scale, T* y);
template <class T> void expand_scalar(const T* g, T scale, T* out, int64_t n);
}  // namespace ref
namespace cpu {
void sum_all(const float* x, int64_t n, float scale, float* y);
void expand_scalar(const float* g, float scale, float* out, int64_t n);
}  // namespace cpu
namespace cuda {
void sum_all(const float* x, int64_t n, float scale, float* y);
void expand_scalar(const float* g, float scale, float* out, int64_t n);
}  // namespace cuda

}  // namespace gsn
