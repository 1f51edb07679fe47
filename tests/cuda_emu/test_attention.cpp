// Emulated kernels/attention/attention.cu against ref:: (float), the harness's default gpu
// tolerance {1e-5, 1e-4}; argmax exactly. Blocks are 32 positions x 8 channel groups.
// Shapes [N, C, h, w]: the harness's (1x1, C < 8 so some groups have no channel, C = 17
// and 96, hw no multiple of 32); inputs a permutation of distinct values, ties, NaN in
// channel 0 and in the first channel of a group, all -inf with some +inf. gate_backward
// with gx only, ga only, and both.
#include "kernels/attention/attention.h"
#include "tests/cuda_emu/emu_check.h"
#include "tests/cuda_emu/emu_coverage.h"

namespace {
using namespace gsn;
using namespace gsn::emu_test;

constexpr Tol kTol{1e-5, 1e-4};

GSN_EMU_COVERAGE("attention", "kernels/attention/attention.cu");  // checked by emu_main.cpp after the suite ran

TEST_SUITE("attention") {
  TEST_CASE("channel_mean_max and gate, forward and backward") {
    struct Shape4 {
      int64_t N, C, h, w;
    };
    const std::vector<Shape4> shapes = {{1, 1, 1, 1},  {2, 3, 5, 7},  {1, 7, 13, 11},
                                        {3, 17, 9, 4}, {2, 96, 6, 5}, {1, 9, 6, 7}};
    const char* patterns[] = {"distinct", "ties", "NaN channel 0 / group starts", "-inf and +inf"};
    for (const Shape4& s : shapes) {
      const int64_t hw = s.h * s.w;
      const std::size_t nx = sz(s.N * s.C * hw), np = sz(s.N * hw);
      for (int pat = 0; pat < 4; ++pat) {
        const std::string name = cat("attention ", patterns[pat], " [", s.N, ",", s.C, ",", s.h, ",", s.w, "]");
        CaseScope scope(name);
        std::vector<float> x = draw(nx, -1.0, 1.0, nx + 17 * sz(pat));
        for (int64_t n = 0; n < s.N; ++n)
          for (int64_t c = 0; c < s.C; ++c)
            for (int64_t p = 0; p < hw; ++p) {
              float& v = x[sz((n * s.C + c) * hw + p)];
              if (pat == 1) v = std::round(v * 1.2f);
              if (pat == 2 && ((c == 0 && p % 3 == 0) || (c >= 1 && c < 8 && p % 3 == 1))) v = NAN;
              if (pat == 3) v = (c * 7 + p) % 5 == 0 ? INFINITY : -INFINITY;
            }
        const std::vector<float> gy = draw(2 * np, -1.0, 1.0, np + 1), a = draw(np, -1.0, 1.0, np + 2),
                                 g2 = draw(nx, -1.0, 1.0, nx + 3);
        std::vector<float> y(2 * np), am(np), gx(nx);
        ref::channel_mean_max_forward<float>(x.data(), s.N, s.C, hw, y.data(), am.data());
        ref::channel_mean_max_backward<float>(gy.data(), am.data(), s.N, s.C, hw, gx.data());
        DevBuf dx(x), dgy(gy), dy(2 * np), dam(np), dgx(nx), dam_ref(am);
        cuda::channel_mean_max_forward(dx.data(), s.N, s.C, hw, dy.data(), dam.data());
        cuda::channel_mean_max_backward(dgy.data(), dam_ref.data(), s.N, s.C, hw, dgx.data());
        expect_close(name + " channel_mean_max y", dy, y, kTol);
        expect_close(name + " channel_mean_max argmax", dam, am, {0.0, 0.0});
        expect_close(name + " channel_mean_max gx", dgx, gx, kTol);
        if (pat != 0) continue;
        std::vector<float> yg(nx);
        ref::gate_forward<float>(x.data(), a.data(), s.N, s.C, hw, yg.data());
        DevBuf da(a), dyg(nx), dg2(g2);
        cuda::gate_forward(dx.data(), da.data(), s.N, s.C, hw, dyg.data());
        expect_close(name + " gate y", dyg, yg, {0.0, 0.0});
        for (int mode = 0; mode < 3; ++mode) {  // 0 both, 1 gx only, 2 ga only
          std::vector<float> ggx(nx), gga(np);
          ref::gate_backward<float>(x.data(), a.data(), g2.data(), s.N, s.C, hw, mode != 2 ? ggx.data() : nullptr,
                                    mode != 1 ? gga.data() : nullptr);
          DevBuf dggx(nx), dgga(np);
          cuda::gate_backward(dx.data(), da.data(), dg2.data(), s.N, s.C, hw, mode != 2 ? dggx.data() : nullptr,
                              mode != 1 ? dgga.data() : nullptr);
          const std::string m = cat(name, " gate_backward mode ", mode);
          if (mode != 2) expect_close(m + " gx", dggx, ggx, {0.0, 0.0});
          if (mode != 1) expect_close(m + " ga", dgga, gga, kTol);
          if (mode == 1) expect_unwritten(m + " ga (not asked for)", dgga);
          if (mode == 2) expect_unwritten(m + " gx (not asked for)", dggx);
        }
      }
    }
  }
}
}  // namespace
