// Layers of the GSN model. Each owns its parameters (and buffers) under the names
// PyTorch gives the same layer, so a state_dict maps one to one:
//   Conv2d, CDConv2d : weight [O,C,k,k] (no bias: a BatchNorm follows every conv in GSN)
//   BatchNorm2d      : weight, bias [C]; buffers running_mean, running_var [C]
//   Linear           : weight [out,in], bias [out]
//   ConvBnRelu       : conv, bn    (the unit every GSN stage is made of)
//   SpatialAttention : conv.weight [1,2,k,k]
// Initialisation follows PyTorch's Kaiming rules from a gsn::Generator, so it is the same
// on every machine.
#pragma once
#include "kernels/core/random.h"
#include "nn/module.h"

namespace gsn::nn {

class Conv2d : public Module {
 public:
  // Kaiming normal init, std = sqrt(gain2 / (in * k * k)): gain2 = 2 before a ReLU, 1 before
  // a sigmoid (the attention conv).
  Conv2d(int in, int out, int k, int stride, int pad, Generator& gen, double gain2 = 2.0);
  Var forward(const Var& x) const;
  Var& weight;
  int stride, pad;
};

// Central difference convolution (3x3, pad 1): y = conv(x, w) - theta * x * sum(w),
// computed as one folded convolution (kernels/conv/cdc.h).
class CDConv2d : public Module {
 public:
  CDConv2d(int in, int out, double theta, Generator& gen);
  Var forward(const Var& x) const;
  Var& weight;
  double theta;
};

class BatchNorm2d : public Module {
 public:
  BatchNorm2d(int channels, double momentum, double eps);
  Var forward(const Var& x);
  Var forward_relu(const Var& x);  // relu(forward(x)), fused
  Var& weight;
  Var& bias;
  Tensor& running_mean;
  Tensor& running_var;
  double momentum, eps;
};

class Linear : public Module {
 public:
  Linear(int in, int out, Generator& gen);
  Var forward(const Var& x) const;  // [N,in] -> [N,out]
  Var& weight;
  Var& bias;
};

// CDC conv -> BatchNorm -> ReLU (theta = 0 makes the conv a plain 3x3 convolution).
class ConvBnRelu : public Module {
 public:
  ConvBnRelu(int in, int out, double theta, double bn_momentum, double bn_eps, Generator& gen);
  Var forward(const Var& x);
  CDConv2d& conv;
  BatchNorm2d& bn;
};

// A = sigmoid(conv_kxk([mean_c(P); max_c(P)])), returns P * A.
class SpatialAttention : public Module {
 public:
  SpatialAttention(int k, Generator& gen);
  Var forward(const Var& p) const;
  Conv2d& conv;
};

}  // namespace gsn::nn
