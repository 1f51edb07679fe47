// Shared by bench/ops_losses.cpp and .cu: the parameter tensors of the GSN model for a
// preset (docs/gsn.md), for timing the optimizer step on realistic tensor counts and sizes.
//   stem  CDC(3->c0) 3x3 weight, BN gamma/beta
//   blocks l = 0..2: CDC(in->c1), CDC(c1->c2), CDC(c2->cb), each + BN (in = c0, then cb)
//   attention 2->1 convs k = 7, 5, 3 (no bias)
//   fuse  CDC(9cb->cf), CDC(cf->cf/2), each + BN
//   head  Linear(cf/2->cf/4) + bias, Linear(cf/4->1) + bias
// Convs have no bias (a BN follows each). 43 tensors.
#pragma once
#include <string>
#include <vector>

#include "kernels/core/shape.h"

namespace gsn::bench {

struct Preset {
  std::string name;
  int64_t c0, c1, c2, cb, cf;
};
inline const std::vector<Preset>& presets() {
  static const std::vector<Preset> p = {{"tiny", 16, 32, 48, 32, 64}, {"paper", 64, 128, 196, 128, 128}};
  return p;
}

inline std::vector<Shape> gsn_param_shapes(const Preset& p) {
  std::vector<Shape> s;
  auto conv_bn = [&](int64_t in, int64_t out) {
    s.push_back({out, in, 3, 3});
    s.push_back({out});
    s.push_back({out});
  };
  conv_bn(3, p.c0);
  for (int l = 0; l < 3; ++l) {
    conv_bn(l == 0 ? p.c0 : p.cb, p.c1);
    conv_bn(p.c1, p.c2);
    conv_bn(p.c2, p.cb);
  }
  for (int64_t k : {7, 5, 3}) s.push_back({1, 2, k, k});
  conv_bn(9 * p.cb, p.cf);
  conv_bn(p.cf, p.cf / 2);
  s.push_back({p.cf / 4, p.cf / 2});
  s.push_back({p.cf / 4});
  s.push_back({1, p.cf / 4});
  s.push_back({1});
  return s;
}

inline int64_t total_numel(const std::vector<Shape>& shapes) {
  int64_t n = 0;
  for (const Shape& s : shapes) n += s.numel();
  return n;
}

// "tiny(N params, T tensors)" for benchmark names.
inline std::string preset_label(const Preset& p) {
  const auto shapes = gsn_param_shapes(p);
  return p.name + "." + std::to_string(total_numel(shapes)) + "p." + std::to_string(shapes.size()) + "t";
}

}  // namespace gsn::bench
