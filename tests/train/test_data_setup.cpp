// train/data_setup.h and train/options.h: which split a run gets, and the options refused
// before a run starts.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "data/image_io.h"
#include "tests/data/data_fixtures.h"
#include "tests/test_util.h"
#include "train/data_setup.h"

using namespace gsn;

namespace {
void put_png(const test::TempDir& dir, const std::string& rel, uint32_t seed) {
  const std::filesystem::path p = dir.path() / rel;
  std::filesystem::create_directories(p.parent_path());
  data::write_png(p.string(), test::pattern_image(16, 16, seed));
}
std::vector<std::string> refs_of(const data::PairSource& s, const std::vector<std::size_t>& pairs) {
  std::vector<std::string> r;
  for (std::size_t i : pairs) r.push_back(s.info(i).ref_id);
  return r;
}
}  // namespace

TEST_CASE("open_data: a CSV's split column is the split, whatever the seed and fractions") {
  test::TempDir dir;
  std::string csv = "ref,dist,score,split\n";
  const char* part[] = {"train", "train", "val", "test"};
  for (int r = 0; r < 4; ++r) {
    put_png(dir, "r" + std::to_string(r) + ".png", static_cast<uint32_t>(r));
    for (int d = 0; d < 2; ++d) {
      const std::string dist = "r" + std::to_string(r) + "_" + std::to_string(d) + ".png";
      put_png(dir, dist, static_cast<uint32_t>(10 * r + d + 100));
      csv += "r" + std::to_string(r) + ".png," + dist + "," + std::to_string(r + d) + "," + part[r] + "\n";
    }
  }
  dir.write("pairs.csv", csv);
  for (uint64_t seed : {0u, 1u, 7u}) {
    train::TrainOptions o;
    o.data = "csv";
    o.root = dir.file("pairs.csv");
    o.seed = seed;
    o.val_fraction = 0.5;  // would move references if the fractions were used
    o.test_fraction = 0.25;
    train::DataSetup d = train::open_data(o);
    CAPTURE(seed);
    CHECK(refs_of(*d.source, d.split.train) == std::vector<std::string>{"r0.png", "r0.png", "r1.png", "r1.png"});
    CHECK(refs_of(*d.source, d.split.val) == std::vector<std::string>{"r2.png", "r2.png"});
    CHECK(refs_of(*d.source, d.split.test) == std::vector<std::string>{"r3.png", "r3.png"});
  }
}

TEST_CASE("open_data: without a split column the split is drawn from the seed") {
  train::TrainOptions o;
  o.synth_refs = 12;
  o.synth_size = 16;
  o.crop = 16;
  train::DataSetup a = train::open_data(o), b = train::open_data(o);
  CHECK(a.split.train == b.split.train);
  CHECK(a.split.test == b.split.test);
  o.seed = 3;
  train::DataSetup c = train::open_data(o);
  CHECK(refs_of(*a.source, a.split.test) != refs_of(*c.source, c.split.test));
}

TEST_CASE("validate: every out-of-range option is refused with its command-line name") {
  struct Case {
    const char* flag;
    void (*set)(train::TrainOptions&);
  };
  const Case cases[] = {
      {"--synth-refs", [](train::TrainOptions& o) { o.synth_refs = -1; }},
      {"--synth-size", [](train::TrainOptions& o) { o.synth_size = 4; }},
      {"--val-fraction", [](train::TrainOptions& o) { o.val_fraction = -0.1; }},
      {"--test-fraction", [](train::TrainOptions& o) { o.test_fraction = 1.0; }},
      {"--val-fraction + --test-fraction", [](train::TrainOptions& o) { o.val_fraction = o.test_fraction = 0.5; }},
      {"--crop", [](train::TrainOptions& o) { o.crop = -5; }},
      {"--pipal-part", [](train::TrainOptions& o) { o.pipal_part = "holdout"; }},
      {"--theta", [](train::TrainOptions& o) { o.theta = 1.5; }},
      {"--batch", [](train::TrainOptions& o) { o.batch = 1; }},
      {"--steps", [](train::TrainOptions& o) { o.steps = -1; }},
      {"--epochs", [](train::TrainOptions& o) { o.epochs = 0; }},
      {"--lr", [](train::TrainOptions& o) { o.lr = std::nan(""); }},
      {"--lr", [](train::TrainOptions& o) { o.lr = 0; }},
      {"--min-lr-ratio", [](train::TrainOptions& o) { o.min_lr_ratio = 2; }},
      {"--warmup", [](train::TrainOptions& o) { o.warmup = -1; }},
      {"--weight-decay", [](train::TrainOptions& o) { o.weight_decay = -1e-4; }},
      {"--momentum", [](train::TrainOptions& o) { o.momentum = 1; }},
      {"--clip", [](train::TrainOptions& o) { o.clip = -1; }},
      {"--lambda", [](train::TrainOptions& o) { o.lambda = INFINITY; }},
      {"--tau", [](train::TrainOptions& o) { o.tau = 0; }},
      {"--workers", [](train::TrainOptions& o) { o.workers = -2; }},
      {"--threads", [](train::TrainOptions& o) { o.threads = -1; }},
      {"--eval-every", [](train::TrainOptions& o) { o.eval_every = -1; }},
      {"--out", [](train::TrainOptions& o) { o.out = ""; }},
  };
  CHECK_NOTHROW(train::validate(train::TrainOptions{}));
  train::TrainOptions with_steps;
  with_steps.steps = 10;
  with_steps.epochs = 0;  // unused when --steps is given
  CHECK_NOTHROW(train::validate(with_steps));
  for (const Case& c : cases) {
    train::TrainOptions o;
    c.set(o);
    CAPTURE(c.flag);
    CHECK_THROWS_WITH_AS(train::validate(o), doctest::Contains((std::string(c.flag) + " must").c_str()), train::OptionError);
  }
}

