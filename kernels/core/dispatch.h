// Dispatch: the one place that decides which implementation of an op runs.
//
//   tensors on CUDA            -> the CUDA kernel (float32 only)
//   float64 on the CPU         -> the plain reference (float64 exists for gradient checks)
//   float32 on the CPU         -> the fast CPU path, or the reference inside a
//                                 ScopedCpuPath(CpuPath::Reference) (the op harness uses
//                                 this to run both on the same inputs)
//
// An op's tensor-level function (e.g. kernels/elementwise/elementwise.cpp) checks its
// inputs, allocates outputs and then calls select_impl() and the matching launcher.
// GSN_CUDA_ONLY(expr) compiles expr only in CUDA builds, so CPU-only builds never
// reference a CUDA launcher.
#pragma once
#include "kernels/core/tensor.h"

namespace gsn {

enum class Impl { Reference, Cpu, Cuda };
enum class CpuPath { Fast, Reference };

const char* impl_name(Impl impl);

CpuPath cpu_path();  // this thread's choice; Fast unless a ScopedCpuPath says otherwise

class ScopedCpuPath {
 public:
  explicit ScopedCpuPath(CpuPath path);
  ~ScopedCpuPath();
  ScopedCpuPath(const ScopedCpuPath&) = delete;
  ScopedCpuPath& operator=(const ScopedCpuPath&) = delete;

 private:
  CpuPath saved_;
};

// The implementation for an op whose inputs live on `t`'s device with `t`'s dtype.
Impl select_impl(const char* op, const Tensor& t);

}  // namespace gsn

#ifdef GSN_WITH_CUDA
#define GSN_CUDA_ONLY(...) __VA_ARGS__
#else
#define GSN_CUDA_ONLY(...) GSN_THROW("this gsn build has no CUDA backend")
#endif

// GSN_FLOAT_TYPES(dtype, T, body): runs body with T = float or double.
#define GSN_FLOAT_TYPES(dtype, T, ...)                  \
  do {                                                  \
    if ((dtype) == ::gsn::DType::F32) {                 \
      using T = float;                                  \
      __VA_ARGS__;                                      \
    } else {                                            \
      using T = double;                                 \
      __VA_ARGS__;                                      \
    }                                                   \
  } while (0)
