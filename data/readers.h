// Readers for the IQA data sets on disk, and the PairSource they all return.
//
// Each reader takes the data set's root folder as it is unpacked, reads its label file,
// checks that every image it names exists, and returns a FilePairSource. Scores come out
// higher-is-better: sets that label with DMOS (lower is better: CSIQ, a CSV with
// lower_is_better) are flipped by negation, score = -dmos, which keeps the scale and the
// spacing; the trainer z-scores targets anyway. Errors name the label file and the line.
//
// Formats (see docs/data.md for the layouts):
//   pipal    Train_Label/*.txt "dist_name,score" (Elo), Train_Ref/, Distortion_1..4/ or
//            Train_Dist/; part "val": Val_Label/, Val_Ref/, Val_Dist/
//   kadid    dmos.csv "dist_img,ref_img,dmos[,var]" with a header, images/
//   tid2013  mos_with_names.txt "<mos> <name>", reference_images/, distorted_images/
//   csiq     a label file "<name> <dmos>", names "<ref>.<TYPE>.<level>.png"
//   csv      "ref,dist,score[,split]" with a header; paths relative to the CSV's folder
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace gsn::data {

// A data set of image files: the list a reader built, loaded with read_image().
class FilePairSource : public PairSource {
 public:
  // preset_split: empty, or one of "train" / "val" / "test" per pair (a CSV's split column).
  FilePairSource(std::string name, std::string root, std::vector<PairInfo> pairs,
                 std::vector<std::string> preset_split = {});

  std::string name() const override { return name_; }
  std::size_t size() const override { return pairs_.size(); }
  const PairInfo& info(std::size_t i) const override;
  void load(std::size_t i, Image& ref, Image& dist) const override;

  const std::string& root() const { return root_; }
  const std::vector<std::string>& preset_split() const { return preset_split_; }

 private:
  std::string name_;
  std::string root_;
  std::vector<PairInfo> pairs_;
  std::vector<std::string> preset_split_;
};

struct DatasetOptions {
  std::string part = "train";    // pipal: "train" or "val"
  std::string labels;            // csiq, csv: the label file (relative to root, or absolute); "" = default
  bool lower_is_better = false;  // csv: scores are DMOS-like, negate them
};

std::unique_ptr<FilePairSource> read_pipal(const std::string& root, const std::string& part = "train");
std::unique_ptr<FilePairSource> read_kadid(const std::string& root);
std::unique_ptr<FilePairSource> read_tid2013(const std::string& root);
// labels "" looks for csiq_label.txt, csiq.txt, labels.txt, dmos.txt in root.
std::unique_ptr<FilePairSource> read_csiq(const std::string& root, const std::string& labels = "");
// `root` is the CSV file itself or a folder holding `labels` (default pairs.csv).
std::unique_ptr<FilePairSource> read_csv(const std::string& root, const std::string& labels = "",
                                         bool lower_is_better = false);

// kind: pipal | kadid | tid2013 | csiq | csv. Any other kind throws "unknown data set";
// the synthetic set is not a folder on disk: callers build it themselves (data/synthetic_dataset.h).
std::unique_ptr<FilePairSource> open_dataset(const std::string& kind, const std::string& root,
                                             const DatasetOptions& options = {});

// One line for the log: "kadid: 10125 pairs, 81 references, scores 1.00 .. 4.93 (higher is
// better)". Works for any PairSource.
std::string summarize(const PairSource& source);

}  // namespace gsn::data
