// Module: named parameters, buffers and children, train/eval mode. Names are dotted
// paths built from the registration names ("blocks.0.1.bn.running_mean"), stable across
// runs, and used as the checkpoint's tensor names.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "autograd/var.h"

namespace gsn::nn {

class Module {
 public:
  virtual ~Module() = default;
  Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // All parameters (trainable Vars) and buffers (e.g. BN running statistics), depth first
  // in registration order, with their full dotted names.
  std::vector<std::pair<std::string, Var>> named_parameters() const;
  std::vector<std::pair<std::string, Tensor*>> named_buffers();
  std::vector<Var> parameters() const;
  int64_t parameter_count() const;

  void train(bool on = true);
  void eval() { train(false); }
  bool training() const { return training_; }

  // Moves every parameter and buffer to `device` (parameters keep requires_grad).
  void to(Device device);
  // Converts every parameter and buffer (CPU only): float64 for whole-model gradient checks.
  void to_dtype(DType dtype);
  void zero_grad();

 protected:
  Var& register_parameter(const std::string& name, Tensor value);
  Tensor& register_buffer(const std::string& name, Tensor value);
  template <class M>
  M& register_module(const std::string& name, std::unique_ptr<M> m) {
    M& ref = *m;
    children_.emplace_back(name, std::move(m));
    return ref;
  }

 private:
  void collect_parameters(const std::string& prefix, std::vector<std::pair<std::string, Var>>& out) const;
  void collect_buffers(const std::string& prefix, std::vector<std::pair<std::string, Tensor*>>& out);

  // std::unique_ptr elements: references handed out by register_* stay valid.
  std::vector<std::pair<std::string, std::unique_ptr<Var>>> params_;
  std::vector<std::pair<std::string, std::unique_ptr<Tensor>>> buffers_;
  std::vector<std::pair<std::string, std::unique_ptr<Module>>> children_;
  bool training_ = true;
};

}  // namespace gsn::nn
