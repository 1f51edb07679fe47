#include "nn/layers.h"

#include <cmath>

#include "autograd/ops.h"

namespace gsn::nn {

namespace {
// Kaiming normal, fan_in mode (He et al. 2015): std = sqrt(gain2 / fan_in), the squared gain
// gain2 = 2 for convs followed by a ReLU. (torchvision's ResNets use fan_out; with a
// BatchNorm after every conv the choice hardly matters.)
Tensor kaiming_normal(const Shape& s, int64_t fan_in, Generator& gen, double gain2 = 2.0) {
  return randn(s, gen, std::sqrt(gain2 / static_cast<double>(fan_in)));
}
// PyTorch's default for Linear: U(-1/sqrt(in), 1/sqrt(in)) for weight and bias.
Tensor fan_in_uniform(const Shape& s, int64_t fan_in, Generator& gen) {
  const double b = 1.0 / std::sqrt(static_cast<double>(fan_in));
  return rand_uniform(s, gen, -b, b);
}
}  // namespace

Conv2d::Conv2d(int in, int out, int k, int stride_, int pad_, Generator& gen, double gain2)
    : weight(register_parameter("weight", kaiming_normal({out, in, k, k}, int64_t{in} * k * k, gen, gain2))),
      stride(stride_), pad(pad_) {}

Var Conv2d::forward(const Var& x) const { return ag::conv2d(x, weight, Var(), stride, pad); }

CDConv2d::CDConv2d(int in, int out, double theta_, Generator& gen)
    : weight(register_parameter("weight", kaiming_normal({out, in, 3, 3}, int64_t{in} * 9, gen))), theta(theta_) {}

Var CDConv2d::forward(const Var& x) const { return ag::cdc_conv2d(x, weight, theta); }

BatchNorm2d::BatchNorm2d(int c, double momentum_, double eps_)
    : weight(register_parameter("weight", Tensor::full({c}, 1.0))),
      bias(register_parameter("bias", Tensor::zeros({c}))),
      running_mean(register_buffer("running_mean", Tensor::zeros({c}))),
      running_var(register_buffer("running_var", Tensor::full({c}, 1.0))),
      momentum(momentum_), eps(eps_) {}

Var BatchNorm2d::forward(const Var& x) {
  return ag::batch_norm(x, weight, bias, running_mean, running_var, training(), momentum, eps);
}

Var BatchNorm2d::forward_relu(const Var& x) {
  return ag::batch_norm_relu(x, weight, bias, running_mean, running_var, training(), momentum, eps);
}

Linear::Linear(int in, int out, Generator& gen)
    : weight(register_parameter("weight", fan_in_uniform({out, in}, in, gen))),
      bias(register_parameter("bias", fan_in_uniform({out}, in, gen))) {}

Var Linear::forward(const Var& x) const { return ag::linear(x, weight, bias); }

ConvBnRelu::ConvBnRelu(int in, int out, double theta, double bn_momentum, double bn_eps, Generator& gen)
    : conv(register_module("conv", std::make_unique<CDConv2d>(in, out, theta, gen))),
      bn(register_module("bn", std::make_unique<BatchNorm2d>(out, bn_momentum, bn_eps))) {}

Var ConvBnRelu::forward(const Var& x) { return bn.forward_relu(conv.forward(x)); }

SpatialAttention::SpatialAttention(int k, Generator& gen)
    : conv(register_module("conv", std::make_unique<Conv2d>(2, 1, k, 1, k / 2, gen, 1.0))) {}  // a sigmoid follows

Var SpatialAttention::forward(const Var& p) const {
  Var a = ag::sigmoid(conv.forward(ag::channel_mean_max(p)));
  return ag::gate(p, a);
}

}  // namespace gsn::nn
