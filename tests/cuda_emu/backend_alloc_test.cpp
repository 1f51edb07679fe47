// The real device layer, kernels/core/backend_cuda.cu (its caching allocator above all),
// on a fake device (fake_device.h): the .cu is rewritten by transform.cmake like every
// kernel file and included here, so the allocator's internals (size_class) are in reach.
// A binary of its own (emu_backend.cpp defines the same functions for the kernel drivers).
// Two ctest entries, because the allocator reads GSN_CUDA_EXACT_ALLOC once, at first use:
//   emu.backend_alloc        --test-suite=backend_alloc        (GSN_CUDA_EXACT_ALLOC=0)
//   emu.backend_alloc_exact  --test-suite=backend_alloc_exact  (GSN_CUDA_EXACT_ALLOC=1)
#include GSN_BACKEND_CUDA_EMU  // gen/backend_cuda.emu.cpp

#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "tests/cuda_emu/emu_coverage.h"

namespace {

bool exact_env() {
  const char* v = std::getenv("GSN_CUDA_EXACT_ALLOC");
  return v && std::string(v) == "1";
}

// Every case starts from an empty cache and zeroed fake-device counters.
struct Fresh {
  Fresh() {
    gsn::cuda_empty_cache();
    fakedev::reset_counters();
    REQUIRE(cudaGetLastError() == cudaSuccess);
  }
  ~Fresh() { fakedev::reset_counters(); }
};

// Two blocks allocated and freed: they sit in the cache, live on the fake device.
void cache_two(std::size_t a_bytes, std::size_t b_bytes) {
  void* a = gsn::cuda_malloc(a_bytes);
  void* b = gsn::cuda_malloc(b_bytes);
  gsn::cuda_free(a, a_bytes);
  gsn::cuda_free(b, b_bytes);
}

}  // namespace

GSN_EMU_COVERAGE("backend_alloc", "kernels/core/backend_cuda.cu");  // checked by emu_main.cpp after the suite ran

