// End to end (ctest label e2e): GSN tiny trained on a small synthetic set on the CPU.
// The loss falls, held-out SRCC beats a stated threshold, a second run with the same seed
// gives the same losses to the bit, and a run resumed from its checkpoint finishes exactly
// where an uninterrupted run does.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "data/image_io.h"
#include "kernels/core/random.h"
#include "nn/safetensors.h"
#include "tests/test_util.h"
#include "train/data_setup.h"
#include "train/model_io.h"
#include "train/run_folder.h"
#include "train/trainer.h"

using namespace gsn;

namespace {

train::TrainOptions small_run(const std::string& out, int64_t steps) {
  train::TrainOptions o;
  o.data = "synthetic";
  o.synth_refs = 16;
  o.synth_size = 48;
  o.crop = 32;
  o.batch = 8;
  o.steps = steps;
  o.eval_every = steps;  // validate once, at the end
  o.lr = 5e-3;
  o.warmup = 10;
  o.workers = 2;
  o.device = "cpu";
  o.seed = 11;
  o.baselines = true;
  o.out = out;
  return o;
}

double mean_of(const std::vector<double>& v, std::size_t b, std::size_t e) {
  double s = 0;
  for (std::size_t i = b; i < e; ++i) s += v[i];
  return s / static_cast<double>(e - b);
}

}  // namespace

TEST_CASE("e2e: tiny GSN learns the synthetic levels") {
  test::TempDir dir;
  train::TrainResult a = train::run_training(small_run(dir.file("a"), 200), train::Verbosity::Quiet);
  REQUIRE(a.exit_code == 0);
  REQUIRE(a.losses.size() == 200);
  const double first = mean_of(a.losses, 0, 20), last = mean_of(a.losses, 180, 200);
  REQUIRE(a.has_test);
  MESSAGE("loss: first 20 steps ", first, ", last 20 steps ", last, "; test SRCC GSN ", a.test.gsn().all.srcc,
          ", PSNR ", a.test.methods[1].all.srcc, ", SSIM ", a.test.methods[2].all.srcc);
  // Measured on this configuration: the loss falls to about 0.69 of its start and held-out
  // SRCC reaches about 0.49 (PSNR 0.37, SSIM 0.51). The bounds leave room for noise.
  CHECK(last < 0.85 * first);
  CHECK(a.test.gsn().all.srcc > 0.4);
  for (const char* f : {"log.csv", "eval.csv", "split.txt", "options.json", "report.html", "last.safetensors",
                        "best.safetensors"})
    CHECK_MESSAGE(std::filesystem::exists(dir.file(std::string("a/") + f)), f);

  // Read back from its folder (gsn-eval --run), the run evaluates its test split again to
  // the bit: the same data (the run's seed), the same split, the best checkpoint.
  const train::RunOnDisk run = train::read_run(dir.file("a"));
  CHECK(run.checkpoint == dir.file("a/best.safetensors"));
  CHECK(run.options.seed == 11);
  const train::DataSetup d = train::open_data(run.options);
  const train::LoadedModel m = train::load_model(run.checkpoint, Device::CPU);
  data::EvalOptions eo;
  eo.crop = 32;
  const train::EvalResult again = train::evaluate(*m.model, *d.source, d.split.test, eo, Device::CPU, m.norm, nullptr);
  CHECK(again.label == a.test.label);
  CHECK(again.pred == a.test.pred);
}

TEST_CASE("e2e: a second run matches to the bit, and resuming from step k gives the run that never stopped") {
  test::TempDir dir;
  train::TrainResult full = train::run_training(small_run(dir.file("full"), 24), train::Verbosity::Quiet);
  REQUIRE(full.exit_code == 0);
  REQUIRE(full.losses.size() == 24);
  // Same seed, same data, CPU: the same losses to the bit.
  train::TrainResult again = train::run_training(small_run(dir.file("again"), 24), train::Verbosity::Quiet);
  CHECK(again.losses == full.losses);

  train::TrainOptions o = small_run(dir.file("part"), 24);
  o.stop_at = 10;  // stops and saves at step 10, as Ctrl-C would
  train::TrainResult first = train::run_training(o, train::Verbosity::Quiet);
  REQUIRE(first.exit_code == 0);
  REQUIRE(first.losses.size() == 10);
  o.stop_at = 0;
  o.resume = "last";
  train::TrainResult second = train::run_training(o, train::Verbosity::Quiet);
  REQUIRE(second.exit_code == 0);
  REQUIRE(second.losses.size() == 14);

  for (std::size_t i = 0; i < 10; ++i) CHECK(first.losses[i] == full.losses[i]);
  for (std::size_t i = 0; i < 14; ++i) CHECK(second.losses[i] == full.losses[10 + i]);
  SafetensorsFile a = load_safetensors(dir.file("full/last.safetensors"));
  SafetensorsFile b = load_safetensors(dir.file("part/last.safetensors"));
  REQUIRE(a.tensors.size() == b.tensors.size());
  for (const auto& [name, t] : a.tensors) CHECK_MESSAGE(t.to_vector<double>() == b.tensors.at(name).to_vector<double>(), name);
  CHECK(a.metadata.at("step") == "24");
  CHECK(b.metadata.at("step") == "24");

  // The resumed run's log reads as if it never stopped: the same rows, but for the columns
  // that time it (pairs_per_s, seconds).
  auto logged = [&](const std::string& run) {
    std::ifstream in(dir.file(run + "/log.csv"));
    std::vector<std::string> rows;
    for (std::string line; std::getline(in, line);) {
      std::size_t cut = 0;
      for (int comma = 0; comma < 7 && cut != std::string::npos; ++comma) cut = line.find(',', cut + 1);
      rows.push_back(line.substr(0, cut));  // step,epoch,lr,loss,mse,kl,grad_norm
    }
    return rows;
  };
  const std::vector<std::string> full_log = logged("full");
  CHECK(full_log.size() == 25);  // header + 24 steps
  CHECK(logged("part") == full_log);
}

