// AVX-512 SGEMM for the conv's forward product; see sgemm_cpu_avx512.h.
#include "kernels/linear/sgemm_cpu_avx512.h"

#include "kernels/core/error.h"

#if defined(__AVX512F__)
#include <immintrin.h>

#include <algorithm>

#include "kernels/core/avx512_mask.h"

namespace gsn::cpu {

namespace {
// C[0:MR, 0:16*NV] (masked by m[0..NV-1] at a panel's right edge) = (ACC ? C : 0) +
// A[0:MR, 0:K] B[0:K, 0:16*NV]. MR * NV <= 24 accumulators stay in zmm registers.
template <int MR, int NV, bool ACC>
inline void micro_tile(int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc,
                       const __mmask16* m) {
  __m512 c[MR][NV];
#pragma GCC unroll 24
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 3
    for (int v = 0; v < NV; ++v) c[r][v] = ACC ? _mm512_maskz_loadu_ps(m[v], C + r * ldc + 16 * v) : _mm512_setzero_ps();
  for (int64_t k = 0; k < K; ++k) {
    const float* b = B + k * ldb;
    __m512 bv[NV];
#pragma GCC unroll 3
    for (int v = 0; v < NV; ++v) bv[v] = _mm512_maskz_loadu_ps(m[v], b + 16 * v);
#pragma GCC unroll 24
    for (int r = 0; r < MR; ++r) {
      const __m512 a = _mm512_set1_ps(A[r * lda + k]);
#pragma GCC unroll 3
      for (int v = 0; v < NV; ++v) c[r][v] = _mm512_fmadd_ps(a, bv[v], c[r][v]);
    }
  }
#pragma GCC unroll 24
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 3
    for (int v = 0; v < NV; ++v) _mm512_mask_storeu_ps(C + r * ldc + 16 * v, m[v], c[r][v]);
}

// Lanes [off, off+16) of a panel `width` columns wide that exist.
__mmask16 lanes(int64_t width, int64_t off) { return first_lanes(width - off); }

// One panel of 16*NV columns, all M rows: blocks of MAIN rows, then blocks of 8, then the
// last 1..7 rows.
template <int NV, int MAIN, bool ACC>
void panel(int64_t M, int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc,
           const __mmask16* m) {
  int64_t r0 = 0;
  for (; r0 + MAIN <= M; r0 += MAIN) micro_tile<MAIN, NV, ACC>(K, A + r0 * lda, lda, B, ldb, C + r0 * ldc, ldc, m);
  for (; r0 + 8 <= M; r0 += 8) micro_tile<8, NV, ACC>(K, A + r0 * lda, lda, B, ldb, C + r0 * ldc, ldc, m);
  const float* Ar = A + r0 * lda;
  float* Cr = C + r0 * ldc;
  switch (M - r0) {
    case 1: micro_tile<1, NV, ACC>(K, Ar, lda, B, ldb, Cr, ldc, m); break;
    case 2: micro_tile<2, NV, ACC>(K, Ar, lda, B, ldb, Cr, ldc, m); break;
    case 3: micro_tile<3, NV, ACC>(K, Ar, lda, B, ldb, Cr, ldc, m); break;
    case 4: micro_tile<4, NV, ACC>(K, Ar, lda, B, ldb, Cr, ldc, m); break;
    case 5: micro_tile<5, NV, ACC>(K, Ar, lda, B, ldb, Cr, ldc, m); break;
    case 6: micro_tile<6, NV, ACC>(K, Ar, lda, B, ldb, Cr, ldc, m); break;
    case 7: micro_tile<7, NV, ACC>(K, Ar, lda, B, ldb, Cr, ldc, m); break;
    default: break;
  }
}

template <bool ACC>
void run(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb, float* C,
         int64_t ldc) {
  // Panels of 48 columns (8-row tiles); a last panel of up to 32 (12-row tiles) or 16
  // (24-row tiles) columns, so narrow products (N = 16, 32, 64 output channels) do not
  // spend FMAs on masked-off lanes.
  for (int64_t n0 = 0; n0 < N;) {
    const int64_t rest = N - n0;
    const int nv = rest > 32 ? 3 : rest > 16 ? 2 : 1;
    const int64_t w = std::min<int64_t>(16 * nv, rest);
    const __mmask16 m[3] = {lanes(w, 0), lanes(w, 16), lanes(w, 32)};
    if (nv == 3)
      panel<3, 8, ACC>(M, K, A, lda, B + n0, ldb, C + n0, ldc, m);
    else if (nv == 2)
      panel<2, 12, ACC>(M, K, A, lda, B + n0, ldb, C + n0, ldc, m);
    else
      panel<1, 24, ACC>(M, K, A, lda, B + n0, ldb, C + n0, ldc, m);
    n0 += w;
  }
}
}  // namespace

bool sgemm_nn_avx512_available() { return true; }

void sgemm_nn_avx512(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb,
                     float* C, int64_t ldc, bool accumulate) {
  if (accumulate)
    run<true>(M, N, K, A, lda, B, ldb, C, ldc);
  else
    run<false>(M, N, K, A, lda, B, ldb, C, ldc);
}

}  // namespace gsn::cpu

#else  // no AVX-512 at compile time

namespace gsn::cpu {
bool sgemm_nn_avx512_available() { return false; }
void sgemm_nn_avx512(int64_t, int64_t, int64_t, const float*, int64_t, const float*, int64_t, float*, int64_t, bool) {
  GSN_THROW("sgemm_nn_avx512: not compiled in (the compiler did not target AVX-512F)");
}
}  // namespace gsn::cpu

#endif
