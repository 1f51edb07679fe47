#include "kernels/core/cpu_allocator.h"

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "kernels/core/error.h"

#if defined(__SANITIZE_ADDRESS__)
#define GSN_CPU_CACHE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GSN_CPU_CACHE 0
#endif
#endif
#ifndef GSN_CPU_CACHE
#define GSN_CPU_CACHE 1
#endif

namespace gsn {

namespace {
constexpr std::size_t kMinCachedBytes = std::size_t{256} << 10;  // 256 KiB
constexpr std::size_t kMaxCachedBytes = std::size_t{4} << 30;    // 4 GiB, or the peak in use

// The size actually allocated for a request: a multiple of kCpuAlign, and for cached
// sizes the next of 8 classes per power of two.
std::size_t class_size(std::size_t bytes) {
  std::size_t n = bytes == 0 ? kCpuAlign : (bytes + kCpuAlign - 1) / kCpuAlign * kCpuAlign;
  if (n < kMinCachedBytes) return n;
  const std::size_t floor_pow2 = std::size_t{1} << (63 - __builtin_clzll(static_cast<unsigned long long>(n - 1)));
  const std::size_t step = floor_pow2 / 8;  // >= 32 KiB here
  return (n + step - 1) / step * step;
}

void* system_alloc(std::size_t n) { return std::aligned_alloc(kCpuAlign, n); }

struct Cache {
  std::mutex mu;
  std::unordered_map<std::size_t, std::vector<void*>> free;  // class size -> blocks
  CpuCacheStats stats;
  void note_live(std::size_t n) {
    stats.live += n;
    stats.peak_live = std::max(stats.peak_live, stats.live);
  }
  // How much the free lists may hold: kMaxCachedBytes, or more where the process has
  // already had more than that in use at once (see cpu_allocator.h).
  std::size_t limit() const { return std::max(kMaxCachedBytes, stats.peak_live); }

  void release_all_locked() {
    for (auto& [size, blocks] : free)
      for (void* p : blocks) std::free(p);
    free.clear();
    stats.cached = 0;
  }
};
Cache& cache() {
  static Cache* c = new Cache;  // never destroyed: storage may be freed during static destruction
  return *c;
}
}  // namespace

void* cpu_alloc(std::size_t bytes) {
  const std::size_t n = class_size(bytes);
  if (GSN_CPU_CACHE && n >= kMinCachedBytes) {
    Cache& c = cache();
    std::lock_guard<std::mutex> lock(c.mu);
    auto it = c.free.find(n);
    if (it != c.free.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      c.stats.cached -= n;
      ++c.stats.hits;
      c.note_live(n);
      return p;
    }
    ++c.stats.misses;
    void* p = system_alloc(n);
    if (!p) {  // give the cache back to the system and try once more
      c.release_all_locked();
      p = system_alloc(n);
    }
    if (!p) GSN_THROW("out of CPU memory allocating ", bytes, " bytes");
    c.note_live(n);
    return p;
  }
  void* p = system_alloc(n);
  if (!p) GSN_THROW("out of CPU memory allocating ", bytes, " bytes");
  return p;
}

void cpu_release(void* p, std::size_t bytes) {
  if (!p) return;
  const std::size_t n = class_size(bytes);
  if (GSN_CPU_CACHE && n >= kMinCachedBytes) {
    Cache& c = cache();
    std::lock_guard<std::mutex> lock(c.mu);
    c.stats.live -= n;
    if (c.stats.cached + n <= c.limit()) {
      c.free[n].push_back(p);
      c.stats.cached += n;
      return;
    }
  }
  std::free(p);
}

CpuCacheStats cpu_cache_stats() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  return c.stats;
}

bool cpu_cache_enabled() { return GSN_CPU_CACHE != 0; }

void cpu_empty_cache() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  c.release_all_locked();
}

}  // namespace gsn
