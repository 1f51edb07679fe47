// Emulated kernels/optim/optim.cu against ref::adam_step / sgd_step / grad_norm (float),
// the tolerances of tests/gpu/test_optim_losses.cu (p, m {1e-6, 1e-5}; v {1e-9, 1e-5};
// norm and coefficient {0, 1e-6}).
//   steps     tensors of 0, 1, 5, 17, 1025, 4097 and 8193 elements (empty, partial and
//             several 4096-element chunks), four steps, a grad scale on odd steps, a NaN
//             and infinities in step 3's gradient; every Adam and SGD variant; the fused
//             launch and the per-tensor baseline (on a grid capped at 2 blocks)
//   cache     the fused launch's chunk table follows a list that changes between steps
//   grad_norm chunk sums in double (|g| = 1e19..1e20 overflows a float sum), NaN, inf,
//             max_norm 0 / inf / negative, no tensors, no coefficient; same bits in
//             another block order
#include <limits>

#include "kernels/optim/optim.h"
#include "tests/cuda_emu/emu_check.h"
#include "tests/cuda_emu/emu_coverage.h"

namespace {
using namespace gsn;
using namespace gsn::emu_test;

const std::vector<std::size_t> kSizes = {0, 1, 5, 17, 1025, 4097, 8193};

// One parameter list in "device" buffers: p, g, m, v per tensor.
struct Params {
  std::vector<DevBuf> p, g, m, v;
  Params(const std::vector<std::size_t>& sizes, uint64_t seed) {
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      p.emplace_back(draw(sizes[i], -1.0, 1.0, seed + i));
      g.emplace_back(sizes[i]);
      m.emplace_back(std::vector<float>(sizes[i], 0.f));
      v.emplace_back(std::vector<float>(sizes[i], 0.f));
    }
  }
  void grads(uint64_t seed, bool specials) {
    for (std::size_t i = 0; i < g.size(); ++i) {
      std::vector<float> x = draw(g[i].size(), -1.0, 1.0, seed * 31 + i);
      if (specials && x.size() > 5) x[1] = NAN, x[3] = INFINITY, x[4] = -INFINITY, x[5] = 1e30f;
      if (!x.empty()) std::memcpy(g[i].data(), x.data(), x.size() * sizeof(float));
    }
  }
  std::vector<ParamSlot<float>> slots(bool with_m, bool with_v) {
    std::vector<ParamSlot<float>> s;
    for (std::size_t i = 0; i < p.size(); ++i)
      s.push_back({p[i].data(), g[i].data(), with_m ? m[i].data() : nullptr, with_v ? v[i].data() : nullptr,
                   static_cast<int64_t>(p[i].size())});
    return s;
  }
};

void compare(const std::string& what, const Params& got, const Params& want, bool with_m, bool with_v) {
  for (std::size_t i = 0; i < got.p.size(); ++i) {
    const std::string w = cat(what, " tensor ", i, " (", got.p[i].size(), ")");
    expect_close(w + " p", got.p[i], want.p[i].vec(), {1e-6, 1e-5});
    if (with_m) expect_close(w + " m", got.m[i], want.m[i].vec(), {1e-6, 1e-5});
    if (with_v) expect_close(w + " v", got.v[i], want.v[i].vec(), {1e-9, 1e-5});
    expect_intact(w + " g", got.g[i]);
  }
}

struct Kind {
  const char* name;
  bool adam;
  double weight_decay, momentum;
  bool decoupled, nesterov;
};
const std::vector<Kind> kKinds = {
    {"Adam L2", true, 1e-2, 0.0, false, false},      {"AdamW", true, 0.05, 0.0, true, false},
    {"Adam", true, 0.0, 0.0, false, false},          {"SGD", false, 0.0, 0.0, false, false},
    {"SGD wd", false, 1e-4, 0.0, false, false},      {"SGD momentum", false, 1e-4, 0.9, false, false},
    {"SGD nesterov", false, 1e-4, 0.9, false, true}, {"SGD momentum wd0", false, 0.0, 0.9, false, false},
};

// One step of `k` on `ps`: the reference (impl -1), the fused launch (0) or per tensor (1).
void step(const Kind& k, Params& ps, int t, const float* scale, int impl) {
  AdamParams a;
  a.lr = 1e-2;
  a.weight_decay = k.weight_decay;
  a.decoupled = k.decoupled;
  a.step = t;
  SgdParams s;
  s.lr = 0.05;
  s.momentum = k.momentum;
  s.weight_decay = k.weight_decay;
  s.nesterov = k.nesterov;
  const auto slots = ps.slots(k.adam || k.momentum != 0.0, k.adam);
  if (k.adam) {
    if (impl < 0) ref::adam_step<float>(slots, a, scale);
    if (impl == 0) cuda::adam_step(slots, a, scale);
    if (impl == 1) cuda::adam_step_per_tensor(slots, a, scale);
  } else {
    if (impl < 0) ref::sgd_step<float>(slots, s, scale);
    if (impl == 0) cuda::sgd_step(slots, s, scale);
    if (impl == 1) cuda::sgd_step_per_tensor(slots, s, scale);
  }
}

