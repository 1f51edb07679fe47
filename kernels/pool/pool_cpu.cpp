// Fast CPU pooling: threads over planes (each plane is independent and contiguous), the
// window bounds clipped once per output instead of tested per tap, and backward as a
// per-plane scatter into a zeroed plane that stays in L1/L2 while it is written.
#include <algorithm>
#include <cstring>

#include "kernels/core/parallel.h"
#include "kernels/pool/pool.h"
#include "kernels/pool/pool_math.h"

namespace gsn::cpu {

namespace {
// Planes per chunk so a chunk holds at least ~16K elements of work.
int64_t plane_grain(int64_t plane_elems) { return std::max<int64_t>(1, 16384 / std::max<int64_t>(plane_elems, 1)); }
}  // namespace

void max_pool2d_forward(const float* x, const PoolGeom& g, float* y, float* idx) {
  parallel_for(g.planes, plane_grain(g.H * g.W), [&](int64_t pb, int64_t pe) {
    for (int64_t pl = pb; pl < pe; ++pl) {
      const float* xp = x + pl * g.H * g.W;
      float* yp = y + pl * g.Ho * g.Wo;
      float* ip = idx + pl * g.Ho * g.Wo;
      for (int64_t i = 0; i < g.Ho; ++i) {
        const int64_t h0 = std::max<int64_t>(i * g.s - g.p, 0), h1 = std::min<int64_t>(i * g.s - g.p + g.k, g.H);
        for (int64_t j = 0; j < g.Wo; ++j) {
          const int64_t w0 = std::max<int64_t>(j * g.s - g.p, 0), w1 = std::min<int64_t>(j * g.s - g.p + g.k, g.W);
          float best = xp[h0 * g.W + w0];
          int64_t best_at = h0 * g.W + w0;
          for (int64_t h = h0; h < h1; ++h)
            for (int64_t w = w0; w < w1; ++w) {
              const float v = xp[h * g.W + w];
              if (v > best) {
                best = v;
                best_at = h * g.W + w;
              }
            }
          yp[i * g.Wo + j] = best;
          ip[i * g.Wo + j] = static_cast<float>(best_at);
        }
      }
    }
  });
}

void max_pool2d_backward(const float* gy, const float* idx, const PoolGeom& g, float* gx) {
  parallel_for(g.planes, plane_grain(g.H * g.W), [&](int64_t pb, int64_t pe) {
    for (int64_t pl = pb; pl < pe; ++pl) {
      float* gp = gx + pl * g.H * g.W;
      std::memset(gp, 0, sizeof(float) * static_cast<std::size_t>(g.H * g.W));
      const float* gyp = gy + pl * g.Ho * g.Wo;
      const float* ip = idx + pl * g.Ho * g.Wo;
      for (int64_t o = 0; o < g.Ho * g.Wo; ++o) gp[static_cast<int64_t>(ip[o])] += gyp[o];
    }
  });
}

void adaptive_avg_pool2d_forward(const float* x, const PoolGeom& g, float* y) {
  parallel_for(g.planes, plane_grain(g.H * g.W), [&](int64_t pb, int64_t pe) {
    for (int64_t pl = pb; pl < pe; ++pl) {
      const float* xp = x + pl * g.H * g.W;
      for (int64_t i = 0; i < g.Ho; ++i) {
        const int64_t h0 = adaptive_start(i, g.H, g.Ho), h1 = adaptive_end(i, g.H, g.Ho);
        for (int64_t j = 0; j < g.Wo; ++j) {
          const int64_t w0 = adaptive_start(j, g.W, g.Wo), w1 = adaptive_end(j, g.W, g.Wo);
          float acc = 0.f;
          for (int64_t h = h0; h < h1; ++h)
            for (int64_t w = w0; w < w1; ++w) acc += xp[h * g.W + w];
          y[(pl * g.Ho + i) * g.Wo + j] = acc / static_cast<float>((h1 - h0) * (w1 - w0));
        }
      }
    }
  });
}

void adaptive_avg_pool2d_backward(const float* gy, const PoolGeom& g, float* gx) {
  parallel_for(g.planes, plane_grain(g.H * g.W), [&](int64_t pb, int64_t pe) {
    for (int64_t pl = pb; pl < pe; ++pl) {
      float* gp = gx + pl * g.H * g.W;
      std::memset(gp, 0, sizeof(float) * static_cast<std::size_t>(g.H * g.W));
      for (int64_t i = 0; i < g.Ho; ++i) {
        const int64_t h0 = adaptive_start(i, g.H, g.Ho), h1 = adaptive_end(i, g.H, g.Ho);
        for (int64_t j = 0; j < g.Wo; ++j) {
          const int64_t w0 = adaptive_start(j, g.W, g.Wo), w1 = adaptive_end(j, g.W, g.Wo);
          const float share = gy[(pl * g.Ho + i) * g.Wo + j] / static_cast<float>((h1 - h0) * (w1 - w0));
          for (int64_t h = h0; h < h1; ++h)
            for (int64_t w = w0; w < w1; ++w) gp[h * g.W + w] += share;
        }
      }
    }
  });
}

void global_avg_pool_forward(const float* x, int64_t planes, int64_t hw, float* y) {
  parallel_for(planes, plane_grain(hw), [&](int64_t pb, int64_t pe) {
    for (int64_t pl = pb; pl < pe; ++pl) {
      const float* xp = x + pl * hw;
      double acc = 0.0;
#pragma omp simd reduction(+ : acc)
      for (int64_t e = 0; e < hw; ++e) acc += static_cast<double>(xp[e]);
      y[pl] = static_cast<float>(acc / static_cast<double>(hw));
    }
  });
}

void global_avg_pool_backward(const float* gy, int64_t planes, int64_t hw, float* gx) {
  parallel_for(planes, plane_grain(hw), [&](int64_t pb, int64_t pe) {
    for (int64_t pl = pb; pl < pe; ++pl) {
      const float v = gy[pl] / static_cast<float>(hw);
      float* gp = gx + pl * hw;
#pragma omp simd
      for (int64_t e = 0; e < hw; ++e) gp[e] = v;
    }
  });
}

}  // namespace gsn::cpu
