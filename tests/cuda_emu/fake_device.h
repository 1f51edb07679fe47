// A fake CUDA device for backend_alloc_test.cpp (built with -DGSN_EMU_FAKE_DEVICE, which
// include/cuda_runtime.h turns into an include of this file): the runtime calls the real
// kernels/core/backend_cuda.cu makes beyond emu_cuda.h's subset, on host memory, with
// counters and an injectable cudaMalloc failure, so the caching allocator runs on the CPU.
//   fakedev::g_fail_next   the next N cudaMalloc calls fail (cudaErrorMemoryAllocation)
//   fakedev::g_budget      a cudaMalloc that would take live bytes above it fails
//   fakedev::g_fault_next_sync  the next cudaDeviceSynchronize reports a device fault
//                          (an illegal address, as a kernel that wrote out of bounds)
//   GSN_FAKE_DEVICE_PROPS=fail  cudaGetDeviceProperties fails (an old driver), read once
//                          when the probe runs
// Not a model of a GPU: cudaFree, synchronisation and copies are immediate.
#pragma once
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <utility>

#include "tests/cuda_emu/emu_cuda.h"

// emu_cuda.h's enum has no out-of-memory code; the runtime's value.
constexpr cudaError_t cudaErrorMemoryAllocation = static_cast<cudaError_t>(2);
constexpr cudaError_t cudaErrorInsufficientDriver = static_cast<cudaError_t>(35);
constexpr cudaError_t cudaErrorIllegalAddress = static_cast<cudaError_t>(700);
constexpr unsigned cudaStreamNonBlocking = 0x01;

struct cudaDeviceProp {
  char name[256];
  std::size_t totalGlobalMem;
  int major;
  int minor;
};

namespace fakedev {
constexpr std::size_t kTotalMem = std::size_t{1} << 30;
inline std::unordered_map<void*, std::size_t> g_live;  // pointer -> bytes asked of cudaMalloc
inline std::size_t g_live_bytes = 0;
inline std::size_t g_malloc_calls = 0;   // every cudaMalloc, failed ones too
inline std::size_t g_malloc_failed = 0;
inline std::size_t g_free_calls = 0;
inline std::size_t g_bad_frees = 0;      // cudaFree of a pointer cudaMalloc did not hand out
inline std::size_t g_last_malloc_bytes = 0;
inline std::size_t g_fail_next = 0;
inline std::size_t g_budget = static_cast<std::size_t>(-1);
inline bool g_fault_next_sync = false;
inline std::size_t g_sync_calls = 0;
inline int g_streams_created = 0;
inline unsigned g_stream_flags = 0;
inline int g_cublas_created = 0;
inline CUstream_st* const kStream = reinterpret_cast<CUstream_st*>(0x5157);
inline cublasContext* const kCublas = reinterpret_cast<cublasContext*>(0xb1a5);

inline cudaError_t fail(cudaError_t e, const char* msg) {
  emu::g_last_error = e;
  emu::g_last_message = msg;
  return e;
}
// Counters back to zero, no failure injected (live blocks stay live).
inline void reset_counters() {
  g_malloc_calls = g_malloc_failed = g_free_calls = g_bad_frees = g_last_malloc_bytes = 0;
  g_fail_next = 0;
  g_budget = static_cast<std::size_t>(-1);
  g_fault_next_sync = false;
  g_sync_calls = 0;
}
}  // namespace fakedev

inline cudaError_t cudaGetDeviceCount(int* n) {
  *n = 1;
  return cudaSuccess;
}
inline cudaError_t cudaGetDeviceProperties(cudaDeviceProp* p, int dev) {
  if (dev != 0) return fakedev::fail(cudaErrorInvalidValue, "invalid device ordinal");
  if (const char* v = std::getenv("GSN_FAKE_DEVICE_PROPS"); v && std::string(v) == "fail")
    return fakedev::fail(cudaErrorInsufficientDriver, "CUDA driver version is insufficient for CUDA runtime version");
  std::memset(p, 0, sizeof *p);
  std::strcpy(p->name, "Fake Device");
  p->totalGlobalMem = fakedev::kTotalMem;
  p->major = 9;
  p->minor = 0;
  return cudaSuccess;
}
inline cudaError_t cudaMalloc(void** p, std::size_t n) {
  using namespace fakedev;
  ++g_malloc_calls;
  g_last_malloc_bytes = n;
  *p = nullptr;
  if (g_fail_next > 0 || n > g_budget || g_live_bytes + n > g_budget) {
    if (g_fail_next > 0) --g_fail_next;
    ++g_malloc_failed;
    return fail(cudaErrorMemoryAllocation, "out of memory");
  }
  void* q = std::aligned_alloc(256, (std::max<std::size_t>(n, 1) + 255) / 256 * 256);
  if (!q) return fail(cudaErrorMemoryAllocation, "out of memory (host)");
  std::memset(q, 0xFF, n);
  g_live[q] = n;
  g_live_bytes += n;
  *p = q;
  return cudaSuccess;
}
inline cudaError_t cudaFree(void* p) {
  using namespace fakedev;
  ++g_free_calls;
  if (!p) return cudaSuccess;
  auto it = g_live.find(p);
  if (it == g_live.end()) {
    ++g_bad_frees;
    return fail(cudaErrorInvalidValue, "invalid argument (cudaFree of an unknown pointer)");
  }
  g_live_bytes -= it->second;
  g_live.erase(it);
  std::free(p);
  return cudaSuccess;
}
inline cudaError_t cudaDeviceSynchronize() {
  ++fakedev::g_sync_calls;
  if (!std::exchange(fakedev::g_fault_next_sync, false)) return cudaSuccess;
  return fakedev::fail(cudaErrorIllegalAddress, "an illegal memory access was encountered");
}
inline cudaError_t cudaStreamCreateWithFlags(cudaStream_t* s, unsigned flags) {
  ++fakedev::g_streams_created;
  fakedev::g_stream_flags = flags;
  *s = fakedev::kStream;
  return cudaSuccess;
}
inline cublasStatus_t cublasCreate(cublasHandle_t* h) {
  ++fakedev::g_cublas_created;
  *h = fakedev::kCublas;
  return CUBLAS_STATUS_SUCCESS;
}
inline cublasStatus_t cublasSetStream(cublasHandle_t, cudaStream_t) { return CUBLAS_STATUS_SUCCESS; }
