#include <algorithm>

#include "autograd/var.h"
#include "kernels/core/backend.h"
#include "kernels/elementwise/elementwise.h"

namespace gsn {

namespace {

struct Node {
  const char* op;
  std::vector<Var> inputs;
  std::weak_ptr<VarImpl> output;
  BackwardFn backward;
};

struct Tape {
  std::vector<Node> nodes;
  uint64_t generation = 1;  // bumped at every clear, so stale losses are detected
};

thread_local Tape t_tape;
thread_local bool t_grad_enabled = true;

}  // namespace

Var::Var(Tensor value, bool requires_grad, std::string name) : impl_(std::make_shared<VarImpl>()) {
  GSN_CHECK(value.defined(), "Var from an undefined tensor");
  impl_->value = std::move(value);
  impl_->requires_grad = requires_grad;
  impl_->name = std::move(name);
}

const Tensor& Var::value() const {
  GSN_CHECK(impl_, "use of an undefined Var");
  return impl_->value;
}
Tensor& Var::value_mut() {
  GSN_CHECK(impl_, "use of an undefined Var");
  return impl_->value;
}
const Tensor& Var::grad() const {
  GSN_CHECK(impl_, "use of an undefined Var");
  return impl_->grad;
}
const std::string& Var::name() const {
  static const std::string none;
  return impl_ ? impl_->name : none;
}
void Var::zero_grad() {
  if (impl_) impl_->grad = Tensor();
}

bool grad_enabled() { return t_grad_enabled; }
NoGradGuard::NoGradGuard() : saved_(t_grad_enabled) { t_grad_enabled = false; }
NoGradGuard::~NoGradGuard() { t_grad_enabled = saved_; }
std::size_t tape_size() { return t_tape.nodes.size(); }
void clear_tape() {
  t_tape.nodes.clear();
  ++t_tape.generation;
}

Var make_result(const char* op, Tensor value, std::vector<Var> inputs, BackwardFn backward) {
  bool needs = false;
  for (const Var& v : inputs) {
    GSN_CHECK(v.defined(), op, ": undefined input Var");
    needs = needs || v.requires_grad();
  }
  Var out(std::move(value), needs && t_grad_enabled);
  if (!out.requires_grad()) return out;
  // An intermediate from a graph already differentiated (or cleared) has no node on this
  // tape: a backward through it would stop there without a word, leaving the leaves
  // behind it without their gradient.
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const VarImpl& in = *inputs[i].impl();
    GSN_CHECK(!in.requires_grad || in.is_leaf || in.tape_generation == t_tape.generation, op, ": input ", i,
              " comes from a graph that was already differentiated or cleared; run its forward pass again (or "
              "detach it: Var(v.value()))");
  }
  out.impl()->is_leaf = false;
  out.impl()->tape_generation = t_tape.generation;
  t_tape.nodes.push_back(Node{op, std::move(inputs), out.impl(), std::move(backward)});
  return out;
}

namespace {

// Adds g into v's gradient. `owned` says g is a fresh buffer nobody else holds, so the
// first gradient can take it as is; otherwise it is copied before it is ever added to.
void accumulate(VarImpl& v, const Tensor& g, bool owned, const char* op, std::size_t i) {
  GSN_CHECK(g.defined(), "backward of ", op, " returned no gradient for input ", i, " that needs one");
  GSN_CHECK(g.shape() == v.value.shape(), "backward of ", op, " returned a gradient of shape ", g.shape().str(),
            " for input ", i, " of shape ", v.value.shape().str());
  GSN_CHECK(g.device() == v.value.device(), "backward of ", op, " returned a ", device_name(g.device()),
            " gradient for a ", device_name(v.value.device()), " input");
  if (!v.grad.defined())
    v.grad = owned ? g : g.clone();
  else
    add_inplace(v.grad, g);
}

}  // namespace

void backward(const Var& loss) {
  GSN_CHECK(loss.defined(), "backward() on an undefined Var");
  GSN_CHECK(loss.numel() == 1, "backward() needs a one-element loss, got ", loss.shape().str(),
            " (reduce it with sum or mean first)");
  GSN_CHECK(loss.requires_grad(), "backward(): the loss does not depend on anything that requires a gradient");
  const VarImpl& li = *loss.impl();
  if (!li.is_leaf)
    GSN_CHECK(li.tape_generation == t_tape.generation,
              "backward(): this loss's graph was already differentiated (or recorded on another thread); "
              "run the forward pass again");

  struct Clear {  // the tape is spent whether backward finishes or throws
    ~Clear() { clear_tape(); }
  } clear_at_exit;

  Tensor seed = Tensor::full(loss.shape(), 1.0, loss.dtype(), loss.device());
  if (li.is_leaf)  // the loss is a parameter itself: its gradient accumulates like any other
    accumulate(*loss.impl(), seed, true, "backward()", 0);
  else
    loss.impl()->grad = std::move(seed);
  auto& nodes = t_tape.nodes;
  for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
    std::shared_ptr<VarImpl> out = it->output.lock();
    if (!out || !out->grad.defined()) continue;  // not on the path to this loss
    std::vector<bool> needs(it->inputs.size());
    for (std::size_t i = 0; i < needs.size(); ++i) needs[i] = it->inputs[i].requires_grad();
    std::vector<Tensor> grads = it->backward(out->grad, needs);
    GSN_CHECK(grads.size() == needs.size(), "backward of ", it->op, " returned ", grads.size(), " gradients for ",
              needs.size(), " inputs");
    for (std::size_t i = 0; i < needs.size(); ++i) {
      if (!needs[i]) continue;
      // A gradient is "owned" unless it is grad_out itself or one returned earlier here.
      bool owned = grads[i].storage() != out->grad.storage();
      for (std::size_t j = 0; j < i && owned; ++j)
        owned = !(grads[j].defined() && grads[j].storage() == grads[i].storage());
      accumulate(*it->inputs[i].impl(), grads[i], owned, it->op, i);
    }
    if (!out->is_leaf) out->grad = Tensor();  // intermediate gradients are not kept
  }
}

}  // namespace gsn
