#include "nn/module.h"

namespace gsn::nn {

Var& Module::register_parameter(const std::string& name, Tensor value) {
  params_.emplace_back(name, std::make_unique<Var>(std::move(value), true, name));
  return *params_.back().second;
}

Tensor& Module::register_buffer(const std::string& name, Tensor value) {
  buffers_.emplace_back(name, std::make_unique<Tensor>(std::move(value)));
  return *buffers_.back().second;
}

void Module::collect_parameters(const std::string& prefix, std::vector<std::pair<std::string, Var>>& out) const {
  for (const auto& [name, v] : params_) out.emplace_back(prefix + name, *v);
  for (const auto& [name, m] : children_) m->collect_parameters(prefix + name + ".", out);
}

void Module::collect_buffers(const std::string& prefix, std::vector<std::pair<std::string, Tensor*>>& out) {
  for (auto& [name, t] : buffers_) out.emplace_back(prefix + name, t.get());
  for (auto& [name, m] : children_) m->collect_buffers(prefix + name + ".", out);
}

std::vector<std::pair<std::string, Var>> Module::named_parameters() const {
  std::vector<std::pair<std::string, Var>> out;
  collect_parameters("", out);
  return out;
}

std::vector<std::pair<std::string, Tensor*>> Module::named_buffers() {
  std::vector<std::pair<std::string, Tensor*>> out;
  collect_buffers("", out);
  return out;
}

std::vector<Var> Module::parameters() const {
  std::vector<Var> out;
  for (auto& [name, v] : named_parameters()) out.push_back(v);
  return out;
}

int64_t Module::parameter_count() const {
  int64_t n = 0;
  for (auto& [name, v] : named_parameters()) n += v.numel();
  return n;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, m] : children_) m->train(on);
}

void Module::to(Device device) {
  for (auto& [name, v] : params_)
    if (v->device() != device) *v = Var(v->value().to(device), true, v->name());
  for (auto& [name, t] : buffers_) *t = t->to(device);
  for (auto& [name, m] : children_) m->to(device);
}

void Module::to_dtype(DType dtype) {
  for (auto& [name, v] : params_)
    if (v->dtype() != dtype) *v = Var(v->value().to(dtype), true, v->name());
  for (auto& [name, t] : buffers_) *t = t->to(dtype);
  for (auto& [name, m] : children_) m->to_dtype(dtype);
}

void Module::zero_grad() {
  for (auto& [name, v] : named_parameters()) v.zero_grad();
}

}  // namespace gsn::nn