TEST_SUITE("backend_alloc") {

TEST_CASE("the process runs without GSN_CUDA_EXACT_ALLOC=1") { REQUIRE_FALSE(exact_env()); }

TEST_CASE("device probe, stream and cuBLAS handle") {
  CHECK(gsn::cuda_built());
  CHECK(gsn::cuda_available());
  CHECK(gsn::cuda_status() == "Fake Device (sm_90, 1024 MiB)");
  cudaStream_t s = gsn::cuda_stream();
  CHECK(s == fakedev::kStream);
  CHECK(gsn::cuda_stream() == s);
  CHECK(fakedev::g_streams_created == 1);
  CHECK(fakedev::g_stream_flags == cudaStreamNonBlocking);
  CHECK(gsn::cublas_handle() == fakedev::kCublas);
  CHECK(gsn::cublas_handle() == fakedev::kCublas);
  CHECK(fakedev::g_cublas_created == 1);
}

TEST_CASE("size classes: 512-byte minimum, four per power of two, at most 25% waste") {
  CHECK(gsn::size_class(0) == 512);
  CHECK(gsn::size_class(1) == 512);
  CHECK(gsn::size_class(512) == 512);
  CHECK(gsn::size_class(513) == 640);
  CHECK(gsn::size_class(640) == 640);
  CHECK(gsn::size_class(641) == 768);
  CHECK(gsn::size_class(1000) == 1024);
  CHECK(gsn::size_class(1025) == 1280);
  CHECK(gsn::size_class((1u << 20) + 1) == (1u << 20) + (1u << 18));
  CHECK(gsn::size_class(std::size_t{3} << 30) == std::size_t{3} << 30);
  std::size_t prev = 512;
  std::vector<std::size_t> classes_in_octave;
  std::size_t octave = 512;
  for (std::size_t b = 1; b <= (std::size_t{1} << 18); ++b) {
    const std::size_t c = gsn::size_class(b);
    if (c < b || c < 512 || c < prev || (b > 512 && 4 * (c - b) >= b)) {
      FAIL_CHECK("size_class(", b, ") = ", c);
      break;
    }
    if (b > 512) {
      if (b > 2 * octave) {
        CHECK_MESSAGE(classes_in_octave.size() == 4, "octave (", octave, ", ", 2 * octave, "]");
        classes_in_octave.clear();
        octave *= 2;
      }
      if (classes_in_octave.empty() || classes_in_octave.back() != c) classes_in_octave.push_back(c);
    }
    prev = c;
  }
  // Larger sizes, sampled: the bound holds and every class is a multiple of 128 bytes.
  for (std::size_t b = 513; b < (std::size_t{1} << 40); b = b * 3 / 2 + 7) {
    const std::size_t c = gsn::size_class(b);
    CHECK(c >= b);
    CHECK(4 * (c - b) < b);
    CHECK(c % 128 == 0);
  }
}

TEST_CASE("a request takes its class's bytes from cudaMalloc") {
  Fresh fresh;
  const auto s0 = gsn::cuda_memory_stats();
  void* p = gsn::cuda_malloc(513);
  CHECK(fakedev::g_malloc_calls == 1);
  CHECK(fakedev::g_last_malloc_bytes == 640);
  CHECK(reinterpret_cast<std::uintptr_t>(p) % 256 == 0);
  const auto s1 = gsn::cuda_memory_stats();
  CHECK(s1.in_use - s0.in_use == 640);
  CHECK(s1.requests - s0.requests == 1);
  CHECK(s1.device_allocs - s0.device_allocs == 1);
  gsn::cuda_free(p, 513);
  gsn::cuda_free(nullptr, 100);  // a no-op
  CHECK(fakedev::g_free_calls == 0);
  CHECK(gsn::cuda_memory_stats().in_use == s0.in_use);
}

TEST_CASE("a freed block is reused for a request of the same class, without cudaMalloc") {
  Fresh fresh;
  void* p = gsn::cuda_malloc(1000);  // class 1024
  REQUIRE(fakedev::g_malloc_calls == 1);
  gsn::cuda_free(p, 1000);
  CHECK(fakedev::g_free_calls == 0);  // kept, not given back
  CHECK(gsn::cuda_memory_stats().cached == 1024);
  const auto s0 = gsn::cuda_memory_stats();
  void* q = gsn::cuda_malloc(900);  // also class 1024
  CHECK(q == p);
  CHECK(fakedev::g_malloc_calls == 1);
  const auto s1 = gsn::cuda_memory_stats();
  CHECK(s1.device_allocs == s0.device_allocs);
  CHECK(s1.requests == s0.requests + 1);
  CHECK(s1.cached == 0);
  CHECK(s1.in_use == s0.in_use + 1024);
  void* r = gsn::cuda_malloc(1025);  // class 1280: a miss
  CHECK(r != q);
  CHECK(fakedev::g_malloc_calls == 2);
  CHECK(fakedev::g_last_malloc_bytes == 1280);
  // Two blocks of one class: both cached, both handed out again, no cudaMalloc.
  void* a = gsn::cuda_malloc(1024);
  CHECK(fakedev::g_malloc_calls == 3);
  gsn::cuda_free(q, 900);
  gsn::cuda_free(a, 1024);
  void* b1 = gsn::cuda_malloc(1024);
  void* b2 = gsn::cuda_malloc(1000);
  CHECK(fakedev::g_malloc_calls == 3);
  CHECK(((b1 == a && b2 == q) || (b1 == q && b2 == a)));
  gsn::cuda_free(b1, 1024);
  gsn::cuda_free(b2, 1000);
  gsn::cuda_free(r, 1025);
  CHECK(fakedev::g_bad_frees == 0);
}

TEST_CASE("stats: in use, peak, reset_peak, cached") {
  Fresh fresh;
  const auto s0 = gsn::cuda_memory_stats();
  CHECK(s0.cached == 0);
  void* a = gsn::cuda_malloc(4096);
  void* b = gsn::cuda_malloc(8192);
  auto s = gsn::cuda_memory_stats();
  CHECK(s.in_use == s0.in_use + 4096 + 8192);
  CHECK(s.peak >= s.in_use);
  gsn::cuda_free(b, 8192);
  s = gsn::cuda_memory_stats();
  CHECK(s.in_use == s0.in_use + 4096);
  CHECK(s.cached == 8192);
  CHECK(s.peak >= s0.in_use + 4096 + 8192);
  gsn::cuda_reset_peak();
  s = gsn::cuda_memory_stats();
  CHECK(s.peak == s.in_use);
  void* c = gsn::cuda_malloc(8000);  // class 8192: from the cache
  s = gsn::cuda_memory_stats();
  CHECK(s.peak == s0.in_use + 4096 + 8192);
  CHECK(s.cached == 0);
  gsn::cuda_free(a, 4096);
  gsn::cuda_free(c, 8000);
  s = gsn::cuda_memory_stats();
  CHECK(s.in_use == s0.in_use);
  CHECK(s.peak == s0.in_use + 4096 + 8192);  // a peak stays until reset
  CHECK(s.cached == 4096 + 8192);
}

TEST_CASE("cuda_empty_cache gives the cached blocks back, not the ones in use") {
  Fresh fresh;
  void* kept = gsn::cuda_malloc(2048);
  std::vector<void*> ps;
  for (std::size_t n : {512, 700, 3000, 3000, 70000}) ps.push_back(gsn::cuda_malloc(n));
  const std::size_t sizes[] = {512, 700, 3000, 3000, 70000};
  for (std::size_t i = 0; i < ps.size(); ++i) gsn::cuda_free(ps[i], sizes[i]);
  CHECK(gsn::cuda_memory_stats().cached > 0);
  CHECK(fakedev::g_live.size() == 6);
  gsn::cuda_empty_cache();
  CHECK(gsn::cuda_memory_stats().cached == 0);
  CHECK(fakedev::g_free_calls == 5);
  CHECK(fakedev::g_bad_frees == 0);
  CHECK(fakedev::g_live.size() == 1);
  CHECK(fakedev::g_live.count(kept) == 1);
  CHECK(gsn::cuda_memory_stats().in_use == 2048);
  // After emptying, the same request is a miss again.
  void* again = gsn::cuda_malloc(3000);
  CHECK(fakedev::g_malloc_calls == 7);
  gsn::cuda_free(again, 3000);
  gsn::cuda_free(kept, 2048);
  gsn::cuda_empty_cache();
  CHECK(fakedev::g_live.empty());
  CHECK(gsn::cuda_memory_stats().in_use == 0);
}

TEST_CASE("out of memory: the cache is given back and cudaMalloc tried once more") {
  Fresh fresh;
  cache_two(1 << 20, 1 << 19);
  REQUIRE(fakedev::g_live_bytes == (1 << 20) + (1 << 19));
  fakedev::g_budget = 2 << 20;  // a new 1.25 MiB block fits only without the cache
  const std::size_t calls = fakedev::g_malloc_calls;
  void* p = gsn::cuda_malloc((1 << 20) + 1);  // class 1.25 MiB, not cached
  CHECK(p != nullptr);
  CHECK(fakedev::g_malloc_calls == calls + 2);
  CHECK(fakedev::g_malloc_failed == 1);
  CHECK(fakedev::g_free_calls == 2);  // both cached blocks
  CHECK(fakedev::g_live.size() == 1);
  CHECK(gsn::cuda_memory_stats().cached == 0);
  CHECK(gsn::cuda_memory_stats().in_use == (1 << 20) + (1 << 18));
  CHECK(cudaGetLastError() == cudaSuccess);
  CHECK(cudaPeekAtLastError() == cudaSuccess);
  gsn::cuda_free(p, (1 << 20) + 1);
}

TEST_CASE("out of memory: one failed cudaMalloc (the Nth call) is retried") {
  Fresh fresh;
  fakedev::g_fail_next = 1;
  void* p = gsn::cuda_malloc(5000);
  CHECK(p != nullptr);
  CHECK(fakedev::g_malloc_calls == 2);
  CHECK(fakedev::g_malloc_failed == 1);
  CHECK(cudaGetLastError() == cudaSuccess);
  gsn::cuda_free(p, 5000);
}

TEST_CASE("out of memory twice: a clear gsn::Error, the error state cleared, the allocator intact") {
  Fresh fresh;
  void* held = gsn::cuda_malloc(1 << 16);
  void* cached = gsn::cuda_malloc(1 << 12);
  gsn::cuda_free(cached, 1 << 12);
  const auto s0 = gsn::cuda_memory_stats();
  fakedev::g_budget = 1 << 17;
  const std::size_t calls = fakedev::g_malloc_calls;
  std::string what;
  try {
    (void)gsn::cuda_malloc(3u << 20);
  } catch (const gsn::Error& e) {
    what = e.what();
  }
  CAPTURE(what);
  CHECK(what.find("cuda_malloc(3145728 bytes): out of memory") != std::string::npos);
  CHECK(what.find("in use 0 MiB") != std::string::npos);
  CHECK(what.find("backend_cuda.cu:") != std::string::npos);
  CHECK(fakedev::g_malloc_calls == calls + 2);  // the first try and the retry after emptying
  CHECK(fakedev::g_free_calls == 1);    // the cached block went back before the retry
  CHECK(cudaGetLastError() == cudaSuccess);
  const auto s1 = gsn::cuda_memory_stats();
  CHECK(s1.in_use == s0.in_use);
  CHECK(s1.peak == s0.peak);
  CHECK(s1.cached == 0);
  CHECK(s1.device_allocs == s0.device_allocs);
  CHECK(s1.requests == s0.requests);  // not served, so not counted
  // Budget lifted: the allocator serves again.
  fakedev::g_budget = static_cast<std::size_t>(-1);
  void* p = gsn::cuda_malloc(3u << 20);
  CHECK(p != nullptr);
  CHECK(cudaGetLastError() == cudaSuccess);
  gsn::cuda_free(p, 3u << 20);
  gsn::cuda_free(held, 1 << 16);
  gsn::cuda_empty_cache();
  CHECK(fakedev::g_live.empty());
}

TEST_CASE("a request larger than any device (a negative size cast to size_t) is an error, not a hang") {
  Fresh fresh;
  const std::size_t calls = fakedev::g_malloc_calls;
  for (std::size_t bytes : {static_cast<std::size_t>(-8), (std::size_t{1} << 63) + 1, (std::size_t{1} << 50) + 1}) {
    CAPTURE(bytes);
    CHECK_THROWS_WITH_AS(gsn::cuda_malloc(bytes), doctest::Contains("larger than any device's memory"), gsn::Error);
  }
  CHECK(fakedev::g_malloc_calls == calls);
}

TEST_CASE("copies, memset, fill and synchronize on the fake device") {
  Fresh fresh;
  const std::size_t n = 1000;
  std::vector<float> host(n), back(n, 0.f);
  for (std::size_t i = 0; i < n; ++i) host[i] = static_cast<float>(i) * 0.5f;
  void* d = gsn::cuda_malloc(n * sizeof(float));
  void* d2 = gsn::cuda_malloc(n * sizeof(float));
  gsn::cuda_copy_h2d(d, host.data(), n * sizeof(float));
  gsn::cuda_copy_d2d(d2, d, n * sizeof(float));
  gsn::cuda_copy_d2h(back.data(), d2, n * sizeof(float));
  CHECK(back == host);
  gsn::cuda_memset(d, 0, n * sizeof(float));
  gsn::cuda_copy_d2h(back.data(), d, n * sizeof(float));
  CHECK(back == std::vector<float>(n, 0.f));
  gsn::cuda_fill_f32(d, n, 2.5f);  // the real fill_f32_kernel, emulated
  gsn::cuda_fill_f32(d, 0, 9.f);   // nothing
  gsn::cuda_synchronize();
  gsn::cuda_copy_d2h(back.data(), d, n * sizeof(float));
  CHECK(back == std::vector<float>(n, 2.5f));
  CHECK(cudaGetLastError() == cudaSuccess);
  gsn::cuda_free(d, n * sizeof(float));
  gsn::cuda_free(d2, n * sizeof(float));
}

TEST_CASE("cuda_empty_cache after a device fault: the error named, the blocks given back, the state cleared") {
  Fresh fresh;
  cache_two(1 << 12, 1 << 14);
  REQUIRE(fakedev::g_live.size() == 2);
  fakedev::g_fault_next_sync = true;  // an earlier kernel wrote out of bounds
  CHECK_THROWS_WITH_AS(gsn::cuda_empty_cache(),
                       doctest::Contains("cuda_empty_cache: an illegal memory access was encountered"), gsn::Error);
  CHECK(fakedev::g_sync_calls == 1);
  CHECK(fakedev::g_free_calls == 2);  // freed all the same: nothing leaks from the cache
  CHECK(fakedev::g_live.empty());
  CHECK(gsn::cuda_memory_stats().cached == 0);
  CHECK(cudaGetLastError() == cudaSuccess);  // not left for the next launch check to report
  gsn::cuda_empty_cache();                   // the next one is clean
  CHECK(fakedev::g_sync_calls == 2);
}

TEST_CASE("out of memory after a device fault: the error names both, nothing is retried") {
  Fresh fresh;
  void* cached = gsn::cuda_malloc(1 << 12);
  gsn::cuda_free(cached, 1 << 12);
  const auto s0 = gsn::cuda_memory_stats();
  fakedev::g_fail_next = 1;
  fakedev::g_fault_next_sync = true;
  const std::size_t calls = fakedev::g_malloc_calls;
  std::string what;
  try {
    (void)gsn::cuda_malloc(1 << 20);
  } catch (const gsn::Error& e) {
    what = e.what();
  }
  CAPTURE(what);
  CHECK(what.find("cuda_malloc(1048576 bytes): out of memory, and giving the cache back failed: "
                  "an illegal memory access was encountered") != std::string::npos);
  CHECK(fakedev::g_malloc_calls == calls + 1);  // no retry on a faulted device
  CHECK(fakedev::g_live.empty());
  CHECK(cudaGetLastError() == cudaSuccess);
  const auto s1 = gsn::cuda_memory_stats();
  CHECK(s1.requests == s0.requests);
  CHECK(s1.in_use == s0.in_use);
  CHECK(s1.cached == 0);
}

}  // TEST_SUITE

