// gsn-score: score image pairs with a trained GSN checkpoint. One pair (--ref, --dist) or
// a list (--list CSV with columns ref,dist[,...]); scores on the training data set's
// scale, higher is better. Output: text, or CSV/JSON with --output.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "apps/common/cli.h"
#include "data/image_io.h"
#include "kernels/core/device_select.h"
#include "train/model_io.h"

namespace {

struct PairPath {
  std::string ref, dist;
};

std::vector<PairPath> read_list(const std::string& path) {
  std::ifstream in(path);
  GSN_CHECK(in, path, ": cannot open the pair list");
  std::vector<PairPath> pairs;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::stringstream ss(line);
    PairPath p;
    std::getline(ss, p.ref, ',');
    std::getline(ss, p.dist, ',');
    if (n == 1 && p.ref == "ref") continue;  // header
    GSN_CHECK(!p.ref.empty() && !p.dist.empty(), path, ":", n, ": expected 'ref,dist', got '", line, "'");
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
  int crops = 0, crop = 64;
  CLI::App app{"gsn-score: score image pairs with a trained GSN checkpoint (higher is better).\n"
               "Exit codes: 0 done, 1 error (unreadable image or checkpoint), 2 bad arguments."};
  app.add_option("--checkpoint", checkpoint, "a checkpoint written by gsn-train (or safetensors weights with --preset)")
      ->required();
  auto* r = app.add_option("--ref", ref, "the reference image (PNG, BMP or JPEG)");
  auto* d = app.add_option("--dist", dist, "the distorted image");
  auto* l = app.add_option("--list", list, "a CSV of pairs: ref,dist[,...] (header allowed; relative paths from its folder)")->check(CLI::ExistingFile);
  r->needs(d);
  d->needs(r);
  l->excludes(r)->excludes(d);
  app.add_option("--output", output, "write the scores here instead of printing them");
  app.add_option("--format", format, "csv | json (for --output)")->check(CLI::IsMember({"csv", "json"}))->capture_default_str();
  app.add_option("--crops", crops, "0: whole image; 5: average of five fixed crops of --crop")
      ->check(CLI::IsMember({0, 5}))->capture_default_str();
  app.add_option("--crop", crop, "crop size for --crops 5")->check(CLI::Range(8, 8192))->capture_default_str();
  app.add_option("--device", device, "cpu | cuda | auto")->check(CLI::IsMember({"cpu", "cuda", "auto"}))->capture_default_str();
  app.add_option("--preset", preset, "model preset for checkpoints without gsn metadata");
  GSN_CLI_PARSE(app, argc, argv)
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
    std::vector<PairPath> pairs = list.empty() ? std::vector<PairPath>{{ref, dist}} : read_list(list);
    std::vector<double> scores;
    gsn::NoGradGuard no_grad;
    for (const PairPath& p : pairs) {
      gsn::data::Image a = gsn::data::read_image(p.ref), b = gsn::data::read_image(p.dist);
      gsn::data::check_same_size(a, p.ref, b, p.dist);
      gsn::Tensor ta = crops ? gsn::train::five_crop_tensor(a, crop) : gsn::train::image_tensor(a);
      gsn::Tensor tb = crops ? gsn::train::five_crop_tensor(b, crop) : gsn::train::image_tensor(b);
      std::vector<double> q = m.model->forward(ta.to(dev), tb.to(dev)).value().to_vector<double>();
      double mean = 0;
      for (double v : q) mean += v;
      const double score = m.norm.to_score(mean / static_cast<double>(q.size()));
      // A diverged model (weights gone to Inf or NaN) scores NaN or Inf: not a score.
      GSN_CHECK(std::isfinite(score), checkpoint, ": the model's score for ", p.dist, " is ", score,
                "; its weights have diverged (gsn-train saves no checkpoint whose validation is not finite)");
      scores.push_back(score);
    }
    std::ostringstream text;
    if (format == "json" && !output.empty()) {
      nlohmann::json j = nlohmann::json::array();
      for (std::size_t i = 0; i < pairs.size(); ++i)
        j.push_back({{"ref", pairs[i].ref}, {"dist", pairs[i].dist}, {"score", scores[i]}});
      text << nlohmann::json{{"checkpoint", checkpoint}, {"dataset", m.dataset}, {"pairs", j}}.dump(2) << "\n";
    } else if (!output.empty()) {
      text << "ref,dist,score\n";
      for (std::size_t i = 0; i < pairs.size(); ++i) text << pairs[i].ref << "," << pairs[i].dist << "," << scores[i] << "\n";
    } else {
      for (std::size_t i = 0; i < pairs.size(); ++i)
        text << "score " << scores[i] << "  (" << m.dataset << " scale, higher is better)  " << pairs[i].dist << "\n";
    }
    if (output.empty()) {
      std::fputs(text.str().c_str(), stdout);
    } else {
      std::ofstream out(output);
      GSN_CHECK(out << text.str(), output, ": cannot write");
      std::fprintf(stderr, "gsn-score: %zu scores written to %s\n", scores.size(), output.c_str());
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gsn-score: error: %s\n", e.what());
    return 1;
  }
}
