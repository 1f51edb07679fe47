// Tensor, storage guards, dispatch and the device layer.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "kernels/core/backend.h"
#include "kernels/core/cpu_allocator.h"
#include "kernels/core/device_select.h"
#include "kernels/core/dispatch.h"
#include "kernels/core/random.h"
#include "kernels/elementwise/elementwise.h"

using namespace gsn;

TEST_CASE("tensor: shape, element count, fill, views") {
  Tensor t = Tensor::zeros({2, 3, 4, 5});
  CHECK(t.numel() == 120);
  CHECK(t.nbytes() == 480);
  CHECK(t.shape().str() == "[2,3,4,5]");
  t.fill_(1.5);
  CHECK(t.to_vector<float>()[119] == 1.5f);

  Tensor v = Tensor::from_vector({3, 2}, std::vector<float>{0, 1, 2, 3, 4, 5});
  Tensor rows = v.slice0(1, 3);  // a view: writes show through
  CHECK(rows.shape() == Shape{2, 2});
  CHECK(rows.to_vector<float>() == std::vector<float>{2, 3, 4, 5});
  rows.fill_(9.0);
  CHECK(v.to_vector<float>() == std::vector<float>{0, 1, 9, 9, 9, 9});
  CHECK(v.reshape({6}).to_vector<float>()[2] == 9.f);
  CHECK(rows.is_view());
  CHECK_FALSE(v.clone().is_view());
}

TEST_CASE("tensor: clear errors for misuse") {
  Tensor t = Tensor::zeros({2, 3});
  CHECK_THROWS_WITH_AS(t.reshape({4}), doctest::Contains("element counts differ"), Error);
  CHECK_THROWS_WITH_AS(t.slice0(1, 3), doctest::Contains("out of range"), Error);
  CHECK_THROWS_WITH_AS(t.data<double>(), doctest::Contains("accessed as float64"), Error);
  CHECK_THROWS_WITH_AS(t.item(), doctest::Contains("exactly one element"), Error);
  CHECK_THROWS_WITH_AS(add(t, Tensor::zeros({3, 2})), doctest::Contains("shape mismatch [2,3] vs [3,2]"), Error);
  CHECK_THROWS_WITH_AS(add(t, Tensor::zeros({2, 3}, DType::F64)), doctest::Contains("dtype mismatch"), Error);
  CHECK_THROWS_WITH_AS(Tensor::empty({2, -1}), doctest::Contains("negative size"), Error);
}

TEST_CASE("tensor: float32/float64 conversion round trip") {
  Tensor a = Tensor::from_vector({3}, std::vector<float>{0.1f, -2.f, 3.5f});
  Tensor d = a.to(DType::F64);
  CHECK(d.dtype() == DType::F64);
  CHECK(d.to_vector<double>()[0] == static_cast<double>(0.1f));
  CHECK(d.to(DType::F32).to_vector<float>() == a.to_vector<float>());
}

TEST_CASE("debug guards catch writes past the end and report freed buffers") {
  set_debug_guards(true);
  take_guard_violations();
  {
    Tensor t = Tensor::empty({4});
    CHECK(std::isnan(t.to_vector<float>()[3]));  // fresh buffers start as NaN
    t.storage()->check_guards("fresh");
    t.data<float>()[4] = 1.f;  // one element past the end, on purpose
    CHECK_THROWS_WITH_AS(t.storage()->check_guards("t"), doctest::Contains("past the end"), Error);
  }
  std::vector<std::string> v = take_guard_violations();
  set_debug_guards(false);
  REQUIRE(v.size() == 1);
  CHECK(v[0].find("past the end") != std::string::npos);
}

TEST_CASE("dispatch: float64 goes to the reference, the scope selects the CPU path") {
  CHECK(select_impl("t", Tensor::zeros({1}, DType::F64)) == Impl::Reference);
  CHECK(select_impl("t", Tensor::zeros({1})) == Impl::Cpu);
  {
    ScopedCpuPath ref(CpuPath::Reference);
    CHECK(select_impl("t", Tensor::zeros({1})) == Impl::Reference);
  }
  CHECK(cpu_path() == CpuPath::Fast);
}

TEST_CASE("device selection falls back to the CPU, and says why cuda is refused") {
  CHECK(resolve_device("cpu") == Device::CPU);
  CHECK_THROWS_WITH_AS(resolve_device("tpu"), doctest::Contains("unknown device 'tpu'"), Error);
  // Without a device. With one, "auto" must pick it: tests/gpu/test_backend_cuda.cu checks
  // that (and the copies and the allocator's reuse), where a missing device is a skip.
  if (cuda_available()) {
    MESSAGE("a CUDA device answers: the no-device fallback is not testable here");
    return;
  }
  CHECK(resolve_device("auto") == Device::CPU);
  CHECK_THROWS_WITH_AS(resolve_device("cuda"), doctest::Contains("--device cuda"), Error);
  CHECK_THROWS_AS(Tensor::zeros({2}, DType::F32, Device::CUDA), Error);
}

TEST_CASE("the CPU caching allocator reuses large blocks and leaves small ones to malloc" *
          doctest::skip(!cpu_cache_enabled())) {
  cpu_empty_cache();
  const CpuCacheStats s0 = cpu_cache_stats();
  const std::size_t big = (std::size_t{3} << 20) + 123;  // 3 MiB and change: a cached size
  void* a = cpu_alloc(big);
  CHECK(reinterpret_cast<std::uintptr_t>(a) % kCpuAlign == 0);
  std::memset(a, 1, big);  // the whole request is usable
  cpu_release(a, big);
  CHECK(cpu_cache_stats().cached >= big);
  // The same size, and a slightly different one in the same class, get the block back.
  void* b = cpu_alloc(big - 100);
  const CpuCacheStats s1 = cpu_cache_stats();
  CHECK(b == a);
  CHECK(s1.hits == s0.hits + 1);
  CHECK(s1.cached == 0);
  // A size two classes up misses.
  void* c = cpu_alloc(big * 2);
  CHECK(c != a);
  CHECK(cpu_cache_stats().misses == s1.misses + 1);
  cpu_release(b, big - 100);
  cpu_release(c, big * 2);
  // Small blocks are not cached.
  void* d = cpu_alloc(1000);
  CHECK(reinterpret_cast<std::uintptr_t>(d) % kCpuAlign == 0);
  cpu_release(d, 1000);
  CHECK(cpu_cache_stats().cached >= 3 * big);
  CHECK(cpu_cache_stats().cached < 3 * big + big / 2);  // size classes waste at most 12.5%
  cpu_empty_cache();
  CHECK(cpu_cache_stats().cached == 0);
  // Above 4 GiB it keeps as much as was in use at once: five 1 GiB blocks (address space
  // only: they are never touched) all come back to the free lists.
  {
    constexpr std::size_t GiB = std::size_t{1} << 30;
    std::vector<void*> blocks;
    for (int i = 0; i < 5; ++i) blocks.push_back(cpu_alloc(GiB));
    CHECK(cpu_cache_stats().live >= 5 * GiB);
    CHECK(cpu_cache_stats().peak_live >= 5 * GiB);
    for (void* q : blocks) cpu_release(q, GiB);
    CHECK(cpu_cache_stats().cached == 5 * GiB);
    cpu_empty_cache();
  }
  // Tensors go through it: a freed activation-sized tensor's memory is reused.
  const void* p;
  {
    Tensor t = Tensor::zeros({4, 256, 1024});
    p = t.raw();
  }
  Tensor u = Tensor::empty({4, 256, 1024});
  CHECK(u.raw() == p);
}
