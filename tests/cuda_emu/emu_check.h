// Helpers of the emulation drivers (tests/cuda_emu/test_*.cpp).
//   DevBuf        "device" memory for an emulated kernel: host floats between two guard
//                 bands, NaN until written, optionally misaligned by a few floats
//   cat(a, b, ...)  a case's name from its parts (streamed: GCC 12 -O3 reports a false
//                 -Wrestrict in chains of "literal" + std::string)
//   sz(n)         a size_t from an int64_t shape product
//   draw(n, lo, hi, seed)   uniform inputs from gsn::Generator (the same on every machine)
//   expect_close(what, got, want, n, tol)   |got - want| <= atol + rtol |want| elementwise,
//                 NaN only against NaN, infinities exactly (tol {0, 0}: the same values)
//   expect_same_bits(what, a, b)   two emulated runs (another block order) agree bitwise
//   expect_intact / expect_unwritten   guards intact / an output not asked for stays NaN
//   CaseScope     one case: a fixed emulator schedule, Storage guards on for the launchers'
//                 scratch tensors; at its end, no launch was refused and no guard was hit
#pragma once
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/core/random.h"
#include "kernels/core/storage.h"
#include "tests/cuda_emu/emu_cuda.h"

namespace gsn::emu_test {

struct Tol {
  double atol, rtol;
};

template <class... A> std::string cat(const A&... parts) {
  std::ostringstream os;
  (os << ... << parts);
  return os.str();
}

class DevBuf {
 public:
  // n floats of NaN; the payload starts `misalign` floats past a 256-byte boundary.
  explicit DevBuf(std::size_t n, std::size_t misalign = 0) : n_(n), off_(kGuard + misalign) {
    const std::size_t total = off_ + n + kGuard;
    base_.reset(static_cast<float*>(std::aligned_alloc(256, (total * sizeof(float) + 255) / 256 * 256)));
    const uint32_t nan_bits = 0xFFFFFFFFu;
    for (std::size_t i = 0; i < total; ++i)
      std::memcpy(base_.get() + i, i < off_ || i >= off_ + n ? &kPattern : &nan_bits, 4);
  }
  explicit DevBuf(const std::vector<float>& v, std::size_t misalign = 0) : DevBuf(v.size(), misalign) {
    if (!v.empty()) std::memcpy(data(), v.data(), v.size() * sizeof(float));
  }
  DevBuf(DevBuf&&) = default;
  DevBuf& operator=(DevBuf&&) = default;

  float* data() { return base_.get() + off_; }
  const float* data() const { return base_.get() + off_; }
  std::size_t size() const { return n_; }
  std::vector<float> vec() const { return std::vector<float>(data(), data() + n_); }

  // "" when both guard bands are intact, else where the first damage is.
  std::string guard_damage() const {
    for (std::size_t i = 0; i < off_ + n_ + kGuard; ++i) {
      if (i >= off_ && i < off_ + n_) continue;
      if (std::memcmp(base_.get() + i, &kPattern, 4) != 0)
        return i < off_ ? cat("written ", off_ - i, " float(s) before element 0")
                        : cat("written at element ", i - off_, " of ", n_);
    }
    return "";
  }

 private:
  struct Free {
    void operator()(float* p) const { std::free(p); }
  };
  static constexpr std::size_t kGuard = 64;            // floats on each side
  static constexpr uint32_t kPattern = 0x7FA5A5A5u;    // a NaN no kernel computes
  std::size_t n_, off_;
  std::unique_ptr<float, Free> base_;
};

// A size from a (non-negative) int64_t shape product.
inline std::size_t sz(int64_t n) { return static_cast<std::size_t>(n); }

inline std::vector<float> draw(std::size_t n, double lo, double hi, uint64_t seed) {
  Generator g(seed);
  std::vector<float> v(n);
  for (float& x : v) x = static_cast<float>(g.uniform(lo, hi));
  return v;
}

inline bool close_enough(double got, double want, Tol t) {
  if (std::isnan(want) || std::isnan(got)) return std::isnan(want) && std::isnan(got);
  if (std::isinf(want) || std::isinf(got)) return got == want;
  return std::fabs(got - want) <= t.atol + t.rtol * std::fabs(want);
}

template <class G, class W>
void expect_close(const std::string& what, const G* got, const W* want, std::size_t n, Tol t) {
  std::size_t bad = 0, first = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (!close_enough(static_cast<double>(got[i]), static_cast<double>(want[i]), t) && bad++ == 0) first = i;
  CHECK_MESSAGE(bad == 0, what << ": " << bad << " of " << n << " out of tolerance (atol " << t.atol << ", rtol "
                               << t.rtol << "); first at " << first << ": got " << (n ? double(got[first]) : 0.0)
                               << ", want " << (n ? double(want[first]) : 0.0));
}
inline void expect_close(const std::string& what, const DevBuf& got, const std::vector<float>& want, Tol t) {
  REQUIRE(got.size() == want.size());
  expect_close(what, got.data(), want.data(), want.size(), t);
  const std::string damage = got.guard_damage();
  CHECK_MESSAGE(damage.empty(), what << ": out-of-bounds write, " << damage);
}
inline void expect_same_bits(const std::string& what, const std::vector<float>& a, const std::vector<float>& b) {
  CHECK_MESSAGE((a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * 4) == 0)),
                what << ": two emulated runs (other block orders) differ");
}
inline void expect_intact(const std::string& what, const DevBuf& b) {
  const std::string damage = b.guard_damage();
  CHECK_MESSAGE(damage.empty(), what << ": out-of-bounds write, " << damage);
}

// An output the call was told not to compute: still all NaN, guards intact.
inline void expect_unwritten(const std::string& what, const DevBuf& b) {
  std::size_t written = 0;
  for (std::size_t i = 0; i < b.size(); ++i) written += !std::isnan(b.data()[i]);
  CHECK_MESSAGE(written == 0, what << ": " << written << " element(s) written");
  expect_intact(what, b);
}

class CaseScope {
 public:
  explicit CaseScope(std::string name, uint64_t schedule = 1) : name_(std::move(name)) {
    emu::reset_schedule(schedule);
    emu::take_problems();
    set_debug_guards(true);
    take_guard_violations();
  }
  ~CaseScope() {
    for (const std::string& p : emu::take_problems()) FAIL_CHECK(name_ << ": launch refused: " << p);
    for (const std::string& v : take_guard_violations()) FAIL_CHECK(name_ << ": scratch buffer guard: " << v);
    set_debug_guards(false);
    emu::g_grid_cap = 0;
  }
  CaseScope(const CaseScope&) = delete;
  CaseScope& operator=(const CaseScope&) = delete;

 private:
  std::string name_;
};


}  // namespace gsn::emu_test
