// format_eval's table: per-type rows, and the types left out for having too few pairs
// named rather than dropped without a word.
#include <doctest/doctest.h>

#include <string>

#include "train/evaluate.h"

using namespace gsn;

namespace {
data::Correlations corr(double srcc) {
  data::Correlations c;
  c.n = 10;
  c.srcc = c.krcc = c.plcc_raw = c.plcc_fitted = srcc;
  return c;
}
}  // namespace

TEST_CASE("format_eval: per-type rows, and the types with too few pairs named") {
  train::EvalResult r;
  r.label.assign(12, 0.0);
  train::MethodResult gsn;
  gsn.method = "GSN";
  gsn.all = corr(0.5);
  gsn.by_type["blur"] = corr(0.75);
  gsn.too_few["noise"] = 2;
  gsn.too_few["jpeg"] = 3;
  r.methods.push_back(gsn);

  const std::string plain = train::format_eval(r);
  CHECK(plain.find("GSN blur") == std::string::npos);
  CHECK(plain.find("left out") == std::string::npos);

  const std::string typed = train::format_eval(r, true);
  CHECK(typed.find("GSN blur") != std::string::npos);
  CHECK(typed.find("0.7500") != std::string::npos);
  CHECK(typed.find("left out (fewer than 4 pairs): jpeg (3), noise (2)") != std::string::npos);

  r.methods.front().too_few.clear();
  CHECK(train::format_eval(r, true).find("left out") == std::string::npos);
}
