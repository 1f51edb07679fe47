// TID2013. Layout:
//   mos_with_names.txt    lines "<mos> <name>", e.g. "5.51429 I01_01_1.bmp"
//   reference_images/     I01.BMP .. I25.BMP
//   distorted_images/     i01_01_1.bmp ...
// The release mixes cases (I01_11_1.BMP beside i01_01_2.bmp, I25 vs i25), so every name
// is looked up without case. MOS (0..9) is higher-is-better: no flip. A name
// "i01_17_3" gives ref_id "I01", distortion "17", level 3.
#include <filesystem>

#include "data/file_index.h"
#include "data/label_file.h"
#include "data/readers.h"
#include "kernels/core/error.h"

namespace gsn::data {

namespace fs = std::filesystem;

std::unique_ptr<FilePairSource> read_tid2013(const std::string& root_str) {
  const fs::path root(root_str);
  GSN_CHECK(fs::is_directory(root), "tid2013: data set folder ", root_str, " does not exist");
  const FileIndex refs({(root / "reference_images").string()}, false);
  const FileIndex dists({(root / "distorted_images").string()}, false);
  GSN_CHECK(refs.size() > 0, "tid2013: no images in ", (root / "reference_images").string());
  GSN_CHECK(dists.size() > 0, "tid2013: no images in ", (root / "distorted_images").string());
  const std::string file = (root / "mos_with_names.txt").string();

  std::vector<PairInfo> pairs;
  for (const LabelLine& line : read_label_lines(file)) {
    const std::vector<std::string> f = split_fields(line.text, ' ');
    if (f.size() != 2) throw_at_line(file, line, "expected \"<mos> <name>\"");
    const std::string stem = fs::path(f[1]).stem().string();
    const std::size_t a = stem.find('_');
    const std::size_t b = a == std::string::npos ? a : stem.find('_', a + 1);
    const int level = b == std::string::npos ? -1 : parse_level(stem.substr(b + 1));
    if (level < 0)
      throw_at_line(file, line, "name \"" + f[1] + "\" is not of the form i<ref>_<type>_<level>.bmp");
    PairInfo p;
    p.score = parse_score(f[0], file, line);
    p.ref_id = "I" + stem.substr(1, a - 1);
    p.distortion = stem.substr(a + 1, b - a - 1);
    p.level = level;
    p.dist_path = dists.find(f[1]);
    if (p.dist_path.empty()) throw_at_line(file, line, "distorted image " + f[1] + " not found in " + dists.folders_str());
    p.ref_path = refs.find_stem(p.ref_id);
    if (p.ref_path.empty())
      throw_at_line(file, line, "reference image " + p.ref_id + ".* not found in " + refs.folders_str());
    pairs.push_back(std::move(p));
  }
  return std::make_unique<FilePairSource>("tid2013", root_str, std::move(pairs));
}

}  // namespace gsn::data
