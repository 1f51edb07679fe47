#include "train/evaluate.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "data/quality_baselines.h"
#include "kernels/core/parallel.h"

namespace gsn::train {

namespace {

// Correlations that cannot be computed (a constant prediction early in training, a type
// with tied labels) are reported as NaN rather than stopping the run.
data::Correlations safe_correlations(const std::vector<double>& pred, const std::vector<double>& label) {
  try {
    return data::correlations(pred, label);
  } catch (const Error&) {
    data::Correlations c;
    c.n = pred.size();
    c.srcc = c.krcc = c.plcc_raw = c.plcc_fitted = NAN;
    return c;
  }
}

MethodResult correlate(const std::string& method, const std::vector<double>& pred, const std::vector<double>& label,
                       const data::PairSource& source, const std::vector<std::size_t>& pairs) {
  MethodResult m;
  m.method = method;
  m.all = safe_correlations(pred, label);
  std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> groups;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const std::string& type = source.info(pairs[i]).distortion;
    if (type.empty()) continue;
    groups[type].first.push_back(pred[i]);
    groups[type].second.push_back(label[i]);
  }
  for (auto& [type, pl] : groups) {
    if (pl.first.size() >= kMinTypePairs)
      m.by_type[type] = safe_correlations(pl.first, pl.second);
    else
      m.too_few[type] = pl.first.size();
  }
  return m;
}

}  // namespace

Baselines compute_baselines(const data::PairSource& source, const std::vector<std::size_t>& pairs) {
  Baselines b;
  b.psnr.resize(pairs.size());
  b.ssim.resize(pairs.size());
  parallel_for(static_cast<int64_t>(pairs.size()), 1, [&](int64_t lo, int64_t hi) {
    data::Image ref, dist;
    for (int64_t i = lo; i < hi; ++i) {
      source.load(pairs[static_cast<std::size_t>(i)], ref, dist);
      b.psnr[static_cast<std::size_t>(i)] = data::psnr_y(ref, dist);
      b.ssim[static_cast<std::size_t>(i)] = data::ssim_y(ref, dist);
    }
  });
  // Identical images have infinite PSNR; rank them above everything, keep the fit finite.
  for (double& p : b.psnr)
    if (std::isinf(p)) p = 100.0;
  return b;
}

EvalResult evaluate(nn::GsnModel& model, const data::PairSource& source, const std::vector<std::size_t>& pairs,
                    const data::EvalOptions& options, Device device, const ScoreNorm& norm,
                    const Baselines* baselines) {
  EvalResult r;
  const bool was_training = model.training();
  model.eval();
  {
    NoGradGuard no_grad;
    data::EvalLoader loader(source, pairs, options);
    while (auto batch = loader.next()) {
      Var q = model.forward(batch->ref.to(device), batch->dist.to(device));
      std::vector<double> v = q.value().to_vector<double>();
      double mean = 0;
      for (double x : v) mean += x;
      r.pred.push_back(norm.to_score(mean / static_cast<double>(v.size())));  // five crops: their average
      r.label.push_back(source.info(batch->pairs.front()).score);
    }
  }
  model.train(was_training);
  r.methods.push_back(correlate("GSN", r.pred, r.label, source, pairs));
  if (baselines) {
    r.methods.push_back(correlate("PSNR", baselines->psnr, r.label, source, pairs));
    r.methods.push_back(correlate("SSIM", baselines->ssim, r.label, source, pairs));
  }
  return r;
}

std::string format_eval(const EvalResult& r, bool by_type) {
  std::ostringstream o;
  char line[160];
  std::snprintf(line, sizeof line, "  %-22s %7s %7s %9s %9s  (n=%zu)\n", "method", "SRCC", "KRCC", "PLCC raw",
                "PLCC fit", r.label.size());
  o << line;
  auto row = [&](const std::string& name, const data::Correlations& c) {
    std::snprintf(line, sizeof line, "  %-22s %7.4f %7.4f %9.4f %9.4f\n", name.c_str(), c.srcc, c.krcc, c.plcc_raw,
                  c.plcc_fitted);
    o << line;
  };
  for (const MethodResult& m : r.methods) row(m.method, m.all);
  if (by_type && !r.methods.empty()) {
    for (const MethodResult& m : r.methods)
      for (const auto& [type, c] : m.by_type) row(m.method + " " + type, c);
    // Every method sees the same pairs: the types left out are the same for all.
    const auto& too_few = r.methods.front().too_few;
    if (!too_few.empty()) {
      o << "  left out (fewer than " << kMinTypePairs << " pairs):";
      const char* sep = " ";
      for (const auto& [type, n] : too_few) {
        o << sep << type << " (" << n << ")";
        sep = ", ";
      }
      o << "\n";
    }
  }
  return o.str();
}

}  // namespace gsn::train
