// Fast CPU attention pieces: threads over images n (and over channel planes for the
// elementwise parts); inside an image the loops run channel-outer, position-inner so
// every access is a contiguous, vectorised sweep of one plane, with per-position running
// sums / maxima in a small buffer of hw values. Sums in float per channel step, the
// final mean in float: well inside the harness tolerance of the double reference.
#include <algorithm>
#include <vector>

#include "kernels/attention/attention.h"
#include "kernels/core/parallel.h"

namespace gsn::cpu {

void channel_mean_max_forward(const float* x, int64_t N, int64_t C, int64_t hw, float* y, float* argmax) {
  // Parallel over (n, chunk of positions) so a small batch still uses every thread.
  const int64_t tile = 1024;
  const int64_t tiles = (hw + tile - 1) / tile;
  parallel_for(N * tiles, 1, [&](int64_t b, int64_t e) {
    std::vector<float> sum(static_cast<std::size_t>(tile));
    for (int64_t t = b; t < e; ++t) {
      const int64_t n = t / tiles, p0 = (t % tiles) * tile, len = std::min<int64_t>(tile, hw - p0);
      float* mx = y + (n * 2 + 1) * hw + p0;
      float* am = argmax + n * hw + p0;
      const float* x0 = x + n * C * hw + p0;
      for (int64_t p = 0; p < len; ++p) {
        sum[static_cast<std::size_t>(p)] = x0[p];
        mx[p] = x0[p];
        am[p] = 0.f;
      }
      for (int64_t c = 1; c < C; ++c) {
        const float* xc = x0 + c * hw;
        const float cf = static_cast<float>(c);
#pragma omp simd
        for (int64_t p = 0; p < len; ++p) {
          sum[static_cast<std::size_t>(p)] += xc[p];
          const bool better = xc[p] > mx[p];
          mx[p] = better ? xc[p] : mx[p];
          am[p] = better ? cf : am[p];
        }
      }
      float* mean = y + (n * 2 + 0) * hw + p0;
      const float inv = 1.f / static_cast<float>(C);
      for (int64_t p = 0; p < len; ++p) mean[p] = sum[static_cast<std::size_t>(p)] * inv;
    }
  });
}

void channel_mean_max_backward(const float* gy, const float* argmax, int64_t N, int64_t C, int64_t hw, float* gx) {
  const float inv = 1.f / static_cast<float>(C);
  const int64_t grain = hw >= 16384 ? 1 : 16384 / (hw > 0 ? hw : 1);
  parallel_for(N * C, grain, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      const int64_t n = t / C, c = t % C;
      const float* g0 = gy + (n * 2 + 0) * hw;
      const float* g1 = gy + (n * 2 + 1) * hw;
      const float* am = argmax + n * hw;
      float* out = gx + t * hw;
      const float cf = static_cast<float>(c);
#pragma omp simd
      for (int64_t p = 0; p < hw; ++p) out[p] = g0[p] * inv + (am[p] == cf ? g1[p] : 0.f);
    }
  });
}

void gate_forward(const float* x, const float* a, int64_t N, int64_t C, int64_t hw, float* y) {
  const int64_t grain = hw >= 16384 ? 1 : 16384 / (hw > 0 ? hw : 1);
  parallel_for(N * C, grain, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      const float* ap = a + (t / C) * hw;
      const float* xp = x + t * hw;
      float* yp = y + t * hw;
#pragma omp simd
      for (int64_t p = 0; p < hw; ++p) yp[p] = xp[p] * ap[p];
    }
  });
}

void gate_backward(const float* x, const float* a, const float* gy, int64_t N, int64_t C, int64_t hw, float* gx,
                   float* ga) {
  const int64_t tile = 1024;
  const int64_t tiles = (hw + tile - 1) / tile;
  parallel_for(N * tiles, 1, [&](int64_t b, int64_t e) {
    std::vector<double> acc(static_cast<std::size_t>(tile));
    for (int64_t t = b; t < e; ++t) {
      const int64_t n = t / tiles, p0 = (t % tiles) * tile, len = std::min<int64_t>(tile, hw - p0);
      const float* ap = a + n * hw + p0;
      for (int64_t p = 0; p < len; ++p) acc[static_cast<std::size_t>(p)] = 0.0;
      for (int64_t c = 0; c < C; ++c) {
        const int64_t off = (n * C + c) * hw + p0;
        const float* g = gy + off;
        const float* xc = x + off;
        if (gx) {
          float* o = gx + off;
#pragma omp simd
          for (int64_t p = 0; p < len; ++p) o[p] = g[p] * ap[p];
        }
        if (ga) {
          double* s = acc.data();
#pragma omp simd
          for (int64_t p = 0; p < len; ++p) s[p] += static_cast<double>(g[p]) * static_cast<double>(xc[p]);
        }
      }
      if (ga)
        for (int64_t p = 0; p < len; ++p) ga[n * hw + p0 + p] = static_cast<float>(acc[static_cast<std::size_t>(p)]);
    }
  });
}

}  // namespace gsn::cpu
