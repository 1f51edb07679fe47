// Fast CPU fusion ops. siamese_diff_concat: threads over (image, chunk), one vectorised
// sweep reading F_r and F_d once and writing the three parts. fuse_levels: per (image,
// level) the output channels are one contiguous block, so each level is the fast CPU
// adaptive pool (kernels/pool/pool_cpu.cpp, threaded over planes) writing straight into
// its slot of Y, and the same-size level is a memcpy; backward the same way round.
#include <algorithm>
#include <cstring>

#include "kernels/core/parallel.h"
#include "kernels/fusion/fusion.h"
#include "kernels/pool/pool.h"

namespace gsn::cpu {

void siamese_diff_concat_forward(const float* F, int64_t B, int64_t chw, float* P) {
  const int64_t chunk = 8192, chunks = (chw + chunk - 1) / chunk;
  parallel_for(B * chunks, 1, [&](int64_t tb, int64_t te) {
    for (int64_t t = tb; t < te; ++t) {
      const int64_t b = t / chunks, k0 = (t % chunks) * chunk, k1 = std::min<int64_t>(k0 + chunk, chw);
      const float* r = F + b * chw;
      const float* d = F + (B + b) * chw;
      float* p0 = P + (b * 3 + 0) * chw;
      float* p1 = P + (b * 3 + 1) * chw;
      float* p2 = P + (b * 3 + 2) * chw;
#pragma omp simd
      for (int64_t k = k0; k < k1; ++k) {
        p0[k] = r[k];
        p1[k] = d[k];
        p2[k] = r[k] - d[k];
      }
    }
  });
}

void siamese_diff_concat_backward(const float* gP, int64_t B, int64_t chw, float* gF) {
  const int64_t chunk = 8192, chunks = (chw + chunk - 1) / chunk;
  parallel_for(B * chunks, 1, [&](int64_t tb, int64_t te) {
    for (int64_t t = tb; t < te; ++t) {
      const int64_t b = t / chunks, k0 = (t % chunks) * chunk, k1 = std::min<int64_t>(k0 + chunk, chw);
      const float* g0 = gP + (b * 3 + 0) * chw;
      const float* g1 = gP + (b * 3 + 1) * chw;
      const float* g2 = gP + (b * 3 + 2) * chw;
      float* r = gF + b * chw;
      float* d = gF + (B + b) * chw;
#pragma omp simd
      for (int64_t k = k0; k < k1; ++k) {
        r[k] = g0[k] + g2[k];
        d[k] = g1[k] - g2[k];
      }
    }
  });
}

void fuse_levels_forward(const FuseGeom& g, const float* p1, const float* p2, const float* p3, float* y) {
  const float* src[3] = {p1, p2, p3};
  const int64_t hw3 = g.H[2] * g.W[2], Ct = g.total_channels();
  for (int64_t b = 0; b < g.B; ++b) {
    int64_t off = 0;
    for (int l = 0; l < 3; ++l) {
      const float* x = src[l] + b * g.C[l] * g.H[l] * g.W[l];
      float* out = y + (b * Ct + off) * hw3;
      if (g.H[l] == g.H[2] && g.W[l] == g.W[2]) {
        std::memcpy(out, x, sizeof(float) * static_cast<std::size_t>(g.C[l] * hw3));
      } else {
        const PoolGeom pg{g.C[l], g.H[l], g.W[l], g.H[2], g.W[2]};
        adaptive_avg_pool2d_forward(x, pg, out);
      }
      off += g.C[l];
    }
  }
}

void fuse_levels_backward(const FuseGeom& g, const float* gy, float* g1, float* g2, float* g3) {
  float* dst[3] = {g1, g2, g3};
  const int64_t hw3 = g.H[2] * g.W[2], Ct = g.total_channels();
  for (int64_t b = 0; b < g.B; ++b) {
    int64_t off = 0;
    for (int l = 0; l < 3; ++l) {
      float* gx = dst[l] + b * g.C[l] * g.H[l] * g.W[l];
      const float* in = gy + (b * Ct + off) * hw3;
      if (g.H[l] == g.H[2] && g.W[l] == g.W[2]) {
        std::memcpy(gx, in, sizeof(float) * static_cast<std::size_t>(g.C[l] * hw3));
      } else {
        const PoolGeom pg{g.C[l], g.H[l], g.W[l], g.H[2], g.W[2]};
        adaptive_avg_pool2d_backward(in, pg, gx);
      }
      off += g.C[l];
    }
  }
}

}  // namespace gsn::cpu
