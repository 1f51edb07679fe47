// Direct CPU conv2d for few output channels (see conv_cpu_direct.h).
//
// Two routes. Same convs (stride 1, 2p = k-1: every attention conv) on an AVX-512 build go
// to conv_cpu_direct_same.cpp: masked loads straight from x, no copies. Everything else
// (other pads, and every direct conv of a build without AVX-512) takes the route below.
//
// Stacked layout with shared padding. All N images of one channel sit in ONE flat buffer,
// one image under the next, in rows of width Ws = max(W + p, Wo), Hs = max(H + p, Ho) rows
// per image. Pixel (n, r, c) is at
//     P0 + (n*Hs + r)*Ws + c,        P0 = p*Ws + p,
// and every other cell is zero. The zero columns at the end of a row are also the left
// padding of the next row, and the zero rows under an image are the top padding of the
// next one, so each pad is stored once. Output (n, i, j) is at q = (n*Hs + i)*Ws + j of a
// buffer of the same shape and reads input cell q + u*Ws + v for tap (u, v). So one tap of
// the conv of the WHOLE batch is a single flat sweep over q in [0, Lq), with no loop over
// rows or images and no clamped ends (on planes of 8x8 .. 32x32, per-row and per-image
// loops cost more than the arithmetic). Cells with i >= Ho or j >= Wo are junk: computed,
// then dropped (27% more arithmetic for a same conv at 8x8 k3, 20% at 32x32 k7). The
// copies in and out cost about as much as the arithmetic at 8x8; the masked route avoids
// them, which is why it is preferred where it applies.
//
//   forward     task (output channel, block of 64 q): the block's sums start at the bias
//               and take the C*k*k taps in (c, u, v) order, each output summing its
//               terms in the reference's order.
//   bwd-data    the forward of gy with the flipped, channel-swapped weights, pad k-1-p.
//   bwd-weight  gw[o,c,u,v] = sum_q g_o[q] * x_c[q + u*Ws + v], with g = gy in the
//               output layout (zero in the junk cells). Task (chunk of 4096 q, o, c), one
//               dot product per tap. The chunks' partial sums are added in chunk order,
//               so the result does not depend on the thread count.
#include "kernels/conv/conv_cpu_direct.h"

#include <algorithm>
#include <vector>

#include "kernels/conv/conv_cpu_direct_same.h"
#include "kernels/conv/conv_cpu_flip.h"
#include "kernels/core/parallel.h"

