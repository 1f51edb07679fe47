// Emulated kernels/conv/conv.cu against ref::conv2d_* (float out, double sums): forward,
// backward-data and backward-weight in every version (1 direct, 2 16x16 implicit GEMM, 3
// 64x64 register-blocked, 4 128x128 with float4 smem reads, 5 v4 pipelined, which must
// also give v4's bits) and the launcher's pick, and the bias gradient. K runs from 1 to 20
// steps of v4/v5's BK = 8, odd and even counts (v5 takes two steps per loop trip). And
// that GSN_CUDA_CONV_VERSION makes the pick take the version it names. The harness's
// gpu tolerance: 8e-6 sqrt(D), D = max(C k k, N Ho Wo, O k k) (tests/harness/cases_conv.cpp).
// Shapes (x [N, C, H, W], O, k, s, p), kept tiny for the 256-thread blocks: stride 2, k = 5
// and 7, k = 1, a 1x1 image, pad > k - 1, O = 67 (two 64-row tiles), C k k = 153 > 64,
// N Ho Wo = 1152 (backward-weight split over 18 K chunks plus finish_split), an empty batch
// (backward-weight writes zeros).
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "kernels/conv/conv.h"
#include "tests/cuda_emu/emu_check.h"
#include "tests/cuda_emu/emu_coverage.h"

