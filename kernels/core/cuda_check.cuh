// CUDA-side helpers, for .cu files and CUDA-only test/bench code (never public headers).
//   GSN_CUDA_CHECK(cudaMalloc(...))     throws gsn::Error with file, line, call and message
//   GSN_CUBLAS_CHECK(cublasSgemm(...))  same for cuBLAS status codes
//   GSN_CUDA_CHECK_LAUNCH()             after a <<<>>> launch: catches bad configurations;
//                                       a fault inside the kernel surfaces at the next
//                                       sync unless CUDA_LAUNCH_BLOCKING=1 (docs/architecture.md)
//   ceil_div(n, d), grid_stride(i, n)   launch arithmetic
//   gsn::cuda_stream()                  the one stream gsn's kernels run on
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cstdint>

#include "kernels/core/error.h"

namespace gsn {

cudaStream_t cuda_stream();
cublasHandle_t cublas_handle();  // for baselines in tests and bench only

__host__ __device__ constexpr inline int64_t ceil_div(int64_t n, int64_t d) { return (n + d - 1) / d; }

// A grid's y and z dimensions are at most 65535 blocks (x: 2^31 - 1).
constexpr int64_t kMaxGridY = 65535;

// Blocks for a 1-D grid-stride kernel over n elements: enough to fill the device, never
// more than needed.
inline unsigned grid_1d(int64_t n, int block) {
  int64_t b = ceil_div(n, block);
  const int64_t cap = 65535LL * 8;
  return static_cast<unsigned>(b < 1 ? 1 : (b > cap ? cap : b));
}

}  // namespace gsn

// for (int64_t i : ...) is not available in device code; this is the classic form.
#define GSN_GRID_STRIDE(i, n)                                                           \
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); \
       i += static_cast<int64_t>(blockDim.x) * gridDim.x)

#define GSN_CUDA_CHECK(call)                                                              \
  do {                                                                                    \
    cudaError_t gsn_err_ = (call);                                                        \
    if (gsn_err_ != cudaSuccess)                                                          \
      GSN_THROW("CUDA error ", cudaGetErrorName(gsn_err_), " (", cudaGetErrorString(gsn_err_), \
                ") in ", #call);                                                          \
  } while (0)

#define GSN_CUDA_CHECK_LAUNCH() GSN_CUDA_CHECK(cudaGetLastError())

#define GSN_CUBLAS_CHECK(call)                                                          \
  do {                                                                                  \
    cublasStatus_t gsn_st_ = (call);                                                    \
    if (gsn_st_ != CUBLAS_STATUS_SUCCESS)                                               \
      GSN_THROW("cuBLAS error ", cublasGetStatusName(gsn_st_), " (", cublasGetStatusString(gsn_st_), \
                ") in ", #call);                                                        \
  } while (0)
