// The AVX-512 register-blocked micro-tile and panel loop that sgemm_nn_avx512 (a plain GEMM)
// and the implicit-GEMM conv (kernels/conv/conv_cpu_implicit.cpp) share. Only for code
// compiled with AVX-512F (guard the include with #if defined(__AVX512F__)).
//
// The B operand is read in place, never packed, as rows of 16*NV floats. Row k of B is
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
// k = 0, 1, ... in order. The bits depend only on the shapes, and a conv computed this way
// matches the im2col + GEMM route bit for bit (im2col's padding zeros are the masked lanes).
#pragma once
#include <immintrin.h>

#include <cstdint>

namespace gsn::cpu::avx512 {

// C[0:MR, 0:16*NV] (+)= A[0:MR, :] B for one micro-tile; MR * NV <= 24 accumulators stay in
// zmm registers.
template <int MR, int NV, bool ACC, int TAPS>
inline void micro_tile(int64_t groups, const float* A, int64_t lda, const float* B, int64_t gstride,
                       const int64_t* off, const __mmask16* bm, float* C, int64_t ldc, const __mmask16* cm) {
  __m512 c[MR][NV];
#pragma GCC unroll 24
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 3
    for (int v = 0; v < NV; ++v) c[r][v] = ACC ? _mm512_maskz_loadu_ps(cm[v], C + r * ldc + 16 * v) : _mm512_setzero_ps();
  for (int64_t g = 0; g < groups; ++g) {
    const float* bg = B + g * gstride;
    const float* ag = A + g * TAPS;
#pragma GCC unroll 9
    for (int t = 0; t < TAPS; ++t) {
      const float* b = TAPS == 1 ? bg : bg + off[t];
      __m512 bv[NV];
#pragma GCC unroll 3
      for (int v = 0; v < NV; ++v) bv[v] = _mm512_maskz_loadu_ps(bm[t * NV + v], b + 16 * v);
#pragma GCC unroll 24
      for (int r = 0; r < MR; ++r) {
        const __m512 a = _mm512_set1_ps(ag[r * lda + t]);
#pragma GCC unroll 3
        for (int v = 0; v < NV; ++v) c[r][v] = _mm512_fmadd_ps(a, bv[v], c[r][v]);
      }
    }
  }
#pragma GCC unroll 24
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 3
    for (int v = 0; v < NV; ++v) _mm512_mask_storeu_ps(C + r * ldc + 16 * v, cm[v], c[r][v]);
}

// One panel of 16*NV columns, all M rows: blocks of MAIN rows, then blocks of 8, then the
// last 1..7 rows.
template <int NV, int MAIN, bool ACC, int TAPS>
void panel(int64_t M, int64_t groups, const float* A, int64_t lda, const float* B, int64_t gstride,
           const int64_t* off, const __mmask16* bm, float* C, int64_t ldc, const __mmask16* cm) {
  int64_t r0 = 0;
  for (; r0 + MAIN <= M; r0 += MAIN)
    micro_tile<MAIN, NV, ACC, TAPS>(groups, A + r0 * lda, lda, B, gstride, off, bm, C + r0 * ldc, ldc, cm);
  for (; r0 + 8 <= M; r0 += 8)
    micro_tile<8, NV, ACC, TAPS>(groups, A + r0 * lda, lda, B, gstride, off, bm, C + r0 * ldc, ldc, cm);
  const float* Ar = A + r0 * lda;
  float* Cr = C + r0 * ldc;
  switch (M - r0) {
    case 1: micro_tile<1, NV, ACC, TAPS>(groups, Ar, lda, B, gstride, off, bm, Cr, ldc, cm); break;
    case 2: micro_tile<2, NV, ACC, TAPS>(groups, Ar, lda, B, gstride, off, bm, Cr, ldc, cm); break;
    case 3: micro_tile<3, NV, ACC, TAPS>(groups, Ar, lda, B, gstride, off, bm, Cr, ldc, cm); break;
    case 4: micro_tile<4, NV, ACC, TAPS>(groups, Ar, lda, B, gstride, off, bm, Cr, ldc, cm); break;
    case 5: micro_tile<5, NV, ACC, TAPS>(groups, Ar, lda, B, gstride, off, bm, Cr, ldc, cm); break;
    case 6: micro_tile<6, NV, ACC, TAPS>(groups, Ar, lda, B, gstride, off, bm, Cr, ldc, cm); break;
    case 7: micro_tile<7, NV, ACC, TAPS>(groups, Ar, lda, B, gstride, off, bm, Cr, ldc, cm); break;
    default: break;
  }
}

// The panel cut of N columns that both callers use: panels of 48 columns (8-row tiles),
// then a last panel of up to 32 (12-row tiles) or 16 (24-row tiles) columns, so narrow
// products (N = 16, 32, 64 output pixels) do not spend FMAs on masked-off lanes.
// Returns the vectors (1..3) of the panel that starts `rest` columns before the end.
inline int panel_vectors(int64_t rest) { return rest > 32 ? 3 : rest > 16 ? 2 : 1; }

// panel<NV, MAIN> with MAIN = the row block that fills 24 accumulators for NV vectors.
template <bool ACC, int TAPS>
void panel_any(int nv, int64_t M, int64_t groups, const float* A, int64_t lda, const float* B, int64_t gstride,
               const int64_t* off, const __mmask16* bm, float* C, int64_t ldc, const __mmask16* cm) {
  if (nv == 3)
    panel<3, 8, ACC, TAPS>(M, groups, A, lda, B, gstride, off, bm, C, ldc, cm);
  else if (nv == 2)
    panel<2, 12, ACC, TAPS>(M, groups, A, lda, B, gstride, off, bm, C, ldc, cm);
  else
    panel<1, 24, ACC, TAPS>(M, groups, A, lda, B, gstride, off, bm, C, ldc, cm);
}

}  // namespace gsn::cpu::avx512
