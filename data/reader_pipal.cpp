// PIPAL (NTIRE 2022 perceptual IQA challenge). Layout, for part "train" (and "val"):
//   Train_Label/A0001.txt ...   lines "A0001_10_05.bmp,1446.1234" (Elo; spaces after the
//                               comma tolerated); or one file Train_Label.txt
//   Train_Ref/A0001.bmp         references, looked up by the dist name's prefix
//   Distortion_1/ .. Distortion_4/   distorted images (the release's four archives), or a
//                               flat Train_Dist/ (Train_Dis/); val: Val_Dist/ (Val_Dis/)
// The Elo score is higher-is-better already. A dist name "A0001_10_05" gives ref_id
// "A0001" and distortion "10" (PIPAL's distortion sub-type); PIPAL has no levels.
#include <algorithm>
#include <filesystem>

#include "data/file_index.h"
#include "data/label_file.h"
#include "data/readers.h"
#include "kernels/core/error.h"

namespace gsn::data {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> label_files(const fs::path& root, const std::string& prefix) {
  const fs::path folder = root / (prefix + "_Label");
  const fs::path single = root / (prefix + "_Label.txt");
  std::vector<std::string> files;
  if (fs::is_directory(folder)) {
    for (const auto& e : fs::directory_iterator(folder))
      if (e.is_regular_file() && to_lower(e.path().extension().string()) == ".txt") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());  // directory order is not stable across machines
  } else if (fs::is_regular_file(single)) {
    files.push_back(single.string());
  }
  GSN_CHECK(!files.empty(), "pipal: no label files: expected ", folder.string(), "/*.txt or ", single.string());
  return files;
}

}  // namespace

std::unique_ptr<FilePairSource> read_pipal(const std::string& root_str, const std::string& part) {
  GSN_CHECK(part == "train" || part == "val", "pipal: part must be \"train\" or \"val\", not \"", part, "\"");
  const fs::path root(root_str);
  GSN_CHECK(fs::is_directory(root), "pipal: data set folder ", root_str, " does not exist");
  const std::string prefix = part == "train" ? "Train" : "Val";

  // Recursive: some unpackers add a folder level (Distortion_1/Distortion_1/...).
  const FileIndex refs({(root / (prefix + "_Ref")).string()}, true);
  std::vector<std::string> dist_folders;
  if (part == "train")
    for (int k = 1; k <= 4; ++k) dist_folders.push_back((root / ("Distortion_" + std::to_string(k))).string());
  dist_folders.push_back((root / (prefix + "_Dist")).string());
  dist_folders.push_back((root / (prefix + "_Dis")).string());
  const FileIndex dists(dist_folders, true);
  GSN_CHECK(refs.size() > 0, "pipal: no reference images in ", (root / (prefix + "_Ref")).string());
  GSN_CHECK(dists.size() > 0, "pipal: no distorted images in any of ", root_str, "/",
            part == "train" ? "Distortion_1..4, " : "", prefix, "_Dist, ", prefix, "_Dis");

  std::vector<PairInfo> pairs;
  for (const std::string& file : label_files(root, prefix)) {
    for (const LabelLine& line : read_label_lines(file)) {
      const std::vector<std::string> f = split_fields(line.text, ',');
      if (f.size() != 2 || f[0].empty()) throw_at_line(file, line, "expected \"dist_name,score\"");
      PairInfo p;
      p.score = parse_score(f[1], file, line);
      const std::string stem = fs::path(f[0]).stem().string();
      const std::size_t cut = stem.find('_');
      p.ref_id = cut == std::string::npos ? fs::path(file).stem().string() : stem.substr(0, cut);
      if (cut != std::string::npos) {
        const std::size_t cut2 = stem.find('_', cut + 1);
        p.distortion = stem.substr(cut + 1, cut2 == std::string::npos ? std::string::npos : cut2 - cut - 1);
      }
      p.dist_path = dists.find(f[0]);
      if (p.dist_path.empty()) throw_at_line(file, line, "distorted image " + f[0] + " not found in " + dists.folders_str());
      p.ref_path = refs.find_stem(p.ref_id);
      if (p.ref_path.empty())
        throw_at_line(file, line, "reference image " + p.ref_id + ".* not found in " + refs.folders_str());
      pairs.push_back(std::move(p));
    }
  }
  return std::make_unique<FilePairSource>("pipal", root_str, std::move(pairs));
}

}  // namespace gsn::data
