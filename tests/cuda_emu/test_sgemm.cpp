// Emulated kernels/linear/sgemm.cu against ref::gemm (float): every version (1 naive, 2
// 32x32 smem tiles, 3 128x128 and 4 64x64 register tiles) and gemm()'s pick, all four
// transposes, the tolerance of tests/gpu/test_sgemm.cu: 2e-7 max(K, 8) (|alpha| + |beta|)
// + 1e-4 |ref|. Shapes M x N x K: 1x1x1, primes, no multiple of any tile (33x65x17), a row,
// a column, K = 0 (C = beta C), two 128-row tiles (129x20x9). Layouts: packed with
// beta = 0 (C starts as NaN: it must not be read); padded rows (ld = width + 3) with
// beta = -1.5; every operand 4 bytes off 16-byte alignment (the scalar loads and stores
// of v3 / v4) with beta = 1. Columns of C between N and ldc must stay untouched.
#include <algorithm>

#include "kernels/linear/linear.h"
#include "tests/cuda_emu/emu_check.h"
#include "tests/cuda_emu/emu_coverage.h"

namespace {
using namespace gsn;
using namespace gsn::emu_test;

struct Mnk {
  int64_t M, N, K;
};
const std::vector<Mnk> kShapes = {{1, 1, 1},   {7, 13, 5}, {33, 65, 17}, {1, 37, 64},
                                  {64, 1, 31}, {3, 5, 0},  {129, 20, 9}};

struct Layout {
  const char* tag;
  float alpha, beta;
  int64_t pad;
  std::size_t misalign;
};
const std::vector<Layout> kLayouts = {{"packed beta 0", 1.f, 0.f, 0, 0},
                                      {"padded alpha 0.5 beta -1.5", 0.5f, -1.5f, 3, 0},
                                      {"misaligned beta 1", 1.f, 1.f, 4, 1}};

GSN_EMU_COVERAGE("sgemm", "kernels/linear/sgemm.cu");  // checked by emu_main.cpp after the suite ran

TEST_SUITE("sgemm") {
  TEST_CASE("every version and transpose against the reference") {
    for (const Mnk& s : kShapes) {
      for (int version = 0; version <= cuda::kGemmVersions; ++version) {  // 0: gemm()'s pick
        for (int t = 0; t < 4; ++t) {
          const bool ta = t & 1, tb = t & 2;
          for (const Layout& l : kLayouts) {
            const std::string name = cat("sgemm ", version ? cat("v", version) : "pick", " ", ta ? "T" : "N",
                                         tb ? "T" : "N", " ", s.M, "x", s.N, "x", s.K, " ", l.tag);
            CaseScope scope(name);
            // Stored shapes: A [M, K] or [K, M], B [K, N] or [N, K], C [M, N]; rows padded.
            const int64_t a_rows = ta ? s.K : s.M, a_cols = ta ? s.M : s.K, b_rows = tb ? s.N : s.K,
                          b_cols = tb ? s.K : s.N;
            const int64_t lda = a_cols + l.pad, ldb = b_cols + l.pad, ldc = s.N + l.pad;
            const std::size_t na = sz(a_rows * lda), nb = sz(b_rows * ldb), nc = sz(s.M * ldc);
            const uint64_t seed = static_cast<uint64_t>(s.M * 1000 + s.N * 10 + s.K);
            const std::vector<float> A = draw(na, -1.0, 1.0, seed), B = draw(nb, -1.0, 1.0, seed + 1);
            std::vector<float> C0 = draw(nc, -1.0, 1.0, seed + 2);
            for (int64_t i = 0; i < s.M; ++i)
              for (int64_t j = s.N; j < ldc; ++j) C0[sz(i * ldc + j)] = 12345.f;  // padding
            std::vector<float> want = C0;
            ref::gemm<float>(ta, tb, s.M, s.N, s.K, l.alpha, A.data(), lda, B.data(), ldb, l.beta, want.data(), ldc);
            std::vector<float> c_start = C0;
            if (l.beta == 0.f)
              for (int64_t i = 0; i < s.M; ++i)
                for (int64_t j = 0; j < s.N; ++j) c_start[sz(i * ldc + j)] = NAN;
            DevBuf dA(A, l.misalign), dB(B, l.misalign), dC(c_start, l.misalign);
            if (version == 0)
              cuda::gemm(ta, tb, s.M, s.N, s.K, l.alpha, dA.data(), lda, dB.data(), ldb, l.beta, dC.data(), ldc);
            else
              cuda::gemm_version(version, ta, tb, s.M, s.N, s.K, l.alpha, dA.data(), lda, dB.data(), ldb, l.beta,
                                 dC.data(), ldc);
            const double atol = 2e-7 * static_cast<double>(std::max<int64_t>(s.K, 8)) *
                                (std::fabs(l.alpha) + std::fabs(l.beta));
            expect_close(name, dC, want, {atol, 1e-4});
            // The padding columns untouched, exactly (the tolerance above would let 12345 move by 1.2).
            bool padding_intact = true;
            for (int64_t i = 0; i < s.M; ++i)
              for (int64_t j = s.N; j < ldc; ++j) padding_intact = padding_intact && dC.data()[sz(i * ldc + j)] == 12345.f;
            CHECK_MESSAGE(padding_intact, name << ": a kernel wrote into C's row padding");
            expect_intact(name + " A", dA);
            expect_intact(name + " B", dB);
          }
        }
      }
    }
  }
}
}  // namespace
