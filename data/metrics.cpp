#include "data/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>

#include "kernels/core/error.h"

namespace gsn::data {

namespace {

void check_vector(const std::vector<double>& v, const char* metric, const char* which) {
  for (std::size_t i = 0; i < v.size(); ++i)
    GSN_CHECK(std::isfinite(v[i]), metric, ": ", which, "[", i, "] is not finite (", v[i], ")");
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  GSN_CHECK(*lo != *hi, metric, ": ", which, " is constant (all ", *lo,
            "); a correlation with a constant is undefined");
}

void check_inputs(const std::vector<double>& x, const std::vector<double>& y, std::size_t min_n,
                  const char* metric) {
  GSN_CHECK(x.size() == y.size(), metric, ": the two vectors differ in length (", x.size(), " and ", y.size(), ")");
  GSN_CHECK(x.size() >= min_n, metric, ": needs at least ", min_n, " pairs, got ", x.size());
  check_vector(x, metric, "the first vector");
  check_vector(y, metric, "the second vector");
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n, my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double dx = x[i] - mx, dy = y[i] - my;
    sxy += dx * dy, sxx += dx * dx, syy += dy * dy;
  }
  // The inputs are not constant, but a vector like {1, 1 + 1e-17} can still centre to 0.
  GSN_CHECK(sxx > 0 && syy > 0, "plcc: a vector has no variance after centring");
  return std::max(-1.0, std::min(1.0, sxy / std::sqrt(sxx * syy)));
}

// Number of pairs i < j with v[i] > v[j], by merge sort (v ends sorted).
int64_t count_inversions(std::vector<double>& v, std::vector<double>& tmp, std::size_t lo, std::size_t hi) {
  if (hi - lo < 2) return 0;
  const std::size_t mid = lo + (hi - lo) / 2;
  int64_t swaps = count_inversions(v, tmp, lo, mid) + count_inversions(v, tmp, mid, hi);
  std::size_t i = lo, j = mid, k = lo;
  while (i < mid && j < hi) {
    if (v[j] < v[i]) {
      swaps += static_cast<int64_t>(mid - i);  // v[j] jumps every remaining left element
      tmp[k++] = v[j++];
    } else {
      tmp[k++] = v[i++];
    }
  }
  while (i < mid) tmp[k++] = v[i++];
  while (j < hi) tmp[k++] = v[j++];
  std::copy(tmp.begin() + lo, tmp.begin() + hi, v.begin() + lo);
  return swaps;
}

// Sum of t(t-1)/2 over runs of equal neighbours in a sorted sequence.
template <class Eq>
double tied_pairs(std::size_t n, Eq equal) {
  double pairs = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i + 1;
    while (j < n && equal(i, j)) ++j;
    const double t = static_cast<double>(j - i);
    pairs += t * (t - 1) / 2;
    i = j;
  }
  return pairs;
}

// ---- Levenberg-Marquardt for the 4-parameter logistic -------------------------------

struct Params {
  double b[4];
};

double logistic(const Params& p, double x) {
  return (p.b[0] - p.b[1]) / (1.0 + std::exp(-(x - p.b[2]) / std::abs(p.b[3]))) + p.b[1];
}

double sum_sq(const Params& p, const std::vector<double>& x, const std::vector<double>& y) {
  double s = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double r = logistic(p, x[i]) - y[i];
    s += r * r;
  }
  return s;
}

// Solves the 4x4 system a d = g by Gaussian elimination with partial pivoting; false
// when it is singular.
bool solve4(double a[4][4], double g[4], double d[4]) {
  for (int c = 0; c < 4; ++c) {
    int p = c;
    for (int r = c + 1; r < 4; ++r)
      if (std::abs(a[r][c]) > std::abs(a[p][c])) p = r;
    if (!(std::abs(a[p][c]) > 1e-300)) return false;
    std::swap(a[p], a[c]);
    std::swap(g[p], g[c]);
    for (int r = c + 1; r < 4; ++r) {
      const double f = a[r][c] / a[c][c];
      for (int k = c; k < 4; ++k) a[r][k] -= f * a[c][k];
      g[r] -= f * g[c];
    }
  }
  for (int r = 3; r >= 0; --r) {
    double s = g[r];
    for (int k = r + 1; k < 4; ++k) s -= a[r][k] * d[k];
    d[r] = s / a[r][r];
  }
  return true;
}

