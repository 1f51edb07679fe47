// Implicit-GEMM forward for 3x3 same convs on the SIMD micro-tile; see conv_cpu_implicit.h.
#include "kernels/conv/conv_cpu_implicit.h"

#include "kernels/core/error.h"
#include "kernels/linear/simd_vec.h"

#if defined(GSN_CPU_SIMD)
#include <algorithm>
#include <vector>

#include "kernels/conv/conv_cpu_same_masks.h"
#include "kernels/core/parallel.h"
#include "kernels/linear/sgemm_simd_tile.h"

namespace gsn::cpu::implicit {

namespace {
using simd::Vec;
constexpr int kTaps = 9;           // 3x3
constexpr int64_t kMinBandPanels = 384 / simd::kPanelWidth;  // panels (384 pixels) per task, at least ...
constexpr int64_t kMinTaskMacs = 1 << 20;  // ... and enough for this much work: a task of the
                                           // stem (16 x 27 MACs per pixel) would otherwise
                                           // take ~2 us, as little as scheduling it costs

// One panel of output pixels [n0, n0 + w) of a plane (L*nv >= w lanes, L = Vec::kLanes):
// its store masks and, per tap, the lanes whose input pixel lies inside the image. The
// cut into panels is simd::panel_vectors' (kPanelWidth pixels, a narrower last one), so
// it is the same for every image and band.
struct Panel {
  int64_t n0, w;
  int nv;
  Vec::Mask cm[Vec::kMaxVectors];
  Vec::Mask bm[kTaps * Vec::kMaxVectors];  // [t * nv + v]
};

// The panels of an H x W plane, masks included (built in parallel: a full-resolution
// image has thousands). Kept in a thread_local buffer: a call's table is read by its own
// tasks only, and the next call on this thread rebuilds it.
const std::vector<Panel>& make_panels(int64_t H, int64_t W) {
  constexpr int L = Vec::kLanes;
  thread_local std::vector<Panel> table;
  std::vector<Panel>& panels = table;  // this thread's table: a thread_local named inside the
                                       // lambda would be each worker's own
  const int64_t HW = H * W, full = HW / simd::kPanelWidth;
  const int64_t np = full + (HW % simd::kPanelWidth != 0);
  panels.resize(static_cast<std::size_t>(np));
  parallel_for(np, 256, [&](int64_t b, int64_t e) {
    for (int64_t pi = b; pi < e; ++pi) {
      Panel& p = panels[static_cast<std::size_t>(pi)];
      p.n0 = pi * simd::kPanelWidth;
      p.nv = simd::panel_vectors(HW - p.n0);
      p.w = std::min<int64_t>(L * p.nv, HW - p.n0);
      for (int v = 0; v < p.nv; ++v) {
        const int64_t lanes = std::min<int64_t>(p.w - L * v, L);
        p.cm[v] = Vec::first_lanes(lanes);
        uint16_t bits[kTaps];
        same_conv::tap_masks(H, W, 3, p.n0 + L * v, lanes, bits, 1);
        for (int t = 0; t < kTaps; ++t) p.bm[t * p.nv + v] = Vec::from_bits(bits[t]);
      }
    }
  });
  return panels;
}
}  // namespace

bool applies(const ConvGeom& g) { return g.k == 3 && g.s == 1 && g.p == 1; }

void conv2d_forward(const float* x, const float* w, const float* b, const ConvGeom& g, float* y) {
  const int64_t HW = g.H * g.W, K = g.K();
  if (g.N == 0 || HW == 0 || g.O == 0) return;
  const std::vector<Panel>& panels = make_panels(g.H, g.W);
  const int64_t np = static_cast<int64_t>(panels.size());
  const int64_t band_panels = std::max(kMinBandPanels, grain_for(g.O * K * simd::kPanelWidth, kMinTaskMacs));
  const int64_t bands = (np + band_panels - 1) / band_panels;
  int64_t off[kTaps];  // tap (u, v) of output f reads input f + off[3u + v]
  same_conv::tap_shifts(g.W, 3, off);
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t task = 0; task < g.N * bands; ++task) {
    const int64_t n = task / bands, band = task % bands;
    const float* xn = x + n * g.C * HW;
    float* yn = y + n * g.O * HW;
    const int64_t p0 = band * band_panels, p1 = std::min(np, p0 + band_panels);
    for (int64_t pi = p0; pi < p1; ++pi) {
      const Panel& p = panels[static_cast<std::size_t>(pi)];
      // Masked lanes' addresses (shifted before the plane or past it) are never touched.
      simd::panel_any<false, kTaps>(p.nv, g.O, g.C, w, K, xn + p.n0, HW, off, p.bm, yn + p.n0, HW, p.cm);
    }
    if (b) {  // after the sum, as the im2col route adds it
      const int64_t c0 = panels[static_cast<std::size_t>(p0)].n0;
      const int64_t c1 = panels[static_cast<std::size_t>(p1 - 1)].n0 + panels[static_cast<std::size_t>(p1 - 1)].w;
      for (int64_t o = 0; o < g.O; ++o)
        for (int64_t f = c0; f < c1; ++f) yn[o * HW + f] += b[o];
    }
  }
}

}  // namespace gsn::cpu::implicit

#else  // neither AVX-512F nor AVX2+FMA at compile time: conv_cpu.cpp keeps the im2col route

namespace gsn::cpu::implicit {
bool applies(const ConvGeom&) { return false; }
void conv2d_forward(const float*, const float*, const float*, const ConvGeom&, float*) {
  GSN_THROW("implicit conv: not compiled in (the compiler targeted neither AVX-512F nor AVX2 with FMA)");
}
}  // namespace gsn::cpu::implicit

#endif
