#include "kernels/core/storage.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

#include "kernels/core/backend.h"
#include "kernels/core/cpu_allocator.h"
#include "kernels/core/error.h"

namespace gsn {

namespace {
std::atomic<bool> g_guards{false};
std::atomic<std::size_t> g_cpu_in_use{0};
std::atomic<std::size_t> g_cpu_peak{0};
std::mutex g_violations_mu;
std::vector<std::string> g_violations;

void note_cpu_alloc(std::size_t bytes) {
  std::size_t now = g_cpu_in_use.fetch_add(bytes) + bytes;
  std::size_t peak = g_cpu_peak.load();
  while (now > peak && !g_cpu_peak.compare_exchange_weak(peak, now)) {
  }
}
}  // namespace

void set_debug_guards(bool on) { g_guards = on; }
bool debug_guards() { return g_guards; }
std::size_t cpu_bytes_in_use() { return g_cpu_in_use; }
std::size_t cpu_peak_bytes() { return g_cpu_peak; }
void cpu_reset_peak() { g_cpu_peak = g_cpu_in_use.load(); }

Storage::Storage(std::size_t bytes, Device device) : bytes_(bytes), device_(device) {
  guard_bytes_ = g_guards ? kGuardBytes : 0;
  const std::size_t total = bytes + 2 * guard_bytes_;
  if (device == Device::CPU) {
    base_ = cpu_alloc(total);
    note_cpu_alloc(total);
  } else {
    base_ = cuda_malloc(total == 0 ? 1 : total);
  }
  data_ = static_cast<unsigned char*>(base_) + guard_bytes_;
  if (guard_bytes_) {
    // Guards get the pattern; the payload starts as all-ones bytes, a NaN in float32 and
    // float64, so an element no kernel wrote shows up in the NaN check.
    if (device == Device::CPU) {
      std::memset(base_, kGuardByte, guard_bytes_);
      std::memset(data_, 0xFF, bytes_);
      std::memset(static_cast<unsigned char*>(data_) + bytes_, kGuardByte, guard_bytes_);
    } else {
      cuda_memset(base_, kGuardByte, guard_bytes_);
      cuda_memset(data_, 0xFF, bytes_);
      cuda_memset(static_cast<unsigned char*>(data_) + bytes_, kGuardByte, guard_bytes_);
    }
  }
}

std::vector<std::string> take_guard_violations() {
  std::lock_guard<std::mutex> lock(g_violations_mu);
  return std::exchange(g_violations, {});
}

Storage::~Storage() {
  if (guard_bytes_) {
    try {
      check_guards("buffer freed");
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lock(g_violations_mu);
      g_violations.emplace_back(e.what());
    }
  }
  const std::size_t total = bytes_ + 2 * guard_bytes_;
  if (device_ == Device::CPU) {
    cpu_release(base_, total);
    g_cpu_in_use -= total;
  } else {
    cuda_free(base_, total == 0 ? 1 : total);
  }
}

void Storage::check_guards(const char* what) const {
  if (!guard_bytes_) return;
  std::vector<unsigned char> before(guard_bytes_), after(guard_bytes_);
  const unsigned char* end = static_cast<const unsigned char*>(data_) + bytes_;
  if (device_ == Device::CPU) {
    std::memcpy(before.data(), base_, guard_bytes_);
    std::memcpy(after.data(), end, guard_bytes_);
  } else {
    cuda_copy_d2h(before.data(), base_, guard_bytes_);
    cuda_copy_d2h(after.data(), end, guard_bytes_);
  }
  for (std::size_t i = 0; i < guard_bytes_; ++i) {
    if (before[i] != kGuardByte)
      GSN_THROW(what, ": write before the start of the buffer (guard byte ", guard_bytes_ - i,
                " before element 0 changed)");
    if (after[i] != kGuardByte)
      GSN_THROW(what, ": write past the end of the buffer (guard byte ", i, " after the last of ",
                bytes_, " bytes changed)");
  }
}

}  // namespace gsn
