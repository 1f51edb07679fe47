// The built-in synthetic data set: references x distortion types x levels, made on demand.
//
// References are generated in code (synthetic_refs.h; reference k gets the kind
// ref_kind_for(k)) at the requested size, or read from every image file in a folder
// (refs_dir; .png, .bmp, .jpg, .jpeg, any case, in sorted name order, at their own size).
// Pair i is reference i / (types * levels), then type, then level, in the order given.
//
// Labels: score = 1 - severity(type) * level / 6 (rounded to 12 decimals, so equal products
// are equal labels), with severity in (0, 1] from the
// distortion table (distortions.h), so level 1 of a mild type scores near 0.92 and level
// 5 of the most severe scores 1/6. The undistorted reference would score 1. This is the
// library's own ordering of its own distortions, not human opinion: a model trained on it
// learns these levels and weights, and its scores are not comparable to MOS values.
//
// Determinism: every image is a function of (seed, reference, type, level) only, each drawn
// from its own Generator, so the same seed gives the same images to the bit whatever thread
// loads a pair, in whatever order, and whichever other types or levels are selected.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/distortions.h"

namespace gsn::data {

struct SyntheticOptions {
  std::size_t num_refs = 64;          // generated references (ignored with refs_dir)
  int width = 128, height = 128;      // generated references' size
  uint64_t seed = 0;
  std::vector<Distortion> types;      // empty: all of them
  std::vector<int> levels;            // empty: 1..5
  std::string refs_dir;               // non-empty: references from this folder's images
};

class SyntheticDataset : public PairSource {
 public:
  explicit SyntheticDataset(SyntheticOptions options);
  ~SyntheticDataset() override;

  std::string name() const override { return "synthetic"; }
  std::size_t size() const override { return pairs_.size(); }
  const PairInfo& info(std::size_t i) const override;
  void load(std::size_t i, Image& ref, Image& dist) const override;

  std::size_t num_refs() const;
  // Reference k, made or read on first use and kept (thread-safe).
  const Image& reference(std::size_t k) const;
  const SyntheticOptions& options() const { return options_; }

  static double label(Distortion type, int level);

 private:
  struct RefSlot;
  SyntheticOptions options_;
  std::vector<std::string> ref_files_;  // refs_dir mode only
  std::vector<PairInfo> pairs_;
  std::vector<std::unique_ptr<RefSlot>> refs_;
};

}  // namespace gsn::data
