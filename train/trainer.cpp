#include "train/trainer.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "apps/common/progress.h"
#include "apps/common/report.h"
#include "data/loader.h"
#include "data/readers.h"
#include "kernels/core/backend.h"
#include "kernels/core/device_select.h"
#include "kernels/core/parallel.h"
#include "kernels/linear/sgemm_cpu_simd.h"
#include "losses/losses_ag.h"
#include "nn/checkpoint.h"
#include "train/data_setup.h"
#include "train/model_io.h"
#include "train/optimizer.h"
#include "train/run_folder.h"
#include "train/run_log.h"

namespace gsn::train {

namespace {

std::atomic<int> g_stop{0};         // the signal that asked the run to stop (0: none)
std::atomic<bool> g_started{false};  // --out is the run's: a stop must save, not just exit

namespace fs = std::filesystem;

ScoreNorm train_score_norm(const data::PairSource& source, const std::vector<std::size_t>& train) {
  double mean = 0, sq = 0;
  for (std::size_t i : train) mean += source.info(i).score;
  mean /= static_cast<double>(train.size());
  for (std::size_t i : train) sq += (source.info(i).score - mean) * (source.info(i).score - mean);
  const double std = std::sqrt(sq / static_cast<double>(train.size()));
  GSN_CHECK(std > 0, "every training pair has the same score (", mean, "): nothing to learn");
  GSN_CHECK(std::isfinite(mean) && std::isfinite(std), "the training scores' mean (", mean, ") or spread (", std,
            ") is not a finite number: scores this large (|score| near 1e300?) cannot be standardised; rescale them");
  return {mean, std};
}

struct Checkpointer {
  std::string dir;
  nn::GsnModel& model;
  Optimizer& optim;
  const TrainOptions& options;
  const ScoreNorm& norm;
  std::string dataset;

