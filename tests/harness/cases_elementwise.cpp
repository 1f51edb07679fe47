// Op harness cases: elementwise ops and the full reductions.
#include "tests/harness/op_harness.h"

namespace {
using namespace gsn;
using namespace gsn::test;

// 1, primes and sizes that are no multiple of a block; one large enough to use threads.
const std::vector<Shape> kShapes = {{1}, {7}, {3, 5, 7}, {2, 3, 17, 13}, {4, 8, 61, 67}};

Tensor relu_input(int, const Shape& s, Generator& g, DType t) { return away_from_zero(s, g, t, -1.0, 1.0, 1e-3); }
}  // namespace

GSN_OP_CASES(elementwise) {
  for (const Shape& s : kShapes) {
    const std::string sh = " " + s.str();
    add_case({"add" + sh, {s, s}, [](const Vars& v) { return ag::add(v[0], v[1]); }});
    add_case({"sub" + sh, {s, s}, [](const Vars& v) { return ag::sub(v[0], v[1]); }});
    add_case({"mul" + sh, {s, s}, [](const Vars& v) { return ag::mul(v[0], v[1]); }});
    add_case({"scale" + sh, {s}, [](const Vars& v) { return ag::scale(v[0], -2.5); }});
    OpCase r{"relu" + sh, {s}, [](const Vars& v) { return ag::relu(v[0]); }};
    r.init = relu_input;
    add_case(r);
    OpCase sg{"sigmoid" + sh, {s}, [](const Vars& v) { return ag::sigmoid(v[0]); }};
    sg.init = [](int, const Shape& sh2, Generator& g, DType t) { return rand_uniform(sh2, g, -12.0, 12.0, t); };
    sg.cpu_tol = {1e-7, 1e-6};
    add_case(sg);
    // A value used twice: d/dx (x*x + x) = 2x + 1, through the engine's accumulation.
    add_case({"x*x+x" + sh, {s}, [](const Vars& v) { return ag::add(ag::mul(v[0], v[0]), v[0]); }});
  }
}

GSN_OP_CASES(reduce) {
  for (const Shape& s : kShapes) {
    const std::string sh = " " + s.str();
    OpCase sum{"sum" + sh, {s}, [](const Vars& v) { return ag::sum(v[0]); }};
    sum.cpu_tol = sum.gpu_tol = {1e-5, 1e-5};
    add_case(sum);
    OpCase mean{"mean" + sh, {s}, [](const Vars& v) { return ag::mean(v[0]); }};
    mean.cpu_tol = mean.gpu_tol = {1e-6, 1e-5};
    add_case(mean);
  }
}
