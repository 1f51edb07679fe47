// Op harness cases: the losses (losses/losses_ag.h). Inputs: q (differentiated) and y
// (targets: no_grad). B = 1 (KL = 0, gradient 0), 2, primes, powers of two; q drawn in
// [-80, 80] on some cases, which overflows exp in float without the log-sum-exp.
#include <cmath>
#include <limits>

#include <doctest/doctest.h>

#include "kernels/core/dispatch.h"
#include "losses/losses.h"
#include "losses/losses_ag.h"
#include "tests/harness/op_harness.h"

namespace {
using namespace gsn;
using namespace gsn::test;

const std::vector<int64_t> kBatches = {1, 2, 7, 16, 61, 256};

// q in [-range, range], y (standardised targets) in [-2, 2].
std::function<Tensor(int, const Shape&, Generator&, DType)> init_range(double range) {
  return [range](int i, const Shape& s, Generator& g, DType t) {
    return i == 0 ? rand_uniform(s, g, -range, range, t) : rand_uniform(s, g, -2.0, 2.0, t);
  };
}

void add_loss_case(const std::string& name, int64_t b, double range, std::function<Var(const Vars&)> graph) {
  OpCase c{name + " B=" + std::to_string(b) + (range > 10 ? " q+-80" : ""), {Shape{b}, Shape{b}}, std::move(graph)};
  c.init = init_range(range);
  c.no_grad_inputs = {1};
  c.max_fd_points = 64;
  // Values of (q - y)^2 reach 6724 with q in +-80: float keeps ~7 digits (the rtol). The
  // gradients are O(1/B), ~1e-3 at B = 256: the atol must sit well below that.
  c.cpu_tol = {1e-7, 1e-5};
  c.gpu_tol = {1e-6, 1e-4};
  // Finite differences of a loss ~ 1e4 in float64 with eps 1e-6: ~1e-6 of noise.
  c.grad_tol = range > 10 ? Tol{1e-5, 1e-5} : Tol{1e-7, 1e-5};
  add_case(c);
}
}  // namespace

GSN_OP_CASES(losses) {
  for (int64_t b : kBatches) {
    for (double range : {1.5, 80.0}) {
      add_loss_case("mse_loss", b, range, [](const Vars& v) { return ag::mse_loss(v[0], v[1]); });
      add_loss_case("kl_batch_loss tau=1", b, range, [](const Vars& v) { return ag::kl_batch_loss(v[0], v[1], 1.0); });
      add_loss_case("gsn_loss", b, range, [](const Vars& v) { return ag::gsn_loss(v[0], v[1]); });
    }
    add_loss_case("kl_batch_loss tau=0.3", b, 1.5, [](const Vars& v) { return ag::kl_batch_loss(v[0], v[1], 0.3); });
    add_loss_case("gsn_loss lambda=0.5 tau=2", b, 80.0, [](const Vars& v) { return ag::gsn_loss(v[0], v[1], 0.5, 2.0); });
    // A loss used inside a graph: the upstream gradient is not 1.
    add_loss_case("2.5*gsn_loss", b, 1.5, [](const Vars& v) { return ag::scale(ag::gsn_loss(v[0], v[1]), 2.5); });
  }
}

