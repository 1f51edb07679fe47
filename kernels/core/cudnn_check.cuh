// GSN_CUDNN_CHECK(call): throws gsn::Error with file, line, the call and cuDNN's message.
// cuDNN is a baseline only (tests/, bench/): nothing under kernels/ includes this header.
#pragma once
#include <cudnn.h>

#include "kernels/core/error.h"

#define GSN_CUDNN_CHECK(call)                                                             \
  do {                                                                                    \
    cudnnStatus_t gsn_st_ = (call);                                                       \
    if (gsn_st_ != CUDNN_STATUS_SUCCESS)                                                  \
      GSN_THROW("cuDNN error ", cudnnGetErrorString(gsn_st_), " in ", #call);           \
  } while (0)
