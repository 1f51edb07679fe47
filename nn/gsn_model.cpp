#include "nn/gsn_model.h"

#include "autograd/ops.h"

namespace gsn::nn {

namespace {
constexpr double kNormEps = 1e-5;
}  // namespace

// Children named "0", "1", ... in order; indices of parameter-free steps (ReLU, MaxPool)
// are skipped so the names match PyTorch's nn.Sequential.
class GsnModel::Sequence : public Module {
 public:
  template <class M> M* add(std::unique_ptr<M> m) { return &register_module(std::to_string(next_++), std::move(m)); }
  void skip() { ++next_; }

 private:
  int next_ = 0;
};

GsnModel::GsnModel(const GsnConfig& c, uint64_t seed) : config_(c) {
  c.validate();
  Generator gen(seed);
  const double th = c.theta, mom = c.bn_momentum, eps = c.bn_eps;
  stem_ = &register_module("stem", std::make_unique<ConvBnRelu>(3, c.c0, th, mom, eps, gen));

  auto& blocks = register_module("blocks", std::make_unique<Sequence>());
  for (int l = 0; l < 3; ++l) {
    auto* block = blocks.add(std::make_unique<Sequence>());
    const int in = l == 0 ? c.c0 : c.cb;
    blocks_.push_back({block->add(std::make_unique<ConvBnRelu>(in, c.c1, th, mom, eps, gen)),
                       block->add(std::make_unique<ConvBnRelu>(c.c1, c.c2, th, mom, eps, gen)),
                       block->add(std::make_unique<ConvBnRelu>(c.c2, c.cb, th, mom, eps, gen))});
    block->skip();  // 3: MaxPool2d
  }
  if (c.attention) {
    auto& att = register_module("att", std::make_unique<Sequence>());
    for (int l = 0; l < 3; ++l) att_.push_back(att.add(std::make_unique<SpatialAttention>(c.att_kernel[l], gen)));
  }
  auto& fuse = register_module("fuse", std::make_unique<Sequence>());
  fuse_.push_back(fuse.add(std::make_unique<ConvBnRelu>(9 * c.cb, c.cf, th, mom, eps, gen)));
  fuse_.push_back(fuse.add(std::make_unique<ConvBnRelu>(c.cf, c.cf / 2, th, mom, eps, gen)));
  auto& head = register_module("head", std::make_unique<Sequence>());
  head0_ = head.add(std::make_unique<Linear>(c.cf / 2, c.cf / 4, gen));
  head.skip();  // 1: ReLU
  head2_ = head.add(std::make_unique<Linear>(c.cf / 4, 1, gen));

  // (x - mean) / std per channel, done by the batch-norm kernel in evaluation mode with
  // fixed statistics (var = std^2 - eps, so var + eps = std^2): no kernel of its own.
  std::vector<float> mean(3), var(3);
  for (int i = 0; i < 3; ++i) mean[i] = static_cast<float>(c.input_mean[i]), var[i] = static_cast<float>(c.input_std[i] * c.input_std[i] - kNormEps);
  norm_mean_ = Tensor::from_vector({3}, mean);
  norm_var_ = Tensor::from_vector({3}, var);
  norm_gamma_ = Tensor::full({3}, 1.0);
  norm_beta_ = Tensor::zeros({3});
}

Var GsnModel::forward(const Tensor& ref, const Tensor& dist) {
  GSN_CHECK(ref.ndim() == 4 && ref.dim(1) == 3, "GSN: ref must be [B,3,H,W], got ", ref.str());
  check_same_shape("GSN forward (ref vs dist)", ref, dist);
  check_same_device("GSN forward (ref vs dist)", ref, dist);
  GSN_CHECK(ref.dim(2) >= 8 && ref.dim(3) >= 8, "GSN: images must be at least 8x8, got ", ref.shape().str());
  const int64_t B = ref.dim(0);
  const Device dev = ref.device();
  if (norm_mean_.device() != dev || norm_mean_.dtype() != ref.dtype()) {
    for (Tensor* t : {&norm_mean_, &norm_var_, &norm_gamma_, &norm_beta_}) *t = t->to(Device::CPU).to(ref.dtype()).to(dev);
  }

  // One siamese pass over [ref; dist], so batch statistics cover both halves.
  Tensor both = Tensor::empty({2 * B, 3, ref.dim(2), ref.dim(3)}, ref.dtype(), dev);
  both.slice0(0, B).copy_from(ref);
  both.slice0(B, 2 * B).copy_from(dist);
  Var x = ag::batch_norm(Var(both), Var(norm_gamma_), Var(norm_beta_), norm_mean_, norm_var_, false, 0.0, kNormEps);

  Var h = stem_->forward(x);
  std::vector<Var> levels;
  for (int l = 0; l < 3; ++l) {
    for (ConvBnRelu* unit : blocks_[l]) h = unit->forward(h);
    h = ag::max_pool2d(h, 3, 2, 1);
    Var p = ag::siamese_diff_concat(h, B);
    levels.push_back(config_.attention ? att_[l]->forward(p) : p);
  }
  Var z = ag::fuse_levels(levels[0], levels[1], levels[2]);
  for (ConvBnRelu* unit : fuse_) z = unit->forward(z);
  Var q = head2_->forward(ag::relu(head0_->forward(ag::global_avg_pool(z))));
  return ag::reshape(q, {B});
}

}  // namespace gsn::nn
