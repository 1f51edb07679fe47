// Emulated kernels/linear/linear.cu (the bias pieces of linear(); the matmul is
// test_sgemm.cpp) against ref::add_bias_rows / ref::sum_rows (float): N x M = 1x1, primes,
// the GSN head's 16x16 and 16x32, 65x129 (more columns than one 32-wide block, more rows
// than the 8 row groups), 1x100. add_bias_rows also on a grid capped at 1 block. The
// harness's gpu tolerance for linear: 2e-7 max(N, 8) + 1e-4 |ref|.
#include <algorithm>

#include "kernels/linear/linear.h"
#include "tests/cuda_emu/emu_check.h"
#include "tests/cuda_emu/emu_coverage.h"

namespace {
using namespace gsn;
using namespace gsn::emu_test;

GSN_EMU_COVERAGE("linear", "kernels/linear/linear.cu");  // checked by emu_main.cpp after the suite ran

TEST_SUITE("linear") {
  TEST_CASE("add_bias_rows and sum_rows") {
    const std::vector<std::pair<int64_t, int64_t>> shapes = {{1, 1}, {7, 5}, {16, 16}, {16, 32}, {65, 129}, {1, 100}};
    for (const auto& [N, M] : shapes) {
      for (unsigned cap : {0u, 1u}) {
        const std::string name = cat("linear bias N=", N, " M=", M, " grid cap ", cap);
        CaseScope scope(name);
        emu::g_grid_cap = cap;
        const std::size_t ny = sz(N * M), nb = sz(M);
        const std::vector<float> y0 = draw(ny, -1.0, 1.0, ny + 1), b = draw(nb, -1.0, 1.0, nb + 2);
        std::vector<float> y = y0, s(nb);
        ref::add_bias_rows<float>(y.data(), b.data(), N, M);
        ref::sum_rows<float>(y0.data(), N, M, s.data());
        DevBuf dy(y0), db(b), ds(nb), dg(y0);
        cuda::add_bias_rows(dy.data(), db.data(), N, M);
        cuda::sum_rows(dg.data(), N, M, ds.data());
        expect_close(name + " add_bias_rows", dy, y, {0.0, 0.0});
        expect_close(name + " sum_rows", ds, s, {2e-7 * static_cast<double>(std::max<int64_t>(N, 8)), 1e-4});
      }
    }
  }
}
}  // namespace
