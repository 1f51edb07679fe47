// The GSN model: names and shapes, the gradient of the whole model against finite
// differences, and checkpoints that restore it exactly.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>

#include "autograd/ops.h"
#include "kernels/core/random.h"
#include "losses/losses_ag.h"
#include "nn/checkpoint.h"
#include "nn/gsn_model.h"
#include "tests/test_util.h"

using namespace gsn;

namespace {

nn::GsnConfig micro_config() {  // every layer present, tiny widths: fast in float64
  nn::GsnConfig c;
  c.c0 = 2, c.c1 = 3, c.c2 = 3, c.cb = 2, c.cf = 4;
  return c;
}

std::map<std::string, Shape> shapes_of(nn::GsnModel& m) {
  std::map<std::string, Shape> s;
  for (auto& [n, v] : m.named_parameters()) s[n] = v.shape();
  for (auto& [n, t] : m.named_buffers()) s[n] = t->shape();
  return s;
}

}  // namespace

TEST_CASE("GSN tiny: stable names and the shapes docs/gsn.md gives") {
  nn::GsnModel m(nn::GsnConfig::from_preset("tiny"), 0);
  auto s = shapes_of(m);
  CHECK(s.at("stem.conv.weight") == Shape{16, 3, 3, 3});
  CHECK(s.at("blocks.0.0.conv.weight") == Shape{32, 16, 3, 3});
  CHECK(s.at("blocks.0.1.bn.running_mean") == Shape{48});
  CHECK(s.at("blocks.1.0.conv.weight") == Shape{32, 32, 3, 3});
  CHECK(s.at("blocks.2.2.conv.weight") == Shape{32, 48, 3, 3});
  CHECK(s.at("att.0.conv.weight") == Shape{1, 2, 7, 7});
  CHECK(s.at("att.2.conv.weight") == Shape{1, 2, 3, 3});
  CHECK(s.at("fuse.0.conv.weight") == Shape{64, 288, 3, 3});
  CHECK(s.at("fuse.1.conv.weight") == Shape{32, 64, 3, 3});
  CHECK(s.at("head.0.weight") == Shape{16, 32});
  CHECK(s.at("head.2.weight") == Shape{1, 16});
  CHECK(s.at("head.2.bias") == Shape{1});
  // 12 CDC-BN-ReLU units x (conv.weight, bn.weight, bn.bias, 2 buffers), 3 attention convs,
  // 2 linear layers x (weight, bias)
  CHECK(s.size() == 12 * 5 + 3 + 4);
}

TEST_CASE("GSN init: Kaiming fan_in, gain sqrt(2) for the CDC convs (ReLU) and 1 for the attention convs (sigmoid)") {
  nn::GsnModel m(nn::GsnConfig::from_preset("paper"), 3);
  for (auto& [name, v] : m.named_parameters()) {
    const Shape& s = v.shape();
    if (s.ndim() != 4) continue;
    const std::vector<double> w = v.value().to_vector<double>();
    double sq = 0;
    for (double x : w) sq += x * x;
    const double stdev = std::sqrt(sq / static_cast<double>(w.size()));
    const double fan_in = static_cast<double>(s[1] * s[2] * s[3]);
    const bool attention = name.rfind("att.", 0) == 0;
    CAPTURE(name);
    if (attention)  // 50-98 weights: far from sqrt(2/fan_in), 1.41x away
      CHECK(std::abs(stdev / std::sqrt(1.0 / fan_in) - 1.0) < 0.2);
    else
      CHECK(std::abs(stdev / std::sqrt(2.0 / fan_in) - 1.0) < 0.06);
  }
}

TEST_CASE("GSN forward: one score per pair, finite, eval mode deterministic") {
  nn::GsnModel m(nn::GsnConfig::from_preset("tiny"), 3);
  Generator g(1);
  Tensor ref = rand_uniform({3, 3, 32, 40}, g, 0, 1), dist = rand_uniform({3, 3, 32, 40}, g, 0, 1);
  m.eval();
  NoGradGuard ng;
  Var a = m.forward(ref, dist), b = m.forward(ref, dist);
  REQUIRE(a.shape() == Shape{3});
  for (double v : a.value().to_vector<double>()) CHECK(std::isfinite(v));
  CHECK(a.value().to_vector<float>() == b.value().to_vector<float>());
  CHECK_THROWS_WITH_AS(m.forward(ref, dist.slice0(0, 2)), doctest::Contains("shape mismatch"), Error);
}

