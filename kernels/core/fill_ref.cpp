// Reference fill: one plain loop. The CPU path of Tensor::fill_ and the definition the
// CUDA fill kernel (backend_cuda.cu) is tested against.
#include "kernels/core/fill.h"

namespace gsn::ref {

template <class T> void fill(T* p, int64_t n, T value) {
  for (int64_t i = 0; i < n; ++i) p[i] = value;
}

template void fill<float>(float*, int64_t, float);
template void fill<double>(double*, int64_t, double);

}  // namespace gsn::ref
