#include "tests/harness/op_harness.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "kernels/core/backend.h"
#include "kernels/core/dispatch.h"

namespace gsn::test {

namespace {

std::vector<OpCase>& registry() {
  static std::vector<OpCase> cases;
  return cases;
}

bool is_no_grad(const OpCase& c, int i) {
  return std::find(c.no_grad_inputs.begin(), c.no_grad_inputs.end(), i) != c.no_grad_inputs.end();
}

// Case-specific seed, so adding a case never changes another case's inputs.
uint64_t seed_of(const std::string& name) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char ch : name) h = (h ^ ch) * 1099511628211ULL;
  return h;
}

struct Run {
  std::vector<Tensor> tensors;  // out, then dL/d(input i) for each differentiated input
  std::vector<std::string> labels;
};

// Runs the graph on `device` under the current CPU path and collects out and gradients.
Run run_case(const OpCase& c, const std::vector<Tensor>& inputs, const Tensor& weights_cpu, Device device) {
  Vars vars;
  for (std::size_t i = 0; i < inputs.size(); ++i)
    vars.emplace_back(inputs[i].to(device), !is_no_grad(c, static_cast<int>(i)));
  Var out = c.graph(vars);
  Var weights(weights_cpu.to(device).reshape(out.shape()));
  Var loss = ag::sum(ag::mul(out, weights));
  backward(loss);
  Run r;
  r.tensors.push_back(out.value().to(Device::CPU));
  r.labels.push_back("out");
  for (std::size_t i = 0; i < vars.size(); ++i) {
    if (is_no_grad(c, static_cast<int>(i))) continue;
    GSN_CHECK(vars[i].has_grad(), "input ", i, " got no gradient");
    r.tensors.push_back(vars[i].grad().to(Device::CPU));
    r.labels.push_back("grad[" + std::to_string(i) + "]");
  }
  out.value().storage()->check_guards("out");
  for (const Var& v : vars)
    if (v.has_grad()) v.grad().storage()->check_guards("input gradient");
  return r;
}

// Compares got against want element by element; appends failures to `report`.
void compare(const std::string& what, const Tensor& got, const Tensor& want, Tol tol, std::ostringstream& report) {
  if (got.shape() != want.shape()) {
    report << "  " << what << ": shape " << got.shape().str() << ", expected " << want.shape().str() << "\n";
    return;
  }
  std::vector<double> g = got.to_vector<double>(), w = want.to_vector<double>();
  int bad = 0;
  double worst = 0.0;
  std::size_t worst_i = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    const bool finite = std::isfinite(g[i]);
    const double err = std::fabs(g[i] - w[i]);
    if (!finite || !std::isfinite(w[i]) || err > tol.atol + tol.rtol * std::fabs(w[i])) {
      if (bad < 3)
        report << "  " << what << "[" << i << "]: got " << g[i] << ", reference " << w[i]
               << (finite ? "" : " (not finite: unwritten or overflowed)") << "\n";
      ++bad;
    }
    if (err > worst || !finite) {
      worst = finite ? err : INFINITY;
      worst_i = i;
    }
  }
  if (bad)
    report << "  " << what << ": " << bad << " of " << g.size() << " elements out of tolerance (atol "
           << tol.atol << ", rtol " << tol.rtol << "); worst |diff| " << worst << " at " << worst_i << "\n";
}

std::vector<Tensor> draw_inputs(const OpCase& c, Generator& gen, DType dtype) {
  std::vector<Tensor> inputs;
  for (std::size_t i = 0; i < c.input_shapes.size(); ++i) inputs.push_back(draw_input(c, static_cast<int>(i), gen, dtype));
  return inputs;
}

// Shape of the case's output, found by one run without gradients.
Shape output_shape(const OpCase& c, const std::vector<Tensor>& inputs) {
  NoGradGuard ng;
  Vars vars;
  for (const Tensor& t : inputs) vars.emplace_back(t);
  return c.graph(vars).shape();
}

struct GuardScope {
  GuardScope() {
    set_debug_guards(true);
    take_guard_violations();
  }
  ~GuardScope() { set_debug_guards(false); }
};

std::string guard_report() {
  std::string s;
  for (const std::string& v : take_guard_violations()) s += "  guard: " + v + "\n";
  return s;
}

