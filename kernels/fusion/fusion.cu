// CUDA fusion ops, each one kernel and one pass over memory.
//
//   siamese_diff_concat_forward   thread per (b, k) of an image's c*h*w values: reads
//       F_r and F_d once, writes the three parts of P (float4 when c*h*w % 4 == 0).
//   siamese_diff_concat_backward  the mirror: reads three parts of gP, writes gF_r, gF_d.
//   fuse_levels_forward   thread per output element of Y [B, C1+C2+C3, h3, w3]: finds its
//       level from the channel, averages its adaptive bin of P_l (a single element for
//       the level already at h3 x w3). Pooling and concat in one pass: P1, P2 are read
//       once, Y written once (the unfused form writes and rereads the pooled levels).
//   fuse_levels_backward  grid.y = level; thread per input element of that level: a
//       gather over the bins containing it, in the reference's order (no atomics); where
//       the level's bins tile it exactly (every GSN level), its one bin read directly.
// Versions: 1 (this one).
#include <algorithm>

#include "kernels/core/cuda_check.cuh"
#include "kernels/fusion/fusion.h"
#include "kernels/pool/pool_math.h"

namespace gsn::cuda {

namespace {
constexpr int kBlock = 256;

#define GSN_FOR_EACH(i, n) \
  for (unsigned i = blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += gridDim.x * blockDim.x)

template <class T> __device__ __forceinline__ T vsub(T a, T b);
template <> __device__ __forceinline__ float vsub(float a, float b) { return a - b; }
template <> __device__ __forceinline__ float4 vsub(float4 a, float4 b) {
  return make_float4(a.x - b.x, a.y - b.y, a.z - b.z, a.w - b.w);
}
template <class T> __device__ __forceinline__ T vadd(T a, T b);
template <> __device__ __forceinline__ float vadd(float a, float b) { return a + b; }
template <> __device__ __forceinline__ float4 vadd(float4 a, float4 b) {
  return make_float4(a.x + b.x, a.y + b.y, a.z + b.z, a.w + b.w);
}

// chw and B*chw in units of T.
template <class T>
__global__ void diff_fwd(const T* __restrict__ F, unsigned B, unsigned chw, T* __restrict__ P) {
  GSN_FOR_EACH(e, B * chw) {
    const unsigned b = e / chw, k = e - b * chw;
    const T r = F[e], d = F[static_cast<size_t>(B) * chw + e];
    T* p = P + static_cast<size_t>(b) * 3 * chw + k;
    p[0] = r;
    p[chw] = d;
    p[2 * static_cast<size_t>(chw)] = vsub(r, d);
  }
}

template <class T>
__global__ void diff_bwd(const T* __restrict__ gP, unsigned B, unsigned chw, T* __restrict__ gF) {
  GSN_FOR_EACH(e, B * chw) {
    const unsigned b = e / chw, k = e - b * chw;
    const T* g = gP + static_cast<size_t>(b) * 3 * chw + k;
    const T g0 = g[0], g1 = g[chw], g2 = g[2 * static_cast<size_t>(chw)];
    gF[e] = vadd(g0, g2);
    gF[static_cast<size_t>(B) * chw + e] = vsub(g1, g2);
  }
}

struct FG {  // FuseGeom in 32-bit, with the channel offsets
  unsigned B, C[3], H[3], W[3], off[3], Ct;
  const float* src[3];
  float* dst[3];
};

// a[l] for a level l known only at run time. Indexing a kernel-parameter array with a
// run-time index makes ptxas copy the whole struct to local memory (a 104-byte stack
// frame per thread); constant indices behind selects stay in the parameter bank.
template <class T> __device__ __forceinline__ T level_at(const T (&a)[3], int l) {
  return l == 0 ? a[0] : (l == 1 ? a[1] : a[2]);
}

FG fg_of(const FuseGeom& g) {
  FG q{};
  q.B = static_cast<unsigned>(g.B);
  unsigned off = 0;
  for (int l = 0; l < 3; ++l) {
    GSN_CHECK(g.B * g.C[l] * g.H[l] * g.W[l] < (int64_t{1} << 31), "fuse_levels (CUDA): level too large");
    q.C[l] = static_cast<unsigned>(g.C[l]);
    q.H[l] = static_cast<unsigned>(g.H[l]);
    q.W[l] = static_cast<unsigned>(g.W[l]);
    q.off[l] = off;
    off += q.C[l];
  }
  q.Ct = off;
  GSN_CHECK(g.B * g.total_channels() * g.H[2] * g.W[2] < (int64_t{1} << 31), "fuse_levels (CUDA): output too large");
  return q;
}

__global__ void fuse_fwd(FG g, float* __restrict__ y) {
  const unsigned Ho = g.H[2], Wo = g.W[2];
  GSN_FOR_EACH(e, g.B * g.Ct * Ho * Wo) {
    const int j = e % Wo, i = (e / Wo) % Ho;
    const unsigned ch = (e / (Wo * Ho)) % g.Ct, b = e / (Wo * Ho * g.Ct);
    const int l = ch < g.off[1] ? 0 : (ch < g.off[2] ? 1 : 2);
    const int H = level_at(g.H, l), W = level_at(g.W, l);
    const float* xp =
        level_at(g.src, l) + (static_cast<size_t>(b) * level_at(g.C, l) + (ch - level_at(g.off, l))) * H * W;
    const int h0 = static_cast<int>(adaptive_start(i, H, Ho)), h1 = static_cast<int>(adaptive_end(i, H, Ho));
    const int w0 = static_cast<int>(adaptive_start(j, W, Wo)), w1 = static_cast<int>(adaptive_end(j, W, Wo));
    float acc = 0.f;
    for (int h = h0; h < h1; ++h)
      for (int w = w0; w < w1; ++w) acc += xp[h * W + w];
    y[e] = acc / static_cast<float>((h1 - h0) * (w1 - w0));
  }
}

__global__ void fuse_bwd(FG g, const float* __restrict__ gy) {
  const int l = blockIdx.y;
  const unsigned H = level_at(g.H, l), W = level_at(g.W, l), C = level_at(g.C, l), Ho = g.H[2], Wo = g.W[2];
  float* gx = level_at(g.dst, l);
  // Bins that tile the level exactly (every GSN level: 4x, 2x, 1x the output): each input
  // lies in one bin, so its gradient is that bin's gy / area, the gather's one term with
  // the reference's rounding, without the per-element bin bounds below (about a dozen
  // divisions). The branch is the same for the whole block (l = blockIdx.y).
  if (adaptive_bins_tile(H, Ho) && adaptive_bins_tile(W, Wo)) {
    const unsigned fh = H / Ho, fw = W / Wo;
    const float area = static_cast<float>(fh * fw);
    GSN_FOR_EACH(e, g.B * C * H * W) {
      const unsigned w = e % W, r = e / W, h = r % H, pl = r / H, c = pl % C, b = pl / C;
      // 0 +: a -0 share becomes +0, as in the reference's sum from zero.
      gx[e] = 0.f + gy[((static_cast<size_t>(b) * g.Ct + level_at(g.off, l) + c) * Ho + h / fh) * Wo + w / fw] / area;
    }
    return;
  }
  GSN_FOR_EACH(e, g.B * C * H * W) {
    const int w = e % W, h = (e / W) % H;
    const unsigned c = (e / (W * H)) % C, b = e / (W * H * C);
    const float* gyp = gy + (static_cast<size_t>(b) * g.Ct + level_at(g.off, l) + c) * Ho * Wo;
    const int i0 = static_cast<int>(adaptive_first_bin(h, H, Ho)), i1 = static_cast<int>(adaptive_last_bin(h, H, Ho));
    const int j0 = static_cast<int>(adaptive_first_bin(w, W, Wo)), j1 = static_cast<int>(adaptive_last_bin(w, W, Wo));
    float acc = 0.f;
    for (int i = i0; i <= i1; ++i) {
      const int hs = static_cast<int>(adaptive_end(i, H, Ho) - adaptive_start(i, H, Ho));
      for (int j = j0; j <= j1; ++j) {
        const int ws = static_cast<int>(adaptive_end(j, W, Wo) - adaptive_start(j, W, Wo));
        acc += gyp[i * Wo + j] / static_cast<float>(hs * ws);
      }
    }
    gx[e] = acc;
  }
}
#undef GSN_FOR_EACH

bool aligned16(const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }
}  // namespace

void siamese_diff_concat_forward(const float* F, int64_t B, int64_t chw, float* P) {
  GSN_CHECK(3 * B * chw < (int64_t{1} << 31), "siamese_diff_concat (CUDA): tensor too large");
  if (B * chw == 0) return;
  const auto u = [](int64_t v) { return static_cast<unsigned>(v); };
  if (chw % 4 == 0 && aligned16(F) && aligned16(P))
    diff_fwd<float4><<<grid_1d(B * chw / 4, kBlock), kBlock, 0, cuda_stream()>>>(
        reinterpret_cast<const float4*>(F), u(B), u(chw / 4), reinterpret_cast<float4*>(P));
  else
    diff_fwd<float><<<grid_1d(B * chw, kBlock), kBlock, 0, cuda_stream()>>>(F, u(B), u(chw), P);
  GSN_CUDA_CHECK_LAUNCH();
}

void siamese_diff_concat_backward(const float* gP, int64_t B, int64_t chw, float* gF) {
  GSN_CHECK(3 * B * chw < (int64_t{1} << 31), "siamese_diff_concat (CUDA): tensor too large");
  if (B * chw == 0) return;
  const auto u = [](int64_t v) { return static_cast<unsigned>(v); };
  if (chw % 4 == 0 && aligned16(gP) && aligned16(gF))
    diff_bwd<float4><<<grid_1d(B * chw / 4, kBlock), kBlock, 0, cuda_stream()>>>(
        reinterpret_cast<const float4*>(gP), u(B), u(chw / 4), reinterpret_cast<float4*>(gF));
  else
    diff_bwd<float><<<grid_1d(B * chw, kBlock), kBlock, 0, cuda_stream()>>>(gP, u(B), u(chw), gF);
  GSN_CUDA_CHECK_LAUNCH();
}

void fuse_levels_forward(const FuseGeom& g, const float* p1, const float* p2, const float* p3, float* y) {
  FG q = fg_of(g);
  q.src[0] = p1;
  q.src[1] = p2;
  q.src[2] = p3;
  const int64_t n = g.B * g.total_channels() * g.H[2] * g.W[2];
  if (n == 0) return;
  fuse_fwd<<<grid_1d(n, kBlock), kBlock, 0, cuda_stream()>>>(q, y);
  GSN_CUDA_CHECK_LAUNCH();
}

void fuse_levels_backward(const FuseGeom& g, const float* gy, float* g1, float* g2, float* g3) {
  FG q = fg_of(g);
  q.dst[0] = g1;
  q.dst[1] = g2;
  q.dst[2] = g3;
  int64_t most = 0;
  for (int l = 0; l < 3; ++l) most = std::max<int64_t>(most, g.B * g.C[l] * g.H[l] * g.W[l]);
  if (most == 0) return;
  fuse_bwd<<<dim3(grid_1d(most, kBlock), 3), kBlock, 0, cuda_stream()>>>(q, gy);
  GSN_CUDA_CHECK_LAUNCH();
}

}  // namespace gsn::cuda
