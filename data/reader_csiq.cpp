// CSIQ. Layout (as released, or flattened):
//   a label file        lines "<name> <dmos>", e.g. "1600.AWGN.1.png 0.062"; default
//                       csiq_label.txt, csiq.txt, labels.txt or dmos.txt in the root
//   src_imgs/1600.png   references (or anywhere under the root)
//   dst_imgs/awgn/1600.AWGN.1.png   distorted images, in any subfolder
// Names are "<ref>.<TYPE>.<level>.png": ref_id "1600", distortion "AWGN", level 1. CSIQ
// labels with DMOS (0 = perfect, higher is worse), so score = -dmos.
#include <filesystem>

#include "data/file_index.h"
#include "data/label_file.h"
#include "data/readers.h"
#include "kernels/core/error.h"

namespace gsn::data {

namespace fs = std::filesystem;

namespace {

std::string find_label_file(const fs::path& root, const std::string& labels) {
  if (!labels.empty()) {
    const fs::path p = fs::path(labels).is_absolute() ? fs::path(labels) : root / labels;
    GSN_CHECK(fs::is_regular_file(p), "csiq: label file ", p.string(), " does not exist");
    return p.string();
  }
  for (const char* name : {"csiq_label.txt", "csiq.txt", "labels.txt", "dmos.txt"})
    if (fs::is_regular_file(root / name)) return (root / name).string();
  GSN_THROW("csiq: no label file in ", root.string(),
            " (looked for csiq_label.txt, csiq.txt, labels.txt, dmos.txt; name one with the labels option)");
}

}  // namespace

std::unique_ptr<FilePairSource> read_csiq(const std::string& root_str, const std::string& labels) {
  const fs::path root(root_str);
  GSN_CHECK(fs::is_directory(root), "csiq: data set folder ", root_str, " does not exist");
  const std::string file = find_label_file(root, labels);
  const bool released_layout = fs::is_directory(root / "src_imgs") && fs::is_directory(root / "dst_imgs");
  const FileIndex refs({released_layout ? (root / "src_imgs").string() : root_str}, true);
  const FileIndex dists({released_layout ? (root / "dst_imgs").string() : root_str}, true);

  std::vector<PairInfo> pairs;
  for (const LabelLine& line : read_label_lines(file)) {
    const std::vector<std::string> f = split_fields(line.text, ' ');
    if (f.size() != 2) throw_at_line(file, line, "expected \"<name> <dmos>\"");
    // "<ref>.<TYPE>.<level>.<ext>"
    const std::size_t e = f[0].rfind('.');
    const std::size_t l = e == std::string::npos || e == 0 ? std::string::npos : f[0].rfind('.', e - 1);
    const std::size_t t = l == std::string::npos || l == 0 ? std::string::npos : f[0].rfind('.', l - 1);
    const int level = t == std::string::npos ? -1 : parse_level(f[0].substr(l + 1, e - l - 1));
    if (level < 0 || t == 0) throw_at_line(file, line, "name \"" + f[0] + "\" is not of the form <ref>.<TYPE>.<level>.png");
    PairInfo p;
    p.score = -parse_score(f[1], file, line);  // DMOS: lower is better
    p.ref_id = f[0].substr(0, t);
    p.distortion = f[0].substr(t + 1, l - t - 1);
    p.level = level;
    p.dist_path = dists.find(f[0]);
    if (p.dist_path.empty()) throw_at_line(file, line, "distorted image " + f[0] + " not found under " + dists.folders_str());
    p.ref_path = refs.find(p.ref_id + f[0].substr(e));
    if (p.ref_path.empty())
      throw_at_line(file, line, "reference image " + p.ref_id + f[0].substr(e) + " not found under " + refs.folders_str());
    pairs.push_back(std::move(p));
  }
  return std::make_unique<FilePairSource>("csiq", root_str, std::move(pairs));
}

}  // namespace gsn::data
