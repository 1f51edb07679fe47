// Optimizer steps over ALL parameters at once, and the global gradient norm for clipping.
//
// Every list holds one entry per parameter tensor, in the same order; entry i of grads, m,
// v (or the momentum buffers) has the shape of params[i]; all live on one device with one
// dtype (CUDA: float32). Updates are in place, element by element (each element of a
// tensor depends only on the same element of its grad and state), so any order of
// elements gives the same bits: the steps are deterministic on every path.
//
// grad_scale (optional, [1] on the params' device): every gradient is multiplied by
// grad_scale[0] before anything else: the clip coefficient from clip_grad_norm below. It
// stays on the device, so clipping costs no host sync.
//
// Adam / AdamW (PyTorch's torch.optim.Adam / AdamW, amsgrad off, maximize off), with
// t = step (1 on the first step; the caller increments it before each call):
//   g  = grad_scale * grad
//   Adam  (decoupled = false): g = g + wd * p                    (L2 in the gradient)
//   AdamW (decoupled = true):  p = p * (1 - lr * wd)             (decoupled weight decay)
//   m  = beta1 * m + (1 - beta1) * g
//   v  = beta2 * v + (1 - beta2) * g * g
//   p  = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// m and v start at zero. Bias corrections are computed in double on the host.
//
// SGD with momentum (torch.optim.SGD, dampening 0), momentum buffer b starting at zero
// (so the first step gives b = g, as PyTorch's clone of the first gradient does):
//   g  = grad_scale * grad + wd * p
//   b  = mu * b + g                   (only when mu != 0; buffers may be empty when mu == 0)
//   g  = nesterov ? g + mu * b : b
//   p  = p - lr * g
//
// grad_norm(grads)        [1] = sqrt(sum over all tensors and elements of g^2)
// clip_grad_norm(grads, max_norm) -> {norm, coef}: coef = min(1, max_norm / (norm + 1e-6))
//   (torch.nn.utils.clip_grad_norm_'s coefficient; NaN/inf norms give a NaN/0 coefficient,
//   which the trainer's NaN check catches). Pass coef as grad_scale to a step.
// Deterministic: fixed chunks of fixed size, partials combined in chunk order (no atomics).
//
// Parallel decomposition (all paths): the tensors are cut into chunks of kOptimChunk
// elements (a chunk never spans two tensors; a tensor's last chunk is short). CUDA: ONE
// launch, one block per chunk, reading a device-side table of (tensor, chunk) descriptors,
// like apex's multi_tensor_apply; CPU: the same chunks split across threads.
#pragma once
#include <cstdint>
#include <vector>

#include "kernels/core/tensor.h"

namespace gsn {

struct AdamParams {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
  bool decoupled = false;  // false: Adam (L2 added to the gradient); true: AdamW
  int64_t step = 1;        // t >= 1, for the bias corrections
};

struct SgdParams {
  double lr = 1e-2;
  double momentum = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
};

void adam_step(const std::vector<Tensor*>& params, const std::vector<const Tensor*>& grads,
               const std::vector<Tensor*>& m, const std::vector<Tensor*>& v, const AdamParams& hp,
               const Tensor* grad_scale = nullptr);
void sgd_step(const std::vector<Tensor*>& params, const std::vector<const Tensor*>& grads,
              const std::vector<Tensor*>& momentum_buf, const SgdParams& hp, const Tensor* grad_scale = nullptr);

Tensor grad_norm(const std::vector<const Tensor*>& grads);  // [1]
struct ClipCoef {
  Tensor norm;  // [1]
  Tensor coef;  // [1]
};
ClipCoef clip_grad_norm(const std::vector<const Tensor*>& grads, double max_norm);

// ---- raw implementations ---------------------------------------------------------------
constexpr int64_t kOptimChunk = 4096;  // elements per chunk (CUDA block / CPU task)

// One parameter tensor: n elements at p, its gradient g, its state m, v (Adam: first and
// second moments; SGD: m = momentum buffer, v unused; null where not used). grad_norm
// reads only g and n.
template <class T> struct ParamSlot {
  T* p = nullptr;
  const T* g = nullptr;
  T* m = nullptr;
  T* v = nullptr;
  int64_t n = 0;
};

// grad_scale: null or one element (device memory for cuda::). norm, coef: one element
// each (coef may be null); max_norm <= 0 or inf means coef = 1 unless the norm is NaN.
namespace ref {
template <class T> void adam_step(const std::vector<ParamSlot<T>>& slots, const AdamParams& hp, const T* grad_scale);
template <class T> void sgd_step(const std::vector<ParamSlot<T>>& slots, const SgdParams& hp, const T* grad_scale);
template <class T> void grad_norm(const std::vector<ParamSlot<T>>& slots, double max_norm, T* norm, T* coef);
}  // namespace ref
namespace cpu {
void adam_step(const std::vector<ParamSlot<float>>& slots, const AdamParams& hp, const float* grad_scale);
void sgd_step(const std::vector<ParamSlot<float>>& slots, const SgdParams& hp, const float* grad_scale);
void grad_norm(const std::vector<ParamSlot<float>>& slots, double max_norm, float* norm, float* coef);
}  // namespace cpu
namespace cuda {
// Version 2 (the default): one launch over all tensors (device chunk table).
void adam_step(const std::vector<ParamSlot<float>>& slots, const AdamParams& hp, const float* grad_scale);
void sgd_step(const std::vector<ParamSlot<float>>& slots, const SgdParams& hp, const float* grad_scale);
void grad_norm(const std::vector<ParamSlot<float>>& slots, double max_norm, float* norm, float* coef);
// Version 1 (the baseline the benchmark compares against): one launch per tensor, the
// same per-element formulas.
void adam_step_per_tensor(const std::vector<ParamSlot<float>>& slots, const AdamParams& hp, const float* grad_scale);
void sgd_step_per_tensor(const std::vector<ParamSlot<float>>& slots, const SgdParams& hp, const float* grad_scale);
}  // namespace cuda

}  // namespace gsn
