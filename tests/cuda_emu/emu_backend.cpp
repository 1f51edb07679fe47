// The device layer of the emulation (kernels/core/backend.h): device memory is host memory,
// every call is synchronous. It takes the place of backend_cuda.cu / backend_stub.cpp in
// the emulation binary (the linker finds these definitions first and never pulls the
// library's), so Tensor::empty(..., Device::CUDA) hands the emulated kernels host memory.
#include <cstdlib>
#include <cstring>

#include "kernels/core/backend.h"
#include "tests/cuda_emu/emu_cuda.h"

namespace gsn {

bool cuda_built() { return true; }
bool cuda_available() { return true; }
std::string cuda_status() { return "CUDA emulated on the CPU (tests/cuda_emu): not a GPU"; }

// 256-byte aligned like cudaMalloc, and NaN-filled so scratch nobody wrote shows up.
void* cuda_malloc(std::size_t bytes) {
  const std::size_t rounded = (std::max<std::size_t>(bytes, 1) + 255) / 256 * 256;
  void* p = std::aligned_alloc(256, rounded);
  if (!p) GSN_THROW("cuda_malloc (emulated): out of memory for ", bytes, " bytes");
  std::memset(p, 0xFF, rounded);
  return p;
}
void cuda_free(void* p, std::size_t) { std::free(p); }
void cuda_empty_cache() {}
CudaMemoryStats cuda_memory_stats() { return {}; }
void cuda_reset_peak() {}
void cuda_copy_h2d(void* dst, const void* src, std::size_t bytes) {
  if (bytes) std::memmove(dst, src, bytes);
}
void cuda_copy_d2h(void* dst, const void* src, std::size_t bytes) {
  if (bytes) std::memmove(dst, src, bytes);
}
void cuda_copy_d2d(void* dst, const void* src, std::size_t bytes) {
  if (bytes) std::memmove(dst, src, bytes);
}
void cuda_memset(void* dst, int byte, std::size_t bytes) {
  if (bytes) std::memset(dst, byte, bytes);
}
void cuda_fill_f32(void* dst, std::size_t n, float value) {
  float* p = static_cast<float*>(dst);
  for (std::size_t i = 0; i < n; ++i) p[i] = value;
}
void cuda_synchronize() {}
cudaStream_t cuda_stream() { return nullptr; }
cublasHandle_t cublas_handle() { GSN_THROW("cuBLAS is not emulated (tests/cuda_emu)"); }

}  // namespace gsn