TEST_CASE("e2e: Ctrl-C saves a checkpoint and exits 130; a diverging run stops with exit 3 and says where") {
  test::TempDir dir;
  {
    train::TrainOptions o = small_run(dir.file("stop"), 100000);
    std::thread stopper([] {
      std::this_thread::sleep_for(std::chrono::seconds(3));
      train::request_stop();  // what the SIGINT handler of gsn-train calls
    });
    train::TrainResult r = train::run_training(o, train::Verbosity::Quiet);
    stopper.join();
    CHECK(r.exit_code == 130);
    CHECK(r.message.find("stopped by Ctrl-C at step") != std::string::npos);
    REQUIRE(std::filesystem::exists(dir.file("stop/last.safetensors")));
    CHECK(load_safetensors(dir.file("stop/last.safetensors")).metadata.at("step") == std::to_string(r.steps));
  }
  {
    train::TrainOptions o = small_run(dir.file("nan"), 50);
    o.lr = 1e30;  // diverges within a few steps
    o.clip = 0;
    o.warmup = 0;
    train::TrainResult r = train::run_training(o, train::Verbosity::Quiet);
    CHECK(r.exit_code == 3);
    CHECK(r.message.find("the loss became") != std::string::npos);
    CHECK(r.message.find("at step " + std::to_string(r.steps + 1) + ";") != std::string::npos);  // 1-based, as log.csv
    CHECK(r.message.find("last good checkpoint") != std::string::npos);
  }
  {
    // The loss is still finite after the first step, but the model's predictions are not:
    // no checkpoint is saved from it, so none can be offered as the last good one.
    train::TrainOptions o = small_run(dir.file("nan-eval"), 3);
    o.lr = 1e30;
    o.clip = 0;
    o.warmup = 0;
    o.eval_every = 1;
    train::TrainResult r = train::run_training(o, train::Verbosity::Quiet);
    CHECK(r.exit_code == 3);
    CHECK(r.message.find("validation predictions became NaN or Inf at step 1;") != std::string::npos);
    CHECK(r.message.find("(none written yet)") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir.file("nan-eval/last.safetensors")));
    CHECK_FALSE(std::filesystem::exists(dir.file("nan-eval/best.safetensors")));
  }
}

