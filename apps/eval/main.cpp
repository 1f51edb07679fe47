// gsn-eval: evaluate a checkpoint on a data set split: SRCC, KRCC, PLCC (raw and after the
// logistic fit) for GSN, PSNR and SSIM side by side, overall and per distortion type.
#include <cstdio>
#include <iomanip>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "apps/common/cli.h"
#include "apps/common/output_file.h"
#include "apps/common/report.h"
#include "data/readers.h"
#include "kernels/core/device_select.h"
#include "kernels/core/parallel.h"
#include "train/data_setup.h"
#include "train/model_io.h"
#include "train/run_folder.h"

namespace {
// A split given by hand (--split, --seed) can put references the model was trained on
// into the part being evaluated, which inflates every correlation. Where the checkpoint
// says how it was trained on this same data set, its training part is rebuilt from those
// options and the overlap is reported.
void warn_if_trained_on(const gsn::train::LoadedModel& m, const gsn::train::TrainOptions& o,
                        const gsn::data::PairSource& source, const std::vector<std::size_t>& pairs,
                        const std::string& part) {
  if (m.training_options.empty()) return;
  const gsn::train::TrainOptions trained =
      gsn::train::with_absolute_paths(gsn::train::TrainOptions::from_json(m.training_options, "the checkpoint"));
  const gsn::train::TrainOptions now = gsn::train::with_absolute_paths(o);
  if (trained.data != now.data || trained.root != now.root || trained.labels != now.labels ||
      trained.refs != now.refs || trained.synth_refs != now.synth_refs || trained.synth_size != now.synth_size)
    return;  // another data set: its references are not the training run's
  std::set<std::string> trained_refs;
  try {
    const gsn::train::DataSetup t = gsn::train::open_data(trained);
    for (std::size_t i : t.split.train) trained_refs.insert(t.source->info(i).ref_id);
  } catch (const std::exception& e) {  // the run's split file moved, say: nothing to compare
    std::fprintf(stderr, "gsn-eval: note: the training run's split could not be rebuilt to check for overlap (%s)\n",
                 e.what());
    return;
  }
  std::set<std::string> overlap;
  std::size_t n = 0;
  for (std::size_t i : pairs)
    if (trained_refs.count(source.info(i).ref_id)) ++n, overlap.insert(source.info(i).ref_id);
  if (n > 0)
    std::fprintf(stderr,
                 "gsn-eval: warning: %zu of the %zu %s pairs (%zu references, e.g. %s) were in the training part of "
                 "the run that trained this checkpoint: their scores are not held out\n",
                 n, pairs.size(), part.c_str(), overlap.size(), overlap.begin()->c_str());
}
}  // namespace

