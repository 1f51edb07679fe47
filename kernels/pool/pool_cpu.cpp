// Fast CPU pooling: threads over planes (each plane is independent and contiguous).
//   max pooling: window bounds clipped once per output, then a running maximum;
//     backward: a per-plane scatter into a zeroed plane that stays in L1/L2.
//   adaptive average pooling: bin bounds computed once per call; per output row the
//     bin's input rows are summed into a row buffer with contiguous vector adds, then
//     the buffer's column bins are summed (backward: the mirror image).
#include "kernels/linear/simd_vec.h"  // GSN_CPU_SIMD and Vec::first_lanes for version 2

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

namespace {
// The maximum of xp over rows [h0, h1) x columns [w0, w1) (non-empty), scanning rows then
// columns with a strict > so the first maximum in scan order wins (and a NaN wins only as
// the first element, as in the reference).
inline void max_window(const float* xp, int64_t W, int64_t h0, int64_t h1, int64_t w0, int64_t w1, float* y,
                       float* at) {
  float best = xp[h0 * W + w0];
  int64_t best_at = h0 * W + w0;
  for (int64_t h = h0; h < h1; ++h)
    for (int64_t w = w0; w < w1; ++w)
      if (xp[h * W + w] > best) {
        best = xp[h * W + w];
        best_at = h * W + w;
      }
  *y = best;
  *at = static_cast<float>(best_at);
}

#if defined(GSN_CPU_SIMD) && GSN_CPU_SIMD == 512
using simd::Vec;
// Version 2, GSN's pooling (k 3, stride 2, pad 1), AVX-512: 16 outputs j0..j0+15 of one
// output row at once (n <= 16 of them valid), for columns whose window is not clipped
// (j >= 1, 2j+1 <= W-1). Tap (h, dw) of output j reads x[h, 2j-1+dw]: a stride-2 gather,
// done as two loads and one permute of their even elements. The taps are visited in the
// scalar scan order and a lane takes a tap only where it is strictly greater (ordered
// compare: NaN never beats), so the result is bit-identical to max_window.
void max3s2_block(const float* xp, int64_t W, int64_t h0, int64_t h1, int64_t j0, int64_t n, float* y, float* at) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512 two_l = _mm512_cvtepi32_ps(_mm512_slli_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), 1));
  // Elements 0 .. 2n-2 of the 32 at x[h, 2j0-1+dw] are used: the first load takes up to
  // 16, the second the rest (masked, so nothing past the last window is touched).
  const int64_t used = 2 * n - 1;
  const __mmask16 m_lo = Vec::first_lanes(used), m_hi = Vec::first_lanes(used - 16);
  __m512 best = _mm512_setzero_ps(), best_at = _mm512_setzero_ps();
  for (int64_t h = h0; h < h1; ++h)
    for (int64_t dw = 0; dw < 3; ++dw) {
      const float* src = xp + h * W + 2 * j0 - 1 + dw;
      const __m512 v = _mm512_permutex2var_ps(_mm512_maskz_loadu_ps(m_lo, src), even, _mm512_maskz_loadu_ps(m_hi, src + 16));
      const __m512 pos = _mm512_add_ps(_mm512_set1_ps(static_cast<float>(h * W + 2 * j0 - 1 + dw)), two_l);
      if (h == h0 && dw == 0) {
        best = v, best_at = pos;
        continue;
      }
      const __mmask16 gt = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ);
      best = _mm512_mask_mov_ps(best, gt, v);
      best_at = _mm512_mask_mov_ps(best_at, gt, pos);
    }
  _mm512_mask_storeu_ps(y, Vec::first_lanes(n), best);
  _mm512_mask_storeu_ps(at, Vec::first_lanes(n), best_at);
}
constexpr int64_t kV2Block = 16;
#elif defined(GSN_CPU_SIMD)  // AVX2 + FMA
using simd::Vec;
// Version 2 on AVX2: as the AVX-512 block above with 8 outputs at once (n <= 8). The
// stride-2 gather is two masked loads of 8 (vmaskmovps: masked lanes read as 0, never
// touched), a shuffle of their even elements inside each 128-bit half, [lo0 lo2 hi0 hi2 |
// lo4 lo6 hi4 hi6], and a permute of 64-bit pairs into [lo0 lo2 lo4 lo6 hi0 hi2 hi4 hi6].
// Same scan order and ordered strict compare: bit-identical to max_window.
void max3s2_block(const float* xp, int64_t W, int64_t h0, int64_t h1, int64_t j0, int64_t n, float* y, float* at) {
  const __m256 two_l = _mm256_setr_ps(0.f, 2.f, 4.f, 6.f, 8.f, 10.f, 12.f, 14.f);
  const int64_t used = 2 * n - 1;  // elements 0 .. 2n-2 of the 16 at x[h, 2j0-1+dw]
  const __m256i m_lo = Vec::first_lanes(used), m_hi = Vec::first_lanes(used - 8);
  __m256 best = _mm256_setzero_ps(), best_at = _mm256_setzero_ps();
  for (int64_t h = h0; h < h1; ++h)
    for (int64_t dw = 0; dw < 3; ++dw) {
      const float* src = xp + h * W + 2 * j0 - 1 + dw;
      const __m256 evens = _mm256_shuffle_ps(_mm256_maskload_ps(src, m_lo), _mm256_maskload_ps(src + 8, m_hi),
                                             _MM_SHUFFLE(2, 0, 2, 0));
      const __m256 v = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(evens), _MM_SHUFFLE(3, 1, 2, 0)));
      const __m256 pos = _mm256_add_ps(_mm256_set1_ps(static_cast<float>(h * W + 2 * j0 - 1 + dw)), two_l);
      if (h == h0 && dw == 0) {
        best = v, best_at = pos;
        continue;
      }
      const __m256 gt = _mm256_cmp_ps(v, best, _CMP_GT_OQ);
      best = _mm256_blendv_ps(best, v, gt);
      best_at = _mm256_blendv_ps(best_at, pos, gt);
    }
  _mm256_maskstore_ps(y, Vec::first_lanes(n), best);
  _mm256_maskstore_ps(at, Vec::first_lanes(n), best_at);
}
constexpr int64_t kV2Block = 8;
#endif
#if defined(GSN_CPU_SIMD)
#define GSN_POOL_V2 1
#endif
}  // namespace

