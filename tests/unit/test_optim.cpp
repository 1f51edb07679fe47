// Optimizer steps (kernels/optim/optim.h): hand-computed PyTorch semantics, the fast CPU
// path against the reference over many odd-sized tensors and several steps, the gradient
// norm and clipping, and the errors a caller can hit. CUDA against the reference lives in
// tests/gpu/test_optim_losses.cu.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "kernels/core/dispatch.h"
#include "kernels/core/parallel.h"
#include "kernels/core/random.h"
#include "kernels/optim/optim.h"

using namespace gsn;

namespace {

// A set of parameter tensors with gradients and optimizer state, as lists for the API.
struct Params {
  std::vector<Tensor> p, g, m, v;
  std::vector<Tensor*> pp, mp, vp;
  std::vector<const Tensor*> gp;

  Params(const std::vector<Shape>& shapes, DType dt, uint64_t seed) {
    Generator gen(seed);
    for (const Shape& s : shapes) {
      p.push_back(rand_uniform(s, gen, -1.0, 1.0, dt));
      g.push_back(Tensor::zeros(s, dt));
      m.push_back(Tensor::zeros(s, dt));
      v.push_back(Tensor::zeros(s, dt));
    }
    link();
  }
  // From explicit values: one tensor per vector.
  Params(const std::vector<std::vector<double>>& values, DType dt) {
    for (const auto& vals : values) {
      const Shape s{static_cast<int64_t>(vals.size())};
      p.push_back(Tensor::from_vector(s, vals).to(dt));
      g.push_back(Tensor::zeros(s, dt));
      m.push_back(Tensor::zeros(s, dt));
      v.push_back(Tensor::zeros(s, dt));
    }
    link();
  }
  void link() {
    for (std::size_t i = 0; i < p.size(); ++i) {
      pp.push_back(&p[i]);
      gp.push_back(&g[i]);
      mp.push_back(&m[i]);
      vp.push_back(&v[i]);
    }
  }
  void set_grads(const std::vector<std::vector<double>>& values) {
    for (std::size_t i = 0; i < g.size(); ++i)
      g[i].copy_from(Tensor::from_vector(g[i].shape(), values[i]).to(g[i].dtype()));
  }
  void random_grads(Generator& gen) {
    for (Tensor& t : g) t.copy_from(rand_uniform(t.shape(), gen, -1.0, 1.0, t.dtype()));
  }
};

void check_values(const Tensor& t, const std::vector<double>& want, double tol) {
  std::vector<double> got = t.to_vector<double>();
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i << ": got " << got[i] << ", want " << want[i]);
    CHECK(std::fabs(got[i] - want[i]) <= tol);
  }
}

// |a - b| <= atol + rtol |b| for every element of every tensor.
void check_close(const std::vector<Tensor>& a, const std::vector<Tensor>& b, double atol, double rtol, const char* what) {
  REQUIRE(a.size() == b.size());
  for (std::size_t t = 0; t < a.size(); ++t) {
    std::vector<double> x = a[t].to_vector<double>(), y = b[t].to_vector<double>();
    int bad = 0;
    double worst = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double d = std::fabs(x[i] - y[i]);
      if (!(d <= atol + rtol * std::fabs(y[i]))) ++bad;
      worst = d > worst ? d : worst;
    }
    INFO(std::string(what) << " tensor " << t << " " << a[t].shape().str() << ": " << bad << " elements out of tolerance, worst "
              << worst);
    CHECK(bad == 0);
  }
}

struct PathCase {
  const char* name;
  DType dtype;
  CpuPath path;
  double tol;
};
const PathCase kPaths[] = {{"reference float64", DType::F64, CpuPath::Reference, 1e-12},
                           {"reference float32", DType::F32, CpuPath::Reference, 2e-7},
                           {"fast float32", DType::F32, CpuPath::Fast, 2e-7}};

}  // namespace

