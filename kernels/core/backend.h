// The device layer as plain C++: whether CUDA is built and answers, raw memory, copies.
// No CUDA header appears here, so CPU-only code and CPU-only builds include it freely.
// In a build without CUDA (GSN_CUDA=OFF) the functions exist and report "not built".
#pragma once
#include <cstddef>
#include <string>

namespace gsn {

// True when this binary was built with the CUDA backend.
bool cuda_built();
// True when the CUDA backend is built and a device answers (checked once, then cached).
bool cuda_available();
// Why cuda_available() is false ("built without CUDA", "no CUDA-capable device ..."), or
// the device's name when it is true.
std::string cuda_status();

// Device memory through gsn's caching allocator: freed blocks are kept and reused by
// size class, so a training step does no cudaMalloc/cudaFree once warmed up.
void* cuda_malloc(std::size_t bytes);
void cuda_free(void* p, std::size_t bytes);
void cuda_empty_cache();  // give cached blocks back to the driver

struct CudaMemoryStats {
  std::size_t in_use = 0;      // bytes handed out and not yet freed
  std::size_t peak = 0;        // highest in_use since start (or reset)
  std::size_t cached = 0;      // bytes held in the free lists
  std::size_t device_allocs = 0;  // cudaMalloc calls made (cache misses)
  std::size_t requests = 0;       // cuda_malloc calls served
};
CudaMemoryStats cuda_memory_stats();
void cuda_reset_peak();

// Copies and fills on gsn's stream. Host pointers are ordinary (pageable) memory.
void cuda_copy_h2d(void* dst, const void* src, std::size_t bytes);
void cuda_copy_d2h(void* dst, const void* src, std::size_t bytes);
void cuda_copy_d2d(void* dst, const void* src, std::size_t bytes);
void cuda_memset(void* dst, int byte, std::size_t bytes);
// Fill n elements with one value (a tiny kernel; memset cannot write a float pattern).
void cuda_fill_f32(void* dst, std::size_t n, float value);
void cuda_synchronize();

}  // namespace gsn
