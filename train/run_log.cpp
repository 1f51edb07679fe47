#include "train/run_log.h"

#include <cmath>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "apps/common/report.h"

namespace gsn::train {

namespace {

const char* kStepHeader = "step,epoch,lr,loss,mse,kl,grad_norm,pairs_per_s,seconds";
const char* kEvalHeader = "step,split,method,n,srcc,krcc,plcc_raw,plcc_fit";

// Keeps the header and the rows whose first field (the step) is <= last_step; returns them.
std::vector<std::string> kept_rows(const std::string& path, const char* header, int64_t last_step) {
  std::vector<std::string> rows;
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line) || line != header) return rows;
  while (std::getline(in, line)) {
    try {
      if (std::stoll(line.substr(0, line.find(','))) <= last_step) rows.push_back(line);
    } catch (const std::exception&) {
      // a torn last line of a killed run: dropped
    }
  }
  return rows;
}

std::FILE* open_log(const std::string& path, const char* header, int64_t start_step, std::vector<std::string>* rows) {
  *rows = start_step > 0 ? kept_rows(path, header, start_step) : std::vector<std::string>{};
  std::FILE* f = std::fopen(path.c_str(), "w");
  GSN_CHECK(f, path, ": cannot open for writing");
  std::fprintf(f, "%s\n", header);
  for (const std::string& r : *rows) std::fprintf(f, "%s\n", r.c_str());
  std::fflush(f);
  return f;
}

std::vector<double> csv_fields(const std::string& row) {
  std::vector<double> v;
  std::stringstream ss(row);
  std::string cell;
  while (std::getline(ss, cell, ',')) {
    try {
      v.push_back(std::stod(cell));
    } catch (const std::exception&) {
      v.push_back(NAN);
    }
  }
  return v;
}

std::vector<double> running_mean(const std::vector<double>& v, std::size_t window) {
  std::vector<double> out(v.size());
  double sum = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    sum += v[i];
    if (i >= window) sum -= v[i - window];
    out[i] = sum / static_cast<double>(std::min(i + 1, window));
  }
  return out;
}

}  // namespace

RunLog::RunLog(const std::string& dir, int64_t start_step) : dir_(dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> rows;
  steps_ = open_log((fs::path(dir) / "log.csv").string(), kStepHeader, start_step, &rows);
  for (const std::string& r : rows) {
    std::vector<double> f = csv_fields(r);
    if (f.size() >= 6) step_x_.push_back(f[0]), loss_.push_back(f[3]), mse_.push_back(f[4]), kl_.push_back(f[5]);
  }
  evals_ = open_log((fs::path(dir) / "eval.csv").string(), kEvalHeader, start_step, &rows);
}

RunLog::~RunLog() {
  if (steps_) std::fclose(steps_);
  if (evals_) std::fclose(evals_);
}

void RunLog::step(int64_t step, int64_t epoch, double lr, double loss, double mse, double kl, double grad_norm,
                  double pairs_per_s, double seconds) {
  std::fprintf(steps_, "%lld,%lld,%.6g,%.9g,%.9g,%.9g,%.6g,%.4g,%.4f\n", static_cast<long long>(step),
               static_cast<long long>(epoch), lr, loss, mse, kl, grad_norm, pairs_per_s, seconds);
  std::fflush(steps_);
  step_x_.push_back(static_cast<double>(step));
  loss_.push_back(loss);
  mse_.push_back(mse);
  kl_.push_back(kl);
}

void RunLog::eval(int64_t step, const std::string& part, const EvalResult& r, bool validation) {
  for (const MethodResult& m : r.methods)
    std::fprintf(evals_, "%lld,%s,%s,%zu,%.6f,%.6f,%.6f,%.6f\n", static_cast<long long>(step), part.c_str(),
                 m.method.c_str(), m.all.n, m.all.srcc, m.all.krcc, m.all.plcc_raw, m.all.plcc_fitted);
  std::fflush(evals_);
  if (!validation) return;
  if (methods_.empty())
    for (const MethodResult& m : r.methods) methods_.push_back(m.method), eval_srcc_.emplace_back();
  eval_x_.push_back(static_cast<double>(step));
  for (std::size_t i = 0; i < methods_.size() && i < r.methods.size(); ++i) eval_srcc_[i].push_back(r.methods[i].all.srcc);
}

void RunLog::write_report(const EvalResult& latest, const std::string& title) const {
  // Per-step losses of small batches are noisy: plot 20-step running means (log.csv has
  // every step).
  std::vector<app::Series> losses = {{"loss (20-step mean)", step_x_, running_mean(loss_, 20)},
                                     {"mse (20-step mean)", step_x_, running_mean(mse_, 20)},
                                     {"kl (20-step mean)", step_x_, running_mean(kl_, 20)}};
  std::vector<app::Series> srcc;
  for (std::size_t i = 0; i < methods_.size(); ++i) srcc.push_back({methods_[i], eval_x_, eval_srcc_[i]});
  std::ostringstream table;
  table << "<table><tr><th>method</th><th>SRCC</th><th>KRCC</th><th>PLCC raw</th><th>PLCC fit</th></tr>";
  for (const MethodResult& m : latest.methods)
    table << "<tr><td>" << m.method << "</td><td>" << m.all.srcc << "</td><td>" << m.all.krcc << "</td><td>"
          << m.all.plcc_raw << "</td><td>" << m.all.plcc_fitted << "</td></tr>";
  table << "</table>";
  app::write_html_report(
      (std::filesystem::path(dir_) / "report.html").string(), "GSN training: " + title,
      {{"Loss", app::svg_line_plot("training loss", "step", "loss (log scale)", losses, true)},
       {"Validation", app::svg_line_plot("validation SRCC", "step", "SRCC", srcc) + table.str()},
       {"Predictions", app::svg_scatter("latest validation: GSN prediction vs label", "label", "prediction",
                                        latest.label, latest.pred)}});
}

}  // namespace gsn::train