// Worked example, PyTorch's torch.optim.Adam(lr=0.1, betas=(0.9, 0.999), eps=1e-8):
// one parameter tensor p = (1, -2), gradients g1 = (0.5, 0.1), then g2 = (-1, 0.3).
//   step 1, element 0: m = 0.1*0.5 = 0.05, v = 0.001*0.25 = 0.00025
//     m_hat = 0.05/(1-0.9) = 0.5, v_hat = 0.00025/(1-0.999) = 0.25, sqrt = 0.5
//     p = 1 - 0.1 * 0.5/(0.5 + 1e-8) = 0.900000002        (Adam's first step is ~lr*sign(g))
//   step 2, element 0: m = 0.9*0.05 + 0.1*(-1) = -0.055, v = 0.999*0.00025 + 0.001*1 = 0.00124975
//     bias corrections 1-0.9^2 = 0.19, 1-0.999^2 = 0.001999
//     m_hat = -0.28947368, v_hat = 0.62518759, sqrt = 0.79068805
//     p = 0.900000002 + 0.1*0.28947368/0.79068806 = 0.936610354
//   element 1 the same way: p = -2.09999999, then -2.19177810; m = 0.039, v = 9.999e-5.
// Adam with weight_decay 0.1 (L2 into the gradient): g1' = g1 + 0.1 p = (0.6, -0.1),
//   m = (0.06, -0.01), v = (0.00036, 1e-5), p = (0.900000001667, -1.90000001) — the sign of
//   element 1's step flips because the decay term dominates its gradient;
//   step 2: g2' = g2 + 0.1 p1 = (-0.9099999998, 0.11) -> p = (0.925263519, -1.910013486).
// AdamW with weight_decay 0.1 (decoupled): p is first multiplied by 1 - 0.1*0.1 = 0.99,
//   then the plain Adam step: step 1 p = (0.99 - 0.099999998, -1.98 - 0.09999999)
//   = (0.890000002, -2.07999999); m, v as plain Adam; step 2 p = (0.917710354, -2.150978098).
TEST_CASE("Adam and AdamW: two steps match the hand-computed PyTorch values") {
  struct Want {
    const char* name;
    double wd;
    bool decoupled;
    std::vector<double> p1, p2, m2, v2;
  };
  const Want wants[] = {
      {"Adam", 0.0, false, {0.900000002, -2.09999999}, {0.936610354241, -2.19177809779}, {-0.055, 0.039},
       {0.00124975, 9.999e-05}},
      {"Adam wd=0.1 (L2)", 0.1, false, {0.900000001667, -1.90000001}, {0.925263519446, -1.91001348627},
       {-0.0369999999833, 0.0019999999}, {0.0011877399997, 2.208999978e-05}},
      {"AdamW wd=0.1", 0.1, true, {0.890000002, -2.07999999}, {0.917710354221, -2.15097809789}, {-0.055, 0.039},
       {0.00124975, 9.999e-05}},
  };
  for (const PathCase& pc : kPaths) {
    for (const Want& w : wants) {
      CAPTURE(pc.name);
      CAPTURE(w.name);
      ScopedCpuPath scope(pc.path);
      Params ps({{1.0, -2.0}}, pc.dtype);
      AdamParams hp;
      hp.lr = 0.1;
      hp.weight_decay = w.wd;
      hp.decoupled = w.decoupled;
      ps.set_grads({{0.5, 0.1}});
      hp.step = 1;
      adam_step(ps.pp, ps.gp, ps.mp, ps.vp, hp);
      check_values(ps.p[0], w.p1, 1e-8 + pc.tol * 4);
      ps.set_grads({{-1.0, 0.3}});
      hp.step = 2;
      adam_step(ps.pp, ps.gp, ps.mp, ps.vp, hp);
      // 1e-11: the hand values above carry 12 significant digits.
      check_values(ps.p[0], w.p2, 1e-11 + pc.tol * 4);
      check_values(ps.m[0], w.m2, 1e-11 + pc.tol * 0.1);
      check_values(ps.v[0], w.v2, 1e-11 + pc.tol * 0.01);
    }
  }
}

