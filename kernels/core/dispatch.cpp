#include "kernels/core/dispatch.h"

namespace gsn {

namespace {
thread_local CpuPath t_cpu_path = CpuPath::Fast;
}

const char* impl_name(Impl impl) {
  switch (impl) {
    case Impl::Reference: return "reference";
    case Impl::Cpu: return "cpu";
    case Impl::Cuda: return "cuda";
  }
  return "?";
}

CpuPath cpu_path() { return t_cpu_path; }
ScopedCpuPath::ScopedCpuPath(CpuPath path) : saved_(t_cpu_path) { t_cpu_path = path; }
ScopedCpuPath::~ScopedCpuPath() { t_cpu_path = saved_; }

Impl select_impl(const char* op, const Tensor& t) {
  GSN_CHECK(t.defined(), op, ": undefined input");
  if (t.device() == Device::CUDA) {
    GSN_CHECK(t.dtype() == DType::F32, op, ": CUDA kernels take float32");
    return Impl::Cuda;
  }
  if (t.dtype() == DType::F64) return Impl::Reference;
  return t_cpu_path == CpuPath::Reference ? Impl::Reference : Impl::Cpu;
}

}  // namespace gsn