TEST_SUITE("backend_alloc_exact") {

TEST_CASE("GSN_CUDA_EXACT_ALLOC=1: one cudaMalloc per request at its size, freed at once") {
  REQUIRE(exact_env());
  Fresh fresh;
  const auto s0 = gsn::cuda_memory_stats();
  void* p = gsn::cuda_malloc(1000);
  CHECK(fakedev::g_malloc_calls == 1);
  CHECK(fakedev::g_last_malloc_bytes == 1000);
  CHECK(gsn::cuda_memory_stats().in_use == s0.in_use + 1000);
  gsn::cuda_free(p, 1000);
  CHECK(fakedev::g_free_calls == 1);
  CHECK(fakedev::g_live.empty());
  auto s = gsn::cuda_memory_stats();
  CHECK(s.in_use == s0.in_use);
  CHECK(s.cached == 0);
  CHECK(s.peak >= 1000);
  void* q = gsn::cuda_malloc(1000);  // no reuse: a new cudaMalloc
  CHECK(fakedev::g_malloc_calls == 2);
  void* z = gsn::cuda_malloc(0);     // at least one byte
  CHECK(fakedev::g_last_malloc_bytes == 1);
  void* odd = gsn::cuda_malloc(513);
  CHECK(fakedev::g_last_malloc_bytes == 513);
  s = gsn::cuda_memory_stats();
  CHECK(s.in_use == s0.in_use + 1000 + 1 + 513);
  CHECK(s.device_allocs - s0.device_allocs == 4);
  CHECK(s.requests - s0.requests == 4);
  gsn::cuda_free(q, 1000);
  gsn::cuda_free(z, 0);
  gsn::cuda_free(odd, 513);
  CHECK(fakedev::g_free_calls == 4);
  CHECK(fakedev::g_bad_frees == 0);
  CHECK(fakedev::g_live.empty());
  CHECK(gsn::cuda_memory_stats().in_use == s0.in_use);
  CHECK(gsn::cuda_memory_stats().cached == 0);
}

TEST_CASE("GSN_CUDA_EXACT_ALLOC=1: out of memory throws and clears the error state") {
  REQUIRE(exact_env());
  Fresh fresh;
  fakedev::g_fail_next = 2;
  CHECK_THROWS_WITH_AS(gsn::cuda_malloc(777), doctest::Contains("cuda_malloc(777 bytes): out of memory"),
                       gsn::Error);
  CHECK(fakedev::g_malloc_calls == 2);
  CHECK(cudaGetLastError() == cudaSuccess);
  fakedev::g_fail_next = 1;  // one failure: the retry succeeds
  void* p = gsn::cuda_malloc(777);
  CHECK(p != nullptr);
  CHECK(cudaGetLastError() == cudaSuccess);
  gsn::cuda_free(p, 777);
  CHECK(fakedev::g_live.empty());
}

}  // TEST_SUITE

// A third process (ctest emu.backend_probe_fails), since the probe runs once: the device
// count is 1 but its properties cannot be read (an old driver).
TEST_SUITE("backend_probe_fails") {

TEST_CASE("a device whose properties cannot be read: unavailable, the reason given, no error left set") {
  const char* v = std::getenv("GSN_FAKE_DEVICE_PROPS");
  REQUIRE((v && std::string(v) == "fail"));
  CHECK(gsn::cuda_built());
  CHECK_FALSE(gsn::cuda_available());
  CHECK(gsn::cuda_status() ==
        "no CUDA device answered (cudaGetDeviceProperties: CUDA driver version is insufficient for CUDA runtime "
        "version)");
  CHECK(cudaGetLastError() == cudaSuccess);
  CHECK_THROWS_WITH_AS(gsn::cuda_malloc(16), doctest::Contains("CUDA requested but no CUDA device answered"),
                       gsn::Error);
  CHECK(fakedev::g_malloc_calls == 0);
  const auto s = gsn::cuda_memory_stats();
  CHECK(s.requests == 0);
  CHECK(s.in_use == 0);
}

}  // TEST_SUITE
