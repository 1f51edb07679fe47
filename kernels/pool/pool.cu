// CUDA pooling. One thread per output element (forward) or per input element (backward:
// a gather over the outputs that read it, in the reference's order, so no atomics and
// the sums are the reference's sums). Indices are 32-bit (launchers check sizes < 2^31).
//
//   max_pool2d_forward       thread per output: clipped window, first maximum wins
//   max_pool2d_backward      thread per input (h, w): outputs oh in [first(h), last(h)],
//                            ow likewise (pool_math.h), add gy where idx == h*W + w
//                            (both: 32-bit index math; GSN's 3x3 s2 p1 window as template
//                            constants, any other at run time)
//   adaptive_avg_pool2d_*    the same with adaptive bins; the backward, where the bins tile
//                            the input (H, W multiples of Ho, Wo), reads its one bin directly
//   global_avg_pool_forward  one warp per plane: lanes stride the plane, then a fixed
//                            xor-butterfly of shuffles
//   global_avg_pool_backward flat: gx[e] = gy[e / hw] / hw
// Versions: 1 (this one). Since 2026-11-29 the max-pooling window arithmetic is 32-bit
// and, for 3x3 s2 p1, compile-time: it was four 64-bit divisions per input element, which
// by instruction count put the backward well below the copy's rate on a large GPU.
#include "kernels/core/cuda_check.cuh"
#include "kernels/pool/pool.h"
#include "kernels/pool/pool_math.h"

