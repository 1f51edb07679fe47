// The GSN model as gsn reconstructs it (docs/gsn.md). Shapes for a batch of B
// pairs of HxW crops (tiny preset widths in brackets):
//
//   x = normalise([ref; dist])                      [2B, 3, H, W]     one siamese pass
//   stem   ConvBnRelu(3 -> c0)                      [2B, c0, H, W]
//   blocks.l (l = 0,1,2): ConvBnRelu(-> c1), ConvBnRelu(c1 -> c2), ConvBnRelu(c2 -> cb),
//          MaxPool 3x3 s2 p1                        F_l [2B, cb, H/2^(l+1), W/2^(l+1)]
//   P_l = concat(F_r, F_d, F_r - F_d)               [B, 3cb, h_l, w_l]
//   att.l  SpatialAttention(k = 7, 5, 3)            P'_l = P_l * A_l
//   fuse   pool P'_0, P'_1 to P'_2's size, concat   [B, 9cb, H/8, W/8]
//          ConvBnRelu(9cb -> cf), ConvBnRelu(cf -> cf/2), global average pool [B, cf/2]
//   head   Linear(cf/2 -> cf/4), ReLU, Linear(cf/4 -> 1)     q [B]
//
// Parameter names follow PyTorch's nn.Sequential numbering (stem.conv.weight,
// blocks.0.1.bn.running_mean, att.2.conv.weight, fuse.0.conv.weight, head.0.weight,
// head.2.weight), listed with their shapes in docs/gsn.md.
#pragma once
#include <memory>
#include <vector>

#include "nn/gsn_config.h"
#include "nn/layers.h"

namespace gsn::nn {

class GsnModel : public Module {
 public:
  GsnModel(const GsnConfig& config, uint64_t seed);

  // ref, dist: [B, 3, H, W] RGB in [0, 1] on the model's device; H, W >= 8.
  // Returns the predicted quality q [B] (standardised units; higher is better).
  Var forward(const Tensor& ref, const Tensor& dist);

  const GsnConfig& config() const { return config_; }

 private:
  class Sequence;  // a numbered list of child modules, as nn.Sequential names them
  GsnConfig config_;
  Tensor norm_mean_, norm_var_, norm_gamma_, norm_beta_;  // input normalisation (constants)
  ConvBnRelu* stem_ = nullptr;
  std::vector<std::vector<ConvBnRelu*>> blocks_;
  std::vector<SpatialAttention*> att_;
  std::vector<ConvBnRelu*> fuse_;
  Linear* head0_ = nullptr;
  Linear* head2_ = nullptr;
};

}  // namespace gsn::nn
