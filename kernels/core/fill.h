// Fill: every element of a buffer set to one value (Tensor::fill_).
//   ref::fill<T>(p, n, v)          p[i] = v for i < n: the reference, what the CPU runs
//   cuda_fill_f32(p, n, v)         its CUDA kernel (backend.h, backend_cuda.cu), checked
//                                  against the reference in tests/gpu/test_backend_cuda.cu
#pragma once
#include <cstdint>

namespace gsn::ref {

template <class T> void fill(T* p, int64_t n, T value);

}  // namespace gsn::ref
