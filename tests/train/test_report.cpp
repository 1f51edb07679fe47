// apps/common/report.h: the plots' axis ticks fall on round values inside the data range.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "apps/common/report.h"

using gsn::app::log_ticks;
using gsn::app::nice_ticks;

namespace {
bool same(const std::vector<double>& got, const std::vector<double>& want) {
  if (got.size() != want.size()) return false;
  for (std::size_t i = 0; i < got.size(); ++i)
    if (!(got[i] == doctest::Approx(want[i]).epsilon(1e-12))) return false;
  return true;
}
}  // namespace

TEST_CASE("nice_ticks: round steps of 1, 2 or 5 x 10^k, at most 6 ticks, all inside the range") {
  CHECK(same(nice_ticks(1, 300), {100, 200, 300}));
  CHECK(same(nice_ticks(0, 1), {0, 0.2, 0.4, 0.6, 0.8, 1}));
  CHECK(same(nice_ticks(0.1667, 0.9167), {0.2, 0.4, 0.6, 0.8}));
  CHECK(same(nice_ticks(-3, 7), {-2, 0, 2, 4, 6}));
  for (auto [lo, hi] : {std::pair{0.3434, 0.7636}, std::pair{1e-9, 3e-9}, std::pair{12345.0, 12399.0}}) {
    const std::vector<double> t = nice_ticks(lo, hi);
    CAPTURE(lo);
    CHECK(t.size() >= 2);
    CHECK(t.size() <= 6);
    const double slack = 1e-9 * (hi - lo);  // a tick may sit an ulp or so past an end
    for (double v : t) CHECK((v >= lo - slack && v <= hi + slack));
  }
  CHECK(nice_ticks(1, 1).empty());
  CHECK(nice_ticks(0, NAN).empty());
}

TEST_CASE("log_ticks: 1, 2, 5 x 10^k inside the range, linear ticks when the range is narrow") {
  CHECK(same(log_ticks(0.1687, 1.395), {0.2, 0.5, 1}));
  CHECK(same(log_ticks(0.001, 10), {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10}));
  CHECK(same(log_ticks(0.3, 0.45), nice_ticks(0.3, 0.45)));
  CHECK(log_ticks(-1, 2).empty());
}

TEST_CASE("svg_line_plot: a series of one point (one validation) is drawn, on an axis around it") {
  const std::string svg = gsn::app::svg_line_plot("val SRCC", "step", "SRCC", {{"val", {13}, {0.5}}});
  CHECK(svg.find("<circle") != std::string::npos);  // a polyline through one point shows nothing
  CHECK(svg.find(">13<") != std::string::npos);      // a tick at the point's step
  CHECK(svg.find("nan") == std::string::npos);
}
