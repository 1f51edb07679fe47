// The GSN losses over a batch of B predictions q and targets y (one value per image
// pair), their values and their gradients with respect to q, computed together.
//
//   q, y    [B] (or any shape, the same for both; B = numel >= 1); float32 or float64
//   value   [1]
//   grad    q's shape: dL/dq (undefined when not asked for)
//
//   MSE(q, y)      = (1/B) sum_i (q_i - y_i)^2
//                    dMSE/dq_i = 2 (q_i - y_i) / B
//   KL(q, y; tau)  = KL(P || Q) = sum_i P_i (log P_i - log Q_i),
//                    P = softmax(y / tau), Q = softmax(q / tau)   (softmax over the batch)
//                    log P_i = y_i/tau - LSE(y/tau),  LSE(x) = m + log sum_j exp(x_j - m),
//                    m = max_j x_j, so no exp ever sees a positive argument;
//                    dKL/dq_i = (Q_i - P_i) / tau.  A plain sum over the batch (not
//                    divided by B, not multiplied by tau^2). B = 1: KL = 0, gradient 0.
//   GSN(q, y)      = MSE + lambda * KL      (docs/gsn.md: lambda = 1, tau = 1)
//
// All three are one kernel, loss_forward(w_mse, w_kl, tau): L = w_mse*MSE + w_kl*KL
// (MSE: 1, 0; KL: 0, 1; GSN: 1, lambda). A weight of 0 skips its term entirely. The
// value and the gradient come from the same pass over the data (CUDA: one block, a fixed
// shared-memory tree, so the result is the same bits on every run; CPU: one thread, B is a
// few thousand at most). A NaN anywhere in q or y makes the value NaN (never hidden by a
// max), so the trainer sees it; so does +-inf (inf - inf inside the LSE).
//
//   scale_by(x, s)   out[i] = s[0] * x[i], s: [1] on x's device. The backward of the losses:
//                    the gradient cached by the forward times the upstream dL/dloss, which
//                    lives on the device; reading s[0] inside the kernel avoids a host sync.
#pragma once
#include "kernels/core/tensor.h"

namespace gsn {

struct LossResult {
  Tensor value;  // [1]
  Tensor grad;   // dL/dq, q's shape; undefined unless want_grad
};

LossResult mse_loss(const Tensor& q, const Tensor& y, bool want_grad);
LossResult kl_batch_loss(const Tensor& q, const Tensor& y, double tau, bool want_grad);
LossResult gsn_loss(const Tensor& q, const Tensor& y, double lambda, double tau, bool want_grad);
// The general form behind the three: L = w_mse*MSE + w_kl*KL(tau).
LossResult weighted_loss(const char* name, const Tensor& q, const Tensor& y, double w_mse, double w_kl, double tau,
                         bool want_grad);

Tensor scale_by(const Tensor& x, const Tensor& s);

// Raw implementations: n = B elements; value -> one element; grad may be null (not computed).
namespace ref {
template <class T> void loss_forward(const T* q, const T* y, int64_t n, T w_mse, T w_kl, T tau, T* value, T* grad);
template <class T> void scale_by(const T* x, const T* s, T* out, int64_t n);
}  // namespace ref
namespace cpu {
void loss_forward(const float* q, const float* y, int64_t n, float w_mse, float w_kl, float tau, float* value,
                  float* grad);
void scale_by(const float* x, const float* s, float* out, int64_t n);
}  // namespace cpu
namespace cuda {
void loss_forward(const float* q, const float* y, int64_t n, float w_mse, float w_kl, float tau, float* value,
                  float* grad);
void scale_by(const float* x, const float* s, float* out, int64_t n);
}  // namespace cuda

}  // namespace gsn
