// Emulated kernels/conv/cdc.cu against ref:: (float; the reference sums the 9 taps in
// double, the kernels in float): the weight fold, the tap sums, the gradient unfold (H
// read with a stride of 1 and of 9, the centre tap of G itself), y = a - theta * b.
// OC = 1, 7, 300 (two blocks), on a grid capped at 1 block too; theta = 0, 0.7, 1.
// Tolerance {1e-5, 1e-5}: a float sum of 9 terms in [-1, 1] (the harness's CDC cases
// allow 8e-6 * sqrt(27) and more for whole convolutions).
#include "kernels/conv/cdc.h"
#include "tests/cuda_emu/emu_check.h"
#include "tests/cuda_emu/emu_coverage.h"

namespace {
using namespace gsn;
using namespace gsn::emu_test;

constexpr Tol kTol{1e-5, 1e-5};

GSN_EMU_COVERAGE("cdc", "kernels/conv/cdc.cu");  // checked by emu_main.cpp after the suite ran

TEST_SUITE("cdc") {
  TEST_CASE("fold, tap sums, unfold, sub_scaled") {
    for (int64_t OC : {1, 7, 300}) {
      for (unsigned cap : {0u, 1u}) {
        for (float theta : {0.f, 0.7f, 1.f}) {
          const std::string name = cat("cdc OC=", OC, " theta ", theta, " grid cap ", cap);
          CaseScope scope(name);
          emu::g_grid_cap = cap;
          const std::size_t n = sz(OC);
          const std::vector<float> w = draw(9 * n, -1.0, 1.0, n + 1), G = draw(9 * n, -1.0, 1.0, n + 2),
                                   H = draw(n, -1.0, 1.0, n + 3), b = draw(9 * n, -1.0, 1.0, n + 4);
          std::vector<float> wf(9 * n), s(n), gw1(9 * n), gw9(9 * n), y(9 * n);
          ref::cdc_fold_weight<float>(w.data(), OC, theta, wf.data());
          ref::cdc_sum_taps<float>(w.data(), OC, s.data());
          ref::cdc_unfold_grad<float>(G.data(), H.data(), 1, OC, theta, gw1.data());
          ref::cdc_unfold_grad<float>(G.data(), G.data() + 4, 9, OC, theta, gw9.data());
          ref::cdc_sub_scaled<float>(w.data(), b.data(), theta, y.data(), 9 * OC);
          DevBuf dw(w), dG(G), dH(H), db(b), dwf(9 * n), ds(n), dgw1(9 * n), dgw9(9 * n), dy(9 * n);
          cuda::cdc_fold_weight(dw.data(), OC, theta, dwf.data());
          cuda::cdc_sum_taps(dw.data(), OC, ds.data());
          cuda::cdc_unfold_grad(dG.data(), dH.data(), 1, OC, theta, dgw1.data());
          cuda::cdc_unfold_grad(dG.data(), dG.data() + 4, 9, OC, theta, dgw9.data());
          cuda::cdc_sub_scaled(dw.data(), db.data(), theta, dy.data(), 9 * OC);
          expect_close(name + " fold", dwf, wf, kTol);
          expect_close(name + " sum_taps", ds, s, kTol);
          expect_close(name + " unfold (H stride 1)", dgw1, gw1, kTol);
          expect_close(name + " unfold (H = G's centre taps)", dgw9, gw9, kTol);
          expect_close(name + " sub_scaled", dy, y, kTol);
        }
      }
    }
  }
}
}  // namespace
