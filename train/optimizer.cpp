#include "train/optimizer.h"

#include <cmath>
#include <vector>

#include "kernels/optim/optim.h"

namespace gsn::train {

namespace {
bool is_adam(const std::string& kind) { return kind == "adam" || kind == "adamw"; }
}  // namespace

bool decays(const Var& param) { return param.value().ndim() >= 2; }

Optimizer::Optimizer(std::vector<std::pair<std::string, Var>> params, const OptimOptions& options)
    : params_(std::move(params)), options_(options) {
  GSN_CHECK(is_adam(options.kind) || options.kind == "sgd", "unknown optimizer '", options.kind,
            "' (expected adam, adamw or sgd)");
  for (auto& [name, p] : params_) {
    m_.push_back(Tensor::zeros_like(p.value()));
    if (is_adam(options.kind)) v_.push_back(Tensor::zeros_like(p.value()));
  }
}

double Optimizer::step(double lr) {
  // The parameters the loss reached (see the header: the others are skipped).
  std::vector<std::size_t> live;
  std::vector<const Tensor*> gs;
  for (std::size_t i = 0; i < params_.size(); ++i)
    if (params_[i].second.has_grad()) {
      live.push_back(i);
      gs.push_back(&params_[i].second.grad());
    }
  if (live.empty()) return 0.0;  // nothing to update: not counted as a step
  ++step_;
  // The clip coefficient stays on the device and scales the gradients inside the step.
  // No clipping (clip <= 0) is an infinite bound: the coefficient is 1 unless the norm is NaN.
  ClipCoef clip = clip_grad_norm(gs, options_.clip > 0 ? options_.clip : INFINITY);
  // Two groups, one fused step each (the same clip coefficient): with weight decay and
  // without (decays()).
  for (const bool group_decays : {true, false}) {
    std::vector<Tensor*> gp, gm, gv;
    std::vector<const Tensor*> gg;
    for (std::size_t j = 0; j < live.size(); ++j) {
      const std::size_t i = live[j];
      if (decays(params_[i].second) != group_decays) continue;
      gp.push_back(&params_[i].second.value_mut());
      gg.push_back(gs[j]);
      gm.push_back(&m_[i]);
      if (!v_.empty()) gv.push_back(&v_[i]);
    }
    if (gp.empty()) continue;
    const double wd = group_decays ? options_.weight_decay : 0.0;
    if (is_adam(options_.kind)) {
      AdamParams hp;
      hp.lr = lr, hp.beta1 = options_.beta1, hp.beta2 = options_.beta2, hp.eps = options_.eps;
      hp.weight_decay = wd;
      hp.decoupled = options_.kind == "adamw";
      hp.step = step_;
      adam_step(gp, gg, gm, gv, hp, &clip.coef);
    } else {
      SgdParams hp;
      hp.lr = lr, hp.momentum = options_.momentum, hp.weight_decay = wd;
      sgd_step(gp, gg, gm, hp, &clip.coef);
    }
  }
  return clip.norm.item();
}

std::map<std::string, Tensor> Optimizer::state() const {
  std::map<std::string, Tensor> s;
  const bool adam = is_adam(options_.kind);
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const std::string& name = params_[i].first;
    s["optim." + name + (adam ? ".m" : ".momentum")] = m_[i];
    if (adam) s["optim." + name + ".v"] = v_[i];
  }
  s["optim.step"] = Tensor::from_vector({1}, std::vector<double>{static_cast<double>(step_)});
  return s;
}

void Optimizer::load_state(const std::map<std::string, Tensor>& tensors, const std::string& file) {
  const bool adam = is_adam(options_.kind);
  auto take = [&](const std::string& key, Tensor& dst) {
    auto it = tensors.find(key);
    GSN_CHECK(it != tensors.end(), file, ": no optimizer state '", key, "' (saved with another --optimizer?)");
    GSN_CHECK(it->second.shape() == dst.shape(), file, ": optimizer state '", key, "' has shape ",
              it->second.shape().str(), ", expected ", dst.shape().str());
    dst.copy_from(it->second.to(dst.dtype()));
  };
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const std::string& name = params_[i].first;
    take("optim." + name + (adam ? ".m" : ".momentum"), m_[i]);
    if (adam) take("optim." + name + ".v", v_[i]);
  }
  auto it = tensors.find("optim.step");
  GSN_CHECK(it != tensors.end() && it->second.numel() == 1, file, ": no optimizer state 'optim.step'");
  step_ = static_cast<int64_t>(it->second.item());
}

double cosine_lr(int64_t step, int64_t total, int64_t warmup, double base, double min_ratio) {
  if (warmup > 0 && step < warmup) return base * static_cast<double>(step + 1) / static_cast<double>(warmup);
  const double span = static_cast<double>(std::max<int64_t>(total - warmup, 1));
  const double t = std::min(1.0, static_cast<double>(step - warmup) / span);
  const double min_lr = base * min_ratio;
  return min_lr + 0.5 * (base - min_lr) * (1.0 + std::cos(3.141592653589793 * t));
}

}  // namespace gsn::train
