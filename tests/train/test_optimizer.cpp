// train/optimizer.h: the learning-rate schedule and which parameters are decayed.
#include <doctest/doctest.h>

#include <cmath>

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
    opt.step(0.5);  // no gradients: only the decay can move a parameter
    // AdamW: p -= lr * wd * p. Adam and SGD add wd * p to the gradient: Adam's first step
    // then moves by lr (m / sqrt(v) = 1), SGD's by lr * wd * p.
    const double want = std::string(kind) == "adam" ? 0.5 : 1.0 - 0.5 * 0.1;
    for (double v : wk.value().to_vector<double>()) CHECK(v == doctest::Approx(want));
    for (double v : sk.value().to_vector<double>()) CHECK(v == 1.0);
    for (double v : bk.value().to_vector<double>()) CHECK(v == 0.5);
  }
}
