// Emulated kernels/pool/pool.cu against ref:: (float), the harness's gpu tolerances.
//   max_pool2d  the harness's shapes [N, C, H, W] k s p (1x1, odd, windows that overlap,
//               k = s, k = 1, k = 5 s = 3); inputs a permutation of distinct values, and
//               once with ties (values from {-1, 0, 1}): the first maximum must win;
//               3x3 s2 p1 takes the compile-time window, the others the run-time one;
//               the backward must give the reference's bits
//   adaptive    bins that overlap (13x11 -> 4x5), upsampling (5x4 -> 7x6), -> 1x1
//   global      one warp per plane: planes of 1, 35, 132 and 4087 values, 2 warps' worth
//               of planes on a grid capped to 1 block (the warp loop goes round)
#include <cstring>

#include "kernels/pool/pool.h"
#include "kernels/pool/pool_math.h"
#include "tests/cuda_emu/emu_check.h"
#include "tests/cuda_emu/emu_coverage.h"

namespace {
using namespace gsn;
using namespace gsn::emu_test;

std::string shape_str(int64_t N, int64_t C, int64_t H, int64_t W) { return cat("[", N, ",", C, ",", H, ",", W, "]"); }

// n distinct values evenly spaced over [-1, 1], shuffled (no ties, as the harness draws).
std::vector<float> distinct(std::size_t n, uint64_t seed) {
  Generator g(seed);
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = n == 1 ? 0.5f : static_cast<float>(-1.0 + 2.0 * double(i) / double(n - 1));
  for (std::size_t i = n; i > 1; --i) std::swap(v[i - 1], v[g.below(static_cast<uint32_t>(i))]);
  return v;
}

GSN_EMU_COVERAGE("pool", "kernels/pool/pool.cu");  // checked by emu_main.cpp after the suite ran

TEST_SUITE("pool") {
  TEST_CASE("max_pool2d forward and backward") {
    struct Mp {
      int64_t N, C, H, W, k, s, p;
    };
    const std::vector<Mp> cases = {{1, 1, 1, 1, 3, 2, 1}, {2, 3, 7, 5, 3, 2, 1}, {1, 2, 16, 13, 3, 2, 1},
                                   {2, 3, 8, 6, 2, 2, 0}, {2, 2, 5, 7, 3, 1, 1}, {1, 3, 11, 9, 5, 3, 2},
                                   {2, 1, 4, 9, 1, 1, 0}, {2, 2, 6, 64, 3, 2, 1}};
    for (const Mp& m : cases) {
      for (bool ties : {false, true}) {
        const int64_t Ho = (m.H + 2 * m.p - m.k) / m.s + 1, Wo = (m.W + 2 * m.p - m.k) / m.s + 1;
        const PoolGeom g{m.N * m.C, m.H, m.W, Ho, Wo, m.k, m.s, m.p};
        const std::string name =
            cat("max_pool2d k", m.k, " s", m.s, " p", m.p, " ", shape_str(m.N, m.C, m.H, m.W), ties ? " ties" : "");
        CaseScope scope(name);
        const std::size_t nx = sz(g.planes * m.H * m.W), ny = sz(g.planes * Ho * Wo);
        std::vector<float> x = distinct(nx, nx + 7 * m.k);
        if (ties)
          for (float& v : x) v = std::round(v * 1.2f);
        std::vector<float> gy = draw(ny, -1.0, 1.0, ny);
        gy[0] = -0.f;  // the reference's sum from zero makes its share +0
        std::vector<float> y(ny), idx(ny), gx(nx);
        ref::max_pool2d_forward<float>(x.data(), g, y.data(), idx.data());
        ref::max_pool2d_backward<float>(gy.data(), idx.data(), g, gx.data());
        DevBuf dx(x), dgy(gy), dy(ny), didx(ny), dgx(nx);
        cuda::max_pool2d_forward(dx.data(), g, dy.data(), didx.data());
        cuda::max_pool2d_backward(dgy.data(), didx.data(), g, dgx.data());
        expect_close(name + " y", dy, y, {0.0, 0.0});
        expect_close(name + " idx", didx, idx, {0.0, 0.0});
        // The gather adds in the reference's scatter order: its bits, not just close.
        expect_close(name + " gx", dgx, gx, {0.0, 0.0});
        CHECK_MESSAGE(std::memcmp(dgx.data(), gx.data(), nx * sizeof(float)) == 0, name << " gx: not the reference's bits");
      }
    }
  }

  TEST_CASE("adaptive_avg_pool2d forward and backward") {
    struct Ap {
      int64_t N, C, H, W, Ho, Wo;
    };
    const std::vector<Ap> cases = {{1, 1, 1, 1, 1, 1}, {2, 3, 13, 11, 4, 5}, {2, 2, 7, 9, 7, 9},
                                   {1, 3, 5, 4, 7, 6}, {3, 4, 24, 20, 6, 5}, {2, 5, 16, 12, 1, 1}};
    for (const Ap& a : cases) {
      const PoolGeom g{a.N * a.C, a.H, a.W, a.Ho, a.Wo};
      const std::string name = cat("adaptive_avg_pool2d -> ", a.Ho, "x", a.Wo, " ", shape_str(a.N, a.C, a.H, a.W));
      CaseScope scope(name);
      const std::size_t nx = sz(g.planes * a.H * a.W), ny = sz(g.planes * a.Ho * a.Wo);
      const std::vector<float> x = draw(nx, -1.0, 1.0, nx);
      std::vector<float> gy = draw(ny, -1.0, 1.0, ny + 1);
      if (!gy.empty()) gy[0] = -0.f;  // the reference's sum from zero makes its share +0
      std::vector<float> y(ny), gx(nx);
      ref::adaptive_avg_pool2d_forward<float>(x.data(), g, y.data());
      ref::adaptive_avg_pool2d_backward<float>(gy.data(), g, gx.data());
      DevBuf dx(x), dgy(gy), dy(ny), dgx(nx);
      cuda::adaptive_avg_pool2d_forward(dx.data(), g, dy.data());
      cuda::adaptive_avg_pool2d_backward(dgy.data(), g, dgx.data());
      expect_close(name + " y", dy, y, {1e-5, 1e-4});
      // Bins that tile the input exactly take the one-bin path: the reference's bits.
      const bool tiled = adaptive_bins_tile(a.H, a.Ho) && adaptive_bins_tile(a.W, a.Wo);
      expect_close(name + " gx", dgx, gx, tiled ? Tol{0.0, 0.0} : Tol{1e-5, 1e-4});
      if (tiled)
        CHECK_MESSAGE(std::memcmp(dgx.data(), gx.data(), nx * sizeof(float)) == 0, name << " gx: not the reference's bits");
    }
  }

  TEST_CASE("global_avg_pool forward and backward") {
    struct Gp {
      int64_t N, C, H, W;
      unsigned grid_cap;
    };
    const std::vector<Gp> cases = {
        {1, 1, 1, 1, 0}, {2, 3, 5, 7, 0}, {3, 17, 12, 11, 0}, {2, 4, 61, 67, 0}, {3, 17, 12, 11, 1}};
    for (const Gp& c : cases) {
      const int64_t planes = c.N * c.C, hw = c.H * c.W;
      const std::string name = cat("global_avg_pool ", shape_str(c.N, c.C, c.H, c.W), " grid cap ", c.grid_cap);
      CaseScope scope(name);
      emu::g_grid_cap = c.grid_cap;
      const std::size_t nx = sz(planes * hw), ny = sz(planes);
      const std::vector<float> x = draw(nx, -1.0, 1.0, nx), gy = draw(ny, -1.0, 1.0, ny + 3);
      std::vector<float> y(ny), gx(nx);
      ref::global_avg_pool_forward<float>(x.data(), planes, hw, y.data());
      ref::global_avg_pool_backward<float>(gy.data(), planes, hw, gx.data());
      DevBuf dx(x), dgy(gy), dy(ny), dgx(nx);
      cuda::global_avg_pool_forward(dx.data(), planes, hw, dy.data());
      cuda::global_avg_pool_backward(dgy.data(), planes, hw, dgx.data());
      expect_close(name + " y", dy, y, {1e-5, 1e-4});
      expect_close(name + " gx", dgx, gx, {0.0, 0.0});  // gy / hw, the reference's rounding
    }
  }
}
}  // namespace
