// gsn-train: train GSN on the built-in synthetic data or a real IQA data set.
// See --help, and docs/gsn.md for how to train on each data set.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <set>
#include <string>

#include "apps/common/cli.h"
#include "train/run_folder.h"
#include "train/trainer.h"

namespace {
// SIGINT (Ctrl-C) and SIGTERM (kill, batch schedulers, docker stop): save a checkpoint at
// the next step and stop. Says so at once (write(2): safe in a handler), since the step,
// or a validation, may take a while to end.
void on_stop_signal(int signal) {
  if (!gsn::train::run_started()) {  // still reading the data: nothing written, nothing to save
    static const char kNow[] = "\ngsn-train: stopped before the run started; nothing was written\n";
    if (write(STDERR_FILENO, kNow, sizeof kNow - 1) < 0) {
    }
    _exit(128 + signal);
  }
  if (gsn::train::stop_requested()) {  // a second Ctrl-C: stop now, unsaved
    static const char kKill[] = "\ngsn-train: second signal: stopping at once, without saving\n";
    if (write(STDERR_FILENO, kKill, sizeof kKill - 1) < 0) {
    }
    std::signal(signal, SIG_DFL);
    std::raise(signal);
    return;
  }
  static const char kMsg[] =
      "\ngsn-train: stopping: a checkpoint is saved when the current step (and a validation due) ends; "
      "signal again to stop at once, unsaved\n";
  if (write(STDERR_FILENO, kMsg, sizeof kMsg - 1) < 0) {
  }
  gsn::train::request_stop(signal);
}
}  // namespace

