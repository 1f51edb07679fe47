// The tape: gradients, accumulation, no-grad, and the errors a user can hit.
#include <doctest/doctest.h>

#include <cmath>

#include "autograd/ops.h"
#include "kernels/core/random.h"

using namespace gsn;

namespace {
Var leaf(std::vector<double> v) {
  return Var(Tensor::from_vector({static_cast<int64_t>(v.size())}, v), true);
}
}  // namespace

TEST_CASE("a composite expression with a value used twice matches finite differences") {
  // f(x, y) = mean(sigmoid(x * y + x) * relu(y - x)) + sum(x * x): x is used four times.
  auto f = [](const Var& x, const Var& y) {
    Var h = ag::mul(ag::sigmoid(ag::add(ag::mul(x, y), x)), ag::relu(ag::sub(y, x)));
    return ag::add(ag::mean(h), ag::sum(ag::mul(x, x)));
  };
  std::vector<double> xv = {0.3, -0.7, 1.1, 0.05, -1.3}, yv = {0.9, 0.2, -0.4, 0.6, 0.1};
  Var x = leaf(xv), y = leaf(yv);
  backward(f(x, y));
  std::vector<double> gx = x.grad().to_vector<double>(), gy = y.grad().to_vector<double>();

  auto value = [&](std::vector<double> a, std::vector<double> b) {
    NoGradGuard ng;
    return f(Var(Tensor::from_vector({5}, a)), Var(Tensor::from_vector({5}, b))).item();
  };
  const double eps = 1e-6;
  for (int i = 0; i < 5; ++i) {
    auto xp = xv, xm = xv, yp = yv, ym = yv;
    xp[i] += eps, xm[i] -= eps, yp[i] += eps, ym[i] -= eps;
    CHECK(gx[i] == doctest::Approx((value(xp, yv) - value(xm, yv)) / (2 * eps)).epsilon(1e-6));
    CHECK(gy[i] == doctest::Approx((value(xv, yp) - value(xv, ym)) / (2 * eps)).epsilon(1e-6));
  }
}

TEST_CASE("gradients accumulate across backward calls until zero_grad") {
  Var x = leaf({1.0, 2.0});
  backward(ag::sum(ag::scale(x, 3.0)));
  backward(ag::sum(ag::scale(x, 3.0)));
  CHECK(x.grad().to_vector<double>() == std::vector<double>{6.0, 6.0});
  x.zero_grad();
  CHECK_FALSE(x.has_grad());
  // A leaf that is the loss itself accumulates too (dx/dx = 1 on top of the 3 above).
  Var s = leaf({2.0});
  backward(ag::scale(s, 3.0));
  backward(s);
  CHECK(s.grad().to_vector<double>() == std::vector<double>{4.0});
}

TEST_CASE("add's shared gradient is copied, not aliased, between its inputs") {
  Var a = leaf({1.0}), b = leaf({2.0});
  backward(ag::sum(ag::add(a, b)));
  backward(ag::sum(ag::scale(a, 5.0)));  // accumulates into a only
  CHECK(a.grad().item() == 6.0);
  CHECK(b.grad().item() == 1.0);
}

TEST_CASE("only inputs that need a gradient get one; no-grad records nothing") {
  Var x = leaf({1.0, -1.0});
  Var c(Tensor::from_vector({2}, std::vector<double>{2.0, 3.0}));  // a constant
  backward(ag::sum(ag::mul(x, c)));
  CHECK(x.grad().to_vector<double>() == std::vector<double>{2.0, 3.0});
  CHECK_FALSE(c.has_grad());
  {
    NoGradGuard ng;
    Var y = ag::mul(x, x);
    CHECK_FALSE(y.requires_grad());
    CHECK(tape_size() == 0);
  }
  CHECK(grad_enabled());
}

TEST_CASE("intermediate gradients are freed; the tape is cleared") {
  Var x = leaf({1.0, 2.0});
  Var h = ag::relu(x);
  Var loss = ag::sum(h);
  CHECK(tape_size() == 2);
  backward(loss);
  CHECK(tape_size() == 0);
  CHECK_FALSE(h.has_grad());
  CHECK(x.has_grad());
}

TEST_CASE("clear errors: non-scalar loss, nothing to differentiate, a spent graph, mismatches") {
  Var x = leaf({1.0, 2.0});
  Var y = ag::relu(x);
  CHECK_THROWS_WITH_AS(backward(y), doctest::Contains("one-element loss, got [2]"), Error);
  clear_tape();

  Var c(Tensor::from_vector({1}, std::vector<double>{1.0}));
  CHECK_THROWS_WITH_AS(backward(ag::sum(c)), doctest::Contains("does not depend on anything"), Error);

  Var loss = ag::sum(ag::mul(x, x));
  backward(loss);
  CHECK_THROWS_WITH_AS(backward(loss), doctest::Contains("already differentiated"), Error);
  // An intermediate of a spent graph cannot start a new one: x would silently get no gradient.
  Var h = ag::scale(x, 3.0);
  clear_tape();
  CHECK_THROWS_WITH_AS(ag::mul(h, h), doctest::Contains("already differentiated or cleared"), Error);
  {
    NoGradGuard no_grad;  // nothing is recorded, so nothing can be cut: allowed
    CHECK(ag::mul(h, h).value().to_vector<double>() == std::vector<double>{9.0, 36.0});
  }
  CHECK(ag::mul(Var(h.value()), x).requires_grad());  // detached: a constant times x
  clear_tape();

  CHECK_THROWS_WITH_AS(ag::add(x, leaf({1.0, 2.0, 3.0})), doctest::Contains("shape mismatch [2] vs [3]"), Error);
  CHECK(tape_size() == 0);  // a failed op records nothing
}
