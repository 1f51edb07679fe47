// Train / validation / test splits by reference image.
//
// A reference image and its distortions must stay in one split: a model that trained on
// distortions of a reference has seen its content, and scoring it on other distortions
// of the same reference overstates how well it generalises. So the unit of a split is
// the ref_id, never the pair.
//
// The split is a seeded shuffle of the sorted reference ids (gsn::Generator, so the same
// seed splits the same way on every machine), cut at the ratios. It is written to a text
// file so a later run (evaluation, a resumed training) uses exactly the same one:
//   # gsn split: <data set name>, <refs> references, <pairs> pairs
//   train<TAB><ref_id>
//   val<TAB><ref_id>
//   ...
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace gsn::data {

enum class SplitPart { Train, Val, Test };
const char* split_part_name(SplitPart part);  // "train", "val", "test"

struct SplitOptions {
  double train = 0.8;  // fractions of the references; they must add up to 1
  double val = 0.1;
  double test = 0.1;
  uint64_t seed = 0;
};

struct Split {
  std::map<std::string, SplitPart> part_of_ref;  // every ref_id of the data set
  std::vector<std::size_t> train, val, test;     // pair indices, ascending

  const std::vector<std::size_t>& pairs(SplitPart part) const;
  std::size_t refs_in(SplitPart part) const;
  std::string summary() const;  // "train 80 refs / 8000 pairs, val 10 / 1000, test 10 / 1000"
};

// Seeded split of the source's references at the given ratios. Each part whose ratio is
// not 0 gets at least one reference when there are enough references for that.
Split split_by_reference(const PairSource& source, const SplitOptions& options);

// A split given per pair (a CSV's split column). Throws when a reference is given two
// different parts, naming it.
Split split_from_names(const PairSource& source, const std::vector<std::string>& part_per_pair);

void write_split(const std::string& path, const PairSource& source, const Split& split);
// Reads a split written by write_split for this source. Throws, with the file and line,
// on a malformed line, an unknown part, a ref_id the source does not have, a duplicate
// ref_id, or a reference of the source the file does not assign.
Split read_split(const std::string& path, const PairSource& source);

}  // namespace gsn::data
