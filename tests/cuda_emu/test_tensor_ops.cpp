// Emulated kernels/tensor_ops/tensor_ops.cu against ref:: (float): pure copies, so the
// results must be the same values (tolerance {0, 0}).
//   concat / split  the harness's part lists (one part; 3 parts of 1, 4, 2 channels; hw
//                   4x4 = the float4 copy), 11 parts (two launches of at most 8), an empty
//                   part, every part misaligned by 1 float (the scalar copy)
//   slice_batch_backward  the harness's rows and ranges, row % 4 == 0 (float4) and not,
//                   misaligned, and on a grid capped at 1 block
#include "kernels/tensor_ops/tensor_ops.h"
#include "tests/cuda_emu/emu_check.h"
#include "tests/cuda_emu/emu_coverage.h"

namespace {
using namespace gsn;
using namespace gsn::emu_test;

GSN_EMU_COVERAGE("tensor_ops", "kernels/tensor_ops/tensor_ops.cu");  // checked by emu_main.cpp after the suite ran

TEST_SUITE("tensor_ops") {
  TEST_CASE("concat_channels and split_channels") {
    struct Parts {
      int64_t N, hw;
      std::vector<int64_t> ch;
      std::size_t misalign;
    };
    const std::vector<Parts> cases = {
        {1, 7, {3}, 0},          {2, 15, {1, 4, 2}, 0},  {3, 16, {5, 5, 5, 1}, 0},
        {3, 16, {5, 5, 5, 1}, 1}, {2, 143, {7, 3}, 0},   {2, 4, {1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2}, 0},
        {2, 5, {2, 0, 3}, 0},
    };
    for (const Parts& c : cases) {
      std::string name = cat("concat/split N=", c.N, " hw=", c.hw, " channels");
      for (int64_t ch : c.ch) name += cat(" ", ch);
      name += cat(" misalign ", c.misalign);
      CaseScope scope(name);
      const int k = static_cast<int>(c.ch.size());
      int64_t total = 0;
      for (int64_t ch : c.ch) total += ch;
      std::vector<std::vector<float>> xs;
      std::vector<DevBuf> dxs, dsplit;
      std::vector<const float*> xp, dxp;
      std::vector<float*> dsp;
      for (int j = 0; j < k; ++j) {
        const std::size_t n = sz(c.N * c.ch[j] * c.hw);
        xs.push_back(draw(n, -1.0, 1.0, 60 + n + sz(j)));
        dxs.emplace_back(xs.back(), c.misalign);
        dsplit.emplace_back(n, c.misalign);
      }
      for (int j = 0; j < k; ++j) {
        xp.push_back(xs[sz(j)].data());
        dxp.push_back(dxs[sz(j)].data());
        dsp.push_back(dsplit[sz(j)].data());
      }
      const std::size_t ny = sz(c.N * total * c.hw);
      std::vector<float> y(ny);
      ref::concat_channels<float>(xp.data(), c.ch.data(), k, c.N, c.hw, y.data());
      DevBuf dy(ny, c.misalign);
      cuda::concat_channels(dxp.data(), c.ch.data(), k, c.N, c.hw, dy.data());
      expect_close(name + " concat", dy, y, {0.0, 0.0});
      cuda::split_channels(dy.data(), c.ch.data(), k, c.N, c.hw, dsp.data());
      for (int j = 0; j < k; ++j)
        expect_close(cat(name, " split part ", j), dsplit[sz(j)], xs[sz(j)], {0.0, 0.0});
    }
  }

  TEST_CASE("slice_batch_backward") {
    struct Slice {
      int64_t N, row, begin, end;
      std::size_t misalign;
      unsigned grid_cap;
    };
    const std::vector<Slice> cases = {{1, 12, 0, 1, 0, 0}, {5, 24, 1, 4, 0, 0}, {6, 30, 3, 6, 0, 0}, {4, 7, 0, 2, 0, 0},
                                      {5, 24, 1, 4, 1, 0}, {9, 300, 2, 5, 0, 1}, {9, 301, 2, 5, 0, 1}};
    for (const Slice& s : cases) {
      const std::string name = cat("slice_batch_backward N=", s.N, " row=", s.row, " [", s.begin, ",", s.end,
                                   ") misalign ", s.misalign, " grid cap ", s.grid_cap);
      CaseScope scope(name);
      emu::g_grid_cap = s.grid_cap;
      const std::size_t ng = sz((s.end - s.begin) * s.row), nx = sz(s.N * s.row);
      const std::vector<float> gy = draw(ng, -1.0, 1.0, ng + 1);
      std::vector<float> gx(nx);
      ref::slice_batch_backward<float>(gy.data(), s.row, s.N, s.begin, s.end, gx.data());
      DevBuf dgy(gy, s.misalign), dgx(nx, s.misalign);
      cuda::slice_batch_backward(dgy.data(), s.row, s.N, s.begin, s.end, dgx.data());
      expect_close(name, dgx, gx, {0.0, 0.0});
    }
  }
}
}  // namespace