namespace {
std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

TEST_CASE("e2e: a resume with other options is refused and leaves the run as it was; a fresh run does not mix with an old one") {
  test::TempDir dir;
  const std::string out = dir.file("run");
  train::TrainOptions o = small_run(out, 4);
  o.baselines = false;
  REQUIRE(train::run_training(o, train::Verbosity::Quiet).exit_code == 0);
  const std::string split = file_text(out + "/split.txt"), options = file_text(out + "/options.json");
  const std::string last = file_text(out + "/last.safetensors");

  // Another seed would draw another split (test references could land in training), another
  // batch other steps: refused, naming each option, before anything in the folder changes.
  train::TrainOptions other = o;
  other.resume = "last";
  other.seed = 12;
  other.batch = 4;
  other.threads = 1;  // free to change: how fast, not what
  CHECK_THROWS_WITH_AS(train::run_training(other, train::Verbosity::Quiet),
                       doctest::Contains("--batch 4 (the run: 8), --seed 12 (the run: 11)"), train::OptionError);
  CHECK(file_text(out + "/split.txt") == split);
  CHECK(file_text(out + "/options.json") == options);
  CHECK(file_text(out + "/last.safetensors") == last);

  // gsn-train --resume FILE alone: the options left out are the run's, --out its folder;
  // one given differently is kept, for check_resume_options to refuse.
  train::TrainOptions bare;
  bare.resume = out + "/last.safetensors";
  train::take_resumed_options(bare, {"resume"});
  train::TrainOptions expect = o;
  expect.resume = bare.resume;
  CHECK(bare.to_json() == expect.to_json());
  train::TrainOptions batch_given;
  batch_given.resume = bare.resume;
  batch_given.batch = 4;
  train::take_resumed_options(batch_given, {"resume", "batch"});
  CHECK(batch_given.batch == 4);
  CHECK(batch_given.seed == o.seed);
  CHECK(train::option_key_of_flag("--no-baselines") == "baselines");
  CHECK(train::option_key_of_flag("--split") == "split_file");
  CHECK(train::option_key_of_flag("--eval-every") == "eval_every");

  // A fresh run into the same folder would cut its logs and leave its checkpoints looking
  // like the new run's: refused, unless asked to replace it.
  CHECK_THROWS_WITH_AS(train::run_training(o, train::Verbosity::Quiet), doctest::Contains("holds an earlier run"),
                       train::OptionError);
  CHECK(file_text(out + "/last.safetensors") == last);
  // --overwrite replaces the old run only once the new one starts: one that cannot (its
  // crops do not fit the 48x48 images) leaves the old run whole.
  train::TrainOptions cannot = o;
  cannot.overwrite = true;
  cannot.crop = 64;
  CHECK_THROWS_WITH_AS(train::run_training(cannot, train::Verbosity::Quiet), doctest::Contains("crops do not fit"), Error);
  CHECK(file_text(out + "/last.safetensors") == last);
  CHECK(file_text(out + "/options.json") == options);
  o.overwrite = true;
  o.lr = 1e-3;  // another run
  REQUIRE(train::run_training(o, train::Verbosity::Quiet).exit_code == 0);
  CHECK(file_text(out + "/last.safetensors") != last);

  // A checkpoint from another folder resumed into this one would splice two runs' logs.
  train::TrainOptions b = small_run(dir.file("b"), 4);
  b.baselines = false;
  b.stop_at = 2;
  REQUIRE(train::run_training(b, train::Verbosity::Quiet).exit_code == 0);
  train::TrainOptions into = b;
  into.stop_at = 0;
  into.out = out;
  into.resume = dir.file("b/last.safetensors");
  CHECK_THROWS_WITH_AS(train::run_training(into, train::Verbosity::Quiet), doctest::Contains("holds an earlier run"),
                       train::OptionError);
  into.out = dir.file("c");  // an empty folder: fine
  CHECK(train::run_training(into, train::Verbosity::Quiet).exit_code == 0);

  // Out-of-range options are refused by name.
  train::TrainOptions bad = small_run(dir.file("bad"), 4);
  bad.steps = -5;
  CHECK_THROWS_WITH_AS(train::run_training(bad, train::Verbosity::Quiet), doctest::Contains("--steps"), train::OptionError);
  CHECK_FALSE(std::filesystem::exists(dir.file("bad")));
}

TEST_CASE("e2e: an unreadable image met after the start ends the run with its name, keeping the steps made") {
  test::TempDir dir;
  namespace fs = std::filesystem;
  // A CSV data set whose validation pairs include a truncated PNG; without the baselines
  // (which read every validation pair before the start) it is first read at step 2.
  Generator gen(5);
  auto noise_image = [&] {
    data::Image im(40, 40);
    for (float& v : im.rgb) v = static_cast<float>(gen.uniform());
    return im;
  };
  std::ofstream csv(dir.file("pairs.csv"));
  csv << "ref,dist,score,split\n";
  for (int r = 0; r < 4; ++r) {
    const std::string ref = "r" + std::to_string(r) + ".png";
    data::write_png(dir.file(ref), noise_image());
    for (int d = 0; d < 4; ++d) {
      const std::string dist = "r" + std::to_string(r) + "d" + std::to_string(d) + ".png";
      data::write_png(dir.file(dist), noise_image());
      csv << ref << "," << dist << "," << 0.1 * (d + 1) << "," << (r < 3 ? "train" : "val") << "\n";
    }
  }
  csv.close();
  {  // cut the last validation image short
    const std::string victim = dir.file("r3d3.png");
    const auto size = fs::file_size(victim);
    fs::resize_file(victim, size / 2);
  }
  train::TrainOptions o = small_run(dir.file("run"), 6);
  o.data = "csv";
  o.root = dir.file("pairs.csv");
  o.eval_every = 2;
  o.baselines = false;
  o.workers = 0;
  std::string message;
  try {
    train::run_training(o, train::Verbosity::Quiet);
  } catch (const Error& e) {
    message = e.what();
  }
  CHECK(message.find("r3d3.png") != std::string::npos);
  CHECK(message.find("the 2 steps trained before it are saved in") != std::string::npos);
  REQUIRE(fs::exists(dir.file("run/last.safetensors")));
  CHECK(load_safetensors(dir.file("run/last.safetensors")).metadata.at("step") == "2");
}
