#include "train/options.h"

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kernels/core/error.h"

namespace gsn::train {

namespace {
// require(ok, "--batch", " must be at least 2, got ", batch)
template <class... Args> void require(bool ok, const Args&... what) {
  if (ok) return;
  std::ostringstream os;
  (os << ... << what);
  throw OptionError(os.str());
}
bool finite(double v) { return std::isfinite(v); }
}  // namespace

void validate_data(const TrainOptions& o) {
  // Options of the other kind of data would be ignored without a word (a user who gave
  // --root but forgot --data would train on the built-in set and think it was theirs).
  if (o.data == "synthetic") {
    require(o.root.empty() && o.labels.empty() && !o.lower_is_better,
            "--root, --labels and --lower-is-better describe a data set on disk, but --data is synthetic (the built-in "
            "set); add --data csv|pipal|kadid|tid2013|csiq");
  } else {
    require(!o.root.empty(), "--data ", o.data, " needs --root (the data set's folder, or the CSV file)");
    require(o.labels.empty() || o.data == "csiq" || o.data == "csv", "--labels is read for --data csiq and csv only; ",
            o.data, " finds its own labels under --root");
    require(!o.lower_is_better || o.data == "csv", "--lower-is-better is for --data csv only; ", o.data,
            " knows which way its scores run");
    require(o.pipal_part == "train" || o.data == "pipal", "--pipal-part is for --data pipal only");
    require(o.refs.empty(), "--refs gives the built-in synthetic set its references, but --data is ", o.data,
            " (a data set on disk has its own)");
  }
  require(o.pipal_part == "train" || o.pipal_part == "val", "--pipal-part must be train or val, got ", o.pipal_part);
  require(o.synth_refs >= 1 && o.synth_refs <= 100000, "--synth-refs must be in [1, 100000], got ", o.synth_refs);
  require(o.synth_size >= 8 && o.synth_size <= 8192, "--synth-size must be in [8, 8192], got ", o.synth_size);
  require(finite(o.val_fraction) && o.val_fraction >= 0 && o.val_fraction < 1,
          "--val-fraction must be in [0, 1), got ", o.val_fraction);
  require(finite(o.test_fraction) && o.test_fraction >= 0 && o.test_fraction < 1,
          "--test-fraction must be in [0, 1), got ", o.test_fraction);
  require(o.val_fraction + o.test_fraction < 1, "--val-fraction + --test-fraction must leave references to train on, got ",
          o.val_fraction, " + ", o.test_fraction);
  require(o.crop >= 8 && o.crop <= 4096, "--crop must be in [8, 4096], got ", o.crop);
}

TrainOptions with_absolute_paths(TrainOptions o) {
  // Not --labels: it is relative to --root (readers.h), which becomes absolute.
  for (std::string* path : {&o.root, &o.split_file, &o.refs})
    if (!path->empty()) {
      std::filesystem::path p = std::filesystem::absolute(*path).lexically_normal();
      if (p.filename().empty() && p.has_parent_path()) p = p.parent_path();  // "data/" and "data" alike
      *path = p.string();
    }
  return o;
}

void copy_data_options(const TrainOptions& from, TrainOptions& to) {
  to.data = from.data, to.root = from.root, to.labels = from.labels, to.pipal_part = from.pipal_part;
  to.lower_is_better = from.lower_is_better, to.refs = from.refs, to.synth_refs = from.synth_refs;
  to.synth_size = from.synth_size, to.split_file = from.split_file, to.val_fraction = from.val_fraction;
  to.test_fraction = from.test_fraction, to.seed = from.seed;
}

void validate(const TrainOptions& o) {
  validate_data(o);
  require(o.theta >= 0 && o.theta <= 1, "--theta must be in [0, 1], got ", o.theta);
  require(o.batch >= 2 && o.batch <= 100000, "--batch must be in [2, 100000] (the KL term compares pairs), got ",
          o.batch);
  require(o.steps >= 0, "--steps must be positive (or 0: use --epochs), got ", o.steps);
  require(o.steps > 0 || o.epochs >= 1, "--epochs must be at least 1, got ", o.epochs);
  require(finite(o.lr) && o.lr > 0, "--lr must be a positive number, got ", o.lr);
  require(finite(o.min_lr_ratio) && o.min_lr_ratio >= 0 && o.min_lr_ratio <= 1, "--min-lr-ratio must be in [0, 1], got ",
          o.min_lr_ratio);
  require(o.warmup >= 0, "--warmup must be 0 or more, got ", o.warmup);
  require(finite(o.weight_decay) && o.weight_decay >= 0, "--weight-decay must be 0 or more, got ", o.weight_decay);
  require(finite(o.momentum) && o.momentum >= 0 && o.momentum < 1, "--momentum must be in [0, 1), got ", o.momentum);
  require(finite(o.clip) && o.clip >= 0, "--clip must be 0 (off) or more, got ", o.clip);
  require(finite(o.lambda) && o.lambda >= 0, "--lambda must be 0 or more, got ", o.lambda);
  require(finite(o.tau) && o.tau > 0, "--tau must be positive, got ", o.tau);
  require(o.workers >= 0 && o.workers <= 256, "--workers must be in [0, 256], got ", o.workers);
  require(o.threads >= 0 && o.threads <= 1024, "--threads must be in [0, 1024] (0: all cores), got ", o.threads);
  require(o.eval_every >= 0, "--eval-every must be 0 (once per epoch) or more, got ", o.eval_every);
  require(o.stop_at >= 0, "stop_at must be 0 (off) or more, got ", o.stop_at);
  require(!o.out.empty(), "--out must name a folder");
}

nn::GsnConfig TrainOptions::model_config() const {
  nn::GsnConfig c = nn::GsnConfig::from_preset(preset);
  c.theta = theta;
  c.attention = attention;
  c.validate();
  return c;
}

// One list of the fields for both directions; a key missing from the JSON keeps its
// default (options.json files written before the field existed).
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TrainOptions, data, root, labels, pipal_part, lower_is_better, refs,
                                                synth_refs, synth_size, split_file, val_fraction, test_fraction, preset,
                                                theta, attention, crop, batch, epochs, steps, optimizer, lr,
                                                min_lr_ratio, warmup, weight_decay, momentum, clip, lambda, tau, workers,
                                                threads, device, seed, eval_mode, eval_every, baselines, out, resume,
                                                stop_at, overwrite)

std::string TrainOptions::to_json() const { return nlohmann::json(*this).dump(2); }

TrainOptions TrainOptions::from_json(const std::string& json, const std::string& source) {
  try {
    return nlohmann::json::parse(json).get<TrainOptions>();
  } catch (const nlohmann::json::exception& e) {
    GSN_THROW(source, ": not a run's options (", e.what(), ")");
  }
}

}  // namespace gsn::train
