// The optimizer of a training run: Adam, AdamW or SGD with momentum over all of a model's
// parameters in two fused launches (kernels/optim; one for the weights that decay, one for
// the rest), global gradient-norm clipping, the
// learning-rate schedule, and its state as named tensors for checkpoints.
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "autograd/var.h"

namespace gsn::train {

struct OptimOptions {
  std::string kind = "adamw";  // adam | adamw | sgd
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double weight_decay = 0.0;  // on conv and linear weights only (decays(), below)
  double momentum = 0.9;  // sgd
  double clip = 0.0;      // clip the global gradient norm to this; 0 = no clipping
};

// Whether weight decay applies to a parameter: to weights of two or more dimensions (conv
// kernels, linear matrices), not to 1-D ones (BatchNorm scales and shifts, biases), as is
// usual: decaying a BN scale pulls the layer's output towards zero, which the next BN
// undoes, and shrinks nothing that overfits.
bool decays(const Var& param);

class Optimizer {
 public:
  Optimizer(std::vector<std::pair<std::string, Var>> params, const OptimOptions& options);
  // One update with learning rate lr from the parameters' gradients. A parameter the
  // loss did not reach (no gradient) is left alone, as PyTorch's optimizers skip a
  // parameter whose .grad is None: no decay, no momentum step, its state unchanged (a
  // zero gradient instead would let AdamW shrink a frozen weight and old momentum keep
  // moving it). Adam's bias correction uses the optimizer's step count for every
  // parameter, where PyTorch counts each parameter's own steps; the two differ only for a
  // parameter that sometimes has a gradient and sometimes not, which GSN has none of.
  // Returns the gradient norm before clipping (0 when no parameter has a gradient: then
  // nothing changes and the step is not counted).
  double step(double lr);
  int64_t steps() const { return step_; }

  // "optim.<param>.m", "optim.<param>.v" (Adam) or "optim.<param>.momentum" (SGD), and
  // "optim.step"; load_state() checks that every one is there with the right shape.
  std::map<std::string, Tensor> state() const;
  void load_state(const std::map<std::string, Tensor>& tensors, const std::string& file);

 private:
  std::vector<std::pair<std::string, Var>> params_;
  OptimOptions options_;
  std::vector<Tensor> m_, v_;  // Adam moments, or (m_ only) the SGD momentum buffers
  int64_t step_ = 0;
};

// The learning rate of step `step` (0-based): linear warm-up, base * (step + 1) / warmup
// for step < warmup (so the first step already moves, and step warmup - 1 is at base),
// then a cosine from base at step `warmup` down to base * min_ratio at step `total`.
double cosine_lr(int64_t step, int64_t total, int64_t warmup, double base, double min_ratio);

}  // namespace gsn::train
