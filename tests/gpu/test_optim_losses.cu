// CUDA losses and optimizer steps against the reference (label gpu; the binary's main
// reports SKIPPED without a device). Losses: every B from 1 to 4097 (one block strides
// over several thousand), q in +-1.5 and +-80, value and gradient, NaN propagation,
// run-to-run determinism, and the autograd backward (scale_by with the upstream gradient
// on the device). Optimizers: the fused one-launch steps and the per-tensor baseline over
// many odd-sized tensors and several steps, a device-side clip coefficient, and a chunk
// table that changes between calls (the cache must notice).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "kernels/core/backend.h"
#include "kernels/core/dispatch.h"
#include "kernels/core/random.h"
#include "kernels/optim/optim.h"
#include "losses/losses.h"
#include "losses/losses_ag.h"

namespace {
using namespace gsn;

void expect_close(const std::string& what, const Tensor& got, const Tensor& want, double atol, double rtol) {
  REQUIRE(got.shape() == want.shape());
  std::vector<double> a = got.to_vector<double>(), b = want.to_vector<double>();
  int bad = 0;
  double worst = 0.0;
  std::size_t wi = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double d = std::fabs(a[i] - b[i]);
    if (!(d <= atol + rtol * std::fabs(b[i]))) ++bad;
    if (!(d <= worst)) {
      worst = d;
      wi = i;
    }
  }
  INFO(what << ": " << bad << " of " << a.size() << " out of tolerance; worst |diff| " << worst << " at " << wi
            << " (cuda " << a[wi] << ", reference " << b[wi] << ")");
  CHECK(bad == 0);
}

bool same_bits(const Tensor& a, const Tensor& b) { return a.to_vector<float>() == b.to_vector<float>(); }

}  // namespace

TEST_CASE("CUDA losses match the reference: MSE, KL, GSN, B = 1..4097, q up to +-80") {
  for (int64_t b : {1, 2, 7, 16, 61, 256, 1000, 4097}) {
    for (double range : {1.5, 80.0}) {
      Generator gen(static_cast<uint64_t>(b * 131) + static_cast<uint64_t>(range));
      Tensor q = rand_uniform({b}, gen, -range, range), y = rand_uniform({b}, gen, -2.0, 2.0);
      Tensor qd = q.to(Device::CUDA), yd = y.to(Device::CUDA);
      struct K {
        const char* name;
        double w_mse, w_kl, tau;
      };
      for (K k : {K{"mse", 1, 0, 1}, K{"kl", 0, 1, 1}, K{"gsn", 1, 1, 1}, K{"gsn l=0.5 tau=2", 1, 0.5, 2},
                  K{"kl tau=0.3", 0, 1, 0.3}}) {
        const std::string what = std::string(k.name) + " B=" + std::to_string(b) + " range " + std::to_string(range);
        LossResult want;
        {
          ScopedCpuPath r(CpuPath::Reference);
          want = weighted_loss("ref", q, y, k.w_mse, k.w_kl, k.tau, true);
        }
        LossResult got = weighted_loss("cuda", qd, yd, k.w_mse, k.w_kl, k.tau, true);
        expect_close(what + " value", got.value, want.value, 1e-5, 1e-5);
        expect_close(what + " grad", got.grad, want.grad, 1e-6, 1e-4);
        LossResult again = weighted_loss("cuda", qd, yd, k.w_mse, k.w_kl, k.tau, true);
        CHECK_MESSAGE(same_bits(again.value, got.value), what << ": value differs between runs");
        CHECK_MESSAGE(same_bits(again.grad, got.grad), what << ": grad differs between runs");
        LossResult value_only = weighted_loss("cuda", qd, yd, k.w_mse, k.w_kl, k.tau, false);
        CHECK(same_bits(value_only.value, got.value));
      }
    }
  }
}