namespace {
using namespace gsn;
using namespace gsn::emu_test;

struct ConvCase {
  int64_t N, C, H, W, O, k, s, p;
};
const std::vector<ConvCase> kCases = {
    {2, 3, 9, 7, 4, 3, 2, 1},  {1, 5, 13, 11, 3, 5, 1, 2}, {3, 7, 6, 5, 2, 3, 1, 0},  {1, 1, 1, 1, 1, 3, 1, 1},
    {2, 6, 7, 5, 3, 1, 1, 0},  {1, 2, 5, 6, 3, 3, 2, 3},   {1, 2, 4, 4, 1, 7, 1, 3},  {2, 17, 9, 7, 67, 3, 1, 1},
    {8, 4, 12, 12, 5, 3, 1, 1}, {0, 3, 4, 4, 2, 3, 1, 1},
    // M over one v4 tile of 128 (the pick takes v4 at M >= 128): forward and bwd-weight
    // with O = 131, bwd-data with C = 130
    {1, 9, 6, 7, 131, 3, 1, 1}, {1, 130, 5, 4, 6, 3, 1, 1},
};

GSN_EMU_COVERAGE("conv", "kernels/conv/conv.cu");  // checked by emu_main.cpp after the suite ran

TEST_SUITE("conv") {
  TEST_CASE("forward, backward-data, backward-weight in every version; bias gradient") {
    for (const ConvCase& c : kCases) {
      const int64_t Ho = (c.H + 2 * c.p - c.k) / c.s + 1, Wo = (c.W + 2 * c.p - c.k) / c.s + 1;
      const ConvGeom g{c.N, c.C, c.H, c.W, c.O, c.k, c.s, c.p, Ho, Wo};
      const double D = static_cast<double>(std::max({g.K(), g.P(), g.O * g.k * g.k}));
      const Tol tol{8e-6 * std::sqrt(D), 8e-6 * std::sqrt(D)};
      const std::string shape =
          cat("conv2d x [", c.N, ",", c.C, ",", c.H, ",", c.W, "] O", c.O, " k", c.k, " s", c.s, " p", c.p);
      const std::size_t nx = sz(c.N * c.C * c.H * c.W), nw = sz(c.O * c.C * c.k * c.k), ny = sz(c.N * c.O * Ho * Wo),
                        no = sz(c.O);
      const uint64_t seed = nx + 7 * nw + 13 * ny;
      const std::vector<float> x = draw(nx, -1.0, 1.0, seed), w = draw(nw, -1.0, 1.0, seed + 1),
                               b = draw(no, -1.0, 1.0, seed + 2), gy = draw(ny, -1.0, 1.0, seed + 3);
      std::vector<float> y(ny), gx(nx), gw(nw), gb(no);
      ref::conv2d_forward<float>(x.data(), w.data(), b.data(), g, y.data());
      ref::conv2d_backward_data<float>(gy.data(), w.data(), g, gx.data());
      ref::conv2d_backward_weight<float>(gy.data(), x.data(), g, gw.data());
      ref::conv2d_backward_bias<float>(gy.data(), g, gb.data());
      std::vector<float> v4_out[3];  // y, gx, gw of v4: v5 must give their bits (same products, same order)
      for (int version = 0; version <= cuda::kConvVersions; ++version) {
        const std::string name = version ? cat(shape, " v", version) : cat(shape, " pick");
        CaseScope scope(name);
        DevBuf dx(x), dw(w), db(b), dgy(gy), dy(ny), dgx(nx), dgw(nw);
        cuda::conv2d_forward(dx.data(), dw.data(), db.data(), g, dy.data(), version);
        cuda::conv2d_backward_data(dgy.data(), dw.data(), g, dgx.data(), version);
        expect_close(name + " y", dy, y, tol);
        expect_close(name + " gx", dgx, gx, tol);
        // v1's bwd-weight is a block of 256 threads with barriers per weight element, which
        // the emulation runs a thread per CUDA thread: past ~1000 weights it takes minutes.
        // The pick takes v1 only at M <= 4; the gpu tests run it on every shape.
        if (version == 1 && static_cast<int64_t>(nw) > 1024) continue;
        cuda::conv2d_backward_weight(dgy.data(), dx.data(), g, dgw.data(), version);
        expect_close(name + " gw", dgw, gw, tol);
        if (version == 4) v4_out[0] = dy.vec(), v4_out[1] = dgx.vec(), v4_out[2] = dgw.vec();
        if (version == 5) {
          const auto same_bits = [](const std::vector<float>& u, const std::vector<float>& v) {
            return u.size() == v.size() && std::memcmp(u.data(), v.data(), u.size() * sizeof(float)) == 0;
          };
          CHECK_MESSAGE(same_bits(dy.vec(), v4_out[0]), name << " y: not v4's bits");
          CHECK_MESSAGE(same_bits(dgx.vec(), v4_out[1]), name << " gx: not v4's bits");
          CHECK_MESSAGE(same_bits(dgw.vec(), v4_out[2]), name << " gw: not v4's bits");
        }
      }
      CaseScope scope(shape + " bias");
      DevBuf dgy(gy), dgb(no);
      cuda::conv2d_backward_bias(dgy.data(), g, dgb.data());
      expect_close(shape + " gb", dgb, gb, tol);
    }
  }

  TEST_CASE("GSN_CUDA_CONV_VERSION makes the pick take that version") {
    // O = 6: the pick's own choice is v2 (M < 32), so igemm_pipelined runs only if forced.
    const ConvGeom g{1, 3, 9, 7, 6, 3, 1, 1, 9, 7};
    const std::vector<float> x = draw(sz(3 * 9 * 7), -1.0, 1.0, 11), w = draw(sz(6 * 3 * 9), -1.0, 1.0, 12),
                             gy = draw(sz(6 * 9 * 7), -1.0, 1.0, 13);
    DevBuf dx(x), dw(w), dgy(gy), dy(gy.size()), dgx(x.size()), dgw(w.size());
    const auto run_all = [&] {
      cuda::conv2d_forward(dx.data(), dw.data(), nullptr, g, dy.data(), 0);
      cuda::conv2d_backward_data(dgy.data(), dw.data(), g, dgx.data(), 0);
      cuda::conv2d_backward_weight(dgy.data(), dx.data(), g, dgw.data(), 0);
    };
    const long before = emu::launches("conv.cu", "igemm_pipelined");
    run_all();
    CHECK(emu::launches("conv.cu", "igemm_pipelined") == before);
    ::setenv("GSN_CUDA_CONV_VERSION", "5", 1);
    run_all();
    CHECK(emu::launches("conv.cu", "igemm_pipelined") == before + 3);  // all three passes
    ::setenv("GSN_CUDA_CONV_VERSION", "9", 1);
    CHECK_THROWS_WITH_AS(cuda::conv2d_forward(dx.data(), dw.data(), nullptr, g, dy.data(), 0),
                         doctest::Contains("GSN_CUDA_CONV_VERSION=9"), Error);
    ::unsetenv("GSN_CUDA_CONV_VERSION");
  }
}
}  // namespace