// Version 1: one output at a time over its clipped window (max_window), ~3 GB/s on the
// 2-core bench machine: the compare/select chain per output is serial. Version 2 (AVX-512
// or AVX2 builds, k 3 / s 2 / p 1 only): the unclipped columns 16 (AVX-512) or 8 (AVX2)
// at a time (max3s2_block); version 1 still does the clipped first (and, for odd W, last)
// column.
void max_pool2d_forward(const float* x, const PoolGeom& g, float* y, float* idx) {
  const int64_t H = g.H, W = g.W, Ho = g.Ho, Wo = g.Wo, k = g.k, s = g.s, p = g.p;
#if defined(GSN_POOL_V2)
  // Version 2 takes columns [1, j_end): their windows are not clipped (2j+1 <= W-1).
  const int64_t j_end = k == 3 && s == 2 && p == 1 ? std::min<int64_t>(Wo, W / 2) : 0;
#endif
  parallel_for(g.planes, plane_grain(H * W), [=](int64_t pb, int64_t pe) {
    for (int64_t pl = pb; pl < pe; ++pl) {
      const float* xp = x + pl * H * W;
      float* yp = y + pl * Ho * Wo;
      float* ip = idx + pl * Ho * Wo;
      for (int64_t i = 0; i < Ho; ++i) {
        const int64_t h0 = std::max<int64_t>(i * s - p, 0), h1 = std::min<int64_t>(i * s - p + k, H);
        for (int64_t j = 0; j < Wo; ++j) {
#if defined(GSN_POOL_V2)
          if (j >= 1 && j < j_end) {
            const int64_t n = std::min<int64_t>(kV2Block, j_end - j);
            max3s2_block(xp, W, h0, h1, j, n, yp + i * Wo + j, ip + i * Wo + j);
            j += n - 1;
            continue;
          }
#endif
          const int64_t w0 = std::max<int64_t>(j * s - p, 0), w1 = std::min<int64_t>(j * s - p + k, W);
          max_window(xp, W, h0, h1, w0, w1, yp + i * Wo + j, ip + i * Wo + j);
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
