// The device layer of a CUDA build: device discovery, gsn's stream, the caching allocator
// and copies. Compiled only when the CUDA backend is built; declared in backend.h.
//
// Caching allocator: requests are rounded up to a size class (four classes per power of
// two, so at most 25% is wasted) and freed blocks go to a free list per class. A training
// step allocates the same shapes every time, so after the first step every request is a
// cache hit and no cudaMalloc/cudaFree runs. All work is on one stream, so reusing a block
// freed by an earlier kernel is ordered after that kernel without an event.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "kernels/core/backend.h"
#include "kernels/core/cuda_check.cuh"

namespace gsn {

namespace {

struct DeviceProbe {
  bool ok = false;
  std::string status;
  DeviceProbe() {
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
      status = std::string("no CUDA device answered (") + cudaGetErrorString(e) + ")";
      cudaGetLastError();  // clear the sticky error so later probes start clean
      return;
    }
    if (n == 0) {
      status = "no CUDA device answered (device count is 0)";
      return;
    }
    cudaDeviceProp p{};
    e = cudaGetDeviceProperties(&p, 0);
    if (e != cudaSuccess) {
      status = std::string("no CUDA device answered (cudaGetDeviceProperties: ") + cudaGetErrorString(e) + ")";
      cudaGetLastError();  // as above: not to be reported later as some launch's error
      return;
    }
    ok = true;
    status = std::string(p.name) + " (sm_" + std::to_string(p.major) + std::to_string(p.minor) + ", " +
             std::to_string(p.totalGlobalMem >> 20) + " MiB)";
  }
};

const DeviceProbe& probe() {
  static DeviceProbe p;
  return p;
}

std::size_t size_class(std::size_t bytes) {
  if (bytes <= 512) return 512;
  std::size_t pow2 = 512;
  while (pow2 * 2 < bytes) pow2 *= 2;  // pow2 < bytes <= 2*pow2
  std::size_t step = pow2 / 4;
  return ((bytes + step - 1) / step) * step;
}

// GSN_CUDA_EXACT_ALLOC=1: every block is cudaMalloc'ed at exactly its size and cudaFree'd
// when released, with no size classes and no reuse, so compute-sanitizer's memcheck (which
// sees only cudaMalloc bounds) flags any access past a tensor's end. For checking, not
// speed (scripts/gpu-check.sh sets it for its memcheck run).
bool exact_alloc_requested() {
  const char* v = std::getenv("GSN_CUDA_EXACT_ALLOC");
  return v && std::string(v) == "1";
}

class CachingAllocator {
 public:
  void* allocate(std::size_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    const std::size_t cls = exact_ ? std::max<std::size_t>(bytes, 1) : size_class(bytes);
    void* p = nullptr;
    auto it = exact_ ? free_.end() : free_.find(cls);
    if (it != free_.end() && !it->second.empty()) {
      p = it->second.back();
      it->second.pop_back();
      stats_.cached -= cls;
    } else {
      cudaError_t e = cudaMalloc(&p, cls);
      if (e == cudaErrorMemoryAllocation) {  // give the cache back and try once more
        cudaGetLastError();
        const cudaError_t released = release_cached_locked();
        if (released != cudaSuccess)  // the device failed (an earlier kernel's fault, most likely)
          GSN_THROW("cuda_malloc(", bytes, " bytes): out of memory, and giving the cache back failed: ",
                    cudaGetErrorString(released));
        e = cudaMalloc(&p, cls);
      }
      if (e != cudaSuccess) {
        cudaGetLastError();  // clear it: the next launch check must not report it as its own
        GSN_THROW("cuda_malloc(", bytes, " bytes): ", cudaGetErrorString(e), "; in use ",
                  stats_.in_use >> 20, " MiB");
      }
      ++stats_.device_allocs;
    }
    ++stats_.requests;  // served: a request that threw above is not counted
    stats_.in_use += cls;
    if (stats_.in_use > stats_.peak) stats_.peak = stats_.in_use;
    return p;
  }
  void release(void* p, std::size_t bytes) {
    if (!p) return;
    std::lock_guard<std::mutex> lock(mu_);
    if (exact_) {
      // Wait for the stream first, so no kernel still in flight can touch the block
      // (cudaFree synchronises in practice, but CUDA does not promise it for a
      // non-blocking stream; this mode is for memcheck runs, where speed does not matter).
      // Not checked with a throw: release runs in destructors (memcheck reports failures).
      if (cudaStreamSynchronize(cuda_stream()) != cudaSuccess || cudaFree(p) != cudaSuccess) cudaGetLastError();
      stats_.in_use -= std::max<std::size_t>(bytes, 1);
      return;
    }
    const std::size_t cls = size_class(bytes);
    free_[cls].push_back(p);
    stats_.in_use -= cls;
    stats_.cached += cls;
  }
  void empty_cache() {
    std::lock_guard<std::mutex> lock(mu_);
    const cudaError_t e = release_cached_locked();
    if (e != cudaSuccess) GSN_THROW("cuda_empty_cache: ", cudaGetErrorString(e));
  }
  CudaMemoryStats stats() {
    std::lock_guard<std::mutex> lock(mu_);
    return stats_;
  }
  void reset_peak() {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.peak = stats_.in_use;
  }