int main(int argc, char** argv) {
  gsn::train::TrainOptions o;
  std::string checkpoint, run, part = "test", predictions, preset;
  CLI::App app{"gsn-eval: evaluate a GSN checkpoint on a data set split, beside PSNR and SSIM.\n"
               "  gsn-eval --run runs/demo          a gsn-train run: its data, split and best checkpoint\n"
               "  gsn-eval --checkpoint C           the data and split it was trained with (its metadata)\n"
               "  gsn-eval --checkpoint C --data D --root R --split S   any checkpoint on any data\n"
               "Exit codes: 0 done, 1 error, 2 bad arguments."};
  auto* run_opt = app.add_option("--run", run,
                                 "a gsn-train output folder: the data of its options.json, its split.txt and its "
                                 "best.safetensors (else last.safetensors) unless --checkpoint is given");
  app.add_option("--checkpoint", checkpoint, "checkpoint to evaluate");
  // The options that choose the data and the split: from --run's options.json when given.
  const std::vector<CLI::Option*> data_opts = {
      app.add_option("--data", o.data, "synthetic | pipal | kadid | tid2013 | csiq | csv")
          ->check(CLI::IsMember({"synthetic", "pipal", "kadid", "tid2013", "csiq", "csv"}))->capture_default_str(),
      app.add_option("--root", o.root, "the data set's folder"),
      app.add_option("--labels", o.labels, "csiq/csv label file"),
      app.add_option("--pipal-part", o.pipal_part, "pipal: its train or val part")
          ->check(CLI::IsMember({"train", "val"}))->capture_default_str(),
      app.add_flag("--lower-is-better", o.lower_is_better, "csv: DMOS-like scores"),
      app.add_option("--refs", o.refs, "synthetic: folder of PNG references"),
      app.add_option("--synth-refs", o.synth_refs, "synthetic: generated references")->capture_default_str(),
      app.add_option("--synth-size", o.synth_size, "synthetic: reference size")->capture_default_str(),
      app.add_option("--seed", o.seed, "seed of the data and split (use the training run's)")
          ->check(gsn::app::kNotNegative)->capture_default_str(),
      app.add_option("--split", o.split_file, "split file written by gsn-train (<run>/split.txt)")};
  for (CLI::Option* d : data_opts) run_opt->excludes(d);
  app.add_option("--part", part, "train | val | test | all")->check(CLI::IsMember({"train", "val", "test", "all"}))->capture_default_str();
  app.add_option("--eval-mode", o.eval_mode, "full | crops")->check(CLI::IsMember({"full", "crops"}))->capture_default_str();
  app.add_option("--crop", o.crop, "crop size for --eval-mode crops")->capture_default_str();
  app.add_option("--device", o.device, "cpu | cuda | auto")->check(CLI::IsMember({"cpu", "cuda", "auto"}))->capture_default_str();
  app.add_option("--predictions", predictions,
                 "write per-pair predictions to this CSV (ref,dist,type,level,label,gsn[,psnr,ssim]; "
                 "ref and dist are the files, or for synthetic pairs the reference's id)");
  gsn::app::add_preset_option(app, preset);
  app.add_flag("!--no-baselines", o.baselines, "skip PSNR and SSIM");
  gsn::app::add_threads_option(app, o.threads);
  GSN_CLI_PARSE(app, argc, argv)
  gsn::set_num_threads(o.threads);
  if (run.empty() && checkpoint.empty()) {
    std::fprintf(stderr, "gsn-eval: give --run (a gsn-train output folder) or --checkpoint\n");
    return gsn::app::kExitBadArguments;
  }
  try {
    if (!run.empty()) {  // the run's data and split; the evaluation options stay this command's
      const gsn::train::RunOnDisk r = gsn::train::read_run(run);
      gsn::train::copy_data_options(r.options, o);
      if (checkpoint.empty()) checkpoint = r.checkpoint;
    }
    if (!predictions.empty()) gsn::app::check_output_file("--predictions", predictions, {checkpoint});
    const gsn::Device dev = gsn::resolve_device(o.device);
    gsn::train::LoadedModel m = gsn::train::load_model(checkpoint, dev, preset);
    if (!preset.empty() && m.has_config)
      std::fprintf(stderr, "gsn-eval: note: --preset %s is not used: %s names its model\n", preset.c_str(),
                   checkpoint.c_str());
    if (run.empty() && !m.training_options.empty()) {
      // The split is drawn from the data, the seed and the fractions: with this command's
      // defaults it would be another split than the training run's, whose "test" part can
      // hold references the model was trained on. Take the run's, from the checkpoint:
      // all of its data options when none is given here, else its seed and fractions.
      const gsn::train::TrainOptions trained = gsn::train::TrainOptions::from_json(m.training_options, checkpoint);
      const bool other_data = app.count("--data") > 0 || app.count("--root") > 0;
      if (!other_data) {
        // The checkpoint's data options, with those given here on top (--seed, --split,
        // --synth-refs ... change the split or the set, not which data set it is).
        const gsn::train::TrainOptions given = o;
        gsn::train::copy_data_options(trained, o);
        for (CLI::Option* d : data_opts) {
          if (d->count() == 0) continue;
          const std::string flag = d->get_name();
          if (flag == "--labels") o.labels = given.labels;
          if (flag == "--pipal-part") o.pipal_part = given.pipal_part;
          if (flag == "--lower-is-better") o.lower_is_better = given.lower_is_better;
          if (flag == "--refs") o.refs = given.refs;
          if (flag == "--synth-refs") o.synth_refs = given.synth_refs;
          if (flag == "--synth-size") o.synth_size = given.synth_size;
          if (flag == "--seed") {
            o.seed = given.seed;
            if (app.count("--split") == 0) o.split_file.clear();  // else the run's split file would win
          }
          if (flag == "--split") o.split_file = given.split_file;
        }
        std::fprintf(stderr, "gsn-eval: the data the checkpoint was trained with (--data %s), from its metadata; "
                     "split seed %llu\n", o.data.c_str(), static_cast<unsigned long long>(o.seed));
      } else if (o.split_file.empty() && app.count("--seed") == 0) {
        o.seed = trained.seed;
        o.val_fraction = trained.val_fraction;
        o.test_fraction = trained.test_fraction;
        std::fprintf(stderr,
                     "gsn-eval: split drawn with the training run's seed %llu and fractions (val %g, test %g), from "
                     "the checkpoint; give --split <run>/split.txt for the run's own split file, or --seed for another\n",
                     static_cast<unsigned long long>(o.seed), o.val_fraction, o.test_fraction);
      }
    }
    gsn::train::DataSetup d = gsn::train::open_data(o);
    std::vector<std::size_t> pairs;
    if (part == "all")
      for (std::size_t i = 0; i < d.source->size(); ++i) pairs.push_back(i);
    else
      pairs = part == "train" ? d.split.train : part == "val" ? d.split.val : d.split.test;
    GSN_CHECK(!pairs.empty(), "the ", part, " split is empty: ", d.split.summary());
    if (part == "val" || part == "test") warn_if_trained_on(m, o, *d.source, pairs, part);
    std::fprintf(stderr, "gsn-eval: %s, %s part: %zu pairs; model trained on %s for %lld steps\n",
                 gsn::data::summarize(*d.source).c_str(), part.c_str(), pairs.size(), m.dataset.c_str(),
                 static_cast<long long>(m.step));
    gsn::data::EvalOptions eo;
    eo.mode = o.eval_mode == "crops" ? gsn::data::EvalMode::FiveCrops : gsn::data::EvalMode::FullImage;
    eo.crop = o.crop;
    gsn::train::Baselines b;
    if (o.baselines) b = gsn::train::compute_baselines(*d.source, pairs);
    gsn::train::EvalResult r = gsn::train::evaluate(*m.model, *d.source, pairs, eo, dev, m.norm, o.baselines ? &b : nullptr);
    std::printf("%s", gsn::train::format_eval(r, true).c_str());
    if (!predictions.empty()) {
      // Every pair identified: by its two files, or, for a synthetic pair (no files), by
      // its reference's id ("synth-17"), type and level; and 17 digits, so the metrics
      // recomputed from the file are the ones printed.
      std::ostringstream out;
      out << std::setprecision(17);
      out << "ref,dist,type,level,label,gsn" << (o.baselines ? ",psnr,ssim" : "") << "\n";
      for (std::size_t i = 0; i < pairs.size(); ++i) {
        const gsn::data::PairInfo& info = d.source->info(pairs[i]);
        out << (info.ref_path.empty() ? info.ref_id : info.ref_path) << "," << info.dist_path << ","
            << info.distortion << "," << info.level << "," << r.label[i] << "," << r.pred[i];
        if (o.baselines) out << "," << b.psnr[i] << "," << b.ssim[i];
        out << "\n";
      }
      gsn::app::write_file_atomic(predictions, out.str());
    }
    return 0;
  } catch (const gsn::train::OptionError& e) {
    std::fprintf(stderr, "gsn-eval: error: %s\n", e.what());
    return gsn::app::kExitBadArguments;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gsn-eval: error: %s\n", e.what());
    return 1;
  }
}