TEST_CASE("CUDA losses: B = 1 gives KL 0, logits of 1e30, NaN gives NaN, zero weights a zero gradient") {
  Tensor q1 = Tensor::from_vector({1}, std::vector<float>{37.f}, Device::CUDA);
  Tensor y1 = Tensor::from_vector({1}, std::vector<float>{-2.f}, Device::CUDA);
  LossResult k = kl_batch_loss(q1, y1, 1.0, true);
  CHECK(k.value.item() == 0.0);
  CHECK(k.grad.item() == 0.0);
  LossResult kt = kl_batch_loss(q1, y1, 0.3, true);  // 1/0.3 is inexact: still exactly 0
  CHECK(kt.value.item() == 0.0);
  CHECK(kt.grad.item() == 0.0);
  // Logits far from 0 (the log-sum-exp in two parts, as on the CPU): P = Q, so KL = 0.
  Tensor qh = Tensor::from_vector({2}, std::vector<float>{1e30f, 1e30f}, Device::CUDA);
  LossResult kh = kl_batch_loss(qh, Tensor::zeros({2}, DType::F32, Device::CUDA), 1.0, true);
  CHECK(kh.value.item() == doctest::Approx(0.0));
  CHECK(kh.grad.to_vector<double>()[0] == doctest::Approx(0.0));
  std::vector<float> qv(700, 0.5f);
  qv[613] = std::numeric_limits<float>::quiet_NaN();
  Tensor qn = Tensor::from_vector({700}, qv, Device::CUDA), yn = Tensor::zeros({700}, DType::F32, Device::CUDA);
  CHECK(std::isnan(mse_loss(qn, yn, false).value.item()));
  CHECK(std::isnan(kl_batch_loss(qn, yn, 1.0, false).value.item()));
  CHECK(std::isnan(gsn_loss(qn, yn, 1.0, 1.0, true).value.item()));
  // Both weights 0: a zero gradient even where q is inf or NaN (no 0 * inf).
  qv[17] = std::numeric_limits<float>::infinity();
  LossResult z = weighted_loss("none", Tensor::from_vector({700}, qv, Device::CUDA), yn, 0.0, 0.0, 1.0, true);
  CHECK(z.value.item() == 0.0);
  CHECK(z.grad.to_vector<float>() == std::vector<float>(700, 0.f));
}

TEST_CASE("CUDA loss backward: the cached gradient times an upstream gradient on the device") {
  Generator gen(4);
  Tensor q = rand_uniform({61}, gen, -3.0, 3.0), y = rand_uniform({61}, gen, -2.0, 2.0);
  auto run = [&](Device d) {
    Var qv(q.to(d), true), yv(y.to(d));
    backward(ag::scale(ag::gsn_loss(qv, yv, 1.0, 1.0), -2.5));
    return qv.grad().to(Device::CPU);
  };
  Tensor want;
  {
    ScopedCpuPath r(CpuPath::Reference);
    want = run(Device::CPU);
  }
  expect_close("d(-2.5 gsn_loss)/dq", run(Device::CUDA), want, 1e-6, 1e-4);
}

namespace {
const std::vector<Shape> kShapes = {{1},     {3},          {17},          {4095},         {4096},   {4097},
                                    {8193},  {16, 3, 3, 3}, {16},         {32, 16, 3, 3}, {48},     {1, 2, 7, 7},
                                    {0},     {196},         {64, 288, 3, 3}, {33333},     {1}};

struct Set {
  std::vector<Tensor> p, g, m, v;
  std::vector<Tensor*> pp, mp, vp;
  std::vector<const Tensor*> gp;
  Set(const std::vector<Shape>& shapes, uint64_t seed, Device d) {
    Generator gen(seed);
    for (const Shape& s : shapes) {
      p.push_back(rand_uniform(s, gen, -1.0, 1.0).to(d));
      g.push_back(Tensor::zeros(s, DType::F32, d));
      m.push_back(Tensor::zeros(s, DType::F32, d));
      v.push_back(Tensor::zeros(s, DType::F32, d));
    }
    for (std::size_t i = 0; i < p.size(); ++i) {
      pp.push_back(&p[i]);
      gp.push_back(&g[i]);
      mp.push_back(&m[i]);
      vp.push_back(&v[i]);
    }
  }
  void grads(uint64_t seed) {
    Generator gen(seed);
    for (Tensor& t : g) t.copy_from(rand_uniform(t.shape(), gen, -1.0, 1.0));
  }
};

void compare_sets(const std::string& what, const Set& got, const Set& want, bool with_v) {
  for (std::size_t i = 0; i < got.p.size(); ++i) {
    const std::string w = what + " tensor " + std::to_string(i) + " " + got.p[i].shape().str();
    expect_close(w + " p", got.p[i], want.p[i], 1e-6, 1e-5);
    expect_close(w + " m", got.m[i], want.m[i], 1e-6, 1e-5);
    if (with_v) expect_close(w + " v", got.v[i], want.v[i], 1e-9, 1e-5);
  }
}

// kind: 0 Adam (L2), 1 AdamW, 2 SGD momentum, 3 SGD nesterov. impl: 0 tensor API (fused),
// 1 per-tensor baseline (raw launcher).
void step(Set& s, int kind, int t, const Tensor* scale, int impl) {
  AdamParams a;
  a.lr = 1e-2;
  a.weight_decay = kind == 0 ? 1e-2 : 0.05;
  a.decoupled = kind == 1;
  a.step = t;
  SgdParams sg;
  sg.lr = 0.05;
  sg.momentum = 0.9;
  sg.weight_decay = 1e-4;
  sg.nesterov = kind == 3;
  if (impl == 0) {
    if (kind <= 1)
      adam_step(s.pp, s.gp, s.mp, s.vp, a, scale);
    else
      sgd_step(s.pp, s.gp, s.mp, sg, scale);
    return;
  }
  std::vector<ParamSlot<float>> slots;
  for (std::size_t i = 0; i < s.p.size(); ++i)
    slots.push_back({s.p[i].data<float>(), s.g[i].data<float>(), s.m[i].data<float>(),
                     kind <= 1 ? s.v[i].data<float>() : nullptr, s.p[i].numel()});
  const float* sc = scale ? scale->data<float>() : nullptr;
  if (kind <= 1)
    cuda::adam_step_per_tensor(slots, a, sc);
  else
    cuda::sgd_step_per_tensor(slots, sg, sc);
}
}  // namespace