std::string check_against_reference(const OpCase& c, Device device, CpuPath path, Tol tol) {
  std::ostringstream report;
  try {
    GuardScope guards;
    Generator gen(seed_of(c.name));
    std::vector<Tensor> inputs = draw_inputs(c, gen, DType::F32);
    Tensor weights = rand_uniform(output_shape(c, inputs), gen, -1.0, 1.0);
    Run want, got;
    {
      ScopedCpuPath ref(CpuPath::Reference);
      want = run_case(c, inputs, weights, Device::CPU);
    }
    {
      ScopedCpuPath p(path);
      got = run_case(c, inputs, weights, device);
      if (device == Device::CUDA) cuda_synchronize();
    }
    for (std::size_t t = 0; t < want.tensors.size(); ++t) compare(want.labels[t], got.tensors[t], want.tensors[t], tol, report);
    want = Run();
    got = Run();
    report << guard_report();
  } catch (const std::exception& e) {
    report << "  threw: " << e.what() << "\n";
  }
  return report.str();
}

}  // namespace

void add_case(OpCase c) { registry().push_back(std::move(c)); }
const std::vector<OpCase>& all_cases() { return registry(); }

Tensor draw_input(const OpCase& c, int i, Generator& gen, DType dtype) {
  const Shape& s = c.input_shapes.at(static_cast<std::size_t>(i));
  if (c.init) return c.init(i, s, gen, dtype);
  return rand_uniform(s, gen, -1.0, 1.0, dtype);
}

Tensor away_from_zero(const Shape& s, Generator& g, DType t, double lo, double hi, double margin) {
  Tensor x = rand_uniform(s, g, lo, hi, DType::F64);
  double* p = x.data<double>();
  for (int64_t i = 0; i < x.numel(); ++i)
    if (std::fabs(p[i]) < margin) p[i] = p[i] < 0 ? -margin - std::fabs(p[i]) : margin + p[i];
  return x.to(t);
}

std::string check_cpu(const OpCase& c) { return check_against_reference(c, Device::CPU, CpuPath::Fast, c.cpu_tol); }
std::string check_gpu(const OpCase& c) { return check_against_reference(c, Device::CUDA, CpuPath::Fast, c.gpu_tol); }

std::string check_grad(const OpCase& c) {
  std::ostringstream report;
  try {
    GuardScope guards;
    Generator gen(seed_of(c.name));
    std::vector<Tensor> inputs = draw_inputs(c, gen, DType::F64);
    Tensor weights = rand_uniform(output_shape(c, inputs), gen, -1.0, 1.0, DType::F64);
    Run analytic = run_case(c, inputs, weights, Device::CPU);

    auto loss_at = [&](const std::vector<Tensor>& xs) {
      NoGradGuard ng;
      Vars vars;
      for (const Tensor& t : xs) vars.emplace_back(t);
      Var out = c.graph(vars);
      return ag::sum(ag::mul(out, Var(weights.reshape(out.shape())))).item();
    };
    std::size_t slot = 1;  // analytic.tensors[0] is out
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      if (is_no_grad(c, static_cast<int>(i))) continue;
      const Tensor& g = analytic.tensors[slot++];
      const int64_t n = inputs[i].numel();
      std::vector<int64_t> points;
      if (n <= c.max_fd_points) {
        for (int64_t k = 0; k < n; ++k) points.push_back(k);
      } else {
        Generator pick(seed_of(c.name) + i);
        for (int k = 0; k < c.max_fd_points; ++k) points.push_back(pick.below(static_cast<uint32_t>(n)));
      }
      std::vector<Tensor> xs = inputs;
      xs[i] = inputs[i].clone();
      double* p = xs[i].data<double>();
      const double* ga = g.data<double>();
      int bad = 0;
      for (int64_t k : points) {
        const double saved = p[k];
        p[k] = saved + c.fd_eps;
        const double up = loss_at(xs);
        p[k] = saved - c.fd_eps;
        const double down = loss_at(xs);
        p[k] = saved;
        const double numeric = (up - down) / (2 * c.fd_eps);
        if (!(std::fabs(ga[k] - numeric) <= c.grad_tol.atol + c.grad_tol.rtol * std::fabs(numeric))) {
          if (bad < 3)
            report << "  grad[" << i << "][" << k << "]: backward " << ga[k] << ", finite difference " << numeric << "\n";
          ++bad;
        }
      }
      if (bad) report << "  grad[" << i << "]: " << bad << " of " << points.size() << " points disagree\n";
    }
    analytic = Run();
    report << guard_report();
  } catch (const std::exception& e) {
    report << "  threw: " << e.what() << "\n";
  }
  return report.str();
}

}  // namespace gsn::test
