// Evaluating a model on a list of pairs: GSN's predictions next to the PSNR and SSIM
// baselines, with SRCC, KRCC and PLCC (raw and after the logistic fit) for each, overall
// and per distortion type where the data set knows types.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/loader.h"
#include "data/metrics.h"
#include "nn/gsn_model.h"

namespace gsn::train {

struct ScoreNorm {  // the training split's score statistics: q = (score - mean) / std
  double mean = 0.0, std = 1.0;
  double to_score(double q) const { return q * std + mean; }
};

struct Baselines {  // per pair, in the order of the evaluated pairs
  std::vector<double> psnr, ssim;
};

struct MethodResult {
  std::string method;  // "GSN", "PSNR", "SSIM"
  data::Correlations all;
  std::map<std::string, data::Correlations> by_type;  // types with at least kMinTypePairs pairs
  std::map<std::string, std::size_t> too_few;         // the other types: their pair counts
};

// Fewer pairs than this give no meaningful rank correlation: such a type is left out of
// by_type, and format_eval names it.
constexpr std::size_t kMinTypePairs = 4;

struct EvalResult {
  std::vector<double> pred;   // GSN, mapped to the data set's scale
  std::vector<double> label;  // the pairs' scores
  std::vector<MethodResult> methods;
  const MethodResult& gsn() const { return methods.front(); }
};

// PSNR and SSIM (luma, as ssim.m) of every pair; computed once per run.
Baselines compute_baselines(const data::PairSource& source, const std::vector<std::size_t>& pairs);

// Runs the model (eval mode, no gradients) over the pairs and correlates everything.
EvalResult evaluate(nn::GsnModel& model, const data::PairSource& source, const std::vector<std::size_t>& pairs,
                    const data::EvalOptions& options, Device device, const ScoreNorm& norm,
                    const Baselines* baselines);

// A plain-text table of the result ("method  SRCC  KRCC  PLCC  PLCC(fit)").
std::string format_eval(const EvalResult& r, bool by_type = false);

}  // namespace gsn::train
