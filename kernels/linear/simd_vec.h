// The SIMD vector that the CPU's register-blocked micro-kernels (sgemm_simd_tile.h: the
// SGEMM, the implicit-GEMM conv, the padded-copy backward-weight) are written against,
// chosen when compiling: AVX-512F (16 lanes, k-register masks) where the compiler targets
// it, else AVX2 with FMA (8 lanes, vector masks), else none (GSN_CPU_SIMD undefined; the
// callers then take their Eigen routes).
//
// Both give the same bits: every output of those kernels is one accumulator, a chain of
// FMAs in the same order whatever the width; the width only decides how many outputs run
// side by side. (AVX2 machines, such as the 2-core AMD EPYC of some of our sessions, ran
// the whole conv on Eigen before 2026-11-29.)
//
// Masked-off lanes read as 0 and are never written. Their addresses can lie outside the
// tensor (the implicit conv's taps reach up to W+1 floats before the first plane and
// after the last; edge panels up to a vector past B's or C's end), which is safe where a
// masked-off element cannot fault: AVX-512's masked loads and stores guarantee that, and
// so does Intel's manual for AVX's vmaskmovps. AMD's manual leaves it to the
// implementation; Zen 3 was seen not to fault (a guard-page test of both loads and
// stores, 2026-11-29). An AVX2 CPU that did fault there would crash in the first conv.
#pragma once
#include <cstdint>

#if defined(__AVX512F__)
#define GSN_CPU_SIMD 512
#elif defined(__AVX2__) && defined(__FMA__)
#define GSN_CPU_SIMD 256
#endif

#if defined(GSN_CPU_SIMD)
#include <immintrin.h>

namespace gsn::cpu::simd {

#if GSN_CPU_SIMD == 512
struct Vec {
  static constexpr int kLanes = 16;
  static constexpr int kAccumulators = 24;  // of 32 zmm: 24 sums, up to 3 B vectors, 1 broadcast
  static constexpr int kMaxVectors = 3;     // B vectors per micro-tile row (48 columns)
  using Reg = __m512;
  using Mask = __mmask16;
  static Reg zero() { return _mm512_setzero_ps(); }
  static Reg broadcast(float a) { return _mm512_set1_ps(a); }
  static Reg load(Mask m, const float* p) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(float* p, Mask m, Reg v) { _mm512_mask_storeu_ps(p, m, v); }
  static Reg fma(Reg a, Reg b, Reg c) { return _mm512_fmadd_ps(a, b, c); }
  // The first n lanes (n <= 0: none, n >= 16: all).
  static Mask first_lanes(int64_t n) {
    return n <= 0 ? Mask{0} : n >= 16 ? Mask{0xFFFF} : static_cast<Mask>((1u << n) - 1u);
  }
  // Lane l is on where bit l of bits is.
  static Mask from_bits(uint32_t bits) { return static_cast<Mask>(bits & 0xFFFFu); }
};
#else
struct Vec {
  static constexpr int kLanes = 8;
  // Of 16 ymm: 12 sums, the 2 B vectors, 1 broadcast and the mask vmaskmovps needs in a
  // register: 16, so GCC 12 keeps a few values of the 6x16 (and 12x8) tile on the stack
  // (per 108 FMAs, 6 stores and 4 FMAs with a stack operand). Without them (10 sums: 5x16
  // and 10x8 tiles, no stack traffic) the convs ran 3-6% slower and the tiny step 4% (332
  // against 318 ms, 2026-11-29): fewer FMAs per B load cost more than the spills.
  static constexpr int kAccumulators = 12;
  static constexpr int kMaxVectors = 2;     // B vectors per micro-tile row (16 columns)
  using Reg = __m256;
  using Mask = __m256i;  // a lane is on where its sign bit is
  static Reg zero() { return _mm256_setzero_ps(); }
  static Reg broadcast(float a) { return _mm256_set1_ps(a); }
  static Reg load(Mask m, const float* p) { return _mm256_maskload_ps(p, m); }
  static void store(float* p, Mask m, Reg v) { _mm256_maskstore_ps(p, m, v); }
  static Reg fma(Reg a, Reg b, Reg c) { return _mm256_fmadd_ps(a, b, c); }
  static Mask first_lanes(int64_t n) {
    const int k = n <= 0 ? 0 : n >= 8 ? 8 : static_cast<int>(n);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(k), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static Mask from_bits(uint32_t bits) {
    const __m256i lane_bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    const __m256i b = _mm256_and_si256(_mm256_set1_epi32(static_cast<int>(bits & 0xFFu)), lane_bit);
    return _mm256_cmpeq_epi32(b, lane_bit);
  }
};
#endif

// The widest panel of columns a micro-tile covers (48 on AVX-512, 16 on AVX2).
constexpr int kPanelWidth = Vec::kLanes * Vec::kMaxVectors;

}  // namespace gsn::cpu::simd

#endif  // GSN_CPU_SIMD