TEST_CASE("GSN gradient: the GSN loss's analytic gradient matches finite differences in every layer") {
  nn::GsnModel m(micro_config(), 7);
  m.to_dtype(DType::F64);
  Generator g(2);
  const int B = 3;
  Tensor ref = rand_uniform({B, 3, 16, 16}, g, 0, 1, DType::F64);
  Tensor dist = rand_uniform({B, 3, 16, 16}, g, 0, 1, DType::F64);
  Var y(Tensor::from_vector({B}, std::vector<double>{0.5, -1.0, 0.8}));
  auto loss_value = [&] {
    NoGradGuard ng;
    return ag::gsn_loss(m.forward(ref, dist), y, 1.0, 1.0).item();
  };
  backward(ag::gsn_loss(m.forward(ref, dist), y, 1.0, 1.0));
  int checked = 0, bad = 0;
  for (auto& [name, p] : m.named_parameters()) {
    REQUIRE_MESSAGE(p.has_grad(), name);
    Tensor w = p.value_mut();
    double* wp = w.data<double>();
    const double* gp = p.grad().data<double>();
    Generator pick(std::hash<std::string>{}(name));
    for (int k = 0; k < 3; ++k) {
      const int64_t i = pick.below(static_cast<uint32_t>(w.numel()));
      const double saved = wp[i], eps = 1e-6;
      wp[i] = saved + eps;
      const double up = loss_value();
      wp[i] = saved - eps;
      const double down = loss_value();
      wp[i] = saved;
      const double numeric = (up - down) / (2 * eps);
      ++checked;
      if (std::fabs(numeric - gp[i]) > 1e-6 + 1e-4 * std::fabs(numeric)) {
        ++bad;
        MESSAGE(name, "[", i, "]: backward ", gp[i], ", finite difference ", numeric);
      }
    }
  }
  CHECK(checked == 3 * static_cast<int>(m.named_parameters().size()));
  CHECK(bad == 0);
}

TEST_CASE("GSN checkpoint: a saved model restores bit for bit; a different preset is refused") {
  test::TempDir dir;
  nn::GsnModel a(micro_config(), 1), b(micro_config(), 2);
  Generator g(5);
  Tensor ref = rand_uniform({2, 3, 24, 24}, g, 0, 1), dist = rand_uniform({2, 3, 24, 24}, g, 0, 1);
  {  // a training step moves the BN running statistics, so buffers are exercised too
    backward(ag::sum(a.forward(ref, dist)));
  }
  nn::save_checkpoint(dir.file("a.safetensors"), a, {}, {{"step", "1"}});
  auto rest = nn::load_checkpoint(dir.file("a.safetensors"), b);
  CHECK(rest.metadata.at("step") == "1");
  a.eval(), b.eval();
  NoGradGuard ng;
  CHECK(a.forward(ref, dist).value().to_vector<float>() == b.forward(ref, dist).value().to_vector<float>());
  nn::GsnModel tiny(nn::GsnConfig::from_preset("tiny"), 0);
  CHECK_THROWS_WITH_AS(nn::load_checkpoint(dir.file("a.safetensors"), tiny),
                       doctest::Contains("tensor 'stem.conv.weight' has shape [2,3,3,3], the model expects [16,3,3,3]"), Error);
}

TEST_CASE("GSN checkpoint: a NaN or Inf anywhere is refused, naming the tensor") {
  // A NaN in an early conv can vanish behind BN and the pools (every pair then scores
  // alike), so the load is the place to catch it.
  test::TempDir dir;
  nn::GsnModel a(micro_config(), 1), b(micro_config(), 2);
  for (const char* name : {"stem.conv.weight", "blocks.0.1.bn.running_var"}) {
    CAPTURE(name);
    std::map<std::string, Tensor> all;
    for (auto& [n, v] : a.named_parameters()) all[n] = v.value().clone();
    for (auto& [n, t] : a.named_buffers()) all[n] = t->clone();
    REQUIRE(all.count(name) == 1);
    all[name].data<float>()[1] = std::string(name).find("running") != std::string::npos ? INFINITY : NAN;
    save_safetensors(dir.file("broken.safetensors"), all, {});
    const std::string want = "tensor '" + std::string(name) + "' has 1 NaN or Inf values";
    CHECK_THROWS_WITH_AS(nn::load_checkpoint(dir.file("broken.safetensors"), b), doctest::Contains(want.c_str()), Error);
  }
}
