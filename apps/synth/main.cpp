// gsn-synth: write the built-in synthetic data as PNG files with a pairs.csv, so it can
// be looked at, used by other tools, or trained on with --data csv.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

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
}  // namespace

int main(int argc, char** argv) {
  std::string out, types, levels;
  gsn::data::SyntheticOptions s;
  s.num_refs = 4;
  CLI::App app{"gsn-synth: write synthetic reference/distorted pairs as PNG files and a pairs.csv "
               "(columns ref,dist,score,type,level).\nExit codes: 0 done, 1 error, 2 bad arguments."};
  app.add_option("--out", out, "output folder")->required();
  app.add_option("--refs", s.num_refs, "number of generated references")->capture_default_str();
  app.add_option("--size", s.width, "reference width and height")->capture_default_str();
  app.add_option("--seed", s.seed, "seed")->capture_default_str();
  app.add_option("--from", s.refs_dir, "use the PNGs of this folder as references");
  app.add_option("--types", types, "comma-separated distortion names (default: all)");
  app.add_option("--levels", levels, "comma-separated levels 1..5 (default: all)");
  CLI11_PARSE(app, argc, argv);
  try {
    s.height = s.width;
    for (const std::string& t : split_commas(types)) s.types.push_back(gsn::data::distortion_from_name(t));
    for (const std::string& l : split_commas(levels)) s.levels.push_back(std::stoi(l));
    gsn::data::SyntheticDataset ds(s);
    std::filesystem::create_directories(out);
    std::ofstream csv(std::filesystem::path(out) / "pairs.csv");
    csv << "ref,dist,score,type,level\n";
    gsn::data::Image ref, dist;
    for (std::size_t i = 0; i < ds.size(); ++i) {
      const gsn::data::PairInfo& info = ds.info(i);
      ds.load(i, ref, dist);
      const std::string ref_name = "ref-" + info.ref_id.substr(info.ref_id.find('-') + 1) + ".png";
      const std::string dist_name = ref_name.substr(0, ref_name.size() - 4) + "_" + info.distortion + "_" +
                                    std::to_string(info.level) + ".png";
      if (!std::filesystem::exists(std::filesystem::path(out) / ref_name))
        gsn::data::write_png((std::filesystem::path(out) / ref_name).string(), ref);
      gsn::data::write_png((std::filesystem::path(out) / dist_name).string(), dist);
      csv << ref_name << "," << dist_name << "," << info.score << "," << info.distortion << "," << info.level << "\n";
    }
    std::printf("gsn-synth: %zu pairs written to %s (pairs.csv)\n", ds.size(), out.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gsn-synth: error: %s\n", e.what());
    return 1;
  }
}
