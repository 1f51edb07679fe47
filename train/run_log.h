// The run's logs (log.csv per step, eval.csv per evaluation) and its HTML report. On a
// resumed run the logs keep the rows up to the resumed step and continue from there, so
// they read as if the run never stopped.
#pragma once
#include <cstdio>
#include <string>
#include <vector>

#include "train/evaluate.h"

namespace gsn::train {

class RunLog {
 public:
  RunLog(const std::string& dir, int64_t start_step);
  ~RunLog();
  RunLog(const RunLog&) = delete;
  RunLog& operator=(const RunLog&) = delete;

  void step(int64_t step, int64_t epoch, double lr, double loss, double mse, double kl, double grad_norm,
            double pairs_per_s, double seconds);
  // part: the pairs' part ("val", "train", "test"), eval.csv's split column; validation:
  // a validation result (its SRCC goes on the report's curve), false for the final test.
  void eval(int64_t step, const std::string& part, const EvalResult& r, bool validation);
  // report.html: loss curves, validation SRCC over steps, scatter of the latest result.
  void write_report(const EvalResult& latest, const std::string& title) const;

 private:
  std::string dir_;
  std::FILE* steps_ = nullptr;
  std::FILE* evals_ = nullptr;
  // Kept for the report.
  std::vector<double> step_x_, loss_, mse_, kl_;
  std::vector<double> eval_x_;
  std::vector<std::vector<double>> eval_srcc_;  // per method
  std::vector<std::string> methods_;
};

}  // namespace gsn::train
