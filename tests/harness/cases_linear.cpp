// Op harness cases: matmul and linear (kernels/linear), forward and backward.
//
// Shapes: 1x1x1, primes (7x13x5), sizes that are no multiple of any tile (33x65x17:
// 32x32 tiles of v2, 64/128 tiles of v3/v4, Eigen's blocks), the GSN head's Linear layers
// (tiny: 32->16->1 at batch 16; paper: 64->32->1) and a larger 129x257x65 that crosses
// several 128x128 tiles with ragged edges in M, N and K.
//
// Tolerances: float32 sums of length L (K for the output, M or N for the gradients) of
// products of inputs in [-1, 1]; the reference sums in order, Eigen / the CUDA kernels
// in blocks, so each side is off by up to ~L * 2^-24 * sum|a b| in the worst case and
// ~sqrt(L) * 2^-24 * sqrt(L)/sqrt(3) typically. We allow atol = 2e-7 * L (elements near
// zero from cancellation) plus rtol = 1e-4: at least 5x above the worst seen here
// (9.1e-6 against atol 5.1e-5 for the gradients of 129x257x65).
#include <algorithm>

#include "tests/harness/op_harness.h"

namespace {
using namespace gsn;
using namespace gsn::test;

struct Mnk {
  const char* tag;
  int64_t M, N, K;
};

Tol sum_tol(int64_t longest_sum) { return {2e-7 * static_cast<double>(std::max<int64_t>(longest_sum, 8)), 1e-4}; }

const std::vector<Mnk> kMatmul = {
    {"1x1x1", 1, 1, 1},         {"7x13x5 primes", 7, 13, 5}, {"33x65x17", 33, 65, 17},
    {"1x37x64 row", 1, 37, 64}, {"64x1x31 col", 64, 1, 31},  {"129x257x65", 129, 257, 65},
};

// Linear layers: batch, in features, out features.
struct Lin {
  const char* tag;
  int64_t batch, in, out;
};
const std::vector<Lin> kLinear = {
    {"1->1 b1", 1, 1, 1},
    {"5->3 b7 primes", 7, 5, 3},
    {"tiny fc1 32->16 b16", 16, 32, 16},
    {"tiny fc2 16->1 b16", 16, 16, 1},
    {"paper fc1 64->32 b16", 16, 64, 32},
    {"paper fc2 32->1 b16", 16, 32, 1},
    {"65->33 b17", 17, 65, 33},
    {"257->129 b65", 65, 257, 129},
};
}  // namespace

GSN_OP_CASES(linear) {
  for (const Mnk& s : kMatmul) {
    OpCase c{std::string("matmul ") + s.tag, {{s.M, s.K}, {s.K, s.N}},
             [](const Vars& v) { return ag::matmul(v[0], v[1]); }};
    c.cpu_tol = c.gpu_tol = sum_tol(std::max({s.M, s.N, s.K}));
    c.grad_tol = {1e-7, 1e-5};
    add_case(c);
  }
  // A product whose operands are one value used twice, and a chain: x (x^T x) needs both
  // flags of the backward and the engine's accumulation.
  {
    OpCase c{"matmul chain a(b c) 9x11x6x4", {{9, 11}, {11, 6}, {6, 4}},
             [](const Vars& v) { return ag::matmul(v[0], ag::matmul(v[1], v[2])); }};
    c.cpu_tol = c.gpu_tol = sum_tol(11 * 6);
    add_case(c);
    OpCase sq{"matmul square a a 12x12", {{12, 12}}, [](const Vars& v) { return ag::matmul(v[0], v[0]); }};
    sq.cpu_tol = sq.gpu_tol = sum_tol(12);
    add_case(sq);
  }
  for (const Lin& s : kLinear) {
    const Tol tol = sum_tol(std::max({s.batch, s.in, s.out}));
    OpCase c{std::string("linear ") + s.tag, {{s.batch, s.in}, {s.out, s.in}, {s.out}},
             [](const Vars& v) { return ag::linear(v[0], v[1], v[2]); }};
    c.cpu_tol = c.gpu_tol = tol;
    add_case(c);
    OpCase nb{std::string("linear no-bias ") + s.tag, {{s.batch, s.in}, {s.out, s.in}},
              [](const Vars& v) { return ag::linear(v[0], v[1], Var()); }};
    nb.cpu_tol = nb.gpu_tol = tol;
    add_case(nb);
  }
  // The GSN head as it runs: Linear ReLU Linear on pooled features (tiny preset).
  {
    OpCase head{"linear head tiny 32->16 relu 16->1 b16", {{16, 32}, {16, 32}, {16}, {1, 16}, {1}},
                [](const Vars& v) { return ag::linear(ag::relu(ag::linear(v[0], v[1], v[2])), v[3], v[4]); }};
    head.cpu_tol = head.gpu_tol = sum_tol(32);
    add_case(head);
  }
  // Only the weight needs a gradient (a frozen input): the x gradient is not computed.
  {
    OpCase c{"linear frozen x 33->7 b9", {{9, 33}, {7, 33}, {7}},
             [](const Vars& v) { return ag::linear(v[0], v[1], v[2]); }};
    c.no_grad_inputs = {0};
    c.cpu_tol = c.gpu_tol = sum_tol(33);
    add_case(c);
  }
}