 private:
  // Gives every cached block back to the driver; returns the first error (the wait for the
  // device, or a cudaFree), having cleared the runtime's error state so that the next
  // launch check does not report it as its own. The lists are emptied even on an error:
  // after a device fault the blocks cannot be used again anyway.
  cudaError_t release_cached_locked() {
    cudaError_t first = cudaDeviceSynchronize();  // no kernel may still use a block we free
    for (auto& kv : free_)
      for (void* p : kv.second) {
        const cudaError_t e = cudaFree(p);
        if (first == cudaSuccess) first = e;
      }
    free_.clear();
    stats_.cached = 0;
    if (first != cudaSuccess) cudaGetLastError();
    return first;
  }
  const bool exact_ = exact_alloc_requested();
  std::mutex mu_;
  std::unordered_map<std::size_t, std::vector<void*>> free_;
  CudaMemoryStats stats_;
};

// Leaked on purpose: blocks may be freed by static destructors after main returns, when
// the CUDA context may already be gone; the driver reclaims everything at exit anyway.
CachingAllocator& allocator() {
  static auto* a = new CachingAllocator();
  return *a;
}

void require_device() {
  if (!probe().ok) GSN_THROW("CUDA requested but ", probe().status);
}

}  // namespace

bool cuda_built() { return true; }
bool cuda_available() { return probe().ok; }
std::string cuda_status() { return probe().status; }

cudaStream_t cuda_stream() {
  static cudaStream_t s = [] {
    require_device();
    cudaStream_t st;
    GSN_CUDA_CHECK(cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking));
    return st;
  }();
  return s;
}

cublasHandle_t cublas_handle() {
  static cublasHandle_t h = [] {
    cublasHandle_t hh;
    GSN_CUBLAS_CHECK(cublasCreate(&hh));
    GSN_CUBLAS_CHECK(cublasSetStream(hh, cuda_stream()));
    return hh;
  }();
  return h;
}

// No device has 2^50 bytes (1 PiB); a request over that is a bad size, often a negative one
// cast to size_t, and size_class() would loop forever on one over 2^63 (its power of two
// wraps to 0).
constexpr std::size_t kMaxRequest = std::size_t{1} << 50;

void* cuda_malloc(std::size_t bytes) {
  require_device();
  if (bytes > kMaxRequest)
    GSN_THROW("cuda_malloc(", bytes, " bytes): larger than any device's memory (a negative size cast to size_t?)");
  return allocator().allocate(bytes);
}
void cuda_free(void* p, std::size_t bytes) { allocator().release(p, bytes); }
void cuda_empty_cache() {
  if (probe().ok) allocator().empty_cache();
}
CudaMemoryStats cuda_memory_stats() { return probe().ok ? allocator().stats() : CudaMemoryStats{}; }
void cuda_reset_peak() {
  if (probe().ok) allocator().reset_peak();
}

void cuda_copy_h2d(void* dst, const void* src, std::size_t bytes) {
  GSN_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, cuda_stream()));
  GSN_CUDA_CHECK(cudaStreamSynchronize(cuda_stream()));  // src may be freed right after
}
void cuda_copy_d2h(void* dst, const void* src, std::size_t bytes) {
  GSN_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, cuda_stream()));
  GSN_CUDA_CHECK(cudaStreamSynchronize(cuda_stream()));
}
void cuda_copy_d2d(void* dst, const void* src, std::size_t bytes) {
  GSN_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, cuda_stream()));
}
void cuda_memset(void* dst, int byte, std::size_t bytes) {
  GSN_CUDA_CHECK(cudaMemsetAsync(dst, byte, bytes, cuda_stream()));
}
namespace {
__global__ void fill_f32_kernel(float* dst, int64_t n, float v) {
  GSN_GRID_STRIDE(i, n) dst[i] = v;
}
}  // namespace

void cuda_fill_f32(void* dst, std::size_t n, float value) {
  if (n == 0) return;
  fill_f32_kernel<<<grid_1d(static_cast<int64_t>(n), 256), 256, 0, cuda_stream()>>>(
      static_cast<float*>(dst), static_cast<int64_t>(n), value);
  GSN_CUDA_CHECK_LAUNCH();
}

void cuda_synchronize() {
  if (probe().ok) GSN_CUDA_CHECK(cudaStreamSynchronize(cuda_stream()));
}

}  // namespace gsn
