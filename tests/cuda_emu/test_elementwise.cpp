// Emulated kernels/elementwise/elementwise.cu against ref::binary / ref::unary (float),
// the harness's default gpu tolerance {1e-5, 1e-4}: every op at n = 1, 7, 105 and
// 2*3*17*13 (the harness's shapes, flattened: float4 bodies with tails of 1-3 values),
// in place (y = a, as add_inplace runs it), on a grid capped at 2 blocks, and with one
// buffer 4 bytes off 16-byte alignment (the scalar kernels alone). Sigmoid inputs span [-12, 12], ReLU's stay 1e-3 away
// from the kink.
#include "kernels/elementwise/elementwise.h"
#include "tests/cuda_emu/emu_check.h"
#include "tests/cuda_emu/emu_coverage.h"

namespace {
using namespace gsn;
using namespace gsn::emu_test;

constexpr Tol kTol{1e-5, 1e-4};

GSN_EMU_COVERAGE("elementwise", "kernels/elementwise/elementwise.cu");  // checked by emu_main.cpp after the suite ran

TEST_SUITE("elementwise") {
  TEST_CASE("binary and unary ops") {
    const std::vector<std::pair<BinaryOp, const char*>> binaries = {{BinaryOp::Add, "add"},
                                                                    {BinaryOp::Sub, "sub"},
                                                                    {BinaryOp::Mul, "mul"},
                                                                    {BinaryOp::ReluBackward, "relu_backward"},
                                                                    {BinaryOp::SigmoidBackward, "sigmoid_backward"}};
    const std::vector<std::pair<UnaryOp, const char*>> unaries = {
        {UnaryOp::Scale, "scale"}, {UnaryOp::Relu, "relu"}, {UnaryOp::Sigmoid, "sigmoid"}};
    for (int64_t n : {1, 7, 105, 1326}) {
      for (unsigned cap : {0u, 2u})
      for (std::size_t misalign : {0u, 1u}) {  // 1: off 16-byte alignment, the scalar kernels only
        const std::size_t m = sz(n);
        const std::string shape = cat(" n=", n, " grid cap ", cap, " misalign ", misalign);
        std::vector<float> a = draw(m, -1.0, 1.0, m + 1), b = draw(m, -1.0, 1.0, m + 2),
                           wide = draw(m, -12.0, 12.0, m + 3);
        for (float& v : a)
          if (std::fabs(v) < 1e-3f) v = v < 0 ? -1e-3f : 1e-3f;
        for (const auto& [op, tag] : binaries) {
          const std::string name = cat(tag, shape);
          CaseScope scope(name);
          emu::g_grid_cap = cap;
          std::vector<float> y(m);
          ref::binary<float>(op, a.data(), b.data(), y.data(), n);
          DevBuf da(a, misalign), db(b), dy(m);
          cuda::binary(op, da.data(), db.data(), dy.data(), n);
          expect_close(name, dy, y, kTol);
          cuda::binary(op, da.data(), db.data(), da.data(), n);  // in place: y aliases a
          expect_close(name + " in place", da, y, kTol);
        }
        for (const auto& [op, tag] : unaries) {
          const std::string name = cat(tag, shape);
          CaseScope scope(name);
          emu::g_grid_cap = cap;
          const std::vector<float>& x = op == UnaryOp::Sigmoid ? wide : a;
          std::vector<float> y(m);
          ref::unary<float>(op, x.data(), -2.5f, y.data(), n);
          DevBuf dx(x), dy(m, misalign);
          cuda::unary(op, dx.data(), -2.5f, dy.data(), n);
          expect_close(name, dy, y, kTol);
        }
      }
    }
  }
}
}  // namespace
