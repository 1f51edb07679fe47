// Generator: seeded random numbers that are the same on every machine and compiler.
// std::uniform_real_distribution and std::normal_distribution are implementation-defined,
// so gsn uses PCG32 (O'Neill, pcg-random.org: 64-bit LCG state, xorshift-rotate output)
// and converts bits to floats itself. Tensors are always filled on the CPU and copied, so
// a CUDA tensor holds the same numbers as a CPU one.
#pragma once
#include <cstdint>

#include "kernels/core/tensor.h"

namespace gsn {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0, uint64_t stream = 0x5851f42d4c957f2dULL);
  uint32_t next_u32();
  double uniform();                         // [0, 1), 53 random bits
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  double normal();                          // standard normal (Box-Muller, both values used)
  uint32_t below(uint32_t n);               // uniform integer in [0, n), unbiased
  uint64_t state() const { return state_; }  // for checkpoints: (state, inc) restore exactly
  uint64_t inc() const { return inc_; }
  void restore(uint64_t state, uint64_t inc) { state_ = state; inc_ = inc; has_spare_ = false; }

 private:
  uint64_t state_ = 0, inc_ = 0;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

Tensor randn(const Shape& shape, Generator& gen, double stddev = 1.0, DType dtype = DType::F32,
             Device device = Device::CPU);
Tensor rand_uniform(const Shape& shape, Generator& gen, double lo, double hi, DType dtype = DType::F32,
                    Device device = Device::CPU);

}  // namespace gsn
