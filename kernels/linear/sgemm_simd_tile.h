// The register-blocked micro-tile and panel loop that sgemm_nn_simd (a plain GEMM), the
// implicit-GEMM conv (kernels/conv/conv_cpu_implicit.cpp) and the padded-copy
// backward-weight share, written against simd::Vec (simd_vec.h: AVX-512F or AVX2+FMA).
// Only for code compiled with GSN_CPU_SIMD (guard the include with #if defined(GSN_CPU_SIMD)
// after including simd_vec.h).
//
// The B operand is read in place, never packed, as rows of L*NV floats (L = Vec::kLanes).
// Row k of B is
//
//   B + g * gstride + off[t]       k = g * TAPS + t   (g < groups, t < TAPS)
//
// and its lanes are masked by bm[t * NV + v] (masked-off lanes read as 0, and their
// addresses are never touched). So
//   - a plain GEMM is TAPS = 1, off = {0}, gstride = ldb, bm = the panel's edge masks;
//   - a stride-1 conv is TAPS = k*k, g = the input channel, gstride = H*W, off[t] = the
//     tap's shift of the flat input plane, and bm[t] = the output lanes whose input pixel
//     for tap t lies inside the image (zero padding without a padded copy).
// A is row-major [M, groups*TAPS] with row stride lda; C is row-major with row stride ldc,
// written (or accumulated into, ACC) under the store masks cm[v].
//
// Each C element is ONE accumulator: (ACC ? C : +0) then fma(A[r,k], B[k,col], acc) for
// k = 0, 1, ... in order. The bits depend only on the shapes (not on the vector width),
// and a conv computed this way matches the im2col + GEMM route bit for bit (im2col's
// padding zeros are the masked lanes).
#pragma once
#include <cstdint>

#include "kernels/linear/simd_vec.h"

namespace gsn::cpu::simd {

// C[0:MR, 0:L*NV] (+)= A[0:MR, :] B for one micro-tile; MR * NV <= Vec::kAccumulators
// sums stay in registers.
template <int MR, int NV, bool ACC, int TAPS>
inline void micro_tile(int64_t groups, const float* A, int64_t lda, const float* B, int64_t gstride,
                       const int64_t* off, const Vec::Mask* bm, float* C, int64_t ldc, const Vec::Mask* cm) {
  constexpr int L = Vec::kLanes;
  Vec::Reg c[MR][NV];
#pragma GCC unroll 24
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 3
    for (int v = 0; v < NV; ++v) c[r][v] = ACC ? Vec::load(cm[v], C + r * ldc + L * v) : Vec::zero();
  for (int64_t g = 0; g < groups; ++g) {
    const float* bg = B + g * gstride;
    const float* ag = A + g * TAPS;
#pragma GCC unroll 9
    for (int t = 0; t < TAPS; ++t) {
      const float* b = TAPS == 1 ? bg : bg + off[t];
      Vec::Reg bv[NV];
#pragma GCC unroll 3
      for (int v = 0; v < NV; ++v) bv[v] = Vec::load(bm[t * NV + v], b + L * v);
#pragma GCC unroll 24
      for (int r = 0; r < MR; ++r) {
        const Vec::Reg a = Vec::broadcast(ag[r * lda + t]);
#pragma GCC unroll 3
        for (int v = 0; v < NV; ++v) c[r][v] = Vec::fma(a, bv[v], c[r][v]);
      }
    }
  }
#pragma GCC unroll 24
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 3
    for (int v = 0; v < NV; ++v) Vec::store(C + r * ldc + L * v, cm[v], c[r][v]);
}

// One panel of L*NV columns, all M rows: blocks of MAIN rows, then (where MAIN > 8)
// blocks of 8, then the last 1..7 rows.
template <int NV, int MAIN, bool ACC, int TAPS>
void panel(int64_t M, int64_t groups, const float* A, int64_t lda, const float* B, int64_t gstride,
           const int64_t* off, const Vec::Mask* bm, float* C, int64_t ldc, const Vec::Mask* cm) {
  int64_t r0 = 0;
  for (; r0 + MAIN <= M; r0 += MAIN)
    micro_tile<MAIN, NV, ACC, TAPS>(groups, A + r0 * lda, lda, B, gstride, off, bm, C + r0 * ldc, ldc, cm);
  if constexpr (MAIN > 8)
    for (; r0 + 8 <= M; r0 += 8)
      micro_tile<8, NV, ACC, TAPS>(groups, A + r0 * lda, lda, B, gstride, off, bm, C + r0 * ldc, ldc, cm);
  const float* Ar = A + r0 * lda;
  float* Cr = C + r0 * ldc;
  switch (M - r0) {  // below MAIN (and below 8 where MAIN > 8)
    case 1: micro_tile<1, NV, ACC, TAPS>(groups, Ar, lda, B, gstride, off, bm, Cr, ldc, cm); break;
    case 2: micro_tile<2, NV, ACC, TAPS>(groups, Ar, lda, B, gstride, off, bm, Cr, ldc, cm); break;
    case 3: micro_tile<3, NV, ACC, TAPS>(groups, Ar, lda, B, gstride, off, bm, Cr, ldc, cm); break;
    case 4: micro_tile<4, NV, ACC, TAPS>(groups, Ar, lda, B, gstride, off, bm, Cr, ldc, cm); break;
    case 5: micro_tile<5, NV, ACC, TAPS>(groups, Ar, lda, B, gstride, off, bm, Cr, ldc, cm); break;
    case 6:
      if constexpr (MAIN > 6) micro_tile<6, NV, ACC, TAPS>(groups, Ar, lda, B, gstride, off, bm, Cr, ldc, cm);
      break;
    case 7:
      if constexpr (MAIN > 7) micro_tile<7, NV, ACC, TAPS>(groups, Ar, lda, B, gstride, off, bm, Cr, ldc, cm);
      break;
    default: break;
  }
}

// The panel cut of N columns that every caller uses: full panels of kPanelWidth columns
// (48 on AVX-512, 16 on AVX2), then a last, narrower panel of fewer vectors with taller
// tiles, so narrow products (N = 16, 32, 64 output pixels) do not spend FMAs on masked-off
// lanes. Returns the vectors (1..kMaxVectors) of the panel that starts `rest` columns
// before the end.
inline int panel_vectors(int64_t rest) {
  const int64_t v = (rest + Vec::kLanes - 1) / Vec::kLanes;
  return v >= Vec::kMaxVectors ? Vec::kMaxVectors : static_cast<int>(v < 1 ? 1 : v);
}

// panel<NV, MAIN> with MAIN = the row block that fills the accumulators for NV vectors
// (AVX-512: 8 x 3, 12 x 2, 24 x 1 vectors; AVX2: 6 x 2, 12 x 1).
template <bool ACC, int TAPS>
void panel_any(int nv, int64_t M, int64_t groups, const float* A, int64_t lda, const float* B, int64_t gstride,
               const int64_t* off, const Vec::Mask* bm, float* C, int64_t ldc, const Vec::Mask* cm) {
  constexpr int kAcc = Vec::kAccumulators;
  if constexpr (Vec::kMaxVectors >= 3)
    if (nv == 3) return panel<3, kAcc / 3, ACC, TAPS>(M, groups, A, lda, B, gstride, off, bm, C, ldc, cm);
  if (nv == 2) return panel<2, kAcc / 2, ACC, TAPS>(M, groups, A, lda, B, gstride, off, bm, C, ldc, cm);
  panel<1, kAcc, ACC, TAPS>(M, groups, A, lda, B, gstride, off, bm, C, ldc, cm);
}

}  // namespace gsn::cpu::simd
