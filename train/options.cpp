#include "train/options.h"

#include <nlohmann/json.hpp>

namespace gsn::train {

nn::GsnConfig TrainOptions::model_config() const {
  nn::GsnConfig c = nn::GsnConfig::from_preset(preset);
  c.theta = theta;
  c.attention = attention;
  c.validate();
  return c;
}

std::string TrainOptions::to_json() const {
  nlohmann::json j = {
      {"data", data}, {"root", root}, {"labels", labels}, {"lower_is_better", lower_is_better}, {"refs", refs},
      {"synth_refs", synth_refs}, {"synth_size", synth_size}, {"split_file", split_file},
      {"val_fraction", val_fraction}, {"test_fraction", test_fraction}, {"preset", preset}, {"theta", theta},
      {"attention", attention}, {"crop", crop}, {"batch", batch}, {"epochs", epochs}, {"steps", steps},
      {"optimizer", optimizer}, {"lr", lr}, {"min_lr_ratio", min_lr_ratio}, {"warmup", warmup},
      {"weight_decay", weight_decay}, {"momentum", momentum}, {"clip", clip}, {"lambda", lambda}, {"tau", tau},
      {"workers", workers}, {"threads", threads}, {"device", device}, {"seed", seed}, {"eval_mode", eval_mode},
      {"eval_every", eval_every}, {"baselines", baselines}, {"out", out}, {"resume", resume}, {"stop_at", stop_at}};
  return j.dump(2);
}

}  // namespace gsn::train