namespace gsn::cuda {

namespace {
constexpr int kBlock = 256;

struct G32 {  // PoolGeom in 32-bit
  int H, W, Ho, Wo, k, s, p;
  unsigned planes;
};
G32 g32(const PoolGeom& g) {
  GSN_CHECK(g.planes * g.H * g.W < (int64_t{1} << 31) && g.planes * g.Ho * g.Wo < (int64_t{1} << 31),
            "pooling (CUDA): tensors of 2^31 or more elements");
  return {static_cast<int>(g.H),  static_cast<int>(g.W), static_cast<int>(g.Ho), static_cast<int>(g.Wo),
          static_cast<int>(g.k),  static_cast<int>(g.s), static_cast<int>(g.p), static_cast<unsigned>(g.planes)};
}

bool is_3x3_s2_p1(const G32& g) { return g.k == 3 && g.s == 2 && g.p == 1; }  // GSN's max pooling

#define GSN_FOR_EACH(i, n) \
  for (unsigned i = blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += gridDim.x * blockDim.x)

// Max pooling's window (k, s, p): compile-time for GSN's 3x3 s2 p1, so the window loops
// unroll and the divisions by s are shifts; run-time (K = 0) for any other.
template <int K, int S, int P> struct Window {
  int k, s, p;
  __device__ explicit Window(const G32& g) : k(K ? K : g.k), s(K ? S : g.s), p(K ? P : g.p) {}
};

// Flat index e of a [planes, rows, cols] tensor -> (plane, row, col), two 32-bit divisions.
struct Pos {
  unsigned pl;
  int r, c;
};
__device__ Pos decompose(unsigned e, int rows, int cols) {
  const unsigned rr = e / static_cast<unsigned>(cols), pl = rr / static_cast<unsigned>(rows);
  return {pl, static_cast<int>(rr - pl * static_cast<unsigned>(rows)), static_cast<int>(e - rr * static_cast<unsigned>(cols))};
}

template <int K, int S, int P>
__global__ void max_fwd(const float* __restrict__ x, G32 g, float* __restrict__ y, float* __restrict__ idx) {
  const Window<K, S, P> win(g);
  const unsigned n = g.planes * g.Ho * g.Wo;
  GSN_FOR_EACH(o, n) {
    const Pos q = decompose(o, g.Ho, g.Wo);
    const float* xp = x + static_cast<size_t>(q.pl) * g.H * g.W;
    const int hs = q.r * win.s - win.p, ws = q.c * win.s - win.p;
    const int h0 = max(hs, 0), h1 = min(hs + win.k, g.H);
    const int w0 = max(ws, 0), w1 = min(ws + win.k, g.W);
    float best = xp[h0 * g.W + w0];
    int best_at = h0 * g.W + w0;
    for (int h = h0; h < h1; ++h)
      for (int w = w0; w < w1; ++w) {
        const float v = xp[h * g.W + w];
        if (v > best) {
          best = v;
          best_at = h * g.W + w;
        }
      }
    y[o] = best;
    idx[o] = static_cast<float>(best_at);
  }
}

// The gather visits the outputs in the reference's scatter order (rows, then columns,
// ascending), so gx has the reference's bits.
template <int K, int S, int P>
__global__ void max_bwd(const float* __restrict__ gy, const float* __restrict__ idx, G32 g, float* __restrict__ gx) {
  const Window<K, S, P> win(g);
  const unsigned n = g.planes * g.H * g.W;
  GSN_FOR_EACH(e, n) {
    const Pos q = decompose(e, g.H, g.W);
    const float me = static_cast<float>(q.r * g.W + q.c);
    const float* gyp = gy + static_cast<size_t>(q.pl) * g.Ho * g.Wo;
    const float* ip = idx + static_cast<size_t>(q.pl) * g.Ho * g.Wo;
    const int i0 = window_first_out(q.r, win.k, win.s, win.p), i1 = window_last_out(q.r, win.s, win.p, g.Ho);
    const int j0 = window_first_out(q.c, win.k, win.s, win.p), j1 = window_last_out(q.c, win.s, win.p, g.Wo);
    float acc = 0.f;
    for (int i = i0; i <= i1; ++i)
      for (int j = j0; j <= j1; ++j)
        if (ip[i * g.Wo + j] == me) acc += gyp[i * g.Wo + j];
    gx[e] = acc;
  }
}

__global__ void adaptive_fwd(const float* __restrict__ x, G32 g, float* __restrict__ y) {
  const unsigned n = g.planes * g.Ho * g.Wo;
  GSN_FOR_EACH(o, n) {
    const int j = o % g.Wo, i = (o / g.Wo) % g.Ho;
    const unsigned pl = o / (g.Wo * g.Ho);
    const float* xp = x + static_cast<size_t>(pl) * g.H * g.W;
    const int h0 = static_cast<int>(adaptive_start(i, g.H, g.Ho)), h1 = static_cast<int>(adaptive_end(i, g.H, g.Ho));
    const int w0 = static_cast<int>(adaptive_start(j, g.W, g.Wo)), w1 = static_cast<int>(adaptive_end(j, g.W, g.Wo));
    float acc = 0.f;
    for (int h = h0; h < h1; ++h)
      for (int w = w0; w < w1; ++w) acc += xp[h * g.W + w];
    y[o] = acc / static_cast<float>((h1 - h0) * (w1 - w0));
  }
}

// The bins tile the input exactly (H = fh*Ho, W = fw*Wo: every GSN level): each input
// lies in one bin, so gx = gy[bin] / (fh*fw), the gather's one term with the reference's
// rounding, without the bin bounds the general kernel computes per element (several
// 64-bit divisions each).
__global__ void adaptive_bwd_tiled(const float* __restrict__ gy, G32 g, int fh, int fw, float* __restrict__ gx) {
  const unsigned n = g.planes * g.H * g.W;
  const float area = static_cast<float>(fh * fw);
  GSN_FOR_EACH(e, n) {
    const unsigned w = e % g.W, r = e / g.W, h = r % g.H, pl = r / g.H;
    gx[e] = 0.f + gy[(static_cast<size_t>(pl) * g.Ho + h / fh) * g.Wo + w / fw] / area;  // 0 +: -0 -> +0, as the reference's sum
  }
}

__global__ void adaptive_bwd(const float* __restrict__ gy, G32 g, float* __restrict__ gx) {
  const unsigned n = g.planes * g.H * g.W;
  GSN_FOR_EACH(e, n) {
    const int w = e % g.W, h = (e / g.W) % g.H;
    const unsigned pl = e / (g.W * g.H);
    const float* gyp = gy + static_cast<size_t>(pl) * g.Ho * g.Wo;
    const int i0 = static_cast<int>(adaptive_first_bin(h, g.H, g.Ho)), i1 = static_cast<int>(adaptive_last_bin(h, g.H, g.Ho));
    const int j0 = static_cast<int>(adaptive_first_bin(w, g.W, g.Wo)), j1 = static_cast<int>(adaptive_last_bin(w, g.W, g.Wo));
    float acc = 0.f;
    for (int i = i0; i <= i1; ++i) {
      const int hs = static_cast<int>(adaptive_end(i, g.H, g.Ho) - adaptive_start(i, g.H, g.Ho));
      for (int j = j0; j <= j1; ++j) {
        const int ws = static_cast<int>(adaptive_end(j, g.W, g.Wo) - adaptive_start(j, g.W, g.Wo));
        acc += gyp[i * g.Wo + j] / static_cast<float>(hs * ws);
      }
    }
    gx[e] = acc;
  }
}

__global__ void global_fwd(const float* __restrict__ x, unsigned planes, unsigned hw, float inv, float* __restrict__ y) {
  const unsigned lane = threadIdx.x % 32;
  const unsigned warps = gridDim.x * (blockDim.x / 32);
  for (unsigned pl = (blockIdx.x * blockDim.x + threadIdx.x) / 32; pl < planes; pl += warps) {
    const float* xp = x + static_cast<size_t>(pl) * hw;
    float acc = 0.f;
    for (unsigned e = lane; e < hw; e += 32) acc += xp[e];
    for (int off = 16; off > 0; off >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, off);
    if (lane == 0) y[pl] = acc * inv;
  }
}

// gy / hw, not gy * (1/hw): the same rounding as the reference, so the result is exact.
__global__ void global_bwd(const float* __restrict__ gy, unsigned n, unsigned hw, float* __restrict__ gx) {
  GSN_FOR_EACH(e, n) gx[e] = gy[e / hw] / static_cast<float>(hw);
}
#undef GSN_FOR_EACH
}  // namespace

void max_pool2d_forward(const float* x, const PoolGeom& g, float* y, float* idx) {
  const G32 q = g32(g);
  const int64_t n = g.planes * g.Ho * g.Wo;
  if (n == 0) return;
  if (is_3x3_s2_p1(q))
    max_fwd<3, 2, 1><<<grid_1d(n, kBlock), kBlock, 0, cuda_stream()>>>(x, q, y, idx);
  else
    max_fwd<0, 0, 0><<<grid_1d(n, kBlock), kBlock, 0, cuda_stream()>>>(x, q, y, idx);
  GSN_CUDA_CHECK_LAUNCH();
}

void max_pool2d_backward(const float* gy, const float* idx, const PoolGeom& g, float* gx) {
  const G32 q = g32(g);
  const int64_t n = g.planes * g.H * g.W;
  if (n == 0) return;
  if (is_3x3_s2_p1(q))
    max_bwd<3, 2, 1><<<grid_1d(n, kBlock), kBlock, 0, cuda_stream()>>>(gy, idx, q, gx);
  else
    max_bwd<0, 0, 0><<<grid_1d(n, kBlock), kBlock, 0, cuda_stream()>>>(gy, idx, q, gx);
  GSN_CUDA_CHECK_LAUNCH();
}

void adaptive_avg_pool2d_forward(const float* x, const PoolGeom& g, float* y) {
  const G32 q = g32(g);
  const int64_t n = g.planes * g.Ho * g.Wo;
  if (n == 0) return;
  adaptive_fwd<<<grid_1d(n, kBlock), kBlock, 0, cuda_stream()>>>(x, q, y);
  GSN_CUDA_CHECK_LAUNCH();
}

void adaptive_avg_pool2d_backward(const float* gy, const PoolGeom& g, float* gx) {
  const G32 q = g32(g);
  const int64_t n = g.planes * g.H * g.W;
  if (n == 0) return;
  if (adaptive_bins_tile(q.H, q.Ho) && adaptive_bins_tile(q.W, q.Wo))
    adaptive_bwd_tiled<<<grid_1d(n, kBlock), kBlock, 0, cuda_stream()>>>(gy, q, q.H / q.Ho, q.W / q.Wo, gx);
  else
    adaptive_bwd<<<grid_1d(n, kBlock), kBlock, 0, cuda_stream()>>>(gy, q, gx);
  GSN_CUDA_CHECK_LAUNCH();
}

void global_avg_pool_forward(const float* x, int64_t planes, int64_t hw, float* y) {
  GSN_CHECK(planes * hw < (int64_t{1} << 31), "global_avg_pool (CUDA): tensors of 2^31 or more elements");
  if (planes == 0) return;
  global_fwd<<<grid_1d(planes * 32, kBlock), kBlock, 0, cuda_stream()>>>(
      x, static_cast<unsigned>(planes), static_cast<unsigned>(hw), 1.f / static_cast<float>(hw), y);
  GSN_CUDA_CHECK_LAUNCH();
}

void global_avg_pool_backward(const float* gy, int64_t planes, int64_t hw, float* gx) {
  GSN_CHECK(planes * hw < (int64_t{1} << 31), "global_avg_pool (CUDA): tensors of 2^31 or more elements");
  if (planes * hw == 0) return;
  global_bwd<<<grid_1d(planes * hw, kBlock), kBlock, 0, cuda_stream()>>>(
      gy, static_cast<unsigned>(planes * hw), static_cast<unsigned>(hw), gx);
  GSN_CUDA_CHECK_LAUNCH();
}

}  // namespace gsn::cuda