namespace gsn::cpu::direct {

namespace {
constexpr int64_t kMinCopyFloats = 1 << 14;   // floats per chunk of the fill and copy-out passes (as kMinTaskMacs)
constexpr int64_t kBlock = 64;                // forward: outputs per register block (4 x 16 floats)
constexpr int64_t kChunk = 4096;              // bwd-weight: q per partial sum (a multiple of 16)

int64_t round_up(int64_t n, int64_t m) { return (n + m - 1) / m * m; }

// This thread's scratch buffer `slot` of at least n floats (contents undefined: every pass
// below writes all of what it reads).
float* buffer(int slot, std::size_t n) {
  thread_local std::vector<float> buf[3];
  if (buf[slot].size() < n) buf[slot].resize(n);
  return buf[slot].data();
}

// The layout of one call (see the top of the file).
struct Stacked {
  int64_t Ws, Hs, P0;
  int64_t Lq;  // output cells swept per channel: the last real output's q + 1, rounded up to kBlock
  int64_t Lx;  // input buffer length per channel: every cell a sweep of [0, Lq) reads, and the whole layout
};
Stacked stacked(const ConvGeom& g) {
  Stacked s;
  s.Ws = std::max(g.W + g.p, g.Wo);
  s.Hs = std::max(g.H + g.p, g.Ho);
  s.P0 = g.p * s.Ws + g.p;
  s.Lq = round_up(((g.N - 1) * s.Hs + g.Ho - 1) * s.Ws + g.Wo, kBlock);
  s.Lx = round_up(std::max(s.Lq + (g.k - 1) * (s.Ws + 1), s.P0 + g.N * s.Hs * s.Ws), 16);
  return s;
}

// dst[0, n) = src[0, w) followed by zeros (0 <= w <= n). Rows here are short, so this is
// one select loop rather than a memcpy + memset call pair per row.
inline void copy_row(const float* src, int64_t w, float* dst, int64_t n) {
  for (int64_t c = 0; c < n; ++c) dst[c] = c < w ? src[c] : 0.f;
}

// dst[0, len) = the N planes src[n] [h, w] (plane n at src + n*plane_stride) with pixel
// (n, r, c) at off + (n*Hs + r)*Ws + c, zero everywhere else. Parallel over images; every
// cell of dst is written, so the buffer never needs clearing.
void fill_stacked(const float* src, int64_t plane_stride, int64_t N, int64_t h, int64_t w, int64_t Hs, int64_t Ws,
                  int64_t off, float* dst, int64_t len) {
  const auto zero = [&](int64_t b, int64_t e) {
    b = std::min(b, len), e = std::min(e, len);
    if (b < e) std::fill(dst + b, dst + e, 0.f);
  };
  parallel_for(N, grain_for(Hs * Ws, kMinCopyFloats), [&](int64_t n0, int64_t n1) {
    if (n0 == 0) zero(0, off);
    for (int64_t n = n0; n < n1; ++n) {
      const float* s = src + n * plane_stride;
      for (int64_t r = 0; r < Hs; ++r) {
        const int64_t row = off + (n * Hs + r) * Ws;
        if (row >= len) break;
        const int64_t width = std::min(Ws, len - row);
        copy_row(s + r * w, r < h ? std::min(w, width) : 0, dst + row, width);
      }
    }
    if (n1 == N) zero(off + N * Hs * Ws, len);
  });
}

// yq[0, 64) = bias + sum over c, then taps t in order, of wo[c*kk + t] * x[c*Lx + off[t] + 0..64).
void forward_block(const float* x, int64_t Lx, const float* wo, int64_t C, const int64_t* off, int64_t kk, float bias,
                   float* yq) {
  float acc[kBlock];
  std::fill(acc, acc + kBlock, bias);
  for (int64_t c = 0; c < C; ++c)
    for (int64_t t = 0; t < kk; ++t) {
      const float wv = wo[c * kk + t];
      const float* s = x + c * Lx + off[t];
#pragma omp simd
      for (int64_t j = 0; j < kBlock; ++j) acc[j] += wv * s[j];
    }
  std::copy(acc, acc + kBlock, yq);
}

// out[i] = sum over q in [0, len) of g[q] * xc[q + off[i]], i < nt.
void dot_taps(int64_t nt, const float* g, const float* xc, const int64_t* off, int64_t len, float* out) {
  for (int64_t i = 0; i < nt; ++i) {
    const float* s = xc + off[i];
    float dot = 0.f;
#pragma omp simd reduction(+ : dot)
    for (int64_t q = 0; q < len; ++q) dot += g[q] * s[q];
    out[i] = dot;
  }
}

// off[u*k + v] = u*Ws + v: where tap (u, v) reads, relative to the output cell.
std::vector<int64_t> tap_offsets(int64_t k, int64_t Ws) {
  std::vector<int64_t> off(static_cast<std::size_t>(k * k));
  for (int64_t u = 0; u < k; ++u)
    for (int64_t v = 0; v < k; ++v) off[static_cast<std::size_t>(u * k + v)] = u * Ws + v;
  return off;
}
}  // namespace

bool use_direct(const ConvGeom& g) { return g.s == 1 && g.O <= 4; }

void conv2d_forward(const float* x, const float* w, const float* b, const ConvGeom& g, float* y) {
  const int64_t HoWo = g.Ho * g.Wo, HW = g.H * g.W, kk = g.k * g.k;
  if (g.N * g.O * HoWo == 0) return;
  if (direct_same::applies(g)) return direct_same::conv2d_forward(x, w, b, g, y);
  const Stacked s = stacked(g);
  const std::vector<int64_t> off = tap_offsets(g.k, s.Ws);

  float* xb = buffer(0, static_cast<std::size_t>(g.C * s.Lx));
  for (int64_t c = 0; c < g.C; ++c) fill_stacked(x + c * HW, g.C * HW, g.N, g.H, g.W, s.Hs, s.Ws, s.P0, xb + c * s.Lx, s.Lx);

  float* yb = buffer(1, static_cast<std::size_t>(g.O * s.Lq));
  const int64_t blocks = s.Lq / kBlock;
  parallel_for(g.O * blocks, grain_for(kBlock * g.C * kk, kMinTaskMacs), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t o = t / blocks, q = (t % blocks) * kBlock;
      forward_block(xb + q, s.Lx, w + o * g.C * kk, g.C, off.data(), kk, b ? b[o] : 0.f, yb + o * s.Lq + q);
    }
  });

  // Drop the junk cells: y[n, o] = the [Ho, Wo] corner of image n's rows in channel o.
  parallel_for(g.N * g.O, grain_for(HoWo, kMinCopyFloats), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t n = t / g.O, o = t % g.O;
      const float* src = yb + o * s.Lq + n * s.Hs * s.Ws;
      for (int64_t i = 0; i < g.Ho; ++i) copy_row(src + i * s.Ws, g.Wo, y + t * HoWo + i * g.Wo, g.Wo);
    }
  });
}

