// Differentiable ops on Vars. Each computes its value with the kernels (kernels/) and
// records its backward on the tape (autograd/var.h). Shapes are those of the kernel API
// each one wraps; a mismatch throws before anything is recorded.
#pragma once
#include "autograd/var.h"

namespace gsn::ag {

Var add(const Var& a, const Var& b);      // same shapes
Var sub(const Var& a, const Var& b);
Var mul(const Var& a, const Var& b);
Var scale(const Var& x, double s);
Var relu(const Var& x);
Var sigmoid(const Var& x);
Var sum(const Var& x);                    // -> [1]
Var mean(const Var& x);                   // -> [1]

}  // namespace gsn::ag
