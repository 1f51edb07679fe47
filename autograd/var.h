// Var and the tape: gsn's whole autograd.
//
// A Var is a handle to a value (a Tensor), the gradient of the loss with respect to it,
// and whether it needs one. Ops on Vars (autograd/ops.h) compute their value with the
// kernels and, when some input needs a gradient and gradients are enabled, record a Node
// on this thread's tape: the inputs, a weak handle to the output, and a closure that maps
// dL/d(output) to dL/d(input_i) for the inputs that need it.
//
// backward(loss) seeds dL/dloss = 1 and walks the tape from the newest node to the
// oldest, so every node runs after all the nodes that consumed its output. Gradients of
// a value used twice add up. Only leaves (Vars made by the user: parameters, inputs)
// keep their gradient; intermediate gradients are freed as soon as they are used. The
// tape is cleared at the end, so each forward pass is differentiated once.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kernels/core/tensor.h"

namespace gsn {

struct VarImpl {
  Tensor value;
  Tensor grad;  // undefined until a backward reaches this Var
  bool requires_grad = false;
  bool is_leaf = true;
  uint64_t tape_generation = 0;  // for non-leaves: which tape recording made it
  std::string name;              // optional; used in error messages
};

class Var {
 public:
  Var() = default;
  explicit Var(Tensor value, bool requires_grad = false, std::string name = "");

  bool defined() const { return impl_ != nullptr; }
  const Tensor& value() const;
  Tensor& value_mut();  // for optimizers and loaders that update a leaf in place
  const Tensor& grad() const;
  bool has_grad() const { return impl_ && impl_->grad.defined(); }
  bool requires_grad() const { return impl_ && impl_->requires_grad; }
  bool is_leaf() const { return impl_ && impl_->is_leaf; }
  const std::string& name() const;
  void zero_grad();  // drops the gradient; the next backward starts from zero

  const Shape& shape() const { return value().shape(); }
  int64_t dim(int i) const { return value().dim(i); }
  int64_t numel() const { return value().numel(); }
  Device device() const { return value().device(); }
  DType dtype() const { return value().dtype(); }
  double item() const { return value().item(); }

  const std::shared_ptr<VarImpl>& impl() const { return impl_; }

 private:
  std::shared_ptr<VarImpl> impl_;
};

// Maps dL/d(output) to dL/d(inputs); needs[i] says whether input i wants its gradient.
// Return an undefined Tensor where needs[i] is false. A backward may return grad_out
// itself (add does): the engine copies where a gradient would otherwise be shared.
using BackwardFn = std::function<std::vector<Tensor>(const Tensor& grad_out, const std::vector<bool>& needs)>;

// Wraps an op's result: records a node when gradients are on and some input needs one.
Var make_result(const char* op, Tensor value, std::vector<Var> inputs, BackwardFn backward);

// Runs backward from a one-element loss. Throws when loss has more than one element, does
// not depend on anything that needs a gradient, or was already differentiated.
void backward(const Var& loss);

bool grad_enabled();

// While one lives, ops record nothing: evaluation and inference.
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool saved_;
};

// Number of nodes on this thread's tape (tests and debugging).
std::size_t tape_size();
// Forgets this thread's tape without running backward (after an aborted step).
void clear_tape();

}  // namespace gsn