GSN_EMU_COVERAGE("optim", "kernels/optim/optim.cu");  // checked by emu_main.cpp after the suite ran

TEST_SUITE("optim") {
  TEST_CASE("Adam and SGD steps, fused and per tensor, against the reference") {
    const float host_scale = 0.37f;
    DevBuf dev_scale(std::vector<float>{host_scale});
    for (const Kind& k : kKinds) {
      for (int impl = 0; impl < 2; ++impl) {
        const std::string name = cat(k.name, impl ? " per-tensor" : " fused");
        CaseScope scope(name);
        emu::g_grid_cap = impl == 1 ? 2 : 0;
        Params want(kSizes, 7), got(kSizes, 7);
        for (int t = 1; t <= 4; ++t) {
          want.grads(100 + t, t == 3);
          got.grads(100 + t, t == 3);
          step(k, want, t, t % 2 ? &host_scale : nullptr, -1);
          step(k, got, t, t % 2 ? dev_scale.data() : nullptr, impl);
        }
        compare(name, got, want, k.adam || k.momentum != 0.0, k.adam);
      }
    }
  }

  TEST_CASE("the fused step's cached chunk tables follow changing parameter lists") {
    // Two lists alternating (a training step's two weight-decay groups: both stay cached),
    // then six in turn, more than the cache's four entries (each is evicted and uploaded
    // again, into a block that may have to grow).
    CaseScope scope("chunk table cache");
    const Kind& adamw = kKinds[1];
    const std::vector<std::vector<std::size_t>> lists = {{5000, 3}, {7, 9000, 1}, {1},
                                                         {4096, 4097}, {20000}, {2, 3, 5, 7, 11}};
    for (std::size_t used : {std::size_t{2}, lists.size()}) {
      std::vector<Params> want, got;
      want.reserve(used);
      got.reserve(used);
      for (std::size_t i = 0; i < used; ++i) {
        want.emplace_back(lists[i], i + 1);
        got.emplace_back(lists[i], i + 1);
      }
      for (int t = 1; t <= 3; ++t)
        for (std::size_t i = 0; i < used; ++i) {
          want[i].grads(static_cast<uint64_t>(t), false);
          got[i].grads(static_cast<uint64_t>(t), false);
          step(adamw, want[i], t, nullptr, -1);
          step(adamw, got[i], t, nullptr, 0);
        }
      for (std::size_t i = 0; i < used; ++i) compare(cat("cache: ", used, " lists, list ", i), got[i], want[i], true, true);
    }
  }

  TEST_CASE("grad_norm and the clip coefficient against the reference") {
    const double inf = std::numeric_limits<double>::infinity();
    struct NormCase {
      const char* name;
      std::vector<std::size_t> sizes;
      int special;  // 0 none, 1 NaN, 2 inf, 3 one 1e20, 4 all 1e19 (float squares overflow), 5 zeros
      double max_norm;
    };
    const std::vector<NormCase> cases = {
        {"mixed", {0, 1, 2, 3, 5, 7, 17, 33, 4095, 4096, 4097, 8193}, 0, 10.0},
        {"max_norm inf", {17, 4097}, 0, inf},
        {"max_norm 0", {17, 4097}, 0, 0.0},
        {"max_norm -1", {17}, 0, -1.0},
        {"clip inactive", {3}, 0, 100.0},
        {"no elements", {0, 0}, 0, 10.0},
        {"no tensors", {}, 0, 10.0},
        {"NaN", {17, 4097}, 1, 10.0},
        {"inf", {17, 4097}, 2, 10.0},
        {"one 1e20", {17, 4097}, 3, 10.0},
        {"all 1e19", {4097}, 4, 1.0},
        {"zeros", {100}, 5, 10.0},
        {"20 chunks", {20 * 4096 - 11}, 0, 1.0},
    };
    for (const NormCase& c : cases) {
      const std::string name = cat("grad_norm ", c.name);
      CaseScope scope(name);
      Params ps(c.sizes, 5);
      ps.grads(9, false);
      for (DevBuf& g : ps.g) {
        const std::size_t n = g.size();
        if (n == 0) continue;
        if (c.special == 1) g.data()[n / 2] = NAN;
        if (c.special == 2) g.data()[n / 2] = INFINITY;
        if (c.special == 3) g.data()[0] = 1e20f;
        for (std::size_t i = 0; i < n && c.special >= 4; ++i) g.data()[i] = c.special == 4 ? 1e19f : 0.f;
      }
      const auto slots = ps.slots(false, false);
      float want_norm = 0.f, want_coef = 0.f;
      ref::grad_norm<float>(slots, c.max_norm, &want_norm, &want_coef);
      DevBuf norm(1), coef(1), norm2(1);
      cuda::grad_norm(slots, c.max_norm, norm.data(), coef.data());
      expect_close(name + " norm", norm, {want_norm}, {0.0, 1e-6});
      expect_close(name + " coef", coef, {want_coef}, {0.0, 1e-6});
      emu::reset_schedule(3);
      cuda::grad_norm(slots, c.max_norm, norm2.data(), nullptr);
      expect_same_bits(name + " norm", norm.vec(), norm2.vec());
    }
  }
}
}  // namespace
