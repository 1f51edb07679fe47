#include "data/synthetic_dataset.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>
#include <mutex>
#include <utility>

#include "data/image_io.h"
#include "data/synthetic_refs.h"
#include "kernels/core/error.h"

namespace gsn::data {

namespace {

// SplitMix64's finaliser: nearby inputs (seed, seed + 1, pair k, k + 1) give unrelated
// generator seeds.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Separate streams for references and distortions, so neither shifts the other's draws.
constexpr uint64_t kRefStream = 1, kDistStream = 2;

Generator ref_generator(uint64_t seed, std::size_t k) { return Generator(mix(mix(seed) ^ k), kRefStream); }
Generator dist_generator(uint64_t seed, std::size_t k, Distortion type, int level) {
  const uint64_t tl = static_cast<uint64_t>(type) * kNumLevels + static_cast<uint64_t>(level);
  return Generator(mix(mix(mix(seed) ^ k) ^ tl), kDistStream);
}

bool is_image_file(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".png" || ext == ".bmp" || ext == ".jpg" || ext == ".jpeg";
}

}  // namespace

struct SyntheticDataset::RefSlot {
  std::once_flag once;
  Image image;
};

SyntheticDataset::SyntheticDataset(SyntheticOptions options) : options_(std::move(options)) {
  SyntheticOptions& o = options_;
  if (o.types.empty()) o.types = all_distortions();
  if (o.levels.empty()) o.levels = {1, 2, 3, 4, 5};
  for (int level : o.levels)
    GSN_CHECK(level >= 1 && level <= kNumLevels, "synthetic: levels must be 1..", kNumLevels, ", got ", level);
  std::vector<std::string> ids;
  if (!o.refs_dir.empty()) {
    namespace fs = std::filesystem;
    GSN_CHECK(fs::is_directory(o.refs_dir), "synthetic: --refs '", o.refs_dir, "' is not a folder");
    for (const auto& entry : fs::directory_iterator(o.refs_dir))
      if (entry.is_regular_file() && is_image_file(entry.path())) ref_files_.push_back(entry.path().string());
    std::sort(ref_files_.begin(), ref_files_.end());
    GSN_CHECK(!ref_files_.empty(), "synthetic: no .png, .bmp or .jpg images in '", o.refs_dir, "'");
    for (const std::string& f : ref_files_) ids.push_back(fs::path(f).stem().string());
    // The stem is the reference's identity (splits and gsn-synth's file names use it), so
    // two files may not share one (a.png beside a.jpg).
    std::map<std::string, std::string> seen;  // stem -> file
    for (std::size_t k = 0; k < ids.size(); ++k) {
      auto [it, fresh] = seen.emplace(ids[k], ref_files_[k]);
      GSN_CHECK(fresh, "synthetic: '", it->second, "' and '", ref_files_[k],
                "' have the same name stem; references are told apart by it, so rename one");
    }
  } else {
    GSN_CHECK(o.num_refs > 0, "synthetic: num_refs must be positive");
    GSN_CHECK(o.width >= 8 && o.height >= 8, "synthetic: image size must be at least 8x8, got ", o.width, "x",
              o.height);
    for (std::size_t k = 0; k < o.num_refs; ++k) ids.push_back("synth-" + std::to_string(k));
  }
  for (std::size_t k = 0; k < ids.size(); ++k) {
    refs_.push_back(std::make_unique<RefSlot>());
    for (Distortion type : o.types) {
      for (int level : o.levels) {
        PairInfo p;
        p.ref_id = ids[k];
        p.ref_path = ref_files_.empty() ? "" : ref_files_[k];
        p.score = label(type, level);
        p.distortion = distortion_spec(type).name;
        p.level = level;
        pairs_.push_back(std::move(p));
      }
    }
  }
}

SyntheticDataset::~SyntheticDataset() = default;

std::size_t SyntheticDataset::num_refs() const { return refs_.size(); }

double SyntheticDataset::label(Distortion type, int level) {
  GSN_CHECK(level >= 1 && level <= kNumLevels, "synthetic: level must be 1..", kNumLevels, ", got ", level);
  // Rounded to 12 decimals: levels of equal severity x level (impulse noise 3 and colour
  // noise 4: 0.8 x 3 = 0.6 x 4) are meant as ties, which the raw products, a rounding
  // error apart, would break in SRCC and KRCC.
  return std::round((1.0 - distortion_spec(type).severity * level / 6.0) * 1e12) / 1e12;
}

const PairInfo& SyntheticDataset::info(std::size_t i) const {
  GSN_CHECK(i < pairs_.size(), "synthetic: pair ", i, " out of range (", pairs_.size(), " pairs)");
  return pairs_[i];
}

const Image& SyntheticDataset::reference(std::size_t k) const {
  GSN_CHECK(k < refs_.size(), "synthetic: reference ", k, " out of range (", refs_.size(), ")");
  RefSlot& slot = *refs_[k];
  // call_once: the first caller builds it, concurrent callers wait; if building throws,
  // the next caller tries again.
  std::call_once(slot.once, [&] {
    if (!ref_files_.empty()) {
      slot.image = read_image(ref_files_[k]);
    } else {
      Generator gen = ref_generator(options_.seed, k);
      slot.image = make_reference(ref_kind_for(k), options_.width, options_.height, gen);
    }
  });
  return slot.image;
}

void SyntheticDataset::load(std::size_t i, Image& ref, Image& dist) const {
  const PairInfo& p = info(i);
  const std::size_t per_ref = options_.types.size() * options_.levels.size();
  const std::size_t k = i / per_ref;
  const Distortion type = options_.types[(i % per_ref) / options_.levels.size()];
  ref = reference(k);
  Generator gen = dist_generator(options_.seed, k, type, p.level);
  dist = distort(ref, type, p.level, gen);
}

}  // namespace gsn::data