int main(int argc, char** argv) {
  gsn::train::TrainOptions o;
  CLI::App app{"gsn-train: train GSN (Gradient Siamese Network) for full-reference image quality assessment.\n"
               "Writes options.json, split.txt, log.csv, eval.csv, last/best.safetensors and report.html into --out\n"
               "(which must not hold an earlier run: see --resume, --overwrite).\n"
               "Exit codes: 0 done, 1 error, 2 bad arguments, 3 loss became NaN/Inf, 130 stopped by Ctrl-C, 143 stopped by SIGTERM."};
  app.get_formatter()->column_width(34);
  auto* g = "Data";
  app.add_option("--data", o.data, "synthetic | pipal | kadid | tid2013 | csiq | csv")
      ->check(CLI::IsMember({"synthetic", "pipal", "kadid", "tid2013", "csiq", "csv"}))->group(g)->capture_default_str();
  app.add_option("--root", o.root, "the data set's folder (csv: the CSV file or its folder)")->group(g);
  app.add_option("--labels", o.labels, "csiq/csv: label file, when not the default")->group(g);
  app.add_option("--pipal-part", o.pipal_part, "pipal: its train or val part")->check(CLI::IsMember({"train", "val"}))->group(g)->capture_default_str();
  app.add_flag("--lower-is-better", o.lower_is_better, "csv: scores are DMOS-like (lower is better)")->group(g);
  app.add_option("--refs", o.refs, "synthetic: a folder of PNG references instead of generated ones")->group(g);
  app.add_option("--synth-refs", o.synth_refs, "synthetic: generated references")->group(g)->capture_default_str();
  app.add_option("--synth-size", o.synth_size, "synthetic: reference size in pixels")->group(g)->capture_default_str();
  app.add_option("--split", o.split_file, "read the train/val/test split from this file (as written to --out)")->group(g);
  app.add_option("--val-fraction", o.val_fraction, "fraction of references for validation")->group(g)->capture_default_str();
  app.add_option("--test-fraction", o.test_fraction, "fraction of references for test")->group(g)->capture_default_str();
  g = "Model";
  app.add_option("--preset", o.preset, "tiny (for the CPU) | paper (for a GPU; train it with --crop 192)")
      ->check(CLI::IsMember({"tiny", "paper"}))->group(g)->capture_default_str();
  app.add_option("--theta", o.theta, "CDC theta in [0,1]")->group(g)->capture_default_str();
  app.add_flag("!--no-attention", o.attention, "ablation: no spatial attention")->group(g);
  g = "Training";
  app.add_option("--crop", o.crop, "square crop size (8..4096)")->group(g)->capture_default_str();
  app.add_option("--batch", o.batch, "pairs per batch (at least 2: the KL term compares pairs)")->group(g)->capture_default_str();
  app.add_option("--epochs", o.epochs, "epochs (ignored when --steps is set)")->group(g)->capture_default_str();
  app.add_option("--steps", o.steps, "total optimizer steps (overrides --epochs; 0: use --epochs)")->group(g);
  app.add_option("--optimizer", o.optimizer, "adam | adamw | sgd")
      ->check(CLI::IsMember({"adam", "adamw", "sgd"}))->group(g)->capture_default_str();
  app.add_option("--lr", o.lr, "peak learning rate")->group(g)->capture_default_str();
  app.add_option("--min-lr-ratio", o.min_lr_ratio, "final lr as a fraction of --lr (cosine)")->group(g)->capture_default_str();
  app.add_option("--warmup", o.warmup, "linear warm-up steps")->group(g)->capture_default_str();
  app.add_option("--weight-decay", o.weight_decay, "weight decay of conv and linear weights, not BN or biases (AdamW: decoupled)")->group(g)->capture_default_str();
  app.add_option("--momentum", o.momentum, "SGD momentum")->group(g)->capture_default_str();
  app.add_option("--clip", o.clip, "clip the global gradient norm (0: off)")->group(g)->capture_default_str();
  app.add_option("--lambda", o.lambda, "weight of the KL term of the loss")->group(g)->capture_default_str();
  app.add_option("--tau", o.tau, "softmax temperature of the KL term")->group(g)->capture_default_str();
  app.add_option("--workers", o.workers, "data loader threads")->group(g)->capture_default_str();
  gsn::app::add_threads_option(app, o.threads)->group(g);
  app.add_option("--device", o.device, "cpu | cuda | auto")->check(CLI::IsMember({"cpu", "cuda", "auto"}))->group(g)->capture_default_str();
  app.add_option("--seed", o.seed, "seed for data, split, initialisation and crops")
      ->check(gsn::app::kNotNegative)->group(g)->capture_default_str();
  g = "Evaluation";
  app.add_option("--eval-mode", o.eval_mode, "full (whole images) | crops (five fixed crops)")
      ->check(CLI::IsMember({"full", "crops"}))->group(g)->capture_default_str();
  app.add_option("--eval-every", o.eval_every, "steps between validations (0: once per epoch)")->group(g);
  app.add_flag("!--no-baselines", o.baselines, "skip the PSNR and SSIM baselines")->group(g);
  g = "Output";
  app.add_option("--out", o.out, "output folder")->group(g)->capture_default_str();
  app.add_option("--resume", o.resume, "continue from a checkpoint ('last': <out>/last.safetensors); the options left out "
                 "are the run's, --out its folder")->group(g);
  app.add_flag("--overwrite", o.overwrite, "replace an earlier run's files in --out (refused without this)")->group(g);
  GSN_CLI_PARSE(app, argc, argv)

  std::set<std::string> given;  // the options on the command line; --resume takes the rest from the run
  for (const CLI::Option* opt : app.get_options())
    if (opt->count() > 0) given.insert(gsn::train::option_key_of_flag(opt->get_name()));

  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  try {
    gsn::train::take_resumed_options(o, given);
    gsn::train::TrainResult r = gsn::train::run_training(o);
    return r.exit_code;
  } catch (const gsn::train::OptionError& e) {
    std::fprintf(stderr, "gsn-train: error: %s\n", e.what());
    return gsn::app::kExitBadArguments;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gsn-train: error: %s\n", e.what());
    return 1;
  }
}
