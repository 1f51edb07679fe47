// AVX-512 direct conv for same convolutions (see conv_cpu_direct_same.h).
//
// A plane [H, W] is read as flat blocks of 16 outputs, f0 = 16b. For tap t = (u, v):
//   shift[t]   = (u-p)*W + (v-p)       where the tap reads, relative to the output
//   mask[b][t] = lanes l with f = f0 + l < H*W, 0 <= i+u-p < H, 0 <= j+v-p < W
//                (i = f / W, j = f % W): the lanes whose input is inside the image
// so the tap's contribution to block b is  w[t] * maskz_load(mask[b][t], plane + f0 + shift[t]).
// The masked-off lanes are never read (AVX-512 masked loads suppress faults), so blocks
// at the plane's edges need no padded copy.
//
//   forward     task (image n, output channel o): four blocks at a time (4 accumulators,
//               64 outputs) start at the bias and take the C*k*k taps in (c, u, v) order;
//               one masked store per block.
//   bwd-weight  task (o, c, kernel row u): k accumulators, one per tap of the row, share
//               the load of gy's block; images and blocks in order, lanes summed in order.
// The mask table is built once per geometry and kept (a few per thread: the three
// attention levels alternate).
#include "kernels/conv/conv_cpu_direct_same.h"

#include "kernels/conv/conv_cpu_direct.h"
#include "kernels/conv/conv_cpu_same_masks.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "kernels/core/error.h"
#include "kernels/core/parallel.h"

namespace gsn::cpu::direct_same {

#if defined(__AVX512F__)
namespace {
constexpr int64_t kGroup = 4;              // forward: blocks per register group

// Per-geometry tables (see the top of the file), blocks padded to a multiple of kGroup
// with empty masks so the forward never needs a remainder loop.
struct Tables {
  int64_t H = -1, W = -1, k = -1;
  int64_t blocks = 0;               // ceil(H*W / 16), rounded up to kGroup
  std::vector<int64_t> shift;       // [k*k]
  std::vector<uint16_t> tap_mask;   // [blocks / kGroup][k*k][kGroup]: a tap's masks for a group are adjacent
  std::vector<uint16_t> out_mask;   // [blocks]: lanes inside the plane
};

Tables build_tables(int64_t H, int64_t W, int64_t k) {
  Tables tb;
  tb.H = H, tb.W = W, tb.k = k;
  const int64_t kk = k * k, HW = H * W;
  tb.blocks = ((HW + 15) / 16 + kGroup - 1) / kGroup * kGroup;
  tb.shift.resize(static_cast<std::size_t>(kk));
  same_conv::tap_shifts(W, k, tb.shift.data());
  tb.tap_mask.assign(static_cast<std::size_t>(tb.blocks * kk), 0);
  tb.out_mask.assign(static_cast<std::size_t>(tb.blocks), 0);
  // Row and column tests per lane, not k*k tap tests (those made the first call at a new
  // full-image size, e.g. evaluation at 1024x768, 13x slower than the rest).
  const int64_t nb = (HW + 15) / 16;
  parallel_for(nb, 1024, [&](int64_t b0, int64_t b1) {  // blocks are independent
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t lanes = std::min<int64_t>(16, HW - 16 * b);
      tb.out_mask[static_cast<std::size_t>(b)] = static_cast<uint16_t>((1u << lanes) - 1u);
      same_conv::tap_masks(H, W, k, 16 * b, lanes,
                           tb.tap_mask.data() + ((b / kGroup) * kk) * kGroup + b % kGroup, kGroup);
    }
  });
  return tb;
}

// This thread's tables for (H, W, k); the last few geometries are kept.
const Tables& tables(int64_t H, int64_t W, int64_t k) {
  thread_local std::array<Tables, 4> cache;
  thread_local std::size_t next = 0;
  for (const Tables& t : cache)
    if (t.H == H && t.W == W && t.k == k) return t;
  Tables& slot = cache[next];
  next = (next + 1) % cache.size();
  slot = build_tables(H, W, k);
  return slot;
}

// The 16 lanes of v summed in lane order (fixed, so the result never depends on how the
// compiler would tree-reduce).
float sum_lanes(__m512 v) {
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, v);
  float s = 0.f;
  for (float l : lanes) s += l;
  return s;
}

// Four blocks of outputs, yo[0, 64) (masked by om), = bias + sum over c, then taps t in
// order, of wo[c*kk + t] * x_c shifted by shift[t] under the masks m[t*kGroup + r].
// x: the first channel's plane at the group's first block; channels HW apart. (Plain
// arguments, not captures: the masked-load builtins make GCC reload anything it reaches
// through a reference inside the loop.)
__attribute__((noinline)) void forward_group(const float* x, int64_t HW, int64_t C, const float* wo, int64_t kk, const int64_t* shift,
                   const uint16_t* m, const uint16_t* om, float bias, float* yo) {
  __m512 a0 = _mm512_set1_ps(bias), a1 = a0, a2 = a0, a3 = a0;
  for (int64_t c = 0; c < C; ++c) {
    const float* xc = x + c * HW;
    const float* wc = wo + c * kk;
    for (int64_t t = 0; t < kk; ++t) {
      const __m512 wv = _mm512_set1_ps(wc[t]);
      const float* s = xc + shift[t];
      const uint16_t* mt = m + t * kGroup;
      a0 = _mm512_fmadd_ps(wv, _mm512_maskz_loadu_ps(mt[0], s), a0);
      a1 = _mm512_fmadd_ps(wv, _mm512_maskz_loadu_ps(mt[1], s + 16), a1);
      a2 = _mm512_fmadd_ps(wv, _mm512_maskz_loadu_ps(mt[2], s + 32), a2);
      a3 = _mm512_fmadd_ps(wv, _mm512_maskz_loadu_ps(mt[3], s + 48), a3);
    }
  }
  _mm512_mask_storeu_ps(yo, om[0], a0);
  _mm512_mask_storeu_ps(yo + 16, om[1], a1);
  _mm512_mask_storeu_ps(yo + 32, om[2], a2);
  _mm512_mask_storeu_ps(yo + 48, om[3], a3);
}

