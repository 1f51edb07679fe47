#include "kernels/core/random.h"

#include <cmath>

namespace gsn {

Generator::Generator(uint64_t seed, uint64_t stream) {
  // PCG32's seeding: increment must be odd; advance once before and after adding the seed.
  inc_ = (stream << 1u) | 1u;
  state_ = 0;
  next_u32();
  state_ += seed;
  next_u32();
}

uint32_t Generator::next_u32() {
  uint64_t old = state_;
  state_ = old * 6364136223846793005ULL + inc_;
  uint32_t xorshifted = static_cast<uint32_t>(((old >> 18u) ^ old) >> 27u);
  uint32_t rot = static_cast<uint32_t>(old >> 59u);
  return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
}

double Generator::uniform() {
  uint64_t hi = next_u32() >> 5;  // 27 bits
  uint64_t lo = next_u32() >> 6;  // 26 bits
  return static_cast<double>((hi << 26) | lo) * (1.0 / 9007199254740992.0);
}

double Generator::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u1 = uniform();
  while (u1 <= 0.0) u1 = uniform();
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double a = 6.283185307179586 * u2;
  spare_ = r * std::sin(a);
  has_spare_ = true;
  return r * std::cos(a);
}

uint32_t Generator::below(uint32_t n) {
  GSN_CHECK(n > 0, "Generator::below(0)");
  const uint32_t threshold = static_cast<uint32_t>(-n) % n;  // reject the biased low range
  for (;;) {
    uint32_t r = next_u32();
    if (r >= threshold) return r % n;
  }
}

template <class Fn>
static Tensor fill_random(const Shape& shape, DType dtype, Device device, Fn next) {
  Tensor t = Tensor::empty(shape, dtype, Device::CPU);
  const int64_t n = t.numel();
  if (dtype == DType::F32) {
    float* p = t.data<float>();
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<float>(next());
  } else {
    double* p = t.data<double>();
    for (int64_t i = 0; i < n; ++i) p[i] = next();
  }
  return t.to(device);
}

Tensor randn(const Shape& shape, Generator& gen, double stddev, DType dtype, Device device) {
  return fill_random(shape, dtype, device, [&] { return stddev * gen.normal(); });
}

Tensor rand_uniform(const Shape& shape, Generator& gen, double lo, double hi, DType dtype, Device device) {
  return fill_random(shape, dtype, device, [&] { return gen.uniform(lo, hi); });
}

}  // namespace gsn