TEST_CASE("CUDA optimizer steps (fused and per-tensor) match the reference over several steps") {
  const char* names[] = {"Adam L2", "AdamW", "SGD momentum", "SGD nesterov"};
  Tensor scale_cpu = Tensor::from_vector({1}, std::vector<float>{0.37f});
  Tensor scale_gpu = scale_cpu.to(Device::CUDA);
  for (int kind = 0; kind < 4; ++kind) {
    for (int impl = 0; impl < 2; ++impl) {
      Set want(kShapes, 7, Device::CPU), got(kShapes, 7, Device::CUDA);
      for (int t = 1; t <= 5; ++t) {
        want.grads(100 + t);
        got.grads(100 + t);
        {
          ScopedCpuPath r(CpuPath::Reference);
          step(want, kind, t, t % 2 ? &scale_cpu : nullptr, 0);
        }
        step(got, kind, t, t % 2 ? &scale_gpu : nullptr, impl);
      }
      compare_sets(std::string(names[kind]) + (impl ? " per-tensor" : " fused"), got, want, kind <= 1);
    }
  }
}

TEST_CASE("CUDA fused step: the cached chunk table follows a changing parameter list") {
  Set a_want({{5000}, {3}}, 1, Device::CPU), a_got({{5000}, {3}}, 1, Device::CUDA);
  Set b_want({{7}, {9000}, {1}}, 2, Device::CPU), b_got({{7}, {9000}, {1}}, 2, Device::CUDA);
  for (int t = 1; t <= 3; ++t) {
    for (Set* s : {&a_want, &a_got, &b_want, &b_got}) s->grads(static_cast<uint64_t>(t));
    {
      ScopedCpuPath r(CpuPath::Reference);
      step(a_want, 1, t, nullptr, 0);
      step(b_want, 1, t, nullptr, 0);
    }
    step(a_got, 1, t, nullptr, 0);
    step(b_got, 1, t, nullptr, 0);
  }
  compare_sets("set a", a_got, a_want, true);
  compare_sets("set b", b_got, b_want, true);
}

TEST_CASE("CUDA grad_norm and clip coefficient: reference values, same bits every run") {
  Set cpu(kShapes, 9, Device::CPU), gpu(kShapes, 9, Device::CUDA);
  cpu.grads(3);
  gpu.grads(3);
  ClipCoef want;
  {
    ScopedCpuPath r(CpuPath::Reference);
    want = clip_grad_norm(cpu.gp, 10.0);
  }
  ClipCoef got = clip_grad_norm(gpu.gp, 10.0);
  expect_close("norm", got.norm, want.norm, 0.0, 1e-6);
  expect_close("coef", got.coef, want.coef, 0.0, 1e-6);
  ClipCoef again = clip_grad_norm(gpu.gp, 10.0);
  CHECK(same_bits(again.norm, got.norm));
  CHECK(clip_grad_norm(gpu.gp, 1e9).coef.item() == 1.0);
  expect_close("grad_norm", grad_norm(gpu.gp), want.norm, 0.0, 1e-6);
}

TEST_CASE("CUDA grad_norm sums in double as the reference does: no float overflow for |g| > 1.8e19") {
  std::vector<float> big(4097, 1e19f);  // a float sum of squares overflows (1e38 each); a double one does not
  big[7] = 1e20f;
  Tensor cpu_g = Tensor::from_vector({4097}, big);
  Tensor gpu_g = cpu_g.to(Device::CUDA);
  ClipCoef want;
  {
    ScopedCpuPath r(CpuPath::Reference);
    want = clip_grad_norm({&cpu_g}, 1.0);
  }
  ClipCoef got = clip_grad_norm({&gpu_g}, 1.0);
  expect_close("norm", got.norm, want.norm, 0.0, 1e-6);
  expect_close("coef", got.coef, want.coef, 0.0, 1e-6);
}
