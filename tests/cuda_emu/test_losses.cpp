// Emulated losses/losses.cu against ref::loss_forward / ref::scale_by (float; the
// reference accumulates in double), the harness's gpu tolerance {1e-4, 1e-4}.
// One block of 512 threads: B = 1 (KL and its gradient exactly 0), 2, primes, 256, and
// 1100 (three elements per thread). Weights: MSE only, KL only, the GSN mix at tau = 0.5,
// both 0; q in [-1, 1] and in [-80, 80] (exp overflows in float without log-sum-exp);
// without a gradient; a NaN in q (value and gradient NaN, as the reference).
#include "losses/losses.h"
#include "tests/cuda_emu/emu_check.h"
#include "tests/cuda_emu/emu_coverage.h"

namespace {
using namespace gsn;
using namespace gsn::emu_test;

// atol 1e-6: the gradients are O(1/B) (1e-3 at B = 1100), so the harness's gpu atol of 1e-4
// would pass errors of several percent; rtol 1e-4 covers the float sums of values ~1e4.
constexpr Tol kTol{1e-6, 1e-4};

struct Weights {
  const char* tag;
  float w_mse, w_kl, tau;
};
const std::vector<Weights> kWeights = {
    {"mse", 1.f, 0.f, 1.f}, {"kl", 0.f, 1.f, 1.f}, {"gsn", 1.f, 2.5f, 0.5f}, {"none", 0.f, 0.f, 1.f}};

GSN_EMU_COVERAGE("losses", "losses/losses.cu");  // checked by emu_main.cpp after the suite ran

TEST_SUITE("losses") {
  TEST_CASE("loss_forward against the reference") {
    for (int64_t B : {1, 2, 7, 61, 256, 1100}) {
      for (const Weights& w : kWeights) {
        for (double range : {1.0, 80.0}) {
          for (int variant = 0; variant < 3; ++variant) {  // 0 with gradient, 1 without, 2 NaN in q
            if (variant > 0 && (range > 1.0 || B != 61)) continue;
            const std::string name = cat("loss ", w.tag, " B=", B, range > 1.0 ? " q+-80" : "",
                                         variant == 1 ? " no grad" : variant == 2 ? " NaN in q" : "");
            CaseScope scope(name);
            const std::size_t n = sz(B);
            std::vector<float> q = draw(n, -range, range, 31 * n + 1), y = draw(n, -2.0, 2.0, 31 * n + 2);
            if (variant == 2) q[3] = NAN;
            const bool want_grad = variant != 1;
            float value = 0.f;
            std::vector<float> grad(n);
            ref::loss_forward<float>(q.data(), y.data(), B, w.w_mse, w.w_kl, w.tau, &value,
                                     want_grad ? grad.data() : nullptr);
            DevBuf dq(q), dy(y), dvalue(1), dgrad(n);
            cuda::loss_forward(dq.data(), dy.data(), B, w.w_mse, w.w_kl, w.tau, dvalue.data(),
                               want_grad ? dgrad.data() : nullptr);
            expect_close(name + " value", dvalue, {value}, kTol);
            if (want_grad) expect_close(name + " grad", dgrad, grad, kTol);
            if (!want_grad) expect_unwritten(name + " grad (not asked for)", dgrad);
            if (B == 1 && w.w_mse == 0.f && w.w_kl != 0.f) {
              // One element: P = Q, so KL and its gradient are exactly 0 (losses.cu's __fmul_rn).
              CHECK_MESSAGE(dvalue.data()[0] == 0.f, name << ": KL of one element is " << dvalue.data()[0]);
              CHECK_MESSAGE(dgrad.data()[0] == 0.f, name << ": its gradient is " << dgrad.data()[0]);
            }
          }
        }
      }
    }
  }

  TEST_CASE("loss_forward with logits far from 0 (q near 1e6, y near -3e5) against the reference") {
    // The log-sum-exp stays in two parts (x - m) - s in both: formed as one number m + s,
    // s would be rounded to a multiple of 1/16 at m = 1e6.
    for (int64_t B : {2, 61, 1100}) {
      for (float tau : {1.f, 0.5f}) {
        const std::string name = cat("loss kl far logits B=", B, " tau=", tau);
        CaseScope scope(name);
        const std::size_t n = sz(B);
        std::vector<float> q = draw(n, -3.0, 3.0, 7 * n + 1), y = draw(n, -2.0, 2.0, 7 * n + 2);
        for (float& v : q) v += 1e6f;
        for (float& v : y) v -= 3e5f;
        float value = 0.f;
        std::vector<float> grad(n);
        ref::loss_forward<float>(q.data(), y.data(), B, 0.f, 1.f, tau, &value, grad.data());
        DevBuf dq(q), dy(y), dvalue(1), dgrad(n);
        cuda::loss_forward(dq.data(), dy.data(), B, 0.f, 1.f, tau, dvalue.data(), dgrad.data());
        expect_close(name + " value", dvalue, {value}, kTol);
        expect_close(name + " grad", dgrad, grad, kTol);
      }
    }
  }

  TEST_CASE("scale_by against the reference") {
    for (int64_t n : {1, 7, 1000}) {
      const std::string name = cat("scale_by n=", n);
      CaseScope scope(name);
      const std::vector<float> x = draw(sz(n), -1.0, 1.0, 5 + n), s = {-2.5f};
      std::vector<float> out(sz(n));
      ref::scale_by<float>(x.data(), s.data(), out.data(), n);
      DevBuf dx(x), ds(s), dout(sz(n));
      cuda::scale_by(dx.data(), ds.data(), dout.data(), n);
      expect_close(name, dout, out, {0.0, 0.0});
    }
  }
}
}  // namespace
