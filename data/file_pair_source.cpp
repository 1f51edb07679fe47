#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <utility>

#include "data/image_io.h"
#include "data/readers.h"
#include "kernels/core/error.h"

namespace gsn::data {

FilePairSource::FilePairSource(std::string name, std::string root, std::vector<PairInfo> pairs,
                               std::vector<std::string> preset_split)
    : name_(std::move(name)), root_(std::move(root)), pairs_(std::move(pairs)), preset_split_(std::move(preset_split)) {
  GSN_CHECK(!pairs_.empty(), name_, " data set at ", root_, " has no pairs");
  GSN_CHECK(preset_split_.empty() || preset_split_.size() == pairs_.size(), name_, ": ", preset_split_.size(),
            " split labels for ", pairs_.size(), " pairs");
  // A pair listed twice (a label file edited by hand, two label files merged) would count
  // twice in training and in every correlation, and with two scores the data set
  // contradicts itself: refused, with both scores.
  std::map<std::pair<std::string, std::string>, std::size_t> seen;
  for (std::size_t i = 0; i < pairs_.size(); ++i) {
    const PairInfo& p = pairs_[i];
    const auto key = std::make_pair(std::filesystem::path(p.ref_path).lexically_normal().string(),
                                    std::filesystem::path(p.dist_path).lexically_normal().string());
    const auto [it, fresh] = seen.emplace(key, i);
    GSN_CHECK(fresh, name_, " data set at ", root_, ": the pair (reference ", p.ref_path, ", distorted ", p.dist_path,
              ") is listed twice, with scores ", pairs_[it->second].score, " and ", p.score, "; keep one");
  }
}

const PairInfo& FilePairSource::info(std::size_t i) const {
  GSN_CHECK(i < pairs_.size(), name_, ": pair ", i, " out of range (", pairs_.size(), " pairs)");
  return pairs_[i];
}

void FilePairSource::load(std::size_t i, Image& ref, Image& dist) const {
  const PairInfo& p = info(i);
  ref = read_image(p.ref_path);
  dist = read_image(p.dist_path);
  check_same_size(ref, p.ref_path, dist, p.dist_path);
}

std::string summarize(const PairSource& source) {
  std::set<std::string> refs;
  std::set<std::string> distortions;
  double lo = 0, hi = 0;
  for (std::size_t i = 0; i < source.size(); ++i) {
    const PairInfo& p = source.info(i);
    refs.insert(p.ref_id);
    if (!p.distortion.empty()) distortions.insert(p.distortion);
    lo = i == 0 ? p.score : std::min(lo, p.score);
    hi = i == 0 ? p.score : std::max(hi, p.score);
  }
  char range[96];
  std::snprintf(range, sizeof range, "scores %.4g .. %.4g (higher is better)", lo, hi);
  std::string s = source.name() + ": " + std::to_string(source.size()) + " pairs, " + std::to_string(refs.size()) +
                  " references, ";
  if (!distortions.empty()) s += std::to_string(distortions.size()) + " distortion types, ";
  return s + range;
}

}  // namespace gsn::data
