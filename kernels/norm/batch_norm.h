// BatchNorm2d, as PyTorch defines it.
//
//   x, y, gy, gx:                          [N, C, H, W]     (M = N*H*W values per channel)
//   gamma, beta, running_mean, running_var,
//   save_mean, save_invstd, ggamma, gbeta: [C]
//
// Training (batch statistics; needs M >= 2):
//   mean_c = sum x / M,  var_c = sum (x - mean_c)^2 / M        (biased: used to normalise)
//   y = gamma_c * (x - mean_c) / sqrt(var_c + eps) + beta_c
//   running_mean = (1 - momentum) * running_mean + momentum * mean_c
//   running_var  = (1 - momentum) * running_var  + momentum * var_c * M / (M - 1)  (unbiased)
//   save_mean = mean_c, save_invstd = 1 / sqrt(var_c + eps)
// Evaluation: the same y with running_mean / running_var in place of the batch statistics;
//   nothing is updated; save_mean = running_mean, save_invstd = 1 / sqrt(running_var + eps).
// The running-statistics update is a side effect on the buffers passed in (not part of
// the graph); PyTorch's defaults are momentum 0.1, eps 1e-5.
//
// Backward, with xhat = (x - save_mean) * save_invstd:
//   gbeta_c  = sum gy,  ggamma_c = sum gy * xhat
//   training: gx = gamma * invstd * (gy - gbeta/M - xhat * ggamma/M)
//   eval:     gx = gamma * invstd * gy          (the statistics are constants)
//
// Fused ReLU (relu = true; what every GSN ConvBnRelu unit uses): the forward writes
// y = max(0, BN(x)) in the same pass, and the backward takes that y and first masks the
// incoming gradient, gy' = (y > 0 ? gy : 0), then proceeds as above with gy'. Same numbers
// as batch_norm then relu, two full passes over the activation fewer in the forward and
// one fewer in the backward, and one activation-sized tensor less.
//
// Every path sums per channel in a fixed order (CUDA: fixed partials and a fixed tree, no
// atomics), so results do not depend on threads or timing.
//
// Precision: the fast paths write y = a*x + b with a = gamma*invstd, b = beta - mean*a
// rounded to float, and the CUDA statistics are one pass over x shifted by the channel's
// first value. Both lose about float-eps * |mean| / std (times gamma) in absolute terms:
// nothing at GSN's conv outputs (|mean| ~ std), but beyond the harness tolerance (5e-5)
// for channels whose |mean| is ~1000x their std. The shift is one sample: the same loss
// happens when x[0, c, 0] lies far from the channel's mean (measured: 170 std away, M = 8320,
// puts y and gx at ~1.5x the harness tolerance; 20 std at GSN's paper shapes costs 7e-6).
#pragma once
#include "kernels/core/tensor.h"

namespace gsn {

struct BatchNormResult {
  Tensor y, save_mean, save_invstd;
};
struct BatchNormGrads {
  Tensor gx, ggamma, gbeta;
};

BatchNormResult batch_norm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta, Tensor& running_mean,
                                   Tensor& running_var, bool training, double momentum = 0.1, double eps = 1e-5,
                                   bool relu = false);
// relu_y: the fused forward's y (its ReLU mask), or undefined for plain batch norm.
BatchNormGrads batch_norm_backward(const Tensor& x, const Tensor& gy, const Tensor& gamma, const Tensor& save_mean,
                                   const Tensor& save_invstd, bool training, const Tensor& relu_y = Tensor());

struct BnGeom {
  int64_t N, C, HW;
  int64_t per_channel() const { return N * HW; }
};

// Raw implementations. running_mean / running_var are read (eval) or updated (training).
// relu: the fused ReLU on the output; relu_y: nullptr, or the fused forward's y to mask gy.
namespace ref {
template <class T>
void batch_norm_forward(const T* x, const T* gamma, const T* beta, const BnGeom& g, bool training, T momentum, T eps,
                        T* y, T* save_mean, T* save_invstd, T* running_mean, T* running_var, bool relu);
template <class T>
void batch_norm_backward(const T* x, const T* gy, const T* gamma, const T* save_mean, const T* save_invstd,
                         const BnGeom& g, bool training, T* gx, T* ggamma, T* gbeta, const T* relu_y);
}  // namespace ref
namespace cpu {
void batch_norm_forward(const float* x, const float* gamma, const float* beta, const BnGeom& g, bool training,
                        float momentum, float eps, float* y, float* save_mean, float* save_invstd, float* running_mean,
                        float* running_var, bool relu);
void batch_norm_backward(const float* x, const float* gy, const float* gamma, const float* save_mean,
                         const float* save_invstd, const BnGeom& g, bool training, float* gx, float* ggamma,
                         float* gbeta, const float* relu_y);
}  // namespace cpu
namespace cuda {
void batch_norm_forward(const float* x, const float* gamma, const float* beta, const BnGeom& g, bool training,
                        float momentum, float eps, float* y, float* save_mean, float* save_invstd, float* running_mean,
                        float* running_var, bool relu);
void batch_norm_backward(const float* x, const float* gy, const float* gamma, const float* save_mean,
                         const float* save_invstd, const BnGeom& g, bool training, float* gx, float* ggamma,
                         float* gbeta, const float* relu_y);
}  // namespace cuda

}  // namespace gsn
