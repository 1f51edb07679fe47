// Emulated kernels/fusion/fusion.cu against ref:: (float).
//   siamese_diff_concat  B = 1..3, c*h*w = 1, 3, 4, 7, 8, 33, 64 (float4 when % 4 == 0),
//                        F and P views 4 bytes off 16-byte alignment (the scalar kernel),
//                        NaN and inf in F; tolerance {1e-7, 0} (one subtraction)
//   fuse_levels          the harness's level shapes (GSN's /2, /4, /8; overlapping bins; all
//                        one size; P1 smaller than P3; 1x1) and an empty level, B = 1..3;
//                        the harness's gpu tolerance (default {1e-5, 1e-4})
#include <cstring>

#include "kernels/fusion/fusion.h"
#include "kernels/pool/pool_math.h"
#include "tests/cuda_emu/emu_check.h"
#include "tests/cuda_emu/emu_coverage.h"

namespace {
using namespace gsn;
using namespace gsn::emu_test;

GSN_EMU_COVERAGE("fusion", "kernels/fusion/fusion.cu");  // checked by emu_main.cpp after the suite ran

TEST_SUITE("fusion") {
  TEST_CASE("siamese_diff_concat forward and backward") {
    for (int64_t B : {1, 2, 3}) {
      for (int64_t chw : {1, 3, 4, 7, 8, 33, 64}) {
        for (std::size_t misalign : {0, 1}) {
          const std::string name = cat("siamese_diff_concat B=", B, " chw=", chw, " misalign ", misalign);
          CaseScope scope(name);
          const std::size_t nf = sz(2 * B * chw), np = sz(3 * B * chw);
          std::vector<float> F = draw(nf, -1.0, 1.0, nf + 3 * chw);
          if (nf > 3) F[1] = NAN, F[2] = INFINITY;
          const std::vector<float> gP = draw(np, -1.0, 1.0, np + 5);
          std::vector<float> P(np), gF(nf);
          ref::siamese_diff_concat_forward<float>(F.data(), B, chw, P.data());
          ref::siamese_diff_concat_backward<float>(gP.data(), B, chw, gF.data());
          DevBuf dF(F, misalign), dP(np, misalign), dgP(gP, misalign), dgF(nf, misalign);
          cuda::siamese_diff_concat_forward(dF.data(), B, chw, dP.data());
          cuda::siamese_diff_concat_backward(dgP.data(), B, chw, dgF.data());
          expect_close(name + " P", dP, P, {1e-7, 0.0});
          expect_close(name + " gF", dgF, gF, {1e-7, 0.0});
        }
      }
    }
  }

  TEST_CASE("fuse_levels forward and backward") {
    struct Level {
      int64_t C, H, W;
    };
    const std::vector<std::array<Level, 3>> levels = {
        {{{3, 16, 12}, {5, 8, 6}, {4, 4, 3}}},    {{{2, 13, 11}, {3, 7, 5}, {1, 3, 2}}},
        {{{2, 5, 4}, {1, 5, 4}, {3, 5, 4}}},      {{{3, 3, 2}, {2, 5, 7}, {2, 4, 5}}},
        {{{1, 1, 1}, {1, 1, 1}, {1, 1, 1}}},      {{{0, 4, 4}, {2, 4, 4}, {1, 2, 2}}},
        {{{5, 17, 13}, {3, 8, 7}, {2, 1, 1}}},
    };
    for (const auto& ls : levels) {
      for (int64_t B : {1, 3}) {
        FuseGeom g{B, {ls[0].C, ls[1].C, ls[2].C}, {ls[0].H, ls[1].H, ls[2].H}, {ls[0].W, ls[1].W, ls[2].W}};
        std::string name = cat("fuse_levels B=", B);
        for (const Level& l : ls) name += cat(" [", l.C, ",", l.H, ",", l.W, "]");
        CaseScope scope(name);
        std::vector<float> in[3], gin_want[3];
        std::vector<DevBuf> din, dgin;
        for (int l = 0; l < 3; ++l) {
          const std::size_t n = sz(B * g.C[l] * g.H[l] * g.W[l]);
          in[l] = draw(n, -1.0, 1.0, 40 + n + sz(l));
          gin_want[l].resize(n);
          din.emplace_back(in[l]);
          dgin.emplace_back(n);
        }
        const std::size_t ny = sz(B * g.total_channels() * g.H[2] * g.W[2]);
        std::vector<float> gy = draw(ny, -1.0, 1.0, ny + 9);
        if (!gy.empty()) gy[0] = -0.f;  // the reference's sum from zero makes its share +0
        std::vector<float> y(ny);
        ref::fuse_levels_forward<float>(g, in[0].data(), in[1].data(), in[2].data(), y.data());
        ref::fuse_levels_backward<float>(g, gy.data(), gin_want[0].data(), gin_want[1].data(), gin_want[2].data());
        DevBuf dy(ny), dgy(gy);
        cuda::fuse_levels_forward(g, din[0].data(), din[1].data(), din[2].data(), dy.data());
        cuda::fuse_levels_backward(g, dgy.data(), dgin[0].data(), dgin[1].data(), dgin[2].data());
        expect_close(name + " y", dy, y, {1e-5, 1e-4});
        for (int l = 0; l < 3; ++l) {
          // A level whose bins tile it exactly takes the one-bin path: the reference's bits.
          const bool tiled = adaptive_bins_tile(g.H[l], g.H[2]) && adaptive_bins_tile(g.W[l], g.W[2]);
          expect_close(cat(name, " g", l + 1), dgin[l], gin_want[l], tiled ? Tol{0.0, 0.0} : Tol{1e-5, 1e-4});
          if (tiled)
            CHECK_MESSAGE(std::memcmp(dgin[l].data(), gin_want[l].data(), gin_want[l].size() * sizeof(float)) == 0,
                          name << " g" << l + 1 << ": not the reference's bits");
        }
      }
    }
  }
}
}  // namespace
