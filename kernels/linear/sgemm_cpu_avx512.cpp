// AVX-512 SGEMM for the conv's forward product; see sgemm_cpu_avx512.h.
#include "kernels/linear/sgemm_cpu_avx512.h"

#include "kernels/core/error.h"

#if defined(__AVX512F__)
#include <immintrin.h>

#include <algorithm>

#include "kernels/core/avx512_mask.h"
#include "kernels/linear/sgemm_avx512_tile.h"

namespace gsn::cpu {

namespace {
template <bool ACC>
void run(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb, float* C,
         int64_t ldc) {
  // Panels as avx512::panel_vectors cuts them; B row k at B + k ldb (TAPS = 1).
  const int64_t no_shift[1] = {0};
  for (int64_t n0 = 0; n0 < N;) {
    const int nv = avx512::panel_vectors(N - n0);
    const int64_t w = std::min<int64_t>(16 * nv, N - n0);
    const __mmask16 m[3] = {first_lanes(w), first_lanes(w - 16), first_lanes(w - 32)};
    avx512::panel_any<ACC, 1>(nv, M, K, A, lda, B + n0, ldb, no_shift, m, C + n0, ldc, m);
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
