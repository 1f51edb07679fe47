// The AVX-512 lane mask the CPU kernels use for row and panel edges. Only for code
// compiled with AVX-512F (guard the include with #if defined(__AVX512F__)).
#pragma once
#include <immintrin.h>

#include <cstdint>

namespace gsn::cpu {

// The first n of 16 lanes (n <= 0: none, n >= 16: all).
inline __mmask16 first_lanes(int64_t n) {
  return n <= 0 ? __mmask16{0} : n >= 16 ? __mmask16{0xFFFF} : static_cast<__mmask16>((1u << n) - 1u);
}

}  // namespace gsn::cpu
