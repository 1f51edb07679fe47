// Correlation metrics against hand-computed values and their definitions.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "data/metrics.h"
#include "kernels/core/error.h"
#include "kernels/core/random.h"

using namespace gsn;
using namespace gsn::data;
using V = std::vector<double>;

namespace {
// tau-b straight from its definition, O(n^2).
double kendall_brute(const V& x, const V& y) {
  double c = 0, d = 0, tx = 0, ty = 0;
  for (std::size_t i = 0; i < x.size(); ++i)
    for (std::size_t j = i + 1; j < x.size(); ++j) {
      const double sx = (x[i] > x[j]) - (x[i] < x[j]), sy = (y[i] > y[j]) - (y[i] < y[j]);
      if (sx == 0 && sy == 0) continue;
      if (sx == 0) tx += 1;
      else if (sy == 0) ty += 1;
      else if (sx == sy) c += 1;
      else d += 1;
    }
  return (c - d) / std::sqrt((c + d + tx) * (c + d + ty));
}
}  // namespace

TEST_CASE("average ranks give tied values the mean of their ranks") {
  CHECK(average_ranks({10, 20, 20, 30}) == V{1, 2.5, 2.5, 4});
  CHECK(average_ranks({3, 1, 3, 3, 0}) == V{4, 2, 4, 4, 1});
}

TEST_CASE("srcc: a hand-computed example with ties; reversed order gives -1") {
  // Ranks of x: 1 2.5 2.5 4 5, of y: 1 3 2 4 5. Centred: (-2 -.5 -.5 1 2), (-2 0 -1 1 2):
  // sum xy = 9.5, sum xx = 9.5, sum yy = 10, so srcc = 9.5 / sqrt(95) = sqrt(0.95).
  CHECK(srcc({1, 2, 2, 3, 4}, {1, 3, 2, 4, 5}) == doctest::Approx(std::sqrt(0.95)).epsilon(1e-14));
  const V x = {0.1, 0.5, 0.2, 0.9, 0.7}, rev = {5, 1, 4, -3, 0};
  CHECK(srcc(x, rev) == doctest::Approx(-1.0).epsilon(1e-15));
  CHECK(srcc(x, x) == doctest::Approx(1.0).epsilon(1e-15));
  // Monotone transforms do not change it.
  V cubed;
  for (double v : x) cubed.push_back(v * v * v);
  CHECK(srcc(x, cubed) == doctest::Approx(1.0).epsilon(1e-15));
}

TEST_CASE("plcc: known values") {
  // Centred: (-2 -1 0 1 2), (-2 0 1 0 1): sum xy = 6, xx = 10, yy = 6: r = sqrt(0.6).
  CHECK(plcc({1, 2, 3, 4, 5}, {2, 4, 5, 4, 5}) == doctest::Approx(std::sqrt(0.6)).epsilon(1e-14));
  CHECK(plcc({1, 2, 3}, {-2, -4, -6}) == doctest::Approx(-1.0).epsilon(1e-15));
  CHECK(plcc({1, 2}, {7, 9}) == doctest::Approx(1.0));
}

TEST_CASE("krcc: tau-b with ties by hand, and against the O(n^2) definition") {
  // Pairs of x = (1 2 2 3), y = (1 2 3 3): 4 concordant, 0 discordant, 1 tied in x only,
  // 1 tied in y only; n0 = 6: tau-b = 4 / sqrt((6 - 1)(6 - 1)) = 0.8.
  CHECK(krcc({1, 2, 2, 3}, {1, 2, 3, 3}) == doctest::Approx(0.8).epsilon(1e-15));
  CHECK(krcc({1, 2, 3, 4}, {4, 3, 2, 1}) == doctest::Approx(-1.0).epsilon(1e-15));
  // x = (1 2 3 4 5), y = (3 1 2 2 5): C = 6, D = 3 ((1,2), (1,3), (1,4)), ties in y: 1;
  // tau-b = 3 / sqrt(10 * 9).
  CHECK(krcc({1, 2, 3, 4, 5}, {3, 1, 2, 2, 5}) == doctest::Approx(3 / std::sqrt(90.0)).epsilon(1e-14));
  // Heavy ties in both, with pairs tied in both: Knight's algorithm equals the definition.
  Generator gen(9);
  for (int trial = 0; trial < 5; ++trial) {
    V x(300), y(300);
    for (std::size_t i = 0; i < x.size(); ++i) {
      x[i] = gen.below(7);
      y[i] = 0.5 * x[i] + gen.below(4);
    }
    CHECK(krcc(x, y) == doctest::Approx(kendall_brute(x, y)).epsilon(1e-12));
  }
}

