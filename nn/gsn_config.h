// GsnConfig: every choice of the GSN reconstruction (docs/gsn.md), with the two presets.
// Stored as JSON in every checkpoint's metadata, so a checkpoint rebuilds its own model.
#pragma once
#include <array>
#include <string>

namespace gsn::nn {

struct GsnConfig {
  std::string preset = "tiny";
  // Channel widths: stem c0; each block c1 -> c2 -> cb; fusion cf -> cf/2 -> head cf/4 -> 1.
  int c0 = 16, c1 = 32, c2 = 48, cb = 32, cf = 64;
  double theta = 0.7;                       // CDC: y = conv(x, w) - theta * x * sum(w)
  std::array<int, 3> att_kernel = {7, 5, 3};  // spatial attention kernel per level
  bool attention = true;                    // off: P'_l = P_l (an ablation)
  double bn_momentum = 0.1;
  double bn_eps = 1e-5;
  std::array<double, 3> input_mean = {0.485, 0.456, 0.406};  // ImageNet statistics
  std::array<double, 3> input_std = {0.229, 0.224, 0.225};

  static GsnConfig from_preset(const std::string& name);  // "tiny" or "paper"
  std::string to_json() const;
  static GsnConfig from_json(const std::string& text);  // throws naming the bad field
  void validate() const;
};

}  // namespace gsn::nn