// Exact values and edge cases, on the reference and the fast CPU path (and CUDA when a
// device answers: see tests/gpu/test_optim_losses.cu).
TEST_CASE("losses: hand-computed values, B = 1, NaN, large magnitudes, shape errors") {
  for (CpuPath path : {CpuPath::Reference, CpuPath::Fast}) {
    ScopedCpuPath scope(path);
    // q = (0, ln 3), y = (ln 3, 0), tau = 1: P = (3/4, 1/4), Q = (1/4, 3/4).
    // KL = 3/4 ln 3 + 1/4 ln(1/3) = ln(3)/2; dKL/dq = Q - P = (-1/2, 1/2).
    // MSE = ln(3)^2; dMSE/dq = (q - y) = (-ln 3, ln 3).
    const double l3 = std::log(3.0);
    Tensor q = Tensor::from_vector({2}, std::vector<float>{0.f, static_cast<float>(l3)});
    Tensor y = Tensor::from_vector({2}, std::vector<float>{static_cast<float>(l3), 0.f});
    LossResult kl = kl_batch_loss(q, y, 1.0, true);
    CHECK(kl.value.item() == doctest::Approx(l3 / 2).epsilon(1e-6));
    CHECK(kl.grad.to_vector<double>()[0] == doctest::Approx(-0.5).epsilon(1e-6));
    CHECK(kl.grad.to_vector<double>()[1] == doctest::Approx(0.5).epsilon(1e-6));
    LossResult mse = mse_loss(q, y, true);
    CHECK(mse.value.item() == doctest::Approx(l3 * l3).epsilon(1e-6));
    CHECK(mse.grad.to_vector<double>()[1] == doctest::Approx(l3).epsilon(1e-6));
    LossResult g = gsn_loss(q, y, 1.0, 1.0, true);
    CHECK(g.value.item() == doctest::Approx(l3 * l3 + l3 / 2).epsilon(1e-6));
    CHECK(g.grad.to_vector<double>()[0] == doctest::Approx(-l3 - 0.5).epsilon(1e-6));

    // B = 1: KL is exactly 0 and so is its gradient.
    Tensor q1 = Tensor::from_vector({1}, std::vector<float>{37.f}), y1 = Tensor::from_vector({1}, std::vector<float>{-2.f});
    LossResult k1 = kl_batch_loss(q1, y1, 1.0, true);
    CHECK(k1.value.item() == 0.0);
    CHECK(k1.grad.item() == 0.0);

    // B = 1 at a temperature whose reciprocal is inexact: still exactly 0 (the max pass and
    // the later passes must form the same rounded logit q/tau).
    LossResult k1t = kl_batch_loss(q1, y1, 0.3, true);
    CHECK(k1t.value.item() == 0.0);
    CHECK(k1t.grad.item() == 0.0);

    // Logits far from 0: the log-sum-exp kept as m + s, applied as (x - m) - s. Formed as
    // one number, m + s would round s away: at m = 1e30 all of it (Q would sum to 2 and KL
    // come out as -ln 2), at m = 1e6 up to 1/32 in float.
    for (float big : {1e30f, -1e30f}) {
      Tensor qh = Tensor::from_vector({2}, std::vector<float>{big, big}), yh = Tensor::zeros({2});
      LossResult kh = kl_batch_loss(qh, yh, 1.0, true);  // P = Q = (1/2, 1/2)
      CAPTURE(big);
      CHECK(kh.value.item() == doctest::Approx(0.0));
      CHECK(kh.grad.to_vector<double>()[0] == doctest::Approx(0.0));
      CHECK(kh.grad.to_vector<double>()[1] == doctest::Approx(0.0));
    }
    {
      // q = (1e6 + 1, 1e6) and y = (1, 0): the same softmax, so KL = 0 and gradient 0.
      Tensor qm = Tensor::from_vector({2}, std::vector<float>{1e6f + 1.f, 1e6f});
      Tensor ym = Tensor::from_vector({2}, std::vector<float>{1.f, 0.f});
      LossResult km = kl_batch_loss(qm, ym, 1.0, true);
      CHECK(std::abs(km.value.item()) < 1e-6);
      CHECK(std::abs(km.grad.to_vector<double>()[0]) < 1e-6);
    }

    // Large magnitudes: exp(+-500) overflows float; the log-sum-exp never forms it.
    // q = (500, -500), y = (0, 0): P = (1/2, 1/2), log Q = (0, -1000): KL = 500 - ln 2.
    Tensor qb = Tensor::from_vector({2}, std::vector<float>{500.f, -500.f});
    Tensor yb = Tensor::zeros({2});
    LossResult kb = kl_batch_loss(qb, yb, 1.0, true);
    CHECK(kb.value.item() == doctest::Approx(500.0 - std::log(2.0)).epsilon(1e-6));
    CHECK(kb.grad.to_vector<double>()[0] == doctest::Approx(0.5).epsilon(1e-6));
    CHECK(kb.grad.to_vector<double>()[1] == doctest::Approx(-0.5).epsilon(1e-6));

    // A NaN anywhere makes the value NaN, for every loss.
    for (int at = 0; at < 3; ++at) {
      std::vector<float> qv = {0.1f, 0.2f, 0.3f}, yv = {0.f, 1.f, 2.f};
      qv[static_cast<std::size_t>(at)] = std::numeric_limits<float>::quiet_NaN();
      Tensor qn = Tensor::from_vector({3}, qv), yn = Tensor::from_vector({3}, yv);
      CHECK(std::isnan(mse_loss(qn, yn, false).value.item()));
      CHECK(std::isnan(kl_batch_loss(qn, yn, 1.0, false).value.item()));
      CHECK(std::isnan(gsn_loss(qn, yn, 1.0, 1.0, false).value.item()));
      CHECK(std::isnan(kl_batch_loss(yn, qn, 1.0, false).value.item()));  // NaN in the targets
    }
    // Both weights 0: no term at all, so the gradient is 0 even where q is inf or NaN
    // (0 * (inf - y) would be NaN).
    {
      std::vector<float> qv = {0.1f, std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN()};
      LossResult z = weighted_loss("none", Tensor::from_vector({3}, qv), Tensor::zeros({3}), 0.0, 0.0, 1.0, true);
      CHECK(z.value.item() == 0.0);
      CHECK(z.grad.to_vector<float>() == std::vector<float>(3, 0.f));
    }
  }
  // Mismatched shapes and bad temperatures are errors with both shapes in the message.
  CHECK_THROWS_WITH_AS(mse_loss(Tensor::zeros({4}), Tensor::zeros({4, 1}), false),
                       doctest::Contains("must have the same shape"), gsn::Error);
  CHECK_THROWS_AS(kl_batch_loss(Tensor::zeros({4}), Tensor::zeros({4}), 0.0, false), gsn::Error);
  CHECK_THROWS_AS(gsn_loss(Tensor::zeros({0}), Tensor::zeros({0}), 1.0, 1.0, false), gsn::Error);
  // y is a constant: backward gives q a gradient and leaves y without one.
  Var q(Tensor::from_vector({3}, std::vector<double>{0.5, -1.0, 2.0}), true);
  Var y(Tensor::from_vector({3}, std::vector<double>{0.0, 1.0, 1.5}), true);
  backward(ag::gsn_loss(q, y));
  CHECK(q.has_grad());
  CHECK_FALSE(y.has_grad());
}
