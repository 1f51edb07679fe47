// Direct CPU conv2d for few output channels (see conv_cpu_direct.h).
//
// Padded-width layout: an input plane is copied once into a zero-bordered buffer xp of
// width Wp = W + 2p and height Hp = H + 2p, and outputs are computed in rows of the same
// width Wp (the last Wp - Wo entries of each row are junk, dropped at the end). Then a tap
// (u,v) is ONE flat axpy over the whole plane, y[q] += w[u,v] * xp[q + u*Wp + v] for
// q in [0, L), L = (Ho-1)*Wp + Wo, instead of Ho short rows with clamped ends: at the
// attention conv's 32x32 .. 8x8 planes that is what lets the loop vectorise. The junk
// columns cost (W + 2p)/W - 1 more arithmetic (19% at 32x32 k7, 25% at 8x8 k3).
//   forward      task (image, output channel): sum over c, then taps in (u,v) order
//   bwd-data     the forward of gy with the flipped, channel-swapped weights, pad k-1-p
//   bwd-weight   task (output channel, input channel): gy is laid out at width Wp with
//                zeros in the junk columns, and each tap is a dot product with xp,
//                summed over the images in order
#include "kernels/conv/conv_cpu_direct.h"
#include "kernels/conv/conv_cpu_flip.h"

#include <algorithm>
#include <vector>

#include "kernels/core/parallel.h"

namespace gsn::cpu::direct {

namespace {
constexpr int64_t kMinTaskMacs = 1 << 15;  // work per parallel chunk: below this, threads cost more than they save
// Flat loops run to L rounded up to a multiple of kVec (no scalar remainder loop: at 8x8
// that remainder was most of the work); the buffers carry kVec zero floats of slack so the
// extra reads stay inside them and read 0, and the extra writes land in junk.
constexpr int64_t kVec = 16;
int64_t round_up(int64_t n) { return (n + kVec - 1) / kVec * kVec; }

int64_t grain_for(int64_t macs_per_task) { return std::max<int64_t>(1, kMinTaskMacs / std::max<int64_t>(1, macs_per_task)); }

// This thread's buffer of n floats (slot 1: outputs, fully rewritten by every task).
float* buffer(int slot, std::size_t n) {
  thread_local std::vector<float> buf[3];
  if (buf[slot].size() < n) buf[slot].resize(n);
  return buf[slot].data();
}

// This thread's buffer `slot` (0: padded x planes, 2: gy at width Wp) laid out as a
// rows x width plane plus kVec floats, whose cells outside the interior
// [r0, r0+h) x [c0, c0+w) are zero. It is zeroed only when the layout changes: filling
// an interior (fill_interior) never touches the rest, so the border stays zero from one
// plane to the next. (Re-zeroing it per plane was most of the time at 8x8.)
struct Layout {
  int64_t rows = -1, width = -1, r0 = -1, c0 = -1, h = -1, w = -1;
  bool operator==(const Layout& o) const {
    return rows == o.rows && width == o.width && r0 == o.r0 && c0 == o.c0 && h == o.h && w == o.w;
  }
};
float* bordered(int slot, const Layout& l) {
  thread_local Layout have[3];
  const std::size_t n = static_cast<std::size_t>(l.rows * l.width + kVec);
  float* p = buffer(slot, n);
  if (!(have[slot] == l)) {
    std::fill(p, p + n, 0.f);
    have[slot] = l;
  }
  return p;
}

// The interior of a bordered buffer = src [h, w] (row-major).
void fill_interior(const float* src, const Layout& l, float* buf) {
  float* d = buf + l.r0 * l.width + l.c0;
  for (int64_t i = 0; i < l.h; ++i) {
#pragma omp simd
    for (int64_t j = 0; j < l.w; ++j) d[i * l.width + j] = src[i * l.w + j];
  }
}

// x planes [H, W] with a zero border of p: [H + 2p, W + 2p].
Layout padded_x(const ConvGeom& g) { return {g.H + 2 * g.p, g.W + 2 * g.p, g.p, g.p, g.H, g.W}; }
}  // namespace

bool use_direct(const ConvGeom& g) { return g.s == 1 && g.O <= 4; }

void conv2d_forward(const float* x, const float* w, const float* b, const ConvGeom& g, float* y) {
  const int64_t HoWo = g.Ho * g.Wo, HW = g.H * g.W, kk = g.k * g.k;
  const int64_t Wp = g.W + 2 * g.p, Hp = g.H + 2 * g.p, L = round_up((g.Ho - 1) * Wp + g.Wo);
  if (HoWo == 0) return;
  parallel_for(g.N * g.O, grain_for(g.C * kk * Hp * Wp), [&](int64_t t0, int64_t t1) {
    const Layout lx = padded_x(g);
    float* xp = bordered(0, lx);
    float* yq = buffer(1, static_cast<std::size_t>(g.Ho * Wp + kVec));
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t n = t / g.O, o = t % g.O;
      std::fill(yq, yq + L, b ? b[o] : 0.f);
      for (int64_t c = 0; c < g.C; ++c) {
        fill_interior(x + (n * g.C + c) * HW, lx, xp);
        const float* wc = w + (o * g.C + c) * kk;
        for (int64_t u = 0; u < g.k; ++u)
          for (int64_t v = 0; v < g.k; ++v) {
            const float wv = wc[u * g.k + v];
            const float* xs = xp + u * Wp + v;
#pragma omp simd
            for (int64_t q = 0; q < L; ++q) yq[q] += wv * xs[q];
          }
      }
      float* yo = y + t * HoWo;
      for (int64_t i = 0; i < g.Ho; ++i) std::copy(yq + i * Wp, yq + i * Wp + g.Wo, yo + i * g.Wo);
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
  const int64_t HoWo = g.Ho * g.Wo, HW = g.H * g.W, kk = g.k * g.k;
  const int64_t Wp = g.W + 2 * g.p, Hp = g.H + 2 * g.p, L = round_up((g.Ho - 1) * Wp + g.Wo);
  if (HoWo == 0) {
    std::fill(gw, gw + g.O * g.C * kk, 0.f);
    return;
  }
  parallel_for(g.O * g.C, grain_for(g.N * kk * Hp * Wp), [&](int64_t t0, int64_t t1) {
    const Layout lx = padded_x(g), lg{g.Ho, Wp, 0, 0, g.Ho, g.Wo};  // gy rows at width Wp, junk columns 0
    float* xp = bordered(0, lx);
    float* gq = bordered(2, lg);
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t o = t / g.C, c = t % g.C;
      float* acc = gw + t * kk;
      std::fill(acc, acc + kk, 0.f);
      for (int64_t n = 0; n < g.N; ++n) {
        fill_interior(x + (n * g.C + c) * HW, lx, xp);
        fill_interior(gy + (n * g.O + o) * HoWo, lg, gq);
        for (int64_t u = 0; u < g.k; ++u)
          for (int64_t v = 0; v < g.k; ++v) {
            const float* xs = xp + u * Wp + v;
            float dot = 0.f;
#pragma omp simd reduction(+ : dot)
            for (int64_t q = 0; q < L; ++q) dot += gq[q] * xs[q];
            acc[u * g.k + v] += dot;
          }
      }
    }
  });
}

}  // namespace gsn::cpu::direct
