// The SIMD SGEMM micro-kernel (kernels/linear/sgemm_cpu_simd.h; AVX-512F or AVX2+FMA,
// whichever this build targets) against the reference GEMM: every micro-tile height
// (1..8, 6, 12 and 24 rows and more), panel edges of both widths (N around 8, 16, 24, 32
// and 48), K = 1, leading dimensions larger than the matrix, C = AB and C += AB, and C's
// padding left untouched. And its bits: every element one fmaf chain in k order (the
// promise that makes AVX-512 and AVX2 builds, and the conv routes built on it, agree).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/core/random.h"
#include "kernels/linear/linear.h"
#include "kernels/linear/sgemm_cpu_simd.h"
#include "tests/test_util.h"

namespace {
using namespace gsn;

std::vector<float> uniform(int64_t n, uint64_t seed) {
  Generator g(seed);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (float& x : v) x = static_cast<float>(g.uniform() * 2.0 - 1.0);
  return v;
}
}  // namespace

TEST_CASE("SIMD SGEMM matches the reference GEMM at every edge" * doctest::test_suite("simd")) {
  if (!cpu::sgemm_nn_simd_available()) return test::skip("this build targets neither AVX-512F nor AVX2+FMA");
  MESSAGE("SIMD micro-kernels: " << std::string(cpu::sgemm_simd_name()));
  struct Case {
    int64_t M, N, K, pad;  // pad: extra columns in every leading dimension
  };
  std::vector<Case> cases;
  for (int64_t M : {1, 2, 3, 5, 6, 7, 8, 9, 11, 12, 13, 16, 17, 24, 31, 48, 50})
    for (int64_t N : {1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 47, 48, 49, 64, 100})
      for (int64_t K : {1, 27, 288}) cases.push_back({M, N, K, M % 3});
  for (bool accumulate : {false, true})
  for (const Case& c : cases) {
    const int64_t lda = c.K + c.pad, ldb = c.N + c.pad, ldc = c.N + c.pad;
    const std::vector<float> A = uniform(c.M * lda, 1), B = uniform(c.K * ldb, 2);
    std::vector<float> got(static_cast<std::size_t>(c.M * ldc), 7.f), want(got.size(), 7.f);
    cpu::sgemm_nn_simd(c.M, c.N, c.K, A.data(), lda, B.data(), ldb, got.data(), ldc, accumulate);
    ref::gemm<float>(false, false, c.M, c.N, c.K, 1.f, A.data(), lda, B.data(), ldb, accumulate ? 1.f : 0.f, want.data(),
                     ldc);
    double worst = 0.0;
    bool padding_kept = true;
    for (int64_t i = 0; i < c.M; ++i)
      for (int64_t j = 0; j < ldc; ++j) {
        const float g = got[static_cast<std::size_t>(i * ldc + j)], w = want[static_cast<std::size_t>(i * ldc + j)];
        if (j >= c.N)
          padding_kept = padding_kept && g == 7.f;
        else
          worst = std::max(worst, std::fabs(static_cast<double>(g) - static_cast<double>(w)));
      }
    INFO("M " << c.M << " N " << c.N << " K " << c.K << " pad " << c.pad << " accumulate " << accumulate);
    CHECK(worst <= 2e-6 * static_cast<double>(c.K));
    CHECK(padding_kept);
  }
}

TEST_CASE("SIMD SGEMM: each element is one fmaf chain over k in order" * doctest::test_suite("simd")) {
  if (!cpu::sgemm_nn_simd_available()) return test::skip("this build targets neither AVX-512F nor AVX2+FMA");
  for (const int64_t M : {1, 7, 13, 25})
    for (const int64_t N : {5, 8, 19, 40, 49})
      for (const bool accumulate : {false, true}) {
        const int64_t K = 37;
        const std::vector<float> A = uniform(M * K, 3), B = uniform(K * N, 4), C0 = uniform(M * N, 5);
        std::vector<float> got = C0;
        cpu::sgemm_nn_simd(M, N, K, A.data(), K, B.data(), N, got.data(), N, accumulate);
        int64_t differ = 0;
        for (int64_t i = 0; i < M; ++i)
          for (int64_t j = 0; j < N; ++j) {
            float acc = accumulate ? C0[static_cast<std::size_t>(i * N + j)] : 0.f;
            for (int64_t k = 0; k < K; ++k)
              acc = std::fma(A[static_cast<std::size_t>(i * K + k)], B[static_cast<std::size_t>(k * N + j)], acc);
            differ += std::memcmp(&acc, &got[static_cast<std::size_t>(i * N + j)], sizeof(float)) != 0;
          }
        INFO("M " << M << " N " << N << " accumulate " << accumulate);
        CHECK(differ == 0);
      }
}
