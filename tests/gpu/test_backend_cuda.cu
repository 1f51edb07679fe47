// The CUDA device layer (kernels/core/backend_cuda.cu): copies, fill and memset against
// the CPU, and the caching allocator's reuse. Its CPU counterpart is backend_stub.cpp;
// the fill kernel's reference is Tensor::fill_ on the CPU.
#include <doctest/doctest.h>

#include <cmath>

#include "kernels/core/backend.h"
#include "kernels/core/device_select.h"
#include "kernels/core/random.h"

using namespace gsn;

TEST_CASE("backend_cuda: with a device, --device auto picks it") {
  CHECK(resolve_device("auto") == Device::CUDA);
  CHECK(resolve_device("cuda") == Device::CUDA);
}

TEST_CASE("backend_cuda: host-device-host copies are exact, device-to-device too") {
  Generator g(4);
  for (int64_t n : {1, 7, 1000, 65537}) {
    Tensor a = randn({n}, g);
    Tensor d = a.to(Device::CUDA);
    Tensor e = Tensor::empty({n}, DType::F32, Device::CUDA);
    e.copy_from(d);
    CHECK(e.to_vector<float>() == a.to_vector<float>());
  }
}

TEST_CASE("backend_cuda: fill and zero match the CPU, views fill only their rows") {
  for (int64_t n : {1, 255, 256, 257, 1 << 20}) {
    Tensor d = Tensor::empty({n}, DType::F32, Device::CUDA);
    d.fill_(-3.25);
    Tensor c = Tensor::full({n}, -3.25);
    CHECK(d.to_vector<float>() == c.to_vector<float>());
    d.zero_();
    CHECK(d.to_vector<float>() == std::vector<float>(static_cast<std::size_t>(n), 0.f));
  }
  Tensor m = Tensor::zeros({4, 3}, DType::F32, Device::CUDA);
  Tensor rows = m.slice0(1, 3);
  rows.fill_(2.0);
  CHECK(m.to_vector<float>() == std::vector<float>{0, 0, 0, 2, 2, 2, 2, 2, 2, 0, 0, 0});
}

TEST_CASE("backend_cuda: the caching allocator reuses freed blocks and counts them") {
  cuda_synchronize();
  const CudaMemoryStats before = cuda_memory_stats();
  for (int i = 0; i < 50; ++i) {
    Tensor t = Tensor::empty({3, 1000}, DType::F32, Device::CUDA);
    (void)t;
  }
  const CudaMemoryStats after = cuda_memory_stats();
  CHECK(after.requests >= before.requests + 50);
  CHECK(after.device_allocs <= before.device_allocs + 1);  // one miss at most, then hits
  CHECK(after.in_use == before.in_use);
  CHECK(after.peak >= after.in_use);
}

TEST_CASE("backend_cuda: guard bands work on the device too") {
  // Guards back off even if a check throws, so no later test runs with them.
  struct Guards {
    Guards() { set_debug_guards(true); }
    ~Guards() { set_debug_guards(false); }
  } guards;
  take_guard_violations();
  {
    Tensor t = Tensor::empty({5}, DType::F32, Device::CUDA);
    CHECK(std::isnan(t.to_vector<float>()[4]));  // poisoned, as on the CPU
    t.storage()->check_guards("fresh");
    cuda_memset(static_cast<char*>(t.raw()) + t.nbytes(), 0, 4);  // one float past the end
    CHECK_THROWS_WITH_AS(t.storage()->check_guards("t"), doctest::Contains("past the end"), Error);
  }
  CHECK(take_guard_violations().size() == 1);
}