  void save(const std::string& name, int64_t step, double best_srcc) const {
    std::map<std::string, std::string> meta = {
        {"format", "gsn-checkpoint-1"}, {"config", model.config().to_json()}, {"step", std::to_string(step)},
        {"score_mean", fmt(norm.mean)}, {"score_std", fmt(norm.std)}, {"dataset", dataset},
        {"best_val_srcc", fmt(best_srcc)}, {"options", options.to_json()}};
    nn::save_checkpoint((fs::path(dir) / name).string(), model, optim.state(), meta);
  }
  static std::string fmt(double v) {
    char b[40];
    std::snprintf(b, sizeof b, "%.17g", v);
    return b;
  }
};

// An evaluation whose predictions are not all finite: the model has diverged.
bool all_finite(const std::vector<double>& v) {
  for (double x : v)
    if (!std::isfinite(x)) return false;
  return true;
}

}  // namespace

void request_stop(int signal) { g_stop = signal; }
bool run_started() { return g_started.load(); }
bool stop_requested() { return g_stop.load() != 0; }

TrainResult run_training(const TrainOptions& given, Verbosity verbosity) {
  const TrainOptions o = with_absolute_paths(given);  // as stored: usable from any folder
  const bool loud = verbosity == Verbosity::Normal;
  app::Progress* progress_line = nullptr;  // the training bar, once it runs
  auto say = [&](const std::string& s) {
    if (!loud) return;
    if (progress_line) progress_line->end_line();  // a message never runs into the bar
    std::fprintf(stderr, "%s\n", s.c_str());
  };
  validate(o);
  g_stop = 0;
  g_started = false;
  TrainResult result;
  // Nothing is written into (or deleted from) --out before the run is sure to start: a
  // refused resume must leave the run it was asked to continue as it was, and a run that
  // fails to start (a crop that does not fit, an unreadable validation image) must not
  // have deleted the run --overwrite was to replace.
  const std::vector<std::string> replaced = check_run_folder(o);
  set_num_threads(o.threads);
  const Device device = resolve_device(o.device);

  // Data: source, split by reference, the training score normalisation.
  DataSetup data = open_data(o);
  say("data: " + data::summarize(*data.source));
  say("split: " + data.split.summary());
  ScoreNorm norm = train_score_norm(*data.source, data.split.train);

  // Model and optimizer.
  nn::GsnModel model(o.model_config(), o.seed);
  model.to(device);
  OptimOptions oo;
  oo.kind = o.optimizer;
  oo.weight_decay = o.weight_decay;
  oo.momentum = o.momentum;
  oo.clip = o.clip;
  Optimizer optim(model.named_parameters(), oo);
  say("model: GSN " + o.preset + ", " + std::to_string(model.parameter_count()) + " parameters, device " +
      device_name(device) + (device == Device::CUDA ? " (" + cuda_status() + ")" : "") + ", " +
      std::to_string(num_threads()) + " CPU threads" +
      (device == Device::CPU ? std::string(", conv micro-kernels ") + cpu::sgemm_simd_name() : std::string()));

  int64_t start_step = 0;
  double best_srcc = -INFINITY;
  std::string last_good;  // the newest checkpoint known to hold finite weights, with its step
  if (!o.resume.empty()) {
    const std::string path = resolve_resume(o);
    SafetensorsFile file = load_safetensors(path);
    check_resume_options(path, file.metadata, o);  // before anything is loaded or written
    SafetensorsFile rest = nn::load_checkpoint(std::move(file), path, model);
    optim.load_state(rest.tensors, path);
    start_step = static_cast<int64_t>(metadata_number(rest.metadata, "step", path));
    norm.mean = metadata_number(rest.metadata, "score_mean", path);
    norm.std = metadata_number(rest.metadata, "score_std", path);
    best_srcc = metadata_number(rest.metadata, "best_val_srcc", path);
    last_good = path + " (step " + std::to_string(start_step) + ")";
    say("resumed from " + path + " at step " + std::to_string(start_step));
  }

  data::LoaderOptions lo;
  lo.batch_size = o.batch;
  lo.crop = o.crop;
  lo.workers = o.workers;
  lo.seed = o.seed;
  lo.start_batch = start_step;
  data::TrainLoader loader(*data.source, data.split.train, lo);
  const int64_t per_epoch = loader.batches_per_epoch();
  GSN_CHECK(per_epoch > 0, "the training split has ", data.split.train.size(), " pairs, fewer than one batch of ",
            o.batch);
  const int64_t total = o.steps > 0 ? o.steps : o.epochs * per_epoch;
  const int64_t eval_every = o.eval_every > 0 ? o.eval_every : per_epoch;
  GSN_CHECK(start_step <= total, resolve_resume(o), ": the checkpoint is at step ", start_step, ", past this run's ",
            total, " steps");
  if (start_step == total) say("the run is complete at step " + std::to_string(total) + ": nothing left to train");
  if (o.warmup >= total)
    say("warning: --warmup " + std::to_string(o.warmup) + " is not shorter than the run (" + std::to_string(total) +
        " steps): the learning rate never reaches --lr " + std::to_string(o.lr) + "; give a smaller --warmup");

  data::EvalOptions eo;
  eo.mode = o.eval_mode == "crops" ? data::EvalMode::FiveCrops : data::EvalMode::FullImage;
  eo.crop = o.crop;
  eo.workers = o.workers;
  const std::vector<std::size_t>& val = data.split.val.empty() ? data.split.train : data.split.val;
  // eval.csv names the pairs a validation ran on: the training pairs when there is no
  // validation split.
  const char* val_part = data.split.val.empty() ? "train" : "val";
  if (data.split.val.empty())
    say("warning: the validation split is empty; validating on the training pairs, so the best checkpoint is "
        "chosen on them");
  Baselines val_baselines;
  if (o.baselines) val_baselines = compute_baselines(*data.source, val);  // reads every validation pair
  // The first batch, made before anything is written: a crop that does not fit or an
  // unreadable training image in it stops the run here.
  std::optional<data::Batch> first_batch;
  if (start_step < total) first_batch = loader.next();

  // The run starts: from here on --out is this run's.
  g_started = true;
  clear_run_files(o, replaced);
  fs::create_directories(o.out);
  app::write_file_atomic((fs::path(o.out) / "options.json").string(), o.to_json() + "\n");
  data::write_split((fs::path(o.out) / "split.txt").string(), *data.source, data.split);
  RunLog log(o.out, start_step);
  Checkpointer ckpt{o.out, model, optim, o, norm, data.source->name()};
  result.last_checkpoint = (fs::path(o.out) / "last.safetensors").string();
  result.best_checkpoint = (fs::path(o.out) / "best.safetensors").string();

  auto save_last = [&](int64_t step) {
    ckpt.save("last.safetensors", step, best_srcc);
    last_good = result.last_checkpoint + " (step " + std::to_string(step) + ")";
  };
  // Validates and saves; false when the model's predictions are not all finite (it has
  // diverged: then nothing is saved, so last.safetensors stays the last good model).
  auto run_eval = [&](int64_t step) {
    result.val = evaluate(model, *data.source, val, eo, device, norm, o.baselines ? &val_baselines : nullptr);
    log.eval(step, val_part, result.val, true);
    say("validation at step " + std::to_string(step) + ":\n" + format_eval(result.val));
    if (!all_finite(result.val.pred)) return false;
    const double srcc = result.val.gsn().all.srcc;
    if (std::isfinite(srcc) && srcc > best_srcc) {
      best_srcc = srcc;
      ckpt.save("best.safetensors", step, best_srcc);
    }
    save_last(step);
    log.write_report(result.val, o.preset + " on " + data.source->name());
    return true;
  };
  // A data error after the start (an unreadable image in a later batch, or in the
  // validation set when the baselines did not read it first) ends the run, but keeps the
  // steps made: last.safetensors is written first, and the message says where it is.
  auto fail_keeping_progress = [&](const std::exception& e, int64_t step) {
    if (step == start_step) throw;
    std::string kept;
    try {
      if (!nn::all_finite(model))
        throw Error("the weights are NaN or Inf: nothing saved; the last good checkpoint is " +
                    (last_good.empty() ? std::string("(none written yet)") : last_good));
      save_last(step);
      kept = "the " + std::to_string(step - start_step) + " steps trained before it are saved in " +
             result.last_checkpoint + " (step " + std::to_string(step) + "; continue with --resume " +
             result.last_checkpoint + " once the data is fixed)";
    } catch (const std::exception& save_error) {
      kept = std::string("saving the steps trained before it failed too: ") + save_error.what();
    }
    throw Error(std::string(e.what()) + "\n" + kept);
  };
  auto diverged = [&](const std::string& what, int64_t step) {
    result.exit_code = 3;
    result.message = what + " at step " + std::to_string(step) + "; the last good checkpoint is " +
                     (last_good.empty() ? "(none written yet)" : last_good) + ". Try a lower --lr or a smaller --clip.";
  };

  model.train();
  app::Progress progress("train", total - start_step, "step");
  if (loud) progress_line = &progress;
  int64_t step = start_step;
  const auto t0 = std::chrono::steady_clock::now();
  for (; step < total; ++step) {
    const bool stop_here = o.stop_at > 0 && step >= o.stop_at;
    const int signal = g_stop.load();
    // A finite loss can still leave NaN or Inf weights: never save them over the last good checkpoint.
    if ((signal != 0 || stop_here) && !nn::all_finite(model)) {
      diverged("the weights became NaN or Inf (stopping, nothing saved)", step);
      break;
    }
    if (signal != 0 || stop_here) {
      save_last(step);
      result.exit_code = stop_here ? 0 : 128 + signal;
      result.message = std::string(stop_here                 ? "stopped at step "
                                   : signal == SIGINT  ? "stopped by Ctrl-C at step "
                                   : signal == SIGTERM ? "stopped by SIGTERM at step "
                                                             : "stopped by signal " + std::to_string(signal) + " at step ") +
                       std::to_string(step) + "; continue with --resume " + result.last_checkpoint;
      break;
    }
    data::Batch batch;
    if (first_batch) {
      batch = std::move(*first_batch);
      first_batch.reset();
    } else {
      try {
        batch = loader.next();
      } catch (const std::exception& e) {
        fail_keeping_progress(e, step);
      }
    }
    const double lr = cosine_lr(step, total, o.warmup, o.lr, o.min_lr_ratio);
    Tensor y = batch.score.clone();
    {
      float* p = y.data<float>();
      for (int64_t i = 0; i < y.numel(); ++i) p[i] = static_cast<float>((p[i] - norm.mean) / norm.std);
    }
    Var q = model.forward(batch.ref.to(device), batch.dist.to(device));
    Var yv(y.to(device));
    Var loss = ag::gsn_loss(q, yv, o.lambda, o.tau);
    backward(loss);
    const double loss_value = loss.item();
    if (!std::isfinite(loss_value)) {
      model.zero_grad();
      diverged(std::string("the loss became ") + (std::isnan(loss_value) ? "NaN" : "Inf"), step + 1);  // 1-based, as log.csv
      break;
    }
    double mse = NAN, kl = NAN;
    {
      NoGradGuard ng;
      mse = ag::mse_loss(Var(q.value()), yv).item();
      kl = ag::kl_batch_loss(Var(q.value()), yv, o.tau).item();
    }
    const double grad_norm = optim.step(lr);
    model.zero_grad();
    result.losses.push_back(loss_value);

    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double pairs_per_s = static_cast<double>((step + 1 - start_step) * o.batch) / std::max(seconds, 1e-9);
    log.step(step + 1, batch.epoch, lr, loss_value, mse, kl, grad_norm, pairs_per_s, seconds);
    char extra[96];
    std::snprintf(extra, sizeof extra, "loss %.4f  %.1f pairs/s  epoch %lld", loss_value, pairs_per_s,
                  static_cast<long long>(batch.epoch));
    if (loud) progress.update(step + 1 - start_step, extra);
    // A validation due is made even when a stop was asked for during the step: a resumed
    // run starts after it and would never make it, and its log, report and best
    // checkpoint must be those of a run that never stopped.
    if ((step + 1) % eval_every == 0 || step + 1 == total) {
      bool finite = false;
      try {
        finite = run_eval(step + 1);
      } catch (const std::exception& e) {
        fail_keeping_progress(e, step + 1);
      }
      if (!finite) {
        diverged("the model's validation predictions became NaN or Inf", step + 1);
        ++step;  // this step was made
        break;
      }
    }
  }
  if (loud) progress.finish();
  progress_line = nullptr;
  result.steps = step;
  if (step == total && result.exit_code == 0 && g_stop.load() != 0) {
    // Stopped during the last step: the run is complete and saved; the test (a full pass
    // over the test part) is left to gsn-eval rather than keep the user waiting.
    const int signal = g_stop.load();
    result.exit_code = 128 + signal;
    result.message = "stopped after the last step, before the test evaluation: the run is complete in " + o.out +
                     "; test it with gsn-eval --run " + o.out;
  }
  if (step == total && result.exit_code == 0 && !data.split.test.empty()) {
    // Test once, with the best checkpoint (this run's: check_run_folder): the number to report.
    const bool have_best = fs::exists(result.best_checkpoint);
    int64_t tested_step = step;  // the step of the weights tested: eval.csv's step column
    if (have_best) {
      const SafetensorsFile best = nn::load_checkpoint(result.best_checkpoint, model);
      tested_step = static_cast<int64_t>(metadata_number(best.metadata, "step", result.best_checkpoint, double(step)));
    }
    try {
      Baselines tb;
      if (o.baselines) tb = compute_baselines(*data.source, data.split.test);
      result.test = evaluate(model, *data.source, data.split.test, eo, device, norm, o.baselines ? &tb : nullptr);
    } catch (const std::exception& e) {  // the test pairs are first read here
      throw Error(std::string(e.what()) + "\nthe training itself finished: its checkpoints are in " + o.out +
                  " (best.safetensors, last.safetensors); test them with gsn-eval --run " + o.out +
                  " once the data is fixed");
    }
    result.has_test = true;
    log.eval(tested_step, "test", result.test, false);
    bool typed = false;  // per-type results exist only where the data set names types
    for (std::size_t i : data.split.test) typed = typed || !data.source->info(i).distortion.empty();
    const std::string run_arg = o.out.find(' ') == std::string::npos ? o.out : "'" + o.out + "'";
    if (loud) {  // the run's result: on stdout, where `gsn-train ... > result.txt` keeps it
      std::fflush(stderr);
      std::printf("test (%s, step %lld, %zu pairs):\n%s%s", have_best ? "best checkpoint" : "final model: no validation SRCC was finite",
                  static_cast<long long>(tested_step), result.test.label.size(), format_eval(result.test).c_str(),
                  typed ? ("  per distortion type: gsn-eval --run " + run_arg + "\n").c_str() : "");
      std::fflush(stdout);
    }
  }
  if (!result.message.empty()) say(result.message);
  return result;
}

}  // namespace gsn::train
