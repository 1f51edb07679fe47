// KADID-10k. Layout:
//   dmos.csv   header "dist_img,ref_img,dmos,var" (var may be missing; columns are found
//              by name), lines "I01_01_01.png,I01.png,4.57,0.496"
//   images/    references and distorted images together
// KADID's "dmos" is a mean opinion score on 1..5, higher is better: no flip. A name
// "I01_01_03" gives distortion "01" (type) and level 3.
#include <algorithm>
#include <filesystem>

#include "data/file_index.h"
#include "data/label_file.h"
#include "data/readers.h"
#include "kernels/core/error.h"

namespace gsn::data {

namespace fs = std::filesystem;

namespace {

int column(const std::vector<std::string>& header, const std::string& name, const std::string& file) {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (to_lower(header[i]) == name) return static_cast<int>(i);
  GSN_THROW(file, ", line 1: header has no column \"", name, "\" (expected dist_img,ref_img,dmos[,var])");
}

// "I01_01_03.png" -> distortion "01", level 3; other names leave both unset.
void parse_kadid_name(const std::string& name, PairInfo& p) {
  const std::string stem = fs::path(name).stem().string();
  const std::size_t a = stem.find('_');
  const std::size_t b = a == std::string::npos ? a : stem.find('_', a + 1);
  if (b == std::string::npos) return;
  p.distortion = stem.substr(a + 1, b - a - 1);
  p.level = std::max(0, parse_level(stem.substr(b + 1)));
}

}  // namespace

std::unique_ptr<FilePairSource> read_kadid(const std::string& root_str) {
  const fs::path root(root_str);
  GSN_CHECK(fs::is_directory(root), "kadid: data set folder ", root_str, " does not exist");
  const std::string file = (root / "dmos.csv").string();
  const std::vector<LabelLine> lines = read_label_lines(file);
  const std::vector<std::string> header = split_fields(lines[0].text, ',');
  const int dist_col = column(header, "dist_img", file);
  const int ref_col = column(header, "ref_img", file);
  const int score_col = column(header, "dmos", file);
  const FileIndex images({(root / "images").string()}, false);
  GSN_CHECK(images.size() > 0, "kadid: no images in ", (root / "images").string());

  std::vector<PairInfo> pairs;
  for (std::size_t k = 1; k < lines.size(); ++k) {
    const LabelLine& line = lines[k];
    const std::vector<std::string> f = split_fields(line.text, ',');
    if (f.size() != header.size())
      throw_at_line(file, line, std::to_string(f.size()) + " fields, the header has " + std::to_string(header.size()));
    PairInfo p;
    p.score = parse_score(f[score_col], file, line);
    p.ref_id = fs::path(f[ref_col]).stem().string();
    parse_kadid_name(f[dist_col], p);
    p.dist_path = images.find(f[dist_col]);
    if (p.dist_path.empty()) throw_at_line(file, line, "distorted image " + f[dist_col] + " not found in " + images.folders_str());
    p.ref_path = images.find(f[ref_col]);
    if (p.ref_path.empty()) throw_at_line(file, line, "reference image " + f[ref_col] + " not found in " + images.folders_str());
    pairs.push_back(std::move(p));
  }
  GSN_CHECK(!pairs.empty(), file, ": a header but no pairs");
  return std::make_unique<FilePairSource>("kadid", root_str, std::move(pairs));
}

}  // namespace gsn::data