void conv2d_backward_data(const float* gy, const float* w, const ConvGeom& g, float* gx) {
  // gx = conv(gy, wt, pad k-1-p) with the flipped, channel-swapped weights (stride 1).
  std::vector<float> wt(static_cast<std::size_t>(g.C * g.O * g.k * g.k));
  flip_weights(w, g, wt.data());
  ConvGeom f = backward_data_geom(g);
  if (f.p >= 0) return conv2d_forward(gy, wt.data(), nullptr, f, gx);
  // p > k - 1 (a pad wider than the kernel): gx only sees the interior of gy; crop it.
  const int64_t crop = -f.p, Hc = g.Ho - 2 * crop, Wc = g.Wo - 2 * crop;
  std::vector<float> gyc(static_cast<std::size_t>(g.N * g.O * Hc * Wc));
  for (int64_t m = 0; m < g.N * g.O; ++m)
    for (int64_t i = 0; i < Hc; ++i)
      std::copy(gy + (m * g.Ho + i + crop) * g.Wo + crop, gy + (m * g.Ho + i + crop) * g.Wo + crop + Wc,
                gyc.begin() + (m * Hc + i) * Wc);
  f.H = Hc, f.W = Wc, f.p = 0;
  conv2d_forward(gyc.data(), wt.data(), nullptr, f, gx);
}

void conv2d_backward_weight(const float* gy, const float* x, const ConvGeom& g, float* gw) {
  const int64_t HoWo = g.Ho * g.Wo, HW = g.H * g.W, kk = g.k * g.k, OCkk = g.O * g.C * kk;
  if (g.N * HoWo == 0) {
    std::fill(gw, gw + OCkk, 0.f);
    return;
  }
  if (direct_same::applies(g)) return direct_same::conv2d_backward_weight(gy, x, g, gw);
  const Stacked s = stacked(g);
  const std::vector<int64_t> off = tap_offsets(g.k, s.Ws);

  float* xb = buffer(0, static_cast<std::size_t>(g.C * s.Lx));
  for (int64_t c = 0; c < g.C; ++c) fill_stacked(x + c * HW, g.C * HW, g.N, g.H, g.W, s.Hs, s.Ws, s.P0, xb + c * s.Lx, s.Lx);
  float* gb = buffer(2, static_cast<std::size_t>(g.O * s.Lq));
  for (int64_t o = 0; o < g.O; ++o)
    fill_stacked(gy + o * HoWo, g.O * HoWo, g.N, g.Ho, g.Wo, s.Hs, s.Ws, 0, gb + o * s.Lq, s.Lq);

  const int64_t chunks = (s.Lq + kChunk - 1) / kChunk, OC = g.O * g.C;
  std::vector<float> partial(static_cast<std::size_t>(chunks * OCkk));
  parallel_for(chunks * OC, grain_for(kChunk * kk, kMinTaskMacs), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t chunk = t / OC, oc = t % OC, o = oc / g.C, c = oc % g.C;
      const int64_t q0 = chunk * kChunk, len = std::min(kChunk, s.Lq - q0);
      float* out = partial.data() + chunk * OCkk + oc * kk;
      dot_taps(kk, gb + o * s.Lq + q0, xb + c * s.Lx + q0, off.data(), len, out);
    }
  });
  std::copy(partial.begin(), partial.begin() + OCkk, gw);
  for (int64_t chunk = 1; chunk < chunks; ++chunk)
    for (int64_t i = 0; i < OCkk; ++i) gw[i] += partial[static_cast<std::size_t>(chunk * OCkk + i)];
}

}  // namespace gsn::cpu::direct
