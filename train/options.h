// Everything a training run is configured by; apps/train fills it from the command line
// and it is written to <out>/options.json at the start of every run.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

#include "nn/gsn_config.h"

namespace gsn::train {

struct TrainOptions {
  // Data
  std::string data = "synthetic";  // synthetic | pipal | kadid | tid2013 | csiq | csv
  std::string root;                // data set folder (or the CSV file for csv)
  std::string labels;              // csiq/csv label file, when not the default
  std::string pipal_part = "train";  // pipal: its "train" or "val" part
  bool lower_is_better = false;    // csv: DMOS-like scores
  std::string refs;                // synthetic: a folder of PNG references instead of generated ones
  int synth_refs = 48;             // synthetic: number of generated references
  int synth_size = 96;             // synthetic: reference width and height
  std::string split_file;          // read this split instead of drawing one
  double val_fraction = 0.15, test_fraction = 0.15;

  // Model
  std::string preset = "tiny";
  double theta = 0.7;
  bool attention = true;

  // Training
  int crop = 64;
  int batch = 16;
  int64_t epochs = 4;
  int64_t steps = 0;  // > 0: stop after this many steps instead
  std::string optimizer = "adamw";  // adam | adamw | sgd
  double lr = 1e-3, min_lr_ratio = 0.01;
  int64_t warmup = 20;
  double weight_decay = 1e-4;
  double momentum = 0.9;  // sgd
  double clip = 5.0;      // global gradient-norm clip; 0 = off
  double lambda = 1.0, tau = 1.0;
  int workers = 2;
  int threads = 0;  // CPU threads for the kernels; 0 = all cores
  std::string device = "auto";
  uint64_t seed = 0;

  // Evaluation
  std::string eval_mode = "full";  // full | crops (five fixed crops)
  int64_t eval_every = 0;          // steps between evaluations; 0 = once per epoch
  bool baselines = true;           // PSNR and SSIM beside GSN

  // Output
  std::string out = "runs/gsn";
  std::string resume;  // a checkpoint to continue from ("last" = <out>/last.safetensors)
  int64_t stop_at = 0;  // > 0: save and stop at this step, as Ctrl-C would (time-limited jobs)
  bool overwrite = false;  // a fresh run may replace an earlier run's files in out

  nn::GsnConfig model_config() const;
  std::string to_json() const;  // what options.json and a checkpoint's "options" hold
  // Back from to_json()'s text (fields it lacks keep their defaults); source names it in errors.
  static TrainOptions from_json(const std::string& json, const std::string& source);
};

// A value out of range, or options that contradict each other; the message names the
// command-line option. The apps exit with code 2 (bad arguments) on it.
class OptionError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Throws OptionError unless every field is in range: validate_data the fields that choose
// the data and its split (all gsn-eval reads), validate all of them.
void validate_data(const TrainOptions& o);

// The same options with the data paths (--root, --split, --refs) made absolute, from the
// working directory, without a trailing separator: what a run stores (options.json, the
// checkpoint), so that gsn-eval --run and --resume work from any folder. --labels stays
// as given: it is relative to --root.
TrainOptions with_absolute_paths(TrainOptions o);
void validate(const TrainOptions& o);

// Copies the fields that choose the data and its split (what validate_data checks, and
// split_file) from one set of options to another; the rest of `to` stays.
void copy_data_options(const TrainOptions& from, TrainOptions& to);

}  // namespace gsn::train
