// Op harness cases: batch norm, pooling, concat / batch slice, spatial attention, fusion.
// Shapes are odd on purpose (N = 1, C = 1, primes, H != W, sizes that are no multiple of
// any block or tile). Tolerances are per case: fast CPU float32 vs the double-accumulating
// reference, CUDA vs reference, and backward vs central finite differences (float64).
//
// Max-type ops (max pooling, channel max) draw every input as a random permutation of
// well-separated values (distinct_values): no ties and no near-ties, so the argmax does
// not move under the finite-difference step. Ties are tested separately below
// (TEST_CASE "max ties pick the first"), against the rule, not against differences.
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>

#include "kernels/attention/attention.h"
#include "kernels/core/backend.h"
#include "kernels/core/dispatch.h"
#include "kernels/norm/batch_norm.h"
#include "kernels/pool/pool.h"
#include "kernels/tensor_ops/tensor_ops.h"
#include "tests/harness/op_harness.h"

namespace {
using namespace gsn;
using namespace gsn::test;

// A random permutation of n values evenly spaced over [-1, 1] (spacing 2/n >> fd_eps).
Tensor distinct_values(int, const Shape& s, Generator& g, DType t) {
  const int64_t n = s.numel();
  std::vector<double> v(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = n == 1 ? 0.5 : -1.0 + 2.0 * static_cast<double>(i) / static_cast<double>(n - 1);
  for (int64_t i = n - 1; i > 0; --i) std::swap(v[static_cast<std::size_t>(i)], v[g.below(static_cast<uint32_t>(i + 1))]);
  return Tensor::from_vector(s, v).to(t);
}

// Running statistics for an eval-mode case: fixed, channel-dependent, on x's device.
void eval_stats(int64_t C, const Var& x, Tensor& mean, Tensor& var) {
  std::vector<double> m(static_cast<std::size_t>(C)), v(static_cast<std::size_t>(C));
  for (int64_t c = 0; c < C; ++c) {
    m[static_cast<std::size_t>(c)] = 0.15 * static_cast<double>(c % 5) - 0.3;
    v[static_cast<std::size_t>(c)] = 0.4 + 0.25 * static_cast<double>(c % 7);
  }
  mean = Tensor::from_vector(Shape{C}, m).to(x.dtype()).to(x.device());
  var = Tensor::from_vector(Shape{C}, v).to(x.dtype()).to(x.device());
}

std::string str(const Shape& s) { return " " + s.str(); }
}  // namespace

GSN_OP_CASES(batch_norm) {
  // N*H*W >= 2 per channel (training needs it); C = 1, primes, M = 2, and a GSN-like shape.
  // H*W = 24 takes the CUDA kernels' float4 path (H*W % 4 == 0); N*H*W = 8320 spreads a
  // channel's statistics over several CUDA blocks.
  const std::vector<Shape> shapes = {{1, 1, 1, 2}, {2, 1, 1, 1}, {2, 3, 5, 7}, {1, 5, 3, 2},
                                     {3, 7, 6, 5}, {4, 16, 9, 7}, {2, 5, 4, 6}, {2, 3, 64, 65}};
  for (const Shape& s : shapes) {
    const int64_t C = s[1];
    for (bool training : {true, false}) {
      OpCase bn{std::string(training ? "batch_norm train" : "batch_norm eval") + str(s), {s, {C}, {C}},
                [C, training](const Vars& v) {
                  Tensor rm, rv;
                  eval_stats(C, v[0], rm, rv);
                  return ag::batch_norm(v[0], v[1], v[2], rm, rv, training, 0.1, 1e-5);
                }};
      // Inputs in [-1, 1] plus a per-tensor offset so the mean is not ~0.
      bn.init = [](int i, const Shape& sh, Generator& g, DType t) {
        return i == 0 ? rand_uniform(sh, g, -0.7, 1.3, t) : rand_uniform(sh, g, 0.5, 1.5, t);
      };
      bn.cpu_tol = {1e-5, 1e-5};  // float32 two-pass in double vs reference; gx is a difference of O(1) terms
      bn.gpu_tol = {5e-5, 1e-4};  // CUDA: float partial sums
      bn.grad_tol = {1e-6, 1e-5};
      add_case(bn);

      // The fused BN + ReLU (every GSN ConvBnRelu unit), against relu(batch_norm(x)) in
      // the reference and against finite differences. beta is drawn in [-0.5, 0.5] so
      // about half the outputs are clipped.
      OpCase bnr{std::string(training ? "batch_norm_relu train" : "batch_norm_relu eval") + str(s), {s, {C}, {C}},
                 [C, training](const Vars& v) {
                   Tensor rm, rv;
                   eval_stats(C, v[0], rm, rv);
                   return ag::batch_norm_relu(v[0], v[1], v[2], rm, rv, training, 0.1, 1e-5);
                 }};
      bnr.init = [](int i, const Shape& sh, Generator& g, DType t) {
        return i == 0 ? rand_uniform(sh, g, -0.7, 1.3, t) : rand_uniform(sh, g, i == 1 ? 0.5 : -0.5, i == 1 ? 1.5 : 0.5, t);
      };
      bnr.cpu_tol = bn.cpu_tol;
      bnr.gpu_tol = bn.gpu_tol;
      bnr.grad_tol = bn.grad_tol;
      add_case(bnr);
    }
  }
}

TEST_CASE("batch_norm_relu is relu(batch_norm(x)): values and gradients") {
  // The fused op against the two ops it replaces, in float64 (which runs the reference
  // kernels) and in float32 (the fast CPU kernels training uses).
  for (bool reference : {true, false}) {
    const DType t = reference ? DType::F64 : DType::F32;
    for (bool training : {true, false}) {
      Generator g(11);
      const Shape s{3, 5, 7, 6};
      Var x(rand_uniform(s, g, -1.0, 1.0, t), true), gamma(rand_uniform({5}, g, 0.5, 1.5, t), true),
          beta(rand_uniform({5}, g, -0.5, 0.5, t), true);
      Tensor w = rand_uniform(s, g, -1.0, 1.0, t);  // a random linear functional of the output
      std::vector<Tensor> got[2];
      for (int fused : {0, 1}) {
        Tensor rm = Tensor::zeros({5}, t), rv = Tensor::full({5}, 1.0, t);
        Var y = fused ? ag::batch_norm_relu(x, gamma, beta, rm, rv, training)
                      : ag::relu(ag::batch_norm(x, gamma, beta, rm, rv, training));
        backward(ag::sum(ag::mul(y, Var(w))));
        got[fused] = {y.value(), x.grad(), gamma.grad(), beta.grad(), rm, rv};
        x.zero_grad(), gamma.zero_grad(), beta.zero_grad();
      }
      for (std::size_t i = 0; i < got[0].size(); ++i) {
        INFO((reference ? "reference" : "fast CPU") << (training ? " train" : " eval") << " output " << i);
        CHECK(max_abs_diff(got[0][i], got[1][i]) <= (reference ? 1e-12 : 2e-6));
      }
    }
  }
}

GSN_OP_CASES(pool) {
  struct MP {
    Shape s;
    int k, st, p;
  };
  const std::vector<MP> mps = {{{1, 1, 1, 1}, 3, 2, 1},   {{2, 3, 7, 5}, 3, 2, 1}, {{1, 2, 16, 13}, 3, 2, 1},
                               {{3, 5, 33, 31}, 3, 2, 1}, {{2, 3, 8, 6}, 2, 2, 0}, {{2, 2, 5, 7}, 3, 1, 1},
                               {{1, 3, 11, 9}, 5, 3, 2},  {{2, 1, 4, 9}, 1, 1, 0},
                               // 3x3 s2 p1 rows of 32 and 35 outputs (even and odd W): v2's
                               // columns 1..31 are a full 16-output block and one of 15 on
                               // AVX-512 (3 full 8-output blocks and one of 7 on AVX2);
                               // columns 1..33, two full blocks and a short one (four and one)
                               {{2, 2, 6, 64}, 3, 2, 1},  {{1, 2, 9, 69}, 3, 2, 1}};
  for (const MP& m : mps) {
    OpCase c{"max_pool2d k" + std::to_string(m.k) + " s" + std::to_string(m.st) + " p" + std::to_string(m.p) + str(m.s),
             {m.s},
             [m](const Vars& v) { return ag::max_pool2d(v[0], m.k, m.st, m.p); }};
    c.init = distinct_values;
    c.cpu_tol = {0.0, 0.0};   // a selection and a scatter in the same order: exact
    c.gpu_tol = {1e-6, 1e-6};  // CUDA backward gathers: up to k*k/s^2 terms in another order
    add_case(c);
  }
  struct AP {
    Shape s;
    int64_t ho, wo;
  };
  const std::vector<AP> aps = {{{1, 1, 1, 1}, 1, 1}, {{2, 3, 13, 11}, 4, 5}, {{2, 2, 7, 9}, 7, 9},
                               {{1, 3, 5, 4}, 7, 6}, {{3, 4, 24, 20}, 6, 5}, {{2, 5, 16, 12}, 1, 1}};
  for (const AP& a : aps) {
    OpCase c{"adaptive_avg_pool2d ->" + std::to_string(a.ho) + "x" + std::to_string(a.wo) + str(a.s),
             {a.s},
             [a](const Vars& v) { return ag::adaptive_avg_pool2d(v[0], a.ho, a.wo); }};
    c.cpu_tol = {1e-6, 1e-5};  // float bin sums (at most a few hundred terms) vs double
    add_case(c);
  }
  for (const Shape& s : std::vector<Shape>{{1, 1, 1, 1}, {2, 3, 5, 7}, {3, 17, 12, 11}, {2, 4, 61, 67}}) {
    OpCase c{"global_avg_pool" + str(s), {s}, [](const Vars& v) { return ag::global_avg_pool(v[0]); }};
    c.cpu_tol = {1e-6, 1e-5};
    add_case(c);
  }
}

GSN_OP_CASES(tensor_ops) {
  const std::vector<std::vector<Shape>> cats = {
      {{1, 3, 7, 1}},
      {{2, 1, 3, 5}, {2, 4, 3, 5}, {2, 2, 3, 5}},
      {{3, 5, 4, 4}, {3, 5, 4, 4}, {3, 5, 4, 4}, {3, 1, 4, 4}},
      {{2, 7, 13, 11}, {2, 3, 13, 11}}};
  for (const auto& ss : cats) {
    std::string name = "concat_channels";
    for (const Shape& s : ss) name += str(s);
    OpCase c{name, ss, [](const Vars& v) { return ag::concat_channels(v); }};
    c.cpu_tol = c.gpu_tol = {0.0, 0.0};  // pure copies
    add_case(c);
  }
  struct SB {
    Shape s;
    int64_t b, e;
  };
  for (const SB& sb : std::vector<SB>{{{1, 3, 2, 2}, 0, 1}, {{5, 3, 4, 2}, 1, 4}, {{6, 2, 5, 3}, 3, 6}, {{4, 7}, 0, 2}}) {
    OpCase c{"slice_batch [" + std::to_string(sb.b) + "," + std::to_string(sb.e) + ")" + str(sb.s), {sb.s},
             [sb](const Vars& v) { return ag::slice_batch(v[0], sb.b, sb.e); }};
    c.cpu_tol = c.gpu_tol = {0.0, 0.0};
    add_case(c);
  }
  // The siamese pattern: both halves of one batch, concatenated along channels.
  OpCase halves{"slice_batch halves + concat [6,3,5,4]", {{6, 3, 5, 4}}, [](const Vars& v) {
                  return ag::concat_channels({ag::slice_batch(v[0], 0, 3), ag::slice_batch(v[0], 3, 6)});
                }};
  halves.cpu_tol = halves.gpu_tol = {0.0, 0.0};
  add_case(halves);
}

GSN_OP_CASES(attention) {
  const std::vector<Shape> shapes = {{1, 1, 1, 1}, {2, 3, 5, 7}, {1, 7, 13, 11}, {3, 17, 9, 4}, {2, 96, 6, 5}};
  for (const Shape& s : shapes) {
    OpCase mm{"channel_mean_max" + str(s), {s}, [](const Vars& v) { return ag::channel_mean_max(v[0]); }};
    mm.init = distinct_values;
    mm.cpu_tol = {2e-6, 1e-5};  // float running sum over C vs double
    add_case(mm);
    const Shape as{s[0], 1, s[2], s[3]};
    OpCase g{"gate" + str(s), {s, as}, [](const Vars& v) { return ag::gate(v[0], v[1]); }};
    g.cpu_tol = {1e-6, 1e-5};  // ga: sum over C (double on the CPU path)
    add_case(g);
  }
  // Pieces chained as the attention block chains them (the conv is left out): the gate of
  // a sigmoid map, then channel pooling of the gated features.
  OpCase blk{"gate(P, sigmoid(a)) -> channel_mean_max [2,9,7,6]", {{2, 9, 7, 6}, {2, 1, 7, 6}}, [](const Vars& v) {
               return ag::channel_mean_max(ag::gate(v[0], ag::sigmoid(v[1])));
             }};
  blk.init = [](int i, const Shape& sh, Generator& g, DType t) {
    // Positive gates keep the order of the gated values, so distinct P stays tie-free.
    return i == 0 ? distinct_values(i, sh, g, t) : rand_uniform(sh, g, -1.0, 1.0, t);
  };
  blk.cpu_tol = {2e-6, 1e-5};
  add_case(blk);
}

GSN_OP_CASES(fusion) {
  struct SD {
    Shape s;
    int64_t B;
  };
  for (const SD& sd : std::vector<SD>{{{2, 1, 1, 1}, 1}, {{6, 5, 7, 3}, 3}, {{4, 32, 9, 8}, 2}, {{2, 3, 13, 1}, 1}}) {
    OpCase c{"siamese_diff_concat B=" + std::to_string(sd.B) + str(sd.s), {sd.s},
             [sd](const Vars& v) { return ag::siamese_diff_concat(v[0], sd.B); }};
    c.cpu_tol = c.gpu_tol = {1e-7, 0.0};  // one subtraction, same order everywhere
    add_case(c);
  }
  const std::vector<std::vector<Shape>> levels = {
      {{2, 3, 16, 12}, {2, 5, 8, 6}, {2, 4, 4, 3}},    // the GSN pattern: /2, /4, /8
      {{1, 2, 13, 11}, {1, 3, 7, 5}, {1, 1, 3, 2}},    // not divisible: overlapping bins
      {{3, 2, 5, 4}, {3, 1, 5, 4}, {3, 3, 5, 4}},      // all the same size: a concat
      {{2, 3, 3, 2}, {2, 2, 5, 7}, {2, 2, 4, 5}},      // P1 smaller than P3: bins repeat
      {{1, 1, 1, 1}, {1, 1, 1, 1}, {1, 1, 1, 1}}};
  for (const auto& ls : levels) {
    OpCase c{"fuse_levels" + str(ls[0]) + str(ls[1]) + str(ls[2]), ls,
             [](const Vars& v) { return ag::fuse_levels(v[0], v[1], v[2]); }};
    c.cpu_tol = {1e-6, 1e-5};
    add_case(c);
  }
  // The multi-level fusion as GSN wires it: F -> P = [F_r, F_d, F_r - F_d] per level, then fuse.
  OpCase wired{"siamese_diff_concat x3 -> fuse_levels (B=2)", {{4, 3, 12, 10}, {4, 3, 6, 5}, {4, 3, 3, 2}},
               [](const Vars& v) {
                 return ag::fuse_levels(ag::siamese_diff_concat(v[0], 2), ag::siamese_diff_concat(v[1], 2),
                                        ag::siamese_diff_concat(v[2], 2));
               }};
  wired.cpu_tol = {1e-6, 1e-5};
  add_case(wired);
}

// ---- checks that are not "compare with the reference / with differences" --------------

namespace {
// Runs fn under the reference and the fast CPU path (--check=cpu), or CUDA (--check=gpu).
// The cases that call it end their names in "on every path", which --check=gpu selects.
template <class Fn> void on_every_path(Fn fn) {
  if (harness_check() == "gpu") {
    fn(Device::CUDA, "cuda");
    return;
  }
  {
    ScopedCpuPath p(CpuPath::Reference);
    fn(Device::CPU, "reference");
  }
  fn(Device::CPU, "cpu");
}
}  // namespace

TEST_CASE("batch_norm running statistics follow PyTorch (momentum, unbiased variance), on every path") {
  const Shape s{3, 4, 5, 2};
  Generator g(7);
  Tensor x1 = rand_uniform(s, g, -1.0, 2.0), x2 = rand_uniform(s, g, -3.0, 1.0);
  const int64_t C = 4, M = 3 * 5 * 2;
  // Expected: two training steps from (0, 1), in double.
  std::vector<double> em(C, 0.0), ev(C, 1.0);
  for (const Tensor& x : {x1, x2}) {
    std::vector<double> xv = x.to_vector<double>();
    for (int64_t c = 0; c < C; ++c) {
      double sum = 0.0, ss = 0.0;
      for (int64_t n = 0; n < 3; ++n)
        for (int64_t i = 0; i < 10; ++i) sum += xv[static_cast<std::size_t>((n * C + c) * 10 + i)];
      const double mean = sum / M;
      for (int64_t n = 0; n < 3; ++n)
        for (int64_t i = 0; i < 10; ++i) {
          const double d = xv[static_cast<std::size_t>((n * C + c) * 10 + i)] - mean;
          ss += d * d;
        }
      em[static_cast<std::size_t>(c)] = 0.9 * em[static_cast<std::size_t>(c)] + 0.1 * mean;
      ev[static_cast<std::size_t>(c)] = 0.9 * ev[static_cast<std::size_t>(c)] + 0.1 * ss / (M - 1);
    }
  }
  on_every_path([&](Device d, const char* path) {
    Tensor rm = Tensor::zeros(Shape{C}, DType::F32, d), rv = Tensor::full(Shape{C}, 1.0, DType::F32, d);
    Tensor gamma = Tensor::full(Shape{C}, 1.0, DType::F32, d), beta = Tensor::zeros(Shape{C}, DType::F32, d);
    for (const Tensor& x : {x1, x2}) batch_norm_forward(x.to(d), gamma, beta, rm, rv, true, 0.1, 1e-5);
    std::vector<double> gm = rm.to_vector<double>(), gv = rv.to_vector<double>();
    for (int64_t c = 0; c < C; ++c) {
      INFO(path << " channel " << c);
      CHECK(std::fabs(gm[static_cast<std::size_t>(c)] - em[static_cast<std::size_t>(c)]) < 1e-6);
      CHECK(std::fabs(gv[static_cast<std::size_t>(c)] - ev[static_cast<std::size_t>(c)]) < 1e-5);
    }
    // Eval mode reads them and leaves them alone.
    BatchNormResult r = batch_norm_forward(x1.to(d), gamma, beta, rm, rv, false, 0.1, 1e-5);
    CHECK(rm.to_vector<double>() == gm);
    CHECK(rv.to_vector<double>() == gv);
    const std::vector<double> y = r.y.to_vector<double>(), xv = x1.to_vector<double>();
    const double want0 = (xv[0] - gm[0]) / std::sqrt(gv[0] + 1e-5);
    CHECK(std::fabs(y[0] - want0) < 1e-5);
  });
}

TEST_CASE("max ties pick the first in scan order (max_pool2d, channel_mean_max), on every path") {
  on_every_path([&](Device d, const char* path) {
    INFO(path);
    // One 3x3 plane of equal values: every window's argmax is its first real element.
    Tensor x = Tensor::full(Shape{1, 1, 3, 3}, 2.0, DType::F32, d);
    MaxPoolResult r = max_pool2d(x, 3, 2, 1);  // 2x2 outputs; windows start at (-1,-1), (-1,1), (1,-1), (1,1)
    CHECK(r.idx.to_vector<float>() == std::vector<float>{0.f, 1.f, 3.f, 4.f});
    Tensor g = max_pool2d_backward(Tensor::full(Shape{1, 1, 2, 2}, 1.0, DType::F32, d), r.idx, x.shape(), 3, 2, 1);
    CHECK(g.to_vector<float>() == std::vector<float>{1.f, 1.f, 0.f, 1.f, 1.f, 0.f, 0.f, 0.f, 0.f});
    // The same on rows wide enough for 16-output blocks (3x3 s2 p1, W = 40): output (i, j)
    // with j >= 1 takes (max(2i-1, 0), 2j-1). A NaN wins only where it comes first in its
    // window: (1, 6) is the middle column of output column 3's windows (no effect); (0, 9)
    // is the first element of output (0, 5)'s window (NaN there) and the last element of
    // the first row of output (0, 4)'s window (no effect).
    std::vector<float> wide(3 * 40, 2.f);
    wide[1 * 40 + 6] = NAN;
    wide[0 * 40 + 9] = NAN;
    MaxPoolResult rw = max_pool2d(Tensor::from_vector(Shape{1, 1, 3, 40}, wide, d), 3, 2, 1);
    const std::vector<float> at = rw.idx.to_vector<float>(), yw = rw.y.to_vector<float>();
    for (int i = 0; i < 2; ++i)
      for (int j = 1; j < 20; ++j) {
        INFO("output " << i << "," << j);
        const auto o = static_cast<std::size_t>(i * 20 + j);
        CHECK(at[o] == static_cast<float>(std::max(2 * i - 1, 0) * 40 + 2 * j - 1));
        if (i == 0 && j == 5)
          CHECK(std::isnan(yw[o]));
        else
          CHECK(yw[o] == 2.f);
      }
    // Channels 1 and 3 tie for the max at every position: channel 1 takes the gradient.
    std::vector<float> v(2 * 5 * 3);
    for (int c = 0; c < 5; ++c)
      for (int p = 0; p < 3; ++p)
        for (int n = 0; n < 2; ++n) v[static_cast<std::size_t>((n * 5 + c) * 3 + p)] = (c == 1 || c == 3) ? 4.f : static_cast<float>(c) * 0.1f;
    ChannelPoolResult cm = channel_mean_max(Tensor::from_vector(Shape{2, 5, 1, 3}, v, d));
    CHECK(cm.argmax.to_vector<float>() == std::vector<float>(6, 1.f));
    // NaN in the channel max (16 channels: the CUDA kernel splits them into 8 groups of
    // 2): a NaN in channel 0 wins; elsewhere it never does, also when it is the first
    // channel of its group (channel 1 here) and the maximum comes later in the group (9).
    std::vector<float> u(16 * 2);
    for (int c = 0; c < 16; ++c) u[static_cast<std::size_t>(c * 2)] = u[static_cast<std::size_t>(c * 2 + 1)] = 0.01f * c;
    u[1 * 2 + 0] = u[1 * 2 + 1] = NAN;
    u[9 * 2 + 0] = u[9 * 2 + 1] = 100.f;
    u[0 * 2 + 1] = NAN;  // position 1: channel 0 is NaN
    ChannelPoolResult cn = channel_mean_max(Tensor::from_vector(Shape{1, 16, 1, 2}, u, d));
    const std::vector<float> am = cn.argmax.to_vector<float>(), ym = cn.y.to_vector<float>();
    CHECK(am[0] == 9.f);
    CHECK(ym[2] == 100.f);  // y [1, 2, 1, 2]: channel 1 of y is the max map
    CHECK(am[1] == 0.f);
    CHECK(std::isnan(ym[3]));
  });
}

TEST_CASE("empty batches: slice_batch_backward of no rows, batch_norm eval of N = 0, on every path") {
  const bool guards = debug_guards();
  set_debug_guards(true);  // fresh buffers start as NaN, so an output left unwritten fails
  on_every_path([&](Device d, const char* path) {
    INFO(path);
    // No rows of gradient: gx is all zeros.
    Tensor gx = slice_batch_backward(Tensor::empty(Shape{0, 3, 2, 2}, DType::F32, d), 2, 1);
    CHECK(gx.shape() == Shape{2, 3, 2, 2});
    CHECK(gx.to_vector<float>() == std::vector<float>(24, 0.f));
    // Evaluation on an empty batch: the saved statistics are the running ones, and the
    // parameter gradients are zero.
    const Tensor x = Tensor::empty(Shape{0, 2, 3, 3}, DType::F32, d);
    const Tensor gamma = Tensor::from_vector(Shape{2}, std::vector<float>{1.f, 2.f}, d);
    const Tensor beta = Tensor::from_vector(Shape{2}, std::vector<float>{0.f, 1.f}, d);
    Tensor rm = Tensor::from_vector(Shape{2}, std::vector<float>{0.5f, -1.f}, d);
    Tensor rv = Tensor::from_vector(Shape{2}, std::vector<float>{4.f, 0.25f}, d);
    BatchNormResult r = batch_norm_forward(x, gamma, beta, rm, rv, false, 0.1, 1e-5);
    CHECK(r.save_mean.to_vector<float>() == std::vector<float>{0.5f, -1.f});
    BatchNormGrads gr = batch_norm_backward(x, x, gamma, r.save_mean, r.save_invstd, false);
    CHECK(gr.ggamma.to_vector<float>() == std::vector<float>(2, 0.f));
    CHECK(gr.gbeta.to_vector<float>() == std::vector<float>(2, 0.f));
  });
  set_debug_guards(guards);
}

TEST_CASE("max_pool2d refuses geometries without a real element in some window") {
  // An empty plane with padding passes the size rule (H + 2p >= k) but leaves windows of
  // padding only, which every path would read past x for; a window wider than the padded
  // input; a pad over k/2 (also windows of padding only).
  CHECK_THROWS_WITH_AS(max_pool2d(Tensor::zeros({1, 1, 0, 3}), 2, 1, 1), doctest::Contains("empty planes"), gsn::Error);
  CHECK_THROWS_WITH_AS(max_pool2d(Tensor::zeros({1, 1, 3, 0}), 3, 2, 1), doctest::Contains("empty planes"), gsn::Error);
  CHECK_THROWS_WITH_AS(max_pool2d(Tensor::zeros({1, 1, 2, 2}), 5, 1, 1), doctest::Contains("larger than the padded"),
                       gsn::Error);
  CHECK_THROWS_AS(max_pool2d(Tensor::zeros({1, 1, 4, 4}), 3, 1, 2), gsn::Error);
  CHECK(max_pool2d(Tensor::zeros({0, 2, 3, 3}), 3, 2, 1).y.shape() == Shape{0, 2, 2, 2});  // no images is fine
}