// Worked example, torch.optim.SGD(lr=0.1, momentum=0.9, weight_decay=0.01), p = 1:
//   step 1, g = 0.5: g' = 0.5 + 0.01*1 = 0.51; buffer b = 0.51 (PyTorch clones the first
//     gradient; a zero buffer gives the same); p = 1 - 0.1*0.51 = 0.949
//   step 2, g = -1: g' = -1 + 0.00949 = -0.99051; b = 0.9*0.51 - 0.99051 = -0.53151;
//     p = 0.949 + 0.053151 = 1.002151
//   nesterov: the step uses g' + 0.9 b: step 1: 0.51 + 0.459 = 0.969, p = 0.9031;
//     step 2: g' = -1 + 0.009031 = -0.990969, b = 0.459 - 0.990969 = -0.531969,
//     g' + 0.9b = -1.4697411, p = 0.9031 + 0.14697411 = 1.05007411
//   momentum 0: p = 0.949, then g' = -0.99051, p = 0.949 + 0.099051 = 1.048051
TEST_CASE("SGD with momentum (and nesterov, and none): two steps match the hand-computed PyTorch values") {
  struct Want {
    const char* name;
    double momentum;
    bool nesterov;
    double p1, p2, b2;
  };
  const Want wants[] = {{"momentum 0.9", 0.9, false, 0.949, 1.002151, -0.53151},
                        {"nesterov", 0.9, true, 0.9031, 1.05007411, -0.531969},
                        {"no momentum", 0.0, false, 0.949, 1.048051, 0.0}};
  for (const PathCase& pc : kPaths) {
    for (const Want& w : wants) {
      CAPTURE(pc.name);
      CAPTURE(w.name);
      ScopedCpuPath scope(pc.path);
      Params ps({{1.0}}, pc.dtype);
      SgdParams hp;
      hp.lr = 0.1;
      hp.momentum = w.momentum;
      hp.weight_decay = 0.01;
      hp.nesterov = w.nesterov;
      const std::vector<Tensor*> bufs = w.momentum != 0.0 ? ps.mp : std::vector<Tensor*>{};
      ps.set_grads({{0.5}});
      sgd_step(ps.pp, ps.gp, bufs, hp);
      check_values(ps.p[0], {w.p1}, 1e-12 + pc.tol * 4);
      ps.set_grads({{-1.0}});
      sgd_step(ps.pp, ps.gp, bufs, hp);
      check_values(ps.p[0], {w.p2}, 1e-12 + pc.tol * 4);
      check_values(ps.m[0], {w.b2}, 1e-12 + pc.tol * 4);
    }
  }
}

namespace {
// Many tensors of odd sizes: 1, primes, chunk boundaries (4095, 4096, 4097, 8193) and
// GSN-like conv weights and BN vectors.
const std::vector<Shape> kManyShapes = {{1},        {3},           {17},         {4095},   {4096},
                                        {4097},     {8193},        {16, 3, 3, 3}, {16},    {16},
                                        {32, 16, 3, 3}, {48, 32, 3, 3}, {48},    {1, 2, 7, 7}, {61},
                                        {64, 288, 3, 3}, {0},      {7, 13},      {196},    {1, 16},
                                        {1},        {33333}};

// Runs `steps` steps of `step_fn` on the reference and the fast path from the same start,
// with fresh random gradients each step (and a gradient scale on odd steps), and compares.
template <class StepFn> void fast_vs_reference(StepFn step_fn, int steps, bool with_v) {
  Params ref_ps(kManyShapes, DType::F32, 7), fast_ps(kManyShapes, DType::F32, 7);
  Generator gr(99), gf(99);
  Tensor scale = Tensor::from_vector({1}, std::vector<float>{0.37f});
  for (int s = 1; s <= steps; ++s) {
    ref_ps.random_grads(gr);
    fast_ps.random_grads(gf);
    const Tensor* sc = s % 2 ? &scale : nullptr;
    {
      ScopedCpuPath r(CpuPath::Reference);
      step_fn(ref_ps, s, sc);
    }
    step_fn(fast_ps, s, sc);
  }
  // Values of a few units, so 1e-6 is a few ulps: the two paths may round (contract to
  // FMA, vectorise) differently, and a momentum buffer near 0 keeps the absolute error.
  check_close(fast_ps.p, ref_ps.p, 1e-6, 1e-5, "params");
  check_close(fast_ps.m, ref_ps.m, 1e-6, 1e-5, "m / momentum");
  if (with_v) check_close(fast_ps.v, ref_ps.v, 1e-9, 1e-5, "v");
}
}  // namespace

