// Out-of-place float transpose for the CPU paths:
//
//   dst[j * ldd + i] = src[i * lds + j]     i < rows, j < cols
//
// Used for the conv backward-weight's gy^T [cols, O] (one per im2col tile), where the
// plain double loop wrote one float per 128-256-byte stride and cost 3.8% of a tiny
// training step. On AVX builds, 8x8 blocks go through registers (8 row loads, 24
// unpack/shuffle/permute, 8 row stores: 2-5x the plain loop on the conv's shapes, Zen 4,
// 2026-11-29); the edges that do not fill a block take the plain loop. Exact: a copy.
#pragma once
#include <cstdint>

#if defined(__AVX__)
#include <immintrin.h>
#endif

namespace gsn::cpu {

#if defined(__AVX__)
namespace detail {
// One 8x8 block: d[j * ldd + i] = s[i * lds + j], i, j < 8.
inline void transpose8x8(const float* s, int64_t lds, float* d, int64_t ldd) {
  __m256 r[8], t[8];
  for (int i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(s + i * lds);
  for (int i = 0; i < 8; i += 2) {  // interleave row pairs: (r0 r1) -> 00 10 01 11 | 04 14 05 15 ...
    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int q = 0; q < 8; q += 4) {  // pairs of pairs: 4 consecutive rows per 128-bit lane
    r[q] = _mm256_shuffle_ps(t[q], t[q + 2], 0x44);
    r[q + 1] = _mm256_shuffle_ps(t[q], t[q + 2], 0xEE);
    r[q + 2] = _mm256_shuffle_ps(t[q + 1], t[q + 3], 0x44);
    r[q + 3] = _mm256_shuffle_ps(t[q + 1], t[q + 3], 0xEE);
  }
  for (int j = 0; j < 4; ++j) {  // join the low (columns 0-3) and high (4-7) halves
    _mm256_storeu_ps(d + j * ldd, _mm256_permute2f128_ps(r[j], r[j + 4], 0x20));
    _mm256_storeu_ps(d + (j + 4) * ldd, _mm256_permute2f128_ps(r[j], r[j + 4], 0x31));
  }
}
}  // namespace detail
#endif

inline void transpose(const float* src, int64_t lds, int64_t rows, int64_t cols, float* dst, int64_t ldd) {
  int64_t r8 = 0, c8 = 0;
#if defined(__AVX__)
  r8 = rows / 8 * 8, c8 = cols / 8 * 8;
  for (int64_t j = 0; j < c8; j += 8)
    for (int64_t i = 0; i < r8; i += 8) detail::transpose8x8(src + i * lds + j, lds, dst + j * ldd + i, ldd);
#endif
  for (int64_t i = r8; i < rows; ++i)  // rows below the last full block (all rows without AVX)
    for (int64_t j = 0; j < cols; ++j) dst[j * ldd + i] = src[i * lds + j];
  for (int64_t i = 0; i < r8; ++i)  // the right edge of the full blocks' rows
    for (int64_t j = c8; j < cols; ++j) dst[j * ldd + i] = src[i * lds + j];
}

}  // namespace gsn::cpu