// Minimises sum (f(x_i) - y_i)^2 from `p` with Marquardt's scaled damping
// (J^T J + lambda diag(J^T J)) delta = -J^T r; a step is kept only when it lowers the sum.
LogisticFit levenberg_marquardt(Params p, const std::vector<double>& x, const std::vector<double>& y) {
  double sse = sum_sq(p, x, y), lambda = 1e-3;
  int it = 0;
  bool converged = false;
  for (; it < 500 && !converged; ++it) {
    double jtj[4][4] = {}, jtr[4] = {};
    const double span = p.b[0] - p.b[1], s4 = std::abs(p.b[3]), sign4 = p.b[3] < 0 ? -1.0 : 1.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double s = 1.0 / (1.0 + std::exp(-(x[i] - p.b[2]) / s4)), ds = s * (1 - s);
      const double j[4] = {s, 1 - s, -span * ds / s4, -span * ds * (x[i] - p.b[2]) / (s4 * s4) * sign4};
      const double r = span * s + p.b[1] - y[i];
      for (int a = 0; a < 4; ++a) {
        jtr[a] += j[a] * r;
        for (int b = 0; b < 4; ++b) jtj[a][b] += j[a] * j[b];
      }
    }
    // Raise lambda until a step lowers the sum; none does at a minimum: converged.
    converged = true;
    for (; lambda < 1e16; lambda *= 10) {
      double a[4][4], g[4], d[4];
      for (int r = 0; r < 4; ++r) {
        for (int c = 0; c < 4; ++c) a[r][c] = jtj[r][c];
        a[r][r] += lambda * std::max(jtj[r][r], 1e-12);  // a floor: a flat direction still moves
        g[r] = -jtr[r];
      }
      if (!solve4(a, g, d)) continue;
      Params q = p;
      for (int k = 0; k < 4; ++k) q.b[k] += d[k];
      const double sse_q = std::abs(q.b[3]) > 1e-9 ? sum_sq(q, x, y) : HUGE_VAL;
      if (sse_q < sse) {
        // Keep iterating only while a step still gains more than round-off.
        converged = sse - sse_q <= 1e-14 * sse;
        p = q, sse = sse_q, lambda = std::max(lambda / 10, 1e-12);
        break;
      }
    }
  }
  LogisticFit fit;
  fit.b1 = p.b[0], fit.b2 = p.b[1], fit.b3 = p.b[2], fit.b4 = p.b[3];
  fit.iterations = it;
  fit.sse = sse;
  return fit;
}

double mean_of(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / v.size(); }
double std_of(const std::vector<double>& v, double m) {
  double s = 0;
  for (double e : v) s += (e - m) * (e - m);
  return std::sqrt(s / v.size());
}

}  // namespace

double LogisticFit::operator()(double x) const { return logistic(Params{{b1, b2, b3, b4}}, x); }