TEST_CASE("fast CPU steps match the reference over many odd-sized tensors and several steps") {
  SUBCASE("Adam with L2") {
    fast_vs_reference(
        [](Params& ps, int s, const Tensor* sc) {
          AdamParams hp;
          hp.lr = 1e-2;
          hp.weight_decay = 1e-2;
          hp.step = s;
          adam_step(ps.pp, ps.gp, ps.mp, ps.vp, hp, sc);
        },
        6, true);
  }
  SUBCASE("AdamW") {
    fast_vs_reference(
        [](Params& ps, int s, const Tensor* sc) {
          AdamParams hp;
          hp.lr = 3e-3;
          hp.weight_decay = 0.05;
          hp.decoupled = true;
          hp.step = s;
          adam_step(ps.pp, ps.gp, ps.mp, ps.vp, hp, sc);
        },
        6, true);
  }
  SUBCASE("SGD momentum") {
    fast_vs_reference(
        [](Params& ps, int, const Tensor* sc) {
          SgdParams hp;
          hp.lr = 0.05;
          hp.momentum = 0.9;
          hp.weight_decay = 1e-4;
          sgd_step(ps.pp, ps.gp, ps.mp, hp, sc);
        },
        6, false);
  }
  SUBCASE("SGD nesterov") {
    fast_vs_reference(
        [](Params& ps, int, const Tensor* sc) {
          SgdParams hp;
          hp.lr = 0.05;
          hp.momentum = 0.8;
          hp.nesterov = true;
          sgd_step(ps.pp, ps.gp, ps.mp, hp, sc);
        },
        6, false);
  }
}

TEST_CASE("a step with grad_scale equals the step with pre-scaled gradients, bit for bit") {
  for (CpuPath path : {CpuPath::Reference, CpuPath::Fast}) {
    ScopedCpuPath scope(path);
    Params a(kManyShapes, DType::F32, 3), b(kManyShapes, DType::F32, 3);
    Generator ga(5), gb(5);
    a.random_grads(ga);
    b.random_grads(gb);
    const float s = 0.25f;
    Tensor scale = Tensor::from_vector({1}, std::vector<float>{s});
    for (Tensor& g : b.g) {
      float* d = g.data<float>();
      for (int64_t i = 0; i < g.numel(); ++i) d[i] *= s;
    }
    AdamParams hp;
    hp.weight_decay = 0.01;
    adam_step(a.pp, a.gp, a.mp, a.vp, hp, &scale);
    adam_step(b.pp, b.gp, b.mp, b.vp, hp);
    check_close(a.p, b.p, 0.0, 0.0, "params");
    check_close(a.v, b.v, 0.0, 0.0, "v");
  }
}

