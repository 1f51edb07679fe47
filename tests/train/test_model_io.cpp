// train/model_io.h: reading a checkpoint's metadata, and refusing a score mapping that
// cannot give scores.
#include <doctest/doctest.h>

#include "nn/checkpoint.h"
#include "nn/gsn_model.h"
#include "tests/test_util.h"
#include "train/model_io.h"

using namespace gsn;

TEST_CASE("metadata_number: the whole value a number, a fallback only where given") {
  const std::map<std::string, std::string> meta = {{"step", "42"}, {"score_std", "0.25"}, {"bad", "1.5x"}, {"empty", ""}};
  CHECK(train::metadata_number(meta, "step", "c.safetensors") == 42.0);
  CHECK(train::metadata_number(meta, "score_std", "c.safetensors") == 0.25);
  CHECK(train::metadata_number(meta, "missing", "c.safetensors", 7.0) == 7.0);
  CHECK_THROWS_WITH_AS(train::metadata_number(meta, "missing", "c.safetensors"),
                       doctest::Contains("c.safetensors: no 'missing'"), Error);
  CHECK_THROWS_WITH_AS(train::metadata_number(meta, "bad", "c.safetensors"),
                       doctest::Contains("'bad' in the checkpoint's metadata is not a number: '1.5x'"), Error);
  CHECK_THROWS_AS(train::metadata_number(meta, "empty", "c.safetensors"), Error);
}

TEST_CASE("load_model refuses a score normalisation that cannot map the model's output to scores") {
  test::TempDir dir;
  nn::GsnConfig c;
  c.c0 = 2, c.c1 = 3, c.c2 = 3, c.cb = 2, c.cf = 4;
  nn::GsnModel m(c, 1);
  for (const auto& [mean, stdev, ok] : {std::make_tuple("0.5", "0.2", true), std::make_tuple("0.5", "0", false),
                                        std::make_tuple("nan", "0.2", false), std::make_tuple("0.5", "-1", false)}) {
    const std::string path = dir.file("c.safetensors");
    nn::save_checkpoint(path, m, {}, {{"config", c.to_json()}, {"score_mean", mean}, {"score_std", stdev}});
    CAPTURE(mean);
    CAPTURE(stdev);
    if (ok) {
      train::LoadedModel lm = train::load_model(path, Device::CPU);
      CHECK(lm.norm.std == 0.2);
      CHECK(lm.step == 0);  // no step in the metadata: 0
    } else {
      CHECK_THROWS_WITH_AS(train::load_model(path, Device::CPU), doctest::Contains("score normalisation"), Error);
    }
  }
}
