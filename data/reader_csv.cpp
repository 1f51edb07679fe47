// Generic CSV: "ref,dist,score[,split][,type][,level]" with a header naming the columns (any order,
// any case). Paths are relative to the CSV's folder unless absolute. ref_id is the
// reference file's resolved path relative to that folder (reference_id, below). With
// lower_is_better the scores are negated. The optional split column ("train", "val",
// "test") becomes the FilePairSource's preset split. Fields are not
// quoted: a path containing a comma cannot be named.
#include <filesystem>
#include <tuple>

#include "data/file_index.h"
#include "data/label_file.h"
#include "data/readers.h"
#include "kernels/core/error.h"

namespace gsn::data {

namespace fs = std::filesystem;

namespace {

int find_column(const std::vector<std::string>& header, const std::string& name) {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (to_lower(header[i]) == name) return static_cast<int>(i);
  return -1;
}

// The reference's identity, which splits group by: one file must be one reference however
// the rows name it ("a.png", "./a.png", "refs/../a.png", an absolute path), or a split
// could put the same image in train and test. The file's path relative to the CSV's
// folder (as written when the rows name it plainly, so split files stay readable), or its
// absolute path when it lies outside that folder.
std::string reference_id(const std::string& image, const fs::path& base) {
  std::error_code ec;
  const fs::path full = fs::weakly_canonical(fs::path(image), ec);
  if (ec) return fs::path(image).lexically_normal().string();
  const fs::path rel = full.lexically_relative(fs::weakly_canonical(base.empty() ? fs::path(".") : base, ec));
  if (ec || rel.empty() || *rel.begin() == "..") return full.string();
  return rel.string();
}

}  // namespace

std::unique_ptr<FilePairSource> read_csv(const std::string& root, const std::string& labels, bool lower_is_better) {
  fs::path file(root);
  if (fs::is_directory(file)) file /= labels.empty() ? "pairs.csv" : labels;
  GSN_CHECK(fs::is_regular_file(file), "csv: label file ", file.string(), " does not exist");
  const std::string path = file.string();
  const fs::path base = file.parent_path();

  const std::vector<LabelLine> lines = read_label_lines(path);
  const std::vector<std::string> header = split_fields(lines[0].text, ',');
  const int ref_col = find_column(header, "ref");
  const int dist_col = find_column(header, "dist");
  const int score_col = find_column(header, "score");
  const int split_col = find_column(header, "split");
  const int type_col = find_column(header, "type");    // gsn-synth writes these two: the
  const int level_col = find_column(header, "level");  // per-type results need them
  if (ref_col < 0 || dist_col < 0 || score_col < 0)
    throw_at_line(path, lines[0], "the header must name the columns ref,dist,score[,split][,type][,level]");

  std::vector<PairInfo> pairs;
  std::vector<std::string> splits;
  for (std::size_t k = 1; k < lines.size(); ++k) {
    const LabelLine& line = lines[k];
    const std::vector<std::string> f = split_fields(line.text, ',');
    if (f.size() != header.size())
      throw_at_line(path, line, std::to_string(f.size()) + " fields, the header has " + std::to_string(header.size()));
    PairInfo p;
    const double score = parse_score(f[score_col], path, line);
    p.score = lower_is_better ? -score : score;
    for (auto [field, out, what] : {std::make_tuple(f[ref_col], &p.ref_path, "reference"),
                                    std::make_tuple(f[dist_col], &p.dist_path, "distorted")}) {
      if (field.empty()) throw_at_line(path, line, std::string("empty ") + what + " path");
      const fs::path image = fs::path(field).is_absolute() ? fs::path(field) : base / field;
      if (!fs::is_regular_file(image)) throw_at_line(path, line, std::string(what) + " image " + image.string() + " not found");
      *out = image.string();
    }
    p.ref_id = reference_id(p.ref_path, base);
    if (type_col >= 0) p.distortion = f[type_col];
    if (level_col >= 0 && !f[level_col].empty()) {
      p.level = parse_level(f[level_col]);
      if (p.level < 1) throw_at_line(path, line, "level \"" + f[level_col] + "\" is not a positive whole number");
    }
    if (split_col >= 0) {
      const std::string split = to_lower(f[split_col]);
      if (split != "train" && split != "val" && split != "test")
        throw_at_line(path, line, "split \"" + f[split_col] + "\" is not train, val or test");
      splits.push_back(split);
    }
    pairs.push_back(std::move(p));
  }
  GSN_CHECK(!pairs.empty(), path, ": a header but no pairs");
  return std::make_unique<FilePairSource>("csv", path, std::move(pairs), std::move(splits));
}

}  // namespace gsn::data