TEST_CASE("grad_norm and clip_grad_norm: hand values, fast vs reference, thread-count independence") {
  // Two tensors (3, 4) and (12): norm = sqrt(9 + 16 + 144) = 13.
  Params ps({{0.0, 0.0}, {0.0}}, DType::F32);
  ps.set_grads({{3.0, 4.0}, {12.0}});
  for (CpuPath path : {CpuPath::Reference, CpuPath::Fast}) {
    ScopedCpuPath scope(path);
    CHECK(grad_norm(ps.gp).item() == doctest::Approx(13.0).epsilon(1e-7));
    // PyTorch: coef = max_norm / (norm + 1e-6), clamped to at most 1.
    ClipCoef c = clip_grad_norm(ps.gp, 6.5);
    CHECK(c.norm.item() == doctest::Approx(13.0).epsilon(1e-7));
    CHECK(c.coef.item() == doctest::Approx(6.5 / (13.0 + 1e-6)).epsilon(1e-7));
    CHECK(clip_grad_norm(ps.gp, 100.0).coef.item() == 1.0);
  }
  Params many(kManyShapes, DType::F32, 11);
  Generator g(12);
  many.random_grads(g);
  double want = 0.0;
  for (const Tensor& t : many.g)
    for (double x : t.to_vector<double>()) want += x * x;
  want = std::sqrt(want);
  {
    ScopedCpuPath r(CpuPath::Reference);
    CHECK(grad_norm(many.gp).item() == doctest::Approx(want).epsilon(1e-6));
  }
  const int saved = num_threads();
  set_num_threads(1);
  const double one = grad_norm(many.gp).item();
  set_num_threads(2);
  const double two = grad_norm(many.gp).item();
  set_num_threads(saved);
  CHECK(one == two);
  CHECK(one == doctest::Approx(want).epsilon(1e-6));
  // Gradients whose squares overflow float (|g| > 1.8e19): the sums are in double on every
  // path, so the norm stays finite and clipping scales them instead of zeroing them.
  Params huge({{0.0, 0.0}, {0.0}}, DType::F32);
  huge.set_grads({{3e19, 4e19}, {12e19}});
  for (CpuPath path : {CpuPath::Reference, CpuPath::Fast}) {
    ScopedCpuPath scope(path);
    ClipCoef c = clip_grad_norm(huge.gp, 1.0);
    CHECK(c.norm.item() == doctest::Approx(13e19).epsilon(1e-6));
    CHECK(c.coef.item() == doctest::Approx(1.0 / 13e19).epsilon(1e-6));
  }
  // float64 (the reference) for gradient checks.
  Params d({{3.0, 4.0}, {12.0}}, DType::F64);
  d.set_grads({{3.0, 4.0}, {12.0}});
  CHECK(grad_norm(d.gp).item() == 13.0);
}

TEST_CASE("optimizer errors: list lengths, shapes, step, grad_scale, nesterov") {
  Params ps({{1.0, 2.0}, {3.0}}, DType::F32);
  AdamParams hp;
  std::vector<Tensor*> short_m = {ps.mp[0]};
  CHECK_THROWS_WITH_AS(adam_step(ps.pp, ps.gp, short_m, ps.vp, hp), doctest::Contains("2 params but 1"), gsn::Error);
  std::vector<const Tensor*> swapped = {ps.gp[1], ps.gp[0]};
  CHECK_THROWS_WITH_AS(adam_step(ps.pp, swapped, ps.mp, ps.vp, hp), doctest::Contains("grads[0] has shape [1]"),
                       gsn::Error);
  hp.step = 0;
  CHECK_THROWS_WITH_AS(adam_step(ps.pp, ps.gp, ps.mp, ps.vp, hp), doctest::Contains("step must be >= 1"), gsn::Error);
  hp.step = 1;
  Tensor two = Tensor::zeros({2});
  CHECK_THROWS_AS(adam_step(ps.pp, ps.gp, ps.mp, ps.vp, hp, &two), gsn::Error);
  SgdParams sp;
  sp.momentum = 0.9;
  CHECK_THROWS_AS(sgd_step(ps.pp, ps.gp, {}, sp), gsn::Error);  // momentum needs buffers
  sp.momentum = 0.0;
  sp.nesterov = true;
  CHECK_THROWS_AS(sgd_step(ps.pp, ps.gp, {}, sp), gsn::Error);
  CHECK_THROWS_AS(clip_grad_norm(ps.gp, 0.0), gsn::Error);
  CHECK_THROWS_AS(grad_norm({}), gsn::Error);
  // Nothing to do is not an error.
  adam_step({}, {}, {}, {}, hp);
}
