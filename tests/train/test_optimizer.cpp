// train/optimizer.h: the learning-rate schedule and which parameters are decayed.
#include <doctest/doctest.h>

#include <cmath>

#include "autograd/ops.h"
#include "train/optimizer.h"

using namespace gsn;

TEST_CASE("cosine_lr: linear warm-up to base, then a cosine down to base * min_ratio at total") {
  const double base = 0.01, ratio = 0.1;
  CHECK(train::cosine_lr(0, 100, 10, base, ratio) == doctest::Approx(base / 10));
  CHECK(train::cosine_lr(4, 100, 10, base, ratio) == doctest::Approx(base / 2));
  CHECK(train::cosine_lr(9, 100, 10, base, ratio) == doctest::Approx(base));
  CHECK(train::cosine_lr(10, 100, 10, base, ratio) == doctest::Approx(base));
  CHECK(train::cosine_lr(55, 100, 10, base, ratio) == doctest::Approx(base * (ratio + 1) / 2));  // halfway
  CHECK(train::cosine_lr(100, 100, 10, base, ratio) == doctest::Approx(base * ratio));
  CHECK(train::cosine_lr(150, 100, 10, base, ratio) == doctest::Approx(base * ratio));  // held past the end
  double prev = INFINITY;  // not base: at step 10 the cosine gives base to within an ulp, either side
  for (int64_t s = 10; s <= 100; ++s) {
    const double lr = train::cosine_lr(s, 100, 10, base, ratio);
    CHECK(lr <= prev);
    prev = lr;
  }
  CHECK(train::cosine_lr(0, 100, 0, base, ratio) == doctest::Approx(base));  // no warm-up
}

TEST_CASE("weight decay shrinks conv and linear weights, not BN scales, shifts or biases") {
  Var w(Tensor::full({2, 3}, 1.0), true), scale(Tensor::full({3}, 1.0), true), bias(Tensor::full({3}, 0.5), true);
  CHECK(train::decays(w));
  CHECK_FALSE(train::decays(scale));
  CHECK_FALSE(train::decays(bias));
  for (const char* kind : {"adamw", "adam", "sgd"}) {
    CAPTURE(kind);
    Var wk(Tensor::full({2, 3}, 1.0), true), sk(Tensor::full({3}, 1.0), true), bk(Tensor::full({3}, 0.5), true);
    train::OptimOptions o;
    o.kind = kind;
    o.weight_decay = 0.1;
    train::Optimizer opt({{"conv.weight", wk}, {"bn.weight", sk}, {"head.bias", bk}}, o);
    // Zero gradients (a parameter without any gradient would be skipped): only the decay
    // can move a parameter.
    backward(ag::add(ag::add(ag::sum(ag::scale(wk, 0.0)), ag::sum(ag::scale(sk, 0.0))), ag::sum(ag::scale(bk, 0.0))));
    opt.step(0.5);
    // AdamW: p -= lr * wd * p. Adam and SGD add wd * p to the gradient: Adam's first step
    // then moves by lr (m / sqrt(v) = 1), SGD's by lr * wd * p.
    const double want = std::string(kind) == "adam" ? 0.5 : 1.0 - 0.5 * 0.1;
    for (double v : wk.value().to_vector<double>()) CHECK(v == doctest::Approx(want));
    for (double v : sk.value().to_vector<double>()) CHECK(v == 1.0);
    for (double v : bk.value().to_vector<double>()) CHECK(v == 0.5);
  }
}

TEST_CASE("a parameter without a gradient is left alone: no decay, no momentum, its state kept") {
  for (const char* kind : {"adamw", "adam", "sgd"}) {
    CAPTURE(kind);
    Var used(Tensor::full({2, 3}, 1.0), true), idle(Tensor::full({2, 3}, 1.0), true);
    train::OptimOptions o;
    o.kind = kind;
    o.weight_decay = 0.1;
    train::Optimizer opt({{"used.weight", used}, {"idle.weight", idle}}, o);
    // Step 1: both have gradients, so both move and get momentum.
    backward(ag::add(ag::sum(used), ag::sum(idle)));
    opt.step(0.1);
    used.zero_grad();
    idle.zero_grad();
    const std::vector<double> idle_value = idle.value().to_vector<double>();
    const std::vector<double> used_value = used.value().to_vector<double>();
    const auto state = opt.state();
    const std::string m_key = std::string("optim.idle.weight.") + (std::string(kind) == "sgd" ? "momentum" : "m");
    const std::vector<double> idle_m = state.at(m_key).to_vector<double>();
    CHECK(idle_value[0] != 1.0);
    CHECK(idle_m[0] != 0.0);
    // Step 2: only `used` has a gradient. With a zero gradient instead, momentum (and, for
    // AdamW, the decay) would still move `idle`.
    backward(ag::sum(used));
    opt.step(0.1);
    CHECK(used.value().to_vector<double>() != used_value);
    CHECK(idle.value().to_vector<double>() == idle_value);
    CHECK(opt.state().at(m_key).to_vector<double>() == idle_m);
    CHECK(opt.steps() == 2);
    // No gradient at all: nothing moves and the step is not counted.
    used.zero_grad();
    CHECK(opt.step(0.1) == 0.0);
    CHECK(opt.steps() == 2);
  }
}
