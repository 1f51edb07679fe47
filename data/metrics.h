// The correlation metrics every IQA result is reported with, between a model's predictions
// and the subjective scores (MOS), in double precision.
//
//   srcc   Spearman rank-order correlation: PLCC of the ranks, tied values get the mean
//          of the ranks they span (the "fractional ranking" of scipy.stats.spearmanr).
//   krcc   Kendall's tau-b: (concordant - discordant) / sqrt((n0 - n1)(n0 - n2)), which
//          corrects for ties in either variable (scipy.stats.kendalltau's default);
//          O(n log n) by Knight's algorithm.
//   plcc   Pearson's linear correlation of the raw predictions ("PLCC raw").
//   plcc_logistic  Pearson's correlation after mapping the predictions through the VQEG
//          4-parameter logistic fitted to the MOS ("PLCC fitted", what papers and the NTIRE
//          challenges report as PLCC).
//
// Every function checks its input and throws gsn::Error instead of returning NaN: sizes
// differ, fewer than 2 pairs (4 for the logistic fit), a NaN or infinite value, or a
// constant vector (a correlation with a constant is undefined).
#pragma once
#include <cstddef>
#include <vector>

namespace gsn::data {

// f(x) = (b1 - b2) / (1 + exp(-(x - b3) / |b4|)) + b2   (VQEG FR-TV Phase II, eq. 1).
struct LogisticFit {
  double b1 = 0, b2 = 0, b3 = 0, b4 = 1;
  int iterations = 0;
  double sse = 0;  // sum of squared residuals at the solution
  double operator()(double x) const;
};

std::vector<double> average_ranks(const std::vector<double>& v);  // 1-based, ties averaged
double plcc(const std::vector<double>& x, const std::vector<double>& y);
double srcc(const std::vector<double>& x, const std::vector<double>& y);
double krcc(const std::vector<double>& x, const std::vector<double>& y);
// Levenberg-Marquardt least squares of mos ~ f(pred). Starts from b1 = max(mos),
// b2 = min(mos) (swapped when pred and mos correlate negatively), b3 = mean(pred),
// b4 = std(pred) / 4, and fits in standardised units so the scale of either does not matter.
LogisticFit fit_logistic(const std::vector<double>& pred, const std::vector<double>& mos);
double plcc_logistic(const std::vector<double>& pred, const std::vector<double>& mos);

struct Correlations {
  std::size_t n = 0;
  double srcc = 0, krcc = 0;
  double plcc_raw = 0;     // Pearson on the raw predictions
  double plcc_fitted = 0;  // Pearson after the 4-parameter logistic
  LogisticFit fit;
};
Correlations correlations(const std::vector<double>& pred, const std::vector<double>& mos);

}  // namespace gsn::data