std::vector<double> average_ranks(const std::vector<double>& v) {
  std::vector<std::size_t> order(v.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
  std::vector<double> rank(v.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i + 1;
    while (j < order.size() && v[order[j]] == v[order[i]]) ++j;
    const double r = 0.5 * static_cast<double>(i + 1 + j);  // mean of ranks i+1 .. j
    for (std::size_t k = i; k < j; ++k) rank[order[k]] = r;
    i = j;
  }
  return rank;
}

double plcc(const std::vector<double>& x, const std::vector<double>& y) {
  check_inputs(x, y, 2, "plcc");
  return pearson(x, y);
}

double srcc(const std::vector<double>& x, const std::vector<double>& y) {
  check_inputs(x, y, 2, "srcc");
  return pearson(average_ranks(x), average_ranks(y));
}

double krcc(const std::vector<double>& x, const std::vector<double>& y) {
  check_inputs(x, y, 2, "krcc");
  // Knight (1966): sort by (x, y); the discordant pairs are then the inversions of y.
  const std::size_t n = x.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return x[a] < x[b] || (x[a] == x[b] && y[a] < y[b]); });
  const double n0 = 0.5 * static_cast<double>(n) * static_cast<double>(n - 1);
  const double n1 = tied_pairs(n, [&](std::size_t i, std::size_t j) { return x[order[i]] == x[order[j]]; });
  const double n3 = tied_pairs(
      n, [&](std::size_t i, std::size_t j) { return x[order[i]] == x[order[j]] && y[order[i]] == y[order[j]]; });
  std::vector<double> ys(n), tmp(n);
  for (std::size_t i = 0; i < n; ++i) ys[i] = y[order[i]];
  const double discordant = static_cast<double>(count_inversions(ys, tmp, 0, n));
  const double n2 = tied_pairs(n, [&](std::size_t i, std::size_t j) { return ys[i] == ys[j]; });
  // Pairs tied in neither variable: n0 - n1 - n2 + n3 = concordant + discordant.
  const double diff = n0 - n1 - n2 + n3 - 2 * discordant;
  return std::max(-1.0, std::min(1.0, diff / std::sqrt((n0 - n1) * (n0 - n2))));
}

LogisticFit fit_logistic(const std::vector<double>& pred, const std::vector<double>& mos) {
  check_inputs(pred, mos, 4, "logistic fit");
  // Standardise both, so the starting point and the tolerances mean the same thing for
  // Elo scores in the thousands and MOS in [0, 1].
  const double mx = mean_of(pred), sx = std_of(pred, mx), my = mean_of(mos), sy = std_of(mos, my);
  std::vector<double> x(pred.size()), y(mos.size());
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = (pred[i] - mx) / sx, y[i] = (mos[i] - my) / sy;
  const auto [ylo, yhi] = std::minmax_element(y.begin(), y.end());
  const bool rising = pearson(x, y) >= 0;
  // Two starts, a steep (std/4) and a gentle (std) slope; keep the better. The steep one
  // suits S-shaped data, the gentle one nearly linear data, where a steep start begins
  // with most points on the flat tails and little gradient.
  LogisticFit best;
  bool first = true;
  for (double b4 : {0.25, 1.0}) {
    Params p{{rising ? *yhi : *ylo, rising ? *ylo : *yhi, 0.0, b4}};
    LogisticFit f = levenberg_marquardt(p, x, y);
    if (first || f.sse < best.sse) best = f, first = false;
  }
  // Back to the original units: f(x) = my + sy f'((x - mx) / sx).
  LogisticFit out = best;
  out.b1 = my + sy * best.b1;
  out.b2 = my + sy * best.b2;
  out.b3 = mx + sx * best.b3;
  out.b4 = sx * best.b4;
  out.sse = sy * sy * best.sse;
  return out;
}

namespace {
double fitted_plcc(const LogisticFit& fit, const std::vector<double>& pred, const std::vector<double>& mos) {
  std::vector<double> mapped(pred.size());
  for (std::size_t i = 0; i < pred.size(); ++i) mapped[i] = fit(pred[i]);
  const auto [lo, hi] = std::minmax_element(mapped.begin(), mapped.end());
  GSN_CHECK(*lo != *hi, "plcc_logistic: the fitted logistic is flat over the predictions, PLCC is undefined");
  return pearson(mapped, mos);
}
}  // namespace

double plcc_logistic(const std::vector<double>& pred, const std::vector<double>& mos) {
  return fitted_plcc(fit_logistic(pred, mos), pred, mos);
}

Correlations correlations(const std::vector<double>& pred, const std::vector<double>& mos) {
  Correlations c;
  c.n = pred.size();
  c.srcc = srcc(pred, mos);
  c.krcc = krcc(pred, mos);
  c.plcc_raw = plcc(pred, mos);
  c.fit = fit_logistic(pred, mos);
  c.plcc_fitted = fitted_plcc(c.fit, pred, mos);
  return c;
}

}  // namespace gsn::data