TEST_CASE("TrainOptions: to_json and from_json round-trip; missing fields keep their defaults") {
  train::TrainOptions o;
  o.data = "csv", o.root = "/data/x.csv", o.pipal_part = "val", o.lower_is_better = true, o.synth_refs = 7;
  o.seed = 123456789012345ull, o.val_fraction = 0.2, o.lr = 3e-3, o.attention = false, o.steps = 99;
  o.overwrite = true;
  const train::TrainOptions back = train::TrainOptions::from_json(o.to_json(), "o.json");
  CHECK(back.to_json() == o.to_json());
  CHECK(back.seed == 123456789012345ull);
  CHECK(back.root == "/data/x.csv");
  const train::TrainOptions partial = train::TrainOptions::from_json(R"({"data": "kadid", "seed": 4})", "p.json");
  CHECK(partial.data == "kadid");
  CHECK(partial.seed == 4);
  CHECK(partial.batch == train::TrainOptions{}.batch);
  CHECK_THROWS_WITH_AS(train::TrainOptions::from_json("{not json", "bad.json"), doctest::Contains("bad.json: not a run's options"),
                       Error);
  CHECK_THROWS_WITH_AS(train::TrainOptions::from_json(R"({"seed": "abc"})", "bad.json"),
                       doctest::Contains("bad.json: not a run's options"), Error);
}

TEST_CASE("validate_data: options for the other kind of data are refused, not ignored") {
  train::TrainOptions with_root;  // --data synthetic is the default
  with_root.root = "pairs.csv";
  CHECK_THROWS_WITH_AS(train::validate_data(with_root), doctest::Contains("add --data csv"), train::OptionError);
  train::TrainOptions with_labels;
  with_labels.labels = "labels.txt";
  CHECK_THROWS_AS(train::validate_data(with_labels), train::OptionError);
  train::TrainOptions refs_for_csv;
  refs_for_csv.data = "csv";
  refs_for_csv.root = "pairs.csv";
  refs_for_csv.refs = "photos";
  CHECK_THROWS_WITH_AS(train::validate_data(refs_for_csv), doctest::Contains("--refs gives the built-in synthetic set"),
                       train::OptionError);
  refs_for_csv.refs.clear();
  CHECK_NOTHROW(train::validate_data(refs_for_csv));
  train::TrainOptions labels_for_kadid;
  labels_for_kadid.data = "kadid";
  labels_for_kadid.root = "kadid10k";
  CHECK_NOTHROW(train::validate_data(labels_for_kadid));
  labels_for_kadid.labels = "other.csv";
  CHECK_THROWS_WITH_AS(train::validate_data(labels_for_kadid), doctest::Contains("--labels is read for --data csiq and csv"),
                       train::OptionError);
  train::TrainOptions lower_for_tid = labels_for_kadid;
  lower_for_tid.labels.clear();
  lower_for_tid.lower_is_better = true;
  CHECK_THROWS_AS(train::validate_data(lower_for_tid), train::OptionError);
  train::TrainOptions no_root;
  no_root.data = "kadid";
  CHECK_THROWS_WITH_AS(train::validate_data(no_root), doctest::Contains("--data kadid needs --root"), train::OptionError);
}

TEST_CASE("with_absolute_paths: --root made absolute without a trailing separator; --labels stays relative to it") {
  train::TrainOptions o;
  o.data = "csiq";
  o.root = "data/CSIQ/";
  o.labels = "csiq_label.txt";  // readers.h: relative to --root
  const train::TrainOptions a = train::with_absolute_paths(o);
  CHECK(std::filesystem::path(a.root).is_absolute());
  CHECK(a.root == (std::filesystem::current_path() / "data/CSIQ").lexically_normal().string());
  CHECK(a.labels == "csiq_label.txt");
  o.root = "data/CSIQ";
  CHECK(train::with_absolute_paths(o).root == a.root);
  CHECK(train::with_absolute_paths(a).to_json() == a.to_json());  // idempotent
}