TEST_CASE("the logistic fit recovers the parameters of data drawn from a logistic") {
  struct Case {
    double b1, b2, b3, b4, x0, x1;
  };
  // Rising on a MOS-like scale; falling (a DMOS-like predictor); Elo-sized inputs.
  for (const Case& c : {Case{5, 1, 50, 12, 0, 100}, Case{0.2, 0.9, -1, 0.7, -4, 3}, Case{1600, 1100, 0.6, 0.08, 0.2, 1.0}}) {
    V x, y;
    for (int i = 0; i < 60; ++i) {
      x.push_back(c.x0 + (c.x1 - c.x0) * i / 59.0);
      y.push_back((c.b1 - c.b2) / (1 + std::exp(-(x.back() - c.b3) / c.b4)) + c.b2);
    }
    const LogisticFit f = fit_logistic(x, y);
    CAPTURE(f.iterations);
    CHECK(f.b1 == doctest::Approx(c.b1).epsilon(1e-6));
    CHECK(f.b2 == doctest::Approx(c.b2).epsilon(1e-6));
    CHECK(f.b3 == doctest::Approx(c.b3).epsilon(1e-6));
    CHECK(std::abs(f.b4) == doctest::Approx(c.b4).epsilon(1e-6));
    CHECK(plcc_logistic(x, y) == doctest::Approx(1.0).epsilon(1e-12));
    CHECK(plcc(x, y) < 0.999);  // raw PLCC sees the curve; the fitted one does not
  }
}

TEST_CASE("correlations(): fitted PLCC is at least the raw one on monotone, noisy data") {
  Generator gen(4);
  V pred, mos;
  for (int i = 0; i < 200; ++i) {
    const double p = gen.uniform(-2, 2);
    pred.push_back(p);
    mos.push_back(std::tanh(1.5 * p) + 0.1 * gen.normal());
  }
  const Correlations c = correlations(pred, mos);
  CHECK(c.n == 200);
  CHECK(c.plcc_raw == doctest::Approx(plcc(pred, mos)));
  CHECK(c.plcc_fitted >= c.plcc_raw);
  CHECK(c.srcc == doctest::Approx(srcc(pred, mos)));
  CHECK(c.krcc == doctest::Approx(krcc(pred, mos)));
  CHECK(c.krcc < c.srcc);
}

TEST_CASE("metrics reject constant, short, mismatched and non-finite input instead of returning NaN") {
  const V c = {2, 2, 2, 2, 2}, x = {1, 2, 3, 4, 5};
  CHECK_THROWS_WITH_AS(srcc(c, x), doctest::Contains("constant"), gsn::Error);
  CHECK_THROWS_WITH_AS(plcc(x, c), doctest::Contains("constant"), gsn::Error);
  CHECK_THROWS_WITH_AS(krcc(c, x), doctest::Contains("constant"), gsn::Error);
  CHECK_THROWS_WITH_AS(plcc_logistic(c, x), doctest::Contains("constant"), gsn::Error);
  CHECK_THROWS_WITH_AS(srcc({1}, {2}), doctest::Contains("at least 2"), gsn::Error);
  CHECK_THROWS_WITH_AS(fit_logistic({1, 2, 3}, {1, 2, 3}), doctest::Contains("at least 4"), gsn::Error);
  CHECK_THROWS_WITH_AS(plcc({1, 2, 3}, {1, 2}), doctest::Contains("differ in length"), gsn::Error);
  CHECK_THROWS_WITH_AS(krcc({1, std::nan(""), 3}, {1, 2, 3}), doctest::Contains("not finite"), gsn::Error);
  CHECK_THROWS_AS(srcc({1, 2, std::numeric_limits<double>::infinity()}, {1, 2, 3}), gsn::Error);
}
