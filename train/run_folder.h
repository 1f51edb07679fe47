// A training run's folder (--out) and the run it may continue (--resume): what must hold
// before a run writes anything there. trainer.cpp checks these first, so a refused run
// leaves the folder as it was.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "train/options.h"

namespace gsn::train {

// The files a run writes into its folder (trainer.h lists what each holds).
extern const char* const kRunFiles[7];

// The checkpoint --resume names ("last": <out>/last.safetensors).
std::string resolve_resume(const TrainOptions& o);

// A fresh run must not mix with an earlier one in the same folder: the earlier run's logs
// would be cut, and its last/best checkpoints would pass for the new run's. So a folder
// holding any of kRunFiles is refused (OptionError) unless the run resumes the checkpoint
// in that folder, or --overwrite is given. Resuming a checkpoint from another folder into
// one that holds a run is refused too: its log would splice two runs.
// Returns the earlier run's files that --overwrite replaces (none otherwise). Deletes
// nothing: the trainer calls clear_run_files() only once the new run is sure to start (its
// data read, its first batch made), so a run that fails to start keeps the old one.
std::vector<std::string> check_run_folder(const TrainOptions& o);
// Deletes those files from --out (and only those).
void clear_run_files(const TrainOptions& o, const std::vector<std::string>& files);

// A resumed run must be given the options of the run it continues, as stored in the
// checkpoint's metadata ("options"): another seed or split fraction draws another split
// (and can put test references into training), another batch, crop or schedule gives
// other steps. Free to change: where and how fast it runs and how often it reports
// (--workers, --threads, --device, --eval-every, --no-baselines). Throws OptionError
// naming every option that differs, with both values.
void check_resume_options(const std::string& path, const std::map<std::string, std::string>& metadata,
                          const TrainOptions& o);

// gsn-train --resume: the options a user left out are the run's. For every option not in
// `given` (keys of the options on the command line, as in options.json: "batch",
// "split_file", ...), the value stored in the checkpoint's metadata replaces o's (except
// out, resume, stop_at and overwrite). --resume FILE without --out continues in FILE's
// folder. Options given that differ from the run's are left for check_resume_options to
// refuse. Does nothing without --resume, or for a checkpoint without stored options.
void take_resumed_options(TrainOptions& o, const std::set<std::string>& given);
// The options.json key of a gsn-train flag: "--batch" -> "batch", "--split" -> "split_file",
// "--no-attention" -> "attention".
std::string option_key_of_flag(const std::string& flag);

// A finished (or stopped) run read back from its folder, to evaluate it again (gsn-eval
// --run): the data options of its options.json (data set, root, labels, synthetic
// settings, seed, fractions) with split_file set to its split.txt, and its best
// checkpoint, else its last. Everything else in options keeps its default.
struct RunOnDisk {
  TrainOptions options;
  std::string checkpoint;
};
RunOnDisk read_run(const std::string& dir);

}  // namespace gsn::train
