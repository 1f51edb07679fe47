#include "nn/gsn_config.h"

#include <nlohmann/json.hpp>

#include "kernels/core/error.h"

namespace gsn::nn {

using json = nlohmann::json;

GsnConfig GsnConfig::from_preset(const std::string& name) {
  GsnConfig c;
  if (name == "tiny") return c;  // the defaults: CPU-sized, 64x64 crops
  if (name == "paper") {         // GPU-sized, 192x192 crops or larger
    c.preset = "paper";
    c.c0 = 64, c.c1 = 128, c.c2 = 196, c.cb = 128, c.cf = 128;
    return c;
  }
  GSN_THROW("unknown preset '", name, "' (expected tiny or paper)");
}

std::string GsnConfig::to_json() const {
  json j = {{"preset", preset}, {"c0", c0}, {"c1", c1}, {"c2", c2}, {"cb", cb}, {"cf", cf},
            {"theta", theta}, {"att_kernel", att_kernel}, {"attention", attention},
            {"bn_momentum", bn_momentum}, {"bn_eps", bn_eps}, {"input_mean", input_mean},
            {"input_std", input_std}};
  return j.dump();
}

GsnConfig GsnConfig::from_json(const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const std::exception& e) {
    GSN_THROW("GSN config is not valid JSON: ", e.what());
  }
  GsnConfig c;
  auto get = [&](const char* key, auto& field) {
    if (!j.contains(key)) GSN_THROW("GSN config: missing field '", key, "'");
    try {
      j.at(key).get_to(field);
    } catch (const std::exception& e) {
      GSN_THROW("GSN config: field '", key, "': ", e.what());
    }
  };
  get("preset", c.preset);
  get("c0", c.c0), get("c1", c.c1), get("c2", c.c2), get("cb", c.cb), get("cf", c.cf);
  get("theta", c.theta);
  get("att_kernel", c.att_kernel);
  get("attention", c.attention);
  get("bn_momentum", c.bn_momentum), get("bn_eps", c.bn_eps);
  get("input_mean", c.input_mean), get("input_std", c.input_std);
  c.validate();
  return c;
}

void GsnConfig::validate() const {
  GSN_CHECK(c0 > 0 && c1 > 0 && c2 > 0 && cb > 0, "GSN config: channel widths must be positive");
  GSN_CHECK(cf >= 4 && cf % 4 == 0, "GSN config: cf must be a positive multiple of 4 (head widths cf/2, cf/4), got ", cf);
  GSN_CHECK(theta >= 0.0 && theta <= 1.0, "GSN config: theta must be in [0, 1], got ", theta);
  for (int k : att_kernel) GSN_CHECK(k > 0 && k % 2 == 1, "GSN config: attention kernels must be odd, got ", k);
  for (double s : input_std) GSN_CHECK(s > 0, "GSN config: input_std must be positive");
}

}  // namespace gsn::nn
