// Emulated kernels/reduce/reduce.cu against ref::sum_all / ref::expand_scalar.
// sum_all: n = 1, a prime, a block's 1024 elements (G = 1), 1025 (G = 2), 5003 (G = 5
// partial blocks); scale 1 (sum) and 1/n (mean), the harness's gpu tolerances. The total
// must not depend on the block order: a second run in another order agrees bitwise.
// expand_scalar: n = 1, primes, and a capped grid so the grid-stride loop goes round.
#include "kernels/reduce/reduce.h"
#include "tests/cuda_emu/emu_check.h"
#include "tests/cuda_emu/emu_coverage.h"

namespace {
using namespace gsn;
using namespace gsn::emu_test;

GSN_EMU_COVERAGE("reduce", "kernels/reduce/reduce.cu");  // checked by emu_main.cpp after the suite ran

TEST_SUITE("reduce") {
  TEST_CASE("sum_all and expand_scalar against the reference") {
    for (int64_t n : {1, 7, 1024, 1025, 5003}) {
      for (bool mean : {false, true}) {
        const std::string name = cat(mean ? "mean_all" : "sum_all", " n=", n);
        CaseScope scope(name);
        const std::vector<float> x = draw(sz(n), -1.0, 1.0, 100 + n);
        const float scale = mean ? 1.f / static_cast<float>(n) : 1.f;
        float want = 0.f;
        ref::sum_all<float>(x.data(), n, scale, &want);
        DevBuf dx(x), y(1);
        cuda::sum_all(dx.data(), n, scale, y.data());
        expect_close(name, y, {want}, mean ? Tol{1e-6, 1e-5} : Tol{1e-5, 1e-5});
        emu::reset_schedule(2);
        DevBuf y2(1);
        cuda::sum_all(dx.data(), n, scale, y2.data());
        expect_same_bits(name, y.vec(), y2.vec());
      }
    }
    for (int64_t n : {1, 7, 300, 1031}) {
      for (unsigned cap : {0u, 2u}) {
        const std::string name = cat("expand_scalar n=", n, " grid cap ", cap);
        CaseScope scope(name);
        emu::g_grid_cap = cap;
        const std::vector<float> g = {0.37f};
        std::vector<float> want(sz(n));
        ref::expand_scalar<float>(g.data(), -2.5f, want.data(), n);
        DevBuf dg(g), out(sz(n));
        cuda::expand_scalar(dg.data(), -2.5f, out.data(), n);
        expect_close(name, out, want, {0.0, 0.0});
      }
    }
  }
}
}  // namespace
