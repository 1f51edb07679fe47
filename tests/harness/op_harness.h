// The op harness: one table of op cases, three checks for each.
//
//   cpu   the fast CPU path against the reference (float32), forward and backward
//   grad  the reference's backward against central finite differences (float64)
//   gpu   the CUDA kernels against the reference (float32); SKIPPED without a device
//
// A case is a small graph over autograd Vars (usually one op) and the shapes of its
// inputs. The harness draws the inputs from a seeded generator, runs the graph, takes
// L = sum(out * R) with a fixed random R (so every output element gets its own upstream
// gradient) and calls backward; the compared tensors are `out` and dL/d(input) for every
// input. Debug guards are on throughout: outputs start as NaN, and a guard band around
// every buffer catches writes out of bounds.
//
// Joining an op takes a few lines in a tests/harness/cases_<family>.cpp:
//
//   GSN_OP_CASES(elementwise) {
//     add_case({"relu", {{3, 5, 7}}, [](const Vars& v) { return ag::relu(v[0]); }});
//   }
#pragma once
#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "kernels/core/random.h"

namespace gsn::test {

using Vars = std::vector<Var>;

// Largest |a - b| over two tensors of the same shape (any dtype, any device).
inline double max_abs_diff(const Tensor& a, const Tensor& b) {
  std::vector<double> x = a.to_vector<double>(), y = b.to_vector<double>();
  double m = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) m = std::max(m, std::fabs(x[i] - y[i]));
  return m;
}

struct Tol {
  double atol;
  double rtol;  // passes when |got - want| <= atol + rtol * |want|
};

struct OpCase {
  OpCase(std::string name_, std::vector<Shape> shapes, std::function<Var(const Vars&)> graph_)
      : name(std::move(name_)), input_shapes(std::move(shapes)), graph(std::move(graph_)) {}

  std::string name;                          // "conv2d k3 s2 [2,3,9,7]"
  std::vector<Shape> input_shapes;
  std::function<Var(const Vars&)> graph;     // the op(s) under test
  // Optional: draws input i (default: uniform in [-1, 1]). Use it to keep inputs away
  // from kinks (relu at 0, ties in max) where finite differences are meaningless.
  std::function<Tensor(int i, const Shape&, Generator&, DType)> init;
  Tol cpu_tol{1e-6, 1e-5};
  Tol gpu_tol{1e-5, 1e-4};
  Tol grad_tol{1e-7, 1e-5};
  double fd_eps = 1e-6;
  std::vector<int> no_grad_inputs;           // inputs that are not differentiated (indices)
  int max_fd_points = 48;                    // finite differences on at most this many elements per input
};

void add_case(OpCase c);
const std::vector<OpCase>& all_cases();

// Runs one check; returns "" on success or a description of every failure.
std::string check_cpu(const OpCase& c);
std::string check_grad(const OpCase& c);
std::string check_gpu(const OpCase& c);

// The check this run makes ("cpu", "grad" or "gpu", from --check=). The table's cases run
// under all three; the hand-written TEST_CASEs beside them check values, not differences,
// and run once: under "cpu", or, for those named "... on every path" (on_every_path in
// cases_nn.cpp), on the CPU paths under "cpu" and on CUDA under "gpu".
const std::string& harness_check();

// Draws an input tensor as the case says (public for tests that reuse a case's inputs).
Tensor draw_input(const OpCase& c, int i, Generator& gen, DType dtype);

// Inputs uniform in [lo, hi] with |x| >= margin: for ops with a kink at 0.
Tensor away_from_zero(const Shape& s, Generator& g, DType t, double lo, double hi, double margin);

}  // namespace gsn::test

#define GSN_OP_CASES(family)                                       \
  static void gsn_op_cases_##family();                             \
  static const bool gsn_op_cases_registered_##family = [] {        \
    gsn_op_cases_##family();                                       \
    return true;                                                   \
  }();                                                             \
  static void gsn_op_cases_##family()
