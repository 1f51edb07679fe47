// The data set abstraction every reader and the synthetic generator implement, and that
// splits and the loader consume.
//
// A data set is a list of (reference, distorted, score) pairs. Scores are always
// higher-is-better once a reader is done (DMOS-style sets are flipped by the reader).
// `ref_id` names the reference image a pair was made from: splits group by it, so no
// reference is in two splits.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "data/image.h"

namespace gsn::data {

struct PairInfo {
  std::string ref_id;      // the reference image's identity (file stem, or "synth-17")
  std::string ref_path;    // files, where the pair comes from disk ("" for synthetic)
  std::string dist_path;
  double score = 0.0;      // higher is better, on the data set's own scale
  std::string distortion;  // distortion type where the data set knows it, else ""
  int level = 0;           // distortion level where known (1 = mildest), else 0
};

class PairSource {
 public:
  virtual ~PairSource() = default;
  virtual std::string name() const = 0;  // "synthetic", "pipal", "kadid", ...
  virtual std::size_t size() const = 0;
  virtual const PairInfo& info(std::size_t i) const = 0;
  // Loads pair i. Must be safe to call from several loader threads at once. Throws
  // gsn::Error naming the file when an image cannot be read or ref and dist differ in size.
  virtual void load(std::size_t i, Image& ref, Image& dist) const = 0;
};

}  // namespace gsn::data
