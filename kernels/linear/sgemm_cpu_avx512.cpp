// AVX-512 SGEMM for the conv's forward product; see sgemm_cpu_avx512.h.
#include "kernels/linear/sgemm_cpu_avx512.h"

#include "kernels/core/error.h"

#if defined(__AVX512F__)
#include <immintrin.h>

#include <algorithm>

namespace gsn::cpu {

namespace {
constexpr int64_t kMR = 8;   // rows of a micro-tile
constexpr int64_t kNR = 48;  // columns of a micro-tile (3 zmm)

// C[0:MR, 0:48] (masked to the panel's width by m0..m2) = A[0:MR, 0:K] B[0:K, 0:48].
template <int MR>
inline void micro_tile(int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb, float* C, int64_t ldc,
                       __mmask16 m0, __mmask16 m1, __mmask16 m2) {
  __m512 c[MR][3];
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) c[r][0] = c[r][1] = c[r][2] = _mm512_setzero_ps();
  for (int64_t k = 0; k < K; ++k) {
    const float* b = B + k * ldb;
    const __m512 b0 = _mm512_maskz_loadu_ps(m0, b), b1 = _mm512_maskz_loadu_ps(m1, b + 16),
                 b2 = _mm512_maskz_loadu_ps(m2, b + 32);
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
      const __m512 a = _mm512_set1_ps(A[r * lda + k]);
      c[r][0] = _mm512_fmadd_ps(a, b0, c[r][0]);
      c[r][1] = _mm512_fmadd_ps(a, b1, c[r][1]);
      c[r][2] = _mm512_fmadd_ps(a, b2, c[r][2]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) {
    _mm512_mask_storeu_ps(C + r * ldc, m0, c[r][0]);
    _mm512_mask_storeu_ps(C + r * ldc + 16, m1, c[r][1]);
    _mm512_mask_storeu_ps(C + r * ldc + 32, m2, c[r][2]);
  }
}

// Lanes [off, off+16) of a panel `width` columns wide that exist.
__mmask16 lanes(int64_t width, int64_t off) {
  const int64_t n = width - off;
  return n <= 0 ? __mmask16{0} : n >= 16 ? __mmask16{0xFFFF} : static_cast<__mmask16>((1u << n) - 1u);
}
}  // namespace

bool sgemm_nn_avx512_available() { return true; }

void sgemm_nn_avx512(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb,
                     float* C, int64_t ldc) {
  for (int64_t n0 = 0; n0 < N; n0 += kNR) {
    const int64_t w = std::min(kNR, N - n0);
    const __mmask16 m0 = lanes(w, 0), m1 = lanes(w, 16), m2 = lanes(w, 32);
    const float* Bp = B + n0;
    int64_t r0 = 0;
    for (; r0 + kMR <= M; r0 += kMR) micro_tile<kMR>(K, A + r0 * lda, lda, Bp, ldb, C + r0 * ldc + n0, ldc, m0, m1, m2);
    const float* Ar = A + r0 * lda;
    float* Cr = C + r0 * ldc + n0;
    switch (M - r0) {
      case 1: micro_tile<1>(K, Ar, lda, Bp, ldb, Cr, ldc, m0, m1, m2); break;
      case 2: micro_tile<2>(K, Ar, lda, Bp, ldb, Cr, ldc, m0, m1, m2); break;
      case 3: micro_tile<3>(K, Ar, lda, Bp, ldb, Cr, ldc, m0, m1, m2); break;
      case 4: micro_tile<4>(K, Ar, lda, Bp, ldb, Cr, ldc, m0, m1, m2); break;
      case 5: micro_tile<5>(K, Ar, lda, Bp, ldb, Cr, ldc, m0, m1, m2); break;
      case 6: micro_tile<6>(K, Ar, lda, Bp, ldb, Cr, ldc, m0, m1, m2); break;
      case 7: micro_tile<7>(K, Ar, lda, Bp, ldb, Cr, ldc, m0, m1, m2); break;
      default: break;
    }
  }
}

}  // namespace gsn::cpu

#else  // no AVX-512 at compile time

namespace gsn::cpu {
bool sgemm_nn_avx512_available() { return false; }
void sgemm_nn_avx512(int64_t, int64_t, int64_t, const float*, int64_t, const float*, int64_t, float*, int64_t) {
  GSN_THROW("sgemm_nn_avx512: not compiled in (the compiler did not target AVX-512F)");
}
}  // namespace gsn::cpu

#endif
