// The GSN losses on Vars (losses/losses.h has the formulas and shapes).
//
//   q  predictions [B] (or any shape), differentiated
//   y  targets, q's shape: a constant. It is not an input of the recorded node, so no
//      gradient ever flows into it, even when it requires one (like a detached target).
//   -> [1]
//
// The forward runs the loss kernel once for the value AND dL/dq (only when a gradient will
// be needed: grad enabled and q requires one) and keeps that gradient on the tape; the
// backward is scale_by(cached, upstream): one tiny kernel that reads the upstream dL/dloss
// ([1], on the device) inside the kernel, so there is no device-to-host sync.
#pragma once
#include "autograd/var.h"

namespace gsn::ag {

Var mse_loss(const Var& q, const Var& y);                               // mean((q - y)^2)
Var kl_batch_loss(const Var& q, const Var& y, double tau = 1.0);        // KL(softmax(y/tau) || softmax(q/tau))
Var gsn_loss(const Var& q, const Var& y, double lambda = 1.0, double tau = 1.0);  // MSE + lambda * KL

}  // namespace gsn::ag
