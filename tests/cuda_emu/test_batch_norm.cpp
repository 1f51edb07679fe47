// Emulated kernels/norm/batch_norm.cu against ref::batch_norm_forward / _backward (float),
// training and eval, with and without the fused ReLU, at the harness's gpu tolerance.
// Shapes [N, C, H, W]: the harness's (M = 2, C = 1, primes, H*W % 4 == 0 for the float4
// apply), the same shape 4 bytes off 16-byte alignment (the scalar apply), N*H*W = 8320
// (3 blocks per channel's statistics, float4 slices crossing planes; also run on a grid
// capped at 2 blocks, and again in another block order for the same bits), N*H*W = 8601
// with H*W odd (the scalar walk across planes), 80 8x8 planes in 2 slices (the flat
// float4 walk), and an empty batch (eval only).
#include "kernels/norm/batch_norm.h"
#include "tests/cuda_emu/emu_check.h"
#include "tests/cuda_emu/emu_coverage.h"

namespace {
using namespace gsn;
using namespace gsn::emu_test;

struct BnCase {
  int64_t N, C, H, W;
  std::size_t misalign;  // floats
  unsigned grid_cap;
};
const std::vector<BnCase> kCases = {
    {1, 1, 1, 2, 0, 0}, {2, 1, 1, 1, 0, 0}, {2, 3, 5, 7, 0, 0}, {1, 5, 3, 2, 0, 0}, {3, 7, 6, 5, 0, 0},
    {2, 5, 4, 6, 0, 0}, {2, 5, 4, 6, 1, 0}, {2, 3, 64, 65, 0, 0}, {2, 3, 64, 65, 0, 2}, {0, 3, 4, 4, 0, 0},
    {3, 2, 47, 61, 0, 0},  // H*W odd: scalar statistics over 3 slices that start and end inside planes
    {80, 2, 8, 8, 0, 0},   // 8x8 planes, 2 slices: the flat float4 walk (planes under a block's loads)
};
constexpr Tol kTol{5e-5, 1e-4};  // tests/harness/cases_nn.cpp, bn.gpu_tol: float partial sums

struct Io {  // one run's inputs and outputs
  std::vector<float> y, mean, invstd, rmean, rvar, gx, ggamma, gbeta;
};

GSN_EMU_COVERAGE("batch_norm", "kernels/norm/batch_norm.cu");  // checked by emu_main.cpp after the suite ran

TEST_SUITE("batch_norm") {
  TEST_CASE("forward and backward against the reference") {
    for (const BnCase& s : kCases) {
      const BnGeom g{s.N, s.C, s.H * s.W};
      const std::size_t n = sz(s.N * s.C * s.H * s.W), C = sz(s.C);
      for (bool training : {true, false}) {
        if (training && g.per_channel() < 2) continue;
        for (bool relu : {false, true}) {
          const std::string name = cat("batch_norm ", training ? "train" : "eval", relu ? " relu" : "", " [", s.N, ",",
                                       s.C, ",", s.H, ",", s.W, "] misalign ", s.misalign, " grid cap ", s.grid_cap);
          const uint64_t seed = 1000 * static_cast<uint64_t>(s.C) + n;
          const std::vector<float> x = draw(n, -0.7, 1.3, seed), gy = draw(n, -1.0, 1.0, seed + 1),
                                   gamma = draw(C, 0.5, 1.5, seed + 2),
                                   beta = draw(C, relu ? -0.5 : 0.5, relu ? 0.5 : 1.5, seed + 3);
          std::vector<float> rmean0(C), rvar0(C);  // as the harness's eval_stats
          for (std::size_t c = 0; c < C; ++c) {
            rmean0[c] = static_cast<float>(0.15 * static_cast<double>(c % 5) - 0.3);
            rvar0[c] = static_cast<float>(0.4 + 0.25 * static_cast<double>(c % 7));
          }

          Io want{std::vector<float>(n), std::vector<float>(C), std::vector<float>(C), rmean0, rvar0,
                  std::vector<float>(n), std::vector<float>(C), std::vector<float>(C)};
          ref::batch_norm_forward<float>(x.data(), gamma.data(), beta.data(), g, training, 0.1f, 1e-5f, want.y.data(),
                                         want.mean.data(), want.invstd.data(), want.rmean.data(), want.rvar.data(),
                                         relu);
          ref::batch_norm_backward<float>(x.data(), gy.data(), gamma.data(), want.mean.data(), want.invstd.data(), g,
                                          training, want.gx.data(), want.ggamma.data(), want.gbeta.data(),
                                          relu ? want.y.data() : nullptr);

          auto run = [&](uint64_t schedule) {
            CaseScope scope(name, schedule);
            emu::g_grid_cap = s.grid_cap;
            DevBuf dx(x, s.misalign), dgy(gy, s.misalign), dgamma(gamma), dbeta(beta), y(n, s.misalign), mean(C),
                invstd(C), rmean(rmean0), rvar(rvar0), gx(n, s.misalign), ggamma(C), gbeta(C);
            cuda::batch_norm_forward(dx.data(), dgamma.data(), dbeta.data(), g, training, 0.1f, 1e-5f, y.data(),
                                     mean.data(), invstd.data(), rmean.data(), rvar.data(), relu);
            cuda::batch_norm_backward(dx.data(), dgy.data(), dgamma.data(), mean.data(), invstd.data(), g, training,
                                      gx.data(), ggamma.data(), gbeta.data(), relu ? y.data() : nullptr);
            for (const DevBuf* b :
                 {&dx, &dgy, &dgamma, &dbeta, &y, &mean, &invstd, &rmean, &rvar, &gx, &ggamma, &gbeta})
              expect_intact(name, *b);
            return Io{y.vec(), mean.vec(), invstd.vec(), rmean.vec(), rvar.vec(), gx.vec(), ggamma.vec(), gbeta.vec()};
          };
          const Io got = run(1);
          expect_close(name + " y", got.y.data(), want.y.data(), n, kTol);
          expect_close(name + " save_mean", got.mean.data(), want.mean.data(), C, kTol);
          expect_close(name + " save_invstd", got.invstd.data(), want.invstd.data(), C, kTol);
          expect_close(name + " running_mean", got.rmean.data(), want.rmean.data(), C, kTol);
          expect_close(name + " running_var", got.rvar.data(), want.rvar.data(), C, kTol);
          expect_close(name + " gx", got.gx.data(), want.gx.data(), n, kTol);
          expect_close(name + " ggamma", got.ggamma.data(), want.ggamma.data(), C, kTol);
          expect_close(name + " gbeta", got.gbeta.data(), want.gbeta.data(), C, kTol);
          if (s.H * s.W == 64 * 65) {
            const Io again = run(7);
            expect_same_bits(name + " y", got.y, again.y);
            expect_same_bits(name + " gx", got.gx, again.gx);
            expect_same_bits(name + " ggamma", got.ggamma, again.ggamma);
          }
        }
      }
    }
  }
}
}  // namespace
