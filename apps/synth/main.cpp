// gsn-synth: write the built-in synthetic data as PNG files with a pairs.csv, so it can
// be looked at, used by other tools, or trained on with --data csv.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "apps/common/cli.h"
#include "apps/common/report.h"
#include "data/distortions.h"
#include "data/image_io.h"
#include "data/synthetic_dataset.h"

namespace {
std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

constexpr const char* kHeader = "ref,dist,score,type,level";

// The files of the set an earlier gsn-synth wrote into dir (the images its pairs.csv
// names, then the list), to remove. A pairs.csv gsn-synth did not write (another header,
// names that are not its ref-*.png, paths into other folders) is somebody's data set:
// refused, nothing removed.
std::vector<std::filesystem::path> earlier_set(const std::filesystem::path& dir) {
  const std::string list = (dir / "pairs.csv").string();
  std::ifstream in(list);
  std::string line;
  GSN_CHECK(std::getline(in, line) && line == kHeader, list, " was not written by gsn-synth (its header is not '",
            kHeader, "'): --overwrite removes only a set gsn-synth wrote; choose another --out");
  std::vector<std::filesystem::path> files;
  int n = 1;
  while (std::getline(in, line)) {
    ++n;
    std::stringstream ss(line);
    for (int col = 0; col < 2; ++col) {
      std::string name;
      std::getline(ss, name, ',');
      GSN_CHECK(name.rfind("ref-", 0) == 0 && std::filesystem::path(name).filename() == name &&
                    std::filesystem::path(name).extension() == ".png",
                list, ":", n, ": '", name, "' is not an image gsn-synth writes: --overwrite removes only a set "
                "gsn-synth wrote; choose another --out");
      files.push_back(dir / name);
    }
  }
  files.push_back(dir / "pairs.csv");
  return files;
}
}  // namespace

int main(int argc, char** argv) {
  bool overwrite = false;
  std::string out, types, levels;
  int num_refs = 4, size = 128;
  gsn::data::SyntheticOptions s;
  CLI::App app{"gsn-synth: write synthetic reference/distorted pairs as PNG files and a pairs.csv "
               "(columns ref,dist,score,type,level).\nExit codes: 0 done, 1 error, 2 bad arguments."};
  app.add_option("--out", out, "output folder")->required();
  app.add_option("--refs", num_refs, "number of generated references")->check(CLI::Range(1, 100000))->capture_default_str();
  app.add_option("--size", size, "reference width and height")->check(CLI::Range(8, 8192))->capture_default_str();
  app.add_option("--seed", s.seed, "seed")->check(gsn::app::kNotNegative)->capture_default_str();
  app.add_option("--from", s.refs_dir, "use the images of this folder as references (--refs and --size then unused)");
  app.add_option("--types", types, "comma-separated distortion names (default: all)");
  app.add_option("--levels", levels, "comma-separated levels 1..5 (default: all)");
  app.add_flag("--overwrite", overwrite, "replace the pairs an earlier gsn-synth wrote into --out (refused without this)");
  GSN_CLI_PARSE(app, argc, argv)
  s.num_refs = static_cast<std::size_t>(num_refs);
  s.width = s.height = size;
  try {
    try {
      for (const std::string& t : split_commas(types)) s.types.push_back(gsn::data::distortion_from_name(t));
    } catch (const gsn::Error& e) {
      std::fprintf(stderr, "gsn-synth: error: --types: %s\n", e.what());
      return gsn::app::kExitBadArguments;
    }
    if (!s.refs_dir.empty() && !std::filesystem::is_directory(s.refs_dir)) {
      std::fprintf(stderr, "gsn-synth: error: --from %s: not a folder\n", s.refs_dir.c_str());
      return gsn::app::kExitBadArguments;
    }
    for (const std::string& l : split_commas(levels)) {
      std::size_t used = 0;
      int v = 0;
      try {
        v = std::stoi(l, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != l.size() || v < 1 || v > gsn::data::kNumLevels) {
        std::fprintf(stderr, "gsn-synth: error: --levels: '%s' is not a level (1..%d)\n", l.c_str(), gsn::data::kNumLevels);
        return gsn::app::kExitBadArguments;
      }
      s.levels.push_back(v);
    }
    const std::filesystem::path dir(out);
    // An earlier set in --out would mix with this one (its images left beside the new
    // pairs.csv): refused, or with --overwrite removed first (its pairs.csv and the
    // images that list names, nothing else).
    std::vector<std::filesystem::path> replaced;
    if (std::filesystem::exists(dir / "pairs.csv")) {
      if (!overwrite) {
        std::fprintf(stderr, "gsn-synth: error: --out %s holds an earlier set (pairs.csv): replace it with --overwrite, "
                     "or choose another --out\n", out.c_str());
        return gsn::app::kExitBadArguments;
      }
      replaced = earlier_set(dir);
    }
    gsn::data::SyntheticDataset ds(s);  // may still fail (an empty --from folder): remove nothing before
    for (const std::filesystem::path& f : replaced) std::filesystem::remove(f);
    std::filesystem::create_directories(dir);
    // pairs.csv is written last (atomically): a run that fails half way leaves images but
    // no list that would pass them off as a whole set.
    std::ostringstream csv;
    csv << kHeader << "\n";
    // Each reference is written once per run (over any file an earlier run left: its size
    // or seed may have differed), and two references may not share a name: --from files
    // keep their whole stem ("cat-a.png" -> ref-cat-a.png), generated ones are ref-<k>.
    std::map<std::string, std::string> written;  // file name -> the reference id it holds
    gsn::data::Image ref, dist;
    for (std::size_t i = 0; i < ds.size(); ++i) {
      const gsn::data::PairInfo& info = ds.info(i);
      ds.load(i, ref, dist);
      const bool generated = s.refs_dir.empty();
      const std::string stem = "ref-" + (generated ? info.ref_id.substr(info.ref_id.find('-') + 1) : info.ref_id);
      const std::string ref_name = stem + ".png";
      const std::string dist_name = stem + "_" + info.distortion + "_" + std::to_string(info.level) + ".png";
      auto [it, fresh] = written.emplace(ref_name, info.ref_id);
      GSN_CHECK(it->second == info.ref_id, s.refs_dir, ": references '", it->second, "' and '", info.ref_id,
                "' would both be written as ", ref_name, "; rename one");
      if (fresh) gsn::data::write_png((dir / ref_name).string(), ref);
      gsn::data::write_png((dir / dist_name).string(), dist);
      csv << ref_name << "," << dist_name << "," << info.score << "," << info.distortion << "," << info.level << "\n";
    }
    gsn::app::write_file_atomic((dir / "pairs.csv").string(), csv.str());
    std::printf("gsn-synth: %zu pairs written to %s (pairs.csv)\n", ds.size(), out.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gsn-synth: error: %s\n", e.what());
    return 1;
  }
}
