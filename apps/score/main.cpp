// gsn-score: score image pairs with a trained GSN checkpoint. One pair (--ref, --dist) or
// a list (--list CSV with columns ref,dist[,...]); scores on the training data set's
// scale, higher is better. Output: text, or CSV/JSON with --output.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

#include "apps/common/cli.h"
#include "apps/common/output_file.h"
#include "apps/common/report.h"
#include "data/file_index.h"
#include "data/image_io.h"
#include "data/label_file.h"
#include "kernels/core/device_select.h"
#include "kernels/core/parallel.h"
#include "train/model_io.h"

namespace {

struct PairPath {
  std::string ref, dist;
  int line = 0;  // in the list (0: --ref/--dist)
};

// The pair list: rows ref,dist[,...], or a header row naming the columns (any order, any
// case: "dist,ref,score" as the training CSV allows) and rows in its order. A UTF-8 byte
// order mark and Windows line ends are accepted.
std::vector<PairPath> read_list(const std::string& path) {
  std::ifstream in(path);
  GSN_CHECK(in, path, ": cannot open the pair list (", std::strerror(errno), ")");
  std::vector<PairPath> pairs;
  std::string line;
  int n = 0;
  std::size_t ref_col = 0, dist_col = 1;
  while (std::getline(in, line)) {
    ++n;
    if (n == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    const std::vector<std::string> cols = gsn::data::split_fields(line, ',');  // trimmed
    if (pairs.empty() && n == 1) {
      std::vector<std::string> names;
      for (const std::string& c : cols) names.push_back(gsn::data::to_lower(c));
      const auto r = std::find(names.begin(), names.end(), "ref"), d = std::find(names.begin(), names.end(), "dist");
      if (r != names.end() || d != names.end()) {  // a header
        GSN_CHECK(r != names.end() && d != names.end(), path, ":1: the header '", line,
                  "' must name both a ref and a dist column");
        ref_col = static_cast<std::size_t>(r - names.begin());
        dist_col = static_cast<std::size_t>(d - names.begin());
        continue;
      }
    }
    PairPath p;
    p.line = n;
    if (ref_col < cols.size()) p.ref = cols[ref_col];
    if (dist_col < cols.size()) p.dist = cols[dist_col];
    GSN_CHECK(!p.ref.empty() && !p.dist.empty(), path, ":", n, ": expected a reference and a distorted image path, got '",
              line, "'");
    // Relative paths are relative to the list's folder, as gsn-synth and the CSV reader write them.
    const std::filesystem::path dir = std::filesystem::path(path).parent_path();
    for (std::string* f : {&p.ref, &p.dist})
      if (std::filesystem::path(*f).is_relative()) *f = (dir / *f).string();
    pairs.push_back(p);
  }
  GSN_CHECK(!pairs.empty(), path, ": no pairs");
  return pairs;
}

}  // namespace

int main(int argc, char** argv) {
  std::string checkpoint, ref, dist, list, output, format = "csv", device = "auto", preset;
  int crops = 0, crop = 64, threads = 0;
  CLI::App app{"gsn-score: score image pairs with a trained GSN checkpoint (higher is better).\n"
               "Exit codes: 0 done, 1 error (an unreadable image or checkpoint; with --list: some pairs could not be\n"
               "scored, each named by its line, the others scored and written), 2 bad arguments."};
  app.add_option("--checkpoint", checkpoint, "a checkpoint written by gsn-train (or safetensors weights with --preset)")
      ->required();
  auto* r = app.add_option("--ref", ref, "the reference image (PNG, BMP or JPEG)");
  auto* d = app.add_option("--dist", dist, "the distorted image");
  auto* l = app.add_option("--list", list, "a CSV of pairs: ref,dist[,...], or a header naming its ref and dist columns (any order); relative paths from its folder")->check(CLI::ExistingFile);
  r->needs(d);
  d->needs(r);
  l->excludes(r)->excludes(d);
  app.add_option("--output", output, "write the scores here instead of printing them");
  app.add_option("--format", format, "csv | json: of --output; json also on stdout (without --output, csv prints plain lines)")->check(CLI::IsMember({"csv", "json"}))->capture_default_str();
  app.add_option("--crops", crops, "0: whole image; 5: average of five fixed crops of --crop")
      ->check(CLI::IsMember({0, 5}))->capture_default_str();
  app.add_option("--crop", crop, "crop size for --crops 5")->check(CLI::Range(8, 8192))->capture_default_str();
  app.add_option("--device", device, "cpu | cuda | auto")->check(CLI::IsMember({"cpu", "cuda", "auto"}))->capture_default_str();
  gsn::app::add_preset_option(app, preset);
  gsn::app::add_threads_option(app, threads);
  GSN_CLI_PARSE(app, argc, argv)
  gsn::set_num_threads(threads);
  if (list.empty() && ref.empty()) {
    std::fprintf(stderr, "gsn-score: give --ref and --dist, or --list\n");
    return gsn::app::kExitBadArguments;
  }
  try {
    const gsn::Device dev = gsn::resolve_device(device);
    gsn::train::LoadedModel m = gsn::train::load_model(checkpoint, dev, preset);
    if (!preset.empty() && m.has_config)
      std::fprintf(stderr, "gsn-score: note: --preset %s is not used: %s names its model\n", preset.c_str(),
                   checkpoint.c_str());
    std::vector<PairPath> pairs = list.empty() ? std::vector<PairPath>{{ref, dist, 0}} : read_list(list);
    if (!output.empty()) gsn::app::check_output_file("--output", output, {checkpoint, list, ref, dist});
    // A pair that cannot be scored (an unreadable or missing image, sizes that differ) is
    // reported with its list line and left without a score; the others are still scored
    // and written, and the exit code says that some failed. A model that scores NaN is
    // the checkpoint's fault, not a pair's: that stops everything.
    std::vector<double> scores;
    std::vector<std::string> errors(pairs.size());
    std::size_t failed = 0;
    gsn::NoGradGuard no_grad;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      const PairPath& p = pairs[i];
      std::vector<double> q;
      try {
        gsn::data::Image a = gsn::data::read_image(p.ref), b = gsn::data::read_image(p.dist);
        gsn::data::check_same_size(a, p.ref, b, p.dist);
        gsn::Tensor ta = crops ? gsn::train::five_crop_tensor(a, crop) : gsn::train::image_tensor(a);
        gsn::Tensor tb = crops ? gsn::train::five_crop_tensor(b, crop) : gsn::train::image_tensor(b);
        q = m.model->forward(ta.to(dev), tb.to(dev)).value().to_vector<double>();
      } catch (const gsn::Error& e) {
        if (list.empty()) throw;  // one pair: its error is the command's
        errors[i] = e.what();
        ++failed;
        std::fprintf(stderr, "gsn-score: %s:%d: not scored: %s\n", list.c_str(), p.line, e.what());
        scores.push_back(NAN);
        continue;
      }
      double mean = 0;
      for (double v : q) mean += v;
      const double score = m.norm.to_score(mean / static_cast<double>(q.size()));
      // A diverged model (weights gone to Inf or NaN) scores NaN or Inf: not a score.
      GSN_CHECK(std::isfinite(score), checkpoint, ": the model's score for ", p.dist, " is ", score,
                "; its weights have diverged (gsn-train saves no checkpoint whose validation is not finite)");
      scores.push_back(score);
    }
    std::ostringstream text;
    text << std::setprecision(6);
    if (format == "json") {
      nlohmann::json j = nlohmann::json::array();
      for (std::size_t i = 0; i < pairs.size(); ++i) {
        nlohmann::json row = {{"ref", pairs[i].ref}, {"dist", pairs[i].dist}};
        if (errors[i].empty())
          row["score"] = scores[i];
        else
          row["score"] = nullptr, row["error"] = errors[i];
        j.push_back(row);
      }
      text << nlohmann::json{{"checkpoint", checkpoint}, {"dataset", m.dataset}, {"pairs", j}}.dump(2) << "\n";
    } else if (!output.empty()) {
      text << "ref,dist,score\n";  // a pair that could not be scored has an empty score
      for (std::size_t i = 0; i < pairs.size(); ++i) {
        text << pairs[i].ref << "," << pairs[i].dist << ",";
        if (errors[i].empty()) text << scores[i];
        text << "\n";
      }
    } else {
      for (std::size_t i = 0; i < pairs.size(); ++i)
        if (errors[i].empty())
          text << "score " << scores[i] << "  (" << m.dataset << " scale, higher is better)  " << pairs[i].dist << "\n";
    }
    if (output.empty()) {
      std::fputs(text.str().c_str(), stdout);
    } else {
      gsn::app::write_file_atomic(output, text.str());
      std::fprintf(stderr, "gsn-score: %zu scores written to %s\n", scores.size() - failed, output.c_str());
    }
    if (failed > 0) {
      std::fprintf(stderr, "gsn-score: error: %zu of %zu pairs could not be scored (listed above)\n", failed,
                   pairs.size());
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gsn-score: error: %s\n", e.what());
    return 1;
  }
}
