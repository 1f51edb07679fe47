// The SIMD SGEMM for the convs' products; see sgemm_cpu_simd.h.
#include "kernels/linear/sgemm_cpu_simd.h"

#include "kernels/core/error.h"
#include "kernels/linear/simd_vec.h"

#if defined(GSN_CPU_SIMD)
#include <algorithm>

#include "kernels/linear/sgemm_simd_tile.h"

namespace gsn::cpu {

namespace {
template <bool ACC>
void run(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb, float* C,
         int64_t ldc) {
  using simd::Vec;
  // Panels as simd::panel_vectors cuts them; B row k at B + k ldb (TAPS = 1).
  const int64_t no_shift[1] = {0};
  for (int64_t n0 = 0; n0 < N;) {
    const int nv = simd::panel_vectors(N - n0);
    const int64_t w = std::min<int64_t>(Vec::kLanes * nv, N - n0);
    Vec::Mask m[Vec::kMaxVectors];
    for (int v = 0; v < Vec::kMaxVectors; ++v) m[v] = Vec::first_lanes(w - Vec::kLanes * v);
    simd::panel_any<ACC, 1>(nv, M, K, A, lda, B + n0, ldb, no_shift, m, C + n0, ldc, m);
    n0 += w;
  }
}
}  // namespace

bool sgemm_nn_simd_available() { return true; }
const char* sgemm_simd_name() { return GSN_CPU_SIMD == 512 ? "AVX-512" : "AVX2+FMA"; }

void sgemm_nn_simd(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb,
                   float* C, int64_t ldc, bool accumulate) {
  if (accumulate)
    run<true>(M, N, K, A, lda, B, ldb, C, ldc);
  else
    run<false>(M, N, K, A, lda, B, ldb, C, ldc);
}

}  // namespace gsn::cpu

#else  // neither AVX-512F nor AVX2+FMA at compile time

namespace gsn::cpu {
bool sgemm_nn_simd_available() { return false; }
const char* sgemm_simd_name() { return "none"; }
void sgemm_nn_simd(int64_t, int64_t, int64_t, const float*, int64_t, const float*, int64_t, float*, int64_t, bool) {
  GSN_THROW("sgemm_nn_simd: not compiled in (the compiler targeted neither AVX-512F nor AVX2 with FMA)");
}
}  // namespace gsn::cpu

#endif
