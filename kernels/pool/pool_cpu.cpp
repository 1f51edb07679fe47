// Fast CPU pooling: threads over planes (each plane is independent and contiguous).
//   max pooling: window bounds clipped once per output, then a running maximum;
//     backward: a per-plane scatter into a zeroed plane that stays in L1/L2.
//   adaptive average pooling: bin bounds computed once per call; per output row the
//     bin's input rows are summed into a row buffer with contiguous vector adds, then
//     the buffer's column bins are summed (backward: the mirror image).
#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/core/parallel.h"
#include "kernels/pool/pool.h"
#include "kernels/pool/pool_math.h"

namespace gsn::cpu {

namespace {
// Planes per chunk so a chunk holds at least ~16K elements of work.
int64_t plane_grain(int64_t plane_elems) { return std::max<int64_t>(1, 16384 / std::max<int64_t>(plane_elems, 1)); }
}  // namespace

// Version 1 (this one): one output at a time over its clipped window. Measured at ~3 GB/s
// on the 2-core bench machine: the compare/select chain per output is serial. Tried and
// dropped: a branch-free select (no change) and a sweep over j as a vector, tap by tap
// (slower: GSN's rows are 8..32 outputs, too short for 16-wide gathers).
void max_pool2d_forward(const float* x, const PoolGeom& g, float* y, float* idx) {
  const int64_t H = g.H, W = g.W, Ho = g.Ho, Wo = g.Wo, k = g.k, s = g.s, p = g.p;
  parallel_for(g.planes, plane_grain(H * W), [=](int64_t pb, int64_t pe) {
    for (int64_t pl = pb; pl < pe; ++pl) {
      const float* xp = x + pl * H * W;
      float* yp = y + pl * Ho * Wo;
      float* ip = idx + pl * Ho * Wo;
      for (int64_t i = 0; i < Ho; ++i) {
        const int64_t h0 = std::max<int64_t>(i * s - p, 0), h1 = std::min<int64_t>(i * s - p + k, H);
        for (int64_t j = 0; j < Wo; ++j) {
          const int64_t w0 = std::max<int64_t>(j * s - p, 0), w1 = std::min<int64_t>(j * s - p + k, W);
          float best = xp[h0 * W + w0];
          int64_t best_at = h0 * W + w0;
          for (int64_t h = h0; h < h1; ++h)
            for (int64_t w = w0; w < w1; ++w)
              if (xp[h * W + w] > best) {  // strict: the first maximum in scan order wins
                best = xp[h * W + w];
                best_at = h * W + w;
              }
          yp[i * Wo + j] = best;
          ip[i * Wo + j] = static_cast<float>(best_at);
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

// Bin bounds of one axis, computed once per call: [start, end) for each output index.
namespace {
struct Bins {
  std::vector<int64_t> lo, hi;
  Bins(int64_t in, int64_t out) : lo(static_cast<std::size_t>(out)), hi(static_cast<std::size_t>(out)) {
    for (int64_t i = 0; i < out; ++i) {
      lo[static_cast<std::size_t>(i)] = adaptive_start(i, in, out);
      hi[static_cast<std::size_t>(i)] = adaptive_end(i, in, out);
    }
  }
};
}  // namespace

// Per output row i: sum the bin's input rows into a W-long buffer (contiguous, vectorised),
// then sum the buffer's column bins.
void adaptive_avg_pool2d_forward(const float* x, const PoolGeom& g, float* y) {
  const Bins rows(g.H, g.Ho), cols(g.W, g.Wo);
  parallel_for(g.planes, plane_grain(g.H * g.W), [&](int64_t pb, int64_t pe) {
    std::vector<float> buf(static_cast<std::size_t>(g.W));
    float* rb = buf.data();
    for (int64_t pl = pb; pl < pe; ++pl) {
      const float* xp = x + pl * g.H * g.W;
      for (int64_t i = 0; i < g.Ho; ++i) {
        const int64_t h0 = rows.lo[static_cast<std::size_t>(i)], h1 = rows.hi[static_cast<std::size_t>(i)];
        std::memcpy(rb, xp + h0 * g.W, sizeof(float) * static_cast<std::size_t>(g.W));
        for (int64_t h = h0 + 1; h < h1; ++h) {
          const float* xr = xp + h * g.W;
#pragma omp simd
          for (int64_t w = 0; w < g.W; ++w) rb[w] += xr[w];
        }
        for (int64_t j = 0; j < g.Wo; ++j) {
          const int64_t w0 = cols.lo[static_cast<std::size_t>(j)], w1 = cols.hi[static_cast<std::size_t>(j)];
          float acc = 0.f;
          for (int64_t w = w0; w < w1; ++w) acc += rb[w];
          y[(pl * g.Ho + i) * g.Wo + j] = acc / static_cast<float>((h1 - h0) * (w1 - w0));
        }
      }
    }
  });
}

// Per output row i: spread gy[i, :] / area over a W-long buffer, then add the buffer to
// every input row of the bin.
void adaptive_avg_pool2d_backward(const float* gy, const PoolGeom& g, float* gx) {
  const Bins rows(g.H, g.Ho), cols(g.W, g.Wo);
  parallel_for(g.planes, plane_grain(g.H * g.W), [&](int64_t pb, int64_t pe) {
    std::vector<float> buf(static_cast<std::size_t>(g.W));
    float* rb = buf.data();
    for (int64_t pl = pb; pl < pe; ++pl) {
      float* gp = gx + pl * g.H * g.W;
      std::memset(gp, 0, sizeof(float) * static_cast<std::size_t>(g.H * g.W));
      for (int64_t i = 0; i < g.Ho; ++i) {
        const int64_t h0 = rows.lo[static_cast<std::size_t>(i)], h1 = rows.hi[static_cast<std::size_t>(i)];
        std::memset(rb, 0, sizeof(float) * static_cast<std::size_t>(g.W));
        for (int64_t j = 0; j < g.Wo; ++j) {
          const int64_t w0 = cols.lo[static_cast<std::size_t>(j)], w1 = cols.hi[static_cast<std::size_t>(j)];
          const float share = gy[(pl * g.Ho + i) * g.Wo + j] / static_cast<float>((h1 - h0) * (w1 - w0));
          for (int64_t w = w0; w < w1; ++w) rb[w] += share;
        }
        for (int64_t h = h0; h < h1; ++h) {
          float* gr = gp + h * g.W;
#pragma omp simd
          for (int64_t w = 0; w < g.W; ++w) gr[w] += rb[w];
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