// gw_row[v] = sum over images n and blocks b < nb of gy_o[n] block b * (x_c[n] block b
// shifted by tap (u, v)), v < K. gy / x: the first image's plane; planes n at
// +n*gy_stride, +n*x_stride. shift, masks: the tables' (shift + u*K, tap_mask), om: out_mask.
template <int K>
__attribute__((noinline)) void weight_row(const float* gy, int64_t gy_stride, const float* x, int64_t x_stride, int64_t N, int64_t nb,
                const int64_t* shift, const uint16_t* tap_mask, const uint16_t* om, int64_t u, float* gw_row) {
  __m512 acc[K];
  for (int v = 0; v < K; ++v) acc[v] = _mm512_setzero_ps();
  for (int64_t n = 0; n < N; ++n) {
    const float* g = gy + n * gy_stride;
    const float* xc = x + n * x_stride;
    for (int64_t b = 0; b < nb; ++b) {
      const __m512 gv = _mm512_maskz_loadu_ps(om[b], g + 16 * b);
      const uint16_t* mb = tap_mask + ((b / kGroup) * K * K + u * K) * kGroup + b % kGroup;  // tap (u, 0) of block b
#pragma GCC unroll 8
      for (int v = 0; v < K; ++v)
        acc[v] = _mm512_fmadd_ps(gv, _mm512_maskz_loadu_ps(mb[v * kGroup], xc + 16 * b + shift[v]), acc[v]);
    }
  }
  for (int v = 0; v < K; ++v) gw_row[v] = sum_lanes(acc[v]);
}
}  // namespace

bool applies(const ConvGeom& g) { return g.s == 1 && 2 * g.p == g.k - 1 && g.k <= 7; }

void conv2d_forward(const float* x, const float* w, const float* b, const ConvGeom& g, float* y) {
  const int64_t HW = g.H * g.W, kk = g.k * g.k;
  if (g.N * g.O * HW == 0) return;
  const Tables& tb = tables(g.H, g.W, g.k);
  const int64_t* shift = tb.shift.data();
  parallel_for(g.N * g.O, grain_for(g.C * kk * HW, direct::kMinTaskMacs),
               [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t n = t / g.O, o = t % g.O;
      const float* xn = x + n * g.C * HW;
      const float* wo = w + o * g.C * kk;
      float* yo = y + t * HW;
      for (int64_t b0 = 0; b0 < tb.blocks; b0 += kGroup)
        forward_group(xn + 16 * b0, HW, g.C, wo, kk, shift, tb.tap_mask.data() + b0 * kk, tb.out_mask.data() + b0,
                      b ? b[o] : 0.f, yo + 16 * b0);
    }
  });
}

void conv2d_backward_weight(const float* gy, const float* x, const ConvGeom& g, float* gw) {
  const int64_t HW = g.H * g.W, k = g.k;
  const Tables& tb = tables(g.H, g.W, k);
  const int64_t rows = g.O * g.C * k;  // task (o, c, u): the k weights gw[o, c, u, :]
  parallel_for(rows, grain_for(g.N * k * HW, direct::kMinTaskMacs), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t o = t / (g.C * k), c = (t / k) % g.C, u = t % k;
      const float* gyo = gy + o * HW;
      const float* xc = x + c * HW;
      float* row = gw + t * k;
      const int64_t nb = (HW + 15) / 16, *shift = tb.shift.data() + u * k;
      const uint16_t *tm = tb.tap_mask.data(), *om = tb.out_mask.data();
      switch (k) {
        case 1: weight_row<1>(gyo, g.O * HW, xc, g.C * HW, g.N, nb, shift, tm, om, u, row); break;
        case 3: weight_row<3>(gyo, g.O * HW, xc, g.C * HW, g.N, nb, shift, tm, om, u, row); break;
        case 5: weight_row<5>(gyo, g.O * HW, xc, g.C * HW, g.N, nb, shift, tm, om, u, row); break;
        default: weight_row<7>(gyo, g.O * HW, xc, g.C * HW, g.N, nb, shift, tm, om, u, row); break;
      }
    }
  });
}

#else  // no AVX-512: applies() is false and the caller takes the padded-copy route.
bool applies(const ConvGeom&) { return false; }
void conv2d_forward(const float*, const float*, const float*, const ConvGeom&, float*) {
  GSN_CHECK(false, "direct_same::conv2d_forward: this build has no AVX-512");
}
void conv2d_backward_weight(const float*, const float*, const ConvGeom&, float*) {
  GSN_CHECK(false, "direct_same::conv2d_backward_weight: this build has no AVX-512");
}
#endif

}  // namespace gsn::cpu::direct_same
