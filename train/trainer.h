// A training run of GSN: data, model, optimizer, the loop, evaluation, logs, checkpoints
// and the report. apps/train is a command line around it; the e2e tests call it directly.
//
// Files in options.out:
//   options.json        the run's options
//   split.txt           the split by reference (read it back with --split)
//   log.csv             per step: step, epoch, lr, loss, mse, kl, grad_norm, pairs_per_s, seconds
//   eval.csv            per evaluation: step, split, method, n, srcc, krcc, plcc_raw, plcc_fit
//   last.safetensors    the latest checkpoint (also written on Ctrl-C)
//   best.safetensors    the checkpoint with the best validation SRCC
//   report.html         loss curves, validation SRCC, predicted-vs-label scatter
//
// Exit codes (TrainResult::exit_code): 0 done, 3 the loss became NaN or Inf, 130 stopped
// by Ctrl-C after saving a checkpoint.
#pragma once
#include <csignal>
#include <string>
#include <vector>

#include "train/evaluate.h"
#include "train/options.h"

namespace gsn::train {

struct TrainResult {
  int exit_code = 0;
  int64_t steps = 0;              // steps completed in total (resumed ones included)
  std::vector<double> losses;     // the loss of every step this run made
  EvalResult val, test;           // last validation; test with the best checkpoint
  bool has_test = false;
  std::string best_checkpoint, last_checkpoint;
  std::string message;            // why it stopped, when it stopped early
};

enum class Verbosity { Quiet, Normal };

TrainResult run_training(const TrainOptions& options, Verbosity verbosity = Verbosity::Normal);

// Asks a running run_training() to save a checkpoint at the next step and stop, with exit
// code 128 + signal (130 for SIGINT, 143 for SIGTERM): what gsn-train's handlers of SIGINT
// (Ctrl-C) and SIGTERM (kill, a batch scheduler, docker stop) call.
void request_stop(int signal = SIGINT);
// Whether run_training() has started writing its run (before that, a stop has nothing to
// save, and gsn-train's handler exits at once rather than wait for the data to be read).
// Safe to call from a signal handler.
bool run_started();
// Whether a stop has been asked for (and not yet acted on by a new run). Signal-safe.
bool stop_requested();

}  // namespace gsn::train
