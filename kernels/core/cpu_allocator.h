// CPU caching allocator for tensor storage.
//
// A training step allocates and frees the same few dozen activation-sized buffers (MBs to
// hundreds of MBs) every iteration. With plain malloc, glibc returns such blocks to the
// kernel (munmap, or a heap trim) and the next step takes them back one page fault and
// one kernel-side page clear at a time: ~35k faults (140 MB) per tiny-preset step. Here
// blocks of kMinCachedBytes or more are kept on per-size-class free lists when released
// and handed out again. Size classes: 8 per power of two (a block is at most 12.5% larger
// than asked). The cache holds at most max(4 GiB, the most bytes of cached sizes the
// process has had in use at once); a release beyond that frees. The peak term is for
// steps larger than 4 GiB (the paper preset's CPU step peaks near 9 GiB): with a fixed
// 4 GiB, half of every step's activations went back to the kernel and were faulted in
// again, ~10 GB of page faults a step; caching up to the peak made its steps 45 s where
// they were 48 (2026-11-29, AVX2 machine), for 2.5% more resident memory. The cache never
// holds more than the process has already used at once, so memory stays within twice
// the peak even where sizes change between steps.
// Smaller blocks go straight to aligned_alloc/free (malloc's own bins serve them well).
// Thread-safe (one mutex; the data loader allocates on its worker threads). In builds
// with AddressSanitizer the cache is off, so use-after-free stays visible.
#pragma once
#include <cstddef>

namespace gsn {

constexpr std::size_t kCpuAlign = 64;  // a cache line; also what AVX-512 loads like

// At least `bytes` (0 is fine), kCpuAlign-aligned; throws gsn::Error when out of memory.
// Contents are unspecified (a reused block keeps old data).
void* cpu_alloc(std::size_t bytes);
// Returns a block from cpu_alloc with the same `bytes`.
void cpu_release(void* p, std::size_t bytes);

struct CpuCacheStats {
  std::size_t cached = 0;     // bytes on the free lists now
  std::size_t live = 0;       // bytes of cached sizes handed out and not yet released
  std::size_t peak_live = 0;  // the most of those at once so far (the cache's limit above 4 GiB)
  std::size_t hits = 0;    // cached allocations served from the free lists
  std::size_t misses = 0;  // cached-size allocations that went to the system
};
CpuCacheStats cpu_cache_stats();
bool cpu_cache_enabled();  // false in AddressSanitizer builds
void cpu_empty_cache();  // frees every cached block

}  // namespace gsn
