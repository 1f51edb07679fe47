// GSN_CUDNN_CHECK(call): throws gsn::Error with file, line, the call and cuDNN's message.
// gsn::cudnn_handle(): one cuDNN handle per process, on gsn's stream, so baselines and our
// kernels are ordered on the same stream.
// cuDNN is a baseline only (tests/, bench/): nothing under kernels/ includes this header.
#pragma once
#include <cudnn.h>

#include "kernels/core/cuda_check.cuh"
#include "kernels/core/error.h"

#define GSN_CUDNN_CHECK(call)                                                             \
  do {                                                                                    \
    cudnnStatus_t gsn_st_ = (call);                                                       \
    if (gsn_st_ != CUDNN_STATUS_SUCCESS)                                                  \
      GSN_THROW("cuDNN error ", cudnnGetErrorString(gsn_st_), " in ", #call);           \
  } while (0)

namespace gsn {

inline cudnnHandle_t cudnn_handle() {
  static cudnnHandle_t h = [] {
    cudnnHandle_t created;
    GSN_CUDNN_CHECK(cudnnCreate(&created));
    GSN_CUDNN_CHECK(cudnnSetStream(created, cuda_stream()));
    return created;
  }();
  return h;
}

}  // namespace gsn
