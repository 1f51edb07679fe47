// Fast CPU conv2d, float32: im2col on tiles + GEMM (gsn's SIMD SGEMM, or Eigen); a direct
// path for O <= 4 (conv_cpu_direct.h); on SIMD builds (AVX-512F or AVX2+FMA,
// kernels/linear/simd_vec.h) the forward of 3x3 same convs (and
// so their backward-data, run as a forward conv) skips im2col (conv_cpu_implicit.h), and
// their backward-weight reads a zero-bordered copy of each tile instead of its im2col
// block (conv_cpu_padded_weight.h): im2col remains for the stem's backward-weight (K = 27)
// and for shapes GSN does not use.
//
// Decomposition. A tile is a block of output pixels whose im2col block [K, cols] is one
// GEMM operand: either a band of R output rows of one image (large images; R chosen so the
// block stays near 256 KB, in L2 while the GEMM packs it, but never under kMinCols
// columns), or G whole images (small images, G*Ho*Wo >= kMinCols): a GEMM narrower than
// that runs far below Eigen's peak (the 8x8 fusion layer is 64 columns per image). A task
// works on one tile (forward, bwd-weight) or on a set of whole images (bwd-data):
//   forward      col = im2col(tile); y[:, tile] = W[O,K] col            (+ bias)
//   bwd-data     gcol = W^T gy[:, tile]; col2im adds gcol into gx       (one task per image
//                or per group of images: row bands of one image overlap in x, so they run
//                in order on one thread)
//   bwd-weight   gW += gy[:, tile] col^T over the tile sequence, cut into at most
//                kWeightChunks fixed chunks; each chunk sums into its own partial [O,K] and
//                the partials are added in chunk order. The chunking depends only on the
//                shapes, so the bits do not depend on the number of threads.
// A multi-image tile's output (or output gradient) is [O, G*Ho*Wo] in a scratch buffer,
// copied to (gathered from) the G images' [O, Ho*Wo] blocks: O*cols floats against the
// K*cols of im2col. 1x1 stride-1 unpadded convs on single-image tiles skip im2col: x
// itself is the column matrix.
//
// The forward's product W col and backward-data's W^T gy run on gsn's SIMD kernel where
// the build targets AVX-512F or AVX2+FMA (kernels/linear/sgemm_cpu_simd.h: 1.25-1.55x
// Eigen on these shapes on AVX-512), else on Eigen; so does backward-weight, as
// gW^T = col gy^T (see there).
//
// Tasks always run inside an OpenMP parallel region (run_tasks), so Eigen's own GEMM
// threading stays off (Eigen runs single-threaded when called from a team of > 1 threads,
// and with one thread there is nothing to split): its blocking, and so every sum's order,
// is the same whatever the thread count.
#include <Eigen/Core>
#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/conv/conv.h"
#include "kernels/conv/conv_cpu_direct.h"
#include "kernels/conv/conv_cpu_flip.h"
#include "kernels/conv/conv_cpu_implicit.h"
#include "kernels/conv/conv_cpu_padded_weight.h"
#include "kernels/core/parallel.h"
#include "kernels/core/transpose_cpu.h"
#include "kernels/linear/sgemm_cpu_simd.h"

namespace gsn::cpu {

namespace {
using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using CMap = Eigen::Map<const RowMat, 0, Eigen::OuterStride<>>;
using MMap = Eigen::Map<RowMat, 0, Eigen::OuterStride<>>;

constexpr int64_t kTileFloats = 64 * 1024;  // ~256 KB of im2col per tile ...
constexpr int64_t kMinCols = 256;           // ... but at least this many GEMM columns
constexpr int64_t kWeightChunks = 8;         // at most this many bwd-weight partials

bool is_pointwise(const ConvGeom& g) { return g.k == 1 && g.s == 1 && g.p == 0; }

// Output rows [i0, i1) of images [n0, n1): either n1 = n0 + 1, or all rows of each image.
struct Tile {
  int64_t n0, n1, i0, i1;
  int64_t images() const { return n1 - n0; }
};

struct Tiling {
  int64_t imgs = 1;       // images per tile (> 1 only for small images)
  int64_t rows = 1;       // output rows per tile
  int64_t per_image = 1;  // tiles per image (1 when imgs > 1)
  int64_t count = 0;      // tiles in the batch

  Tile tile(const ConvGeom& g, int64_t t) const {
    if (imgs > 1) return {t * imgs, std::min(g.N, (t + 1) * imgs), 0, g.Ho};
    const int64_t n = t / per_image, i0 = (t % per_image) * rows;
    return {n, n + 1, i0, std::min(g.Ho, i0 + rows)};
  }
  int64_t cols(const ConvGeom& g, const Tile& t) const { return t.images() * (t.i1 - t.i0) * g.Wo; }
};

Tiling make_tiling(const ConvGeom& g) {
  Tiling T;
  const int64_t HoWo = g.Ho * g.Wo;
  if (HoWo == 0 || g.N == 0) return T;
  if (HoWo >= kMinCols || g.N == 1) {
    const int64_t by_bytes = kTileFloats / std::max<int64_t>(1, g.K() * g.Wo);
    const int64_t by_cols = (kMinCols + g.Wo - 1) / g.Wo;
    T.rows = std::clamp<int64_t>(std::max(by_bytes, by_cols), 1, g.Ho);
    T.per_image = (g.Ho + T.rows - 1) / T.rows;
    T.count = g.N * T.per_image;
  } else {
    T.imgs = std::min(g.N, (kMinCols + HoWo - 1) / HoWo);
    T.rows = g.Ho;
    T.count = (g.N + T.imgs - 1) / T.imgs;
  }
  return T;
}

// This thread's scratch buffer, grown on demand and kept between calls.
float* scratch(std::size_t n) {
  thread_local std::vector<float> buf;
  if (buf.size() < n) buf.resize(n);
  return buf.data();
}

// Dynamic scheduling (tasks of uneven cost); a task that throws (scratch() out of
// memory) is re-thrown here, as parallel_for does: it may not leave the OpenMP region.
template <class Fn> void run_tasks(int64_t n, Fn fn) {
  gsn::detail::FirstError error;
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t t = 0; t < n; ++t) {
    try {
      fn(t);
    } catch (...) {
      error.record(t, std::current_exception());
    }
  }
  error.rethrow();
}

// Output columns [jlo, jhi) whose input column j*s - p + v lies inside [0, W).
void valid_cols(const ConvGeom& g, int64_t v, int64_t& jlo, int64_t& jhi) {
  const int64_t a = g.p - v, b = g.W - 1 + g.p - v;  // need a <= j*s <= b
  jlo = a <= 0 ? 0 : (a + g.s - 1) / g.s;
  jhi = b < 0 ? 0 : b / g.s + 1;
  jlo = std::min(jlo, g.Wo);
  jhi = std::clamp(jhi, jlo, g.Wo);
}

// Output rows [ia, ib) within [i0, i1) whose input row i*s - p + u lies inside [0, H).
void valid_rows(const ConvGeom& g, int64_t u, int64_t i0, int64_t i1, int64_t& ia, int64_t& ib) {
  const int64_t a = g.p - u, b = g.H - 1 + g.p - u;  // need a <= i*s <= b
  ia = std::clamp<int64_t>(a <= 0 ? 0 : (a + g.s - 1) / g.s, i0, i1);
  ib = std::clamp<int64_t>(b < 0 ? 0 : b / g.s + 1, ia, i1);
}

// col[K, (i1-i0)*Wo] (row-major, row stride ld) = im2col of output rows [i0, i1) of one
// image xn [C,H,W].
// When s = 1 and Wo = W ("same" convs: every GSN conv), the valid rows of one (c,u,v)
// row of col are ONE contiguous run of x (row i of col reads x row i-p+u shifted by v-p),
// so they are one memcpy; the few columns that wrapped into the neighbouring x row are
// then zeroed. At the 8x8 fusion layer that is 1 copy per (c,u,v) instead of 8 row copies
// of 8 floats.
void im2col(const float* xn, const ConvGeom& g, int64_t i0, int64_t i1, float* col, int64_t ld) {
  const int64_t cols = (i1 - i0) * g.Wo;
  const bool contiguous = g.s == 1 && g.Wo == g.W;
  for (int64_t c = 0; c < g.C; ++c)
    for (int64_t u = 0; u < g.k; ++u) {
      int64_t ia, ib;
      valid_rows(g, u, i0, i1, ia, ib);
      for (int64_t v = 0; v < g.k; ++v) {
        float* dst = col + ((c * g.k + u) * g.k + v) * ld;
        int64_t jlo, jhi;
        valid_cols(g, v, jlo, jhi);
        const float* src = xn + c * g.H * g.W - g.p * g.W + u * g.W - g.p + v;  // x of output (0,0)
        std::fill(dst, dst + (ia - i0) * g.Wo, 0.f);
        std::fill(dst + (ib - i0) * g.Wo, dst + cols, 0.f);
        if (ib == ia || jhi == jlo) {
          std::fill(dst + (ia - i0) * g.Wo, dst + (ib - i0) * g.Wo, 0.f);
          continue;
        }
        if (contiguous) {
          // From the first valid element of row ia to the last valid one of row ib-1.
          const int64_t first = ia * g.W + jlo, last = (ib - 1) * g.W + jhi;
          std::memcpy(dst - i0 * g.Wo + first, src + first, sizeof(float) * static_cast<std::size_t>(last - first));
          for (int64_t i = ia; i < ib; ++i) {
            float* d = dst + (i - i0) * g.Wo;
            for (int64_t j = 0; j < jlo; ++j) d[j] = 0.f;
            for (int64_t j = jhi; j < g.Wo; ++j) d[j] = 0.f;
          }
          continue;
        }
        for (int64_t i = ia; i < ib; ++i) {
          float* d = dst + (i - i0) * g.Wo;
          const float* s = src + i * g.s * g.W;
          for (int64_t j = 0; j < jlo; ++j) d[j] = 0.f;
          if (g.s == 1) {
            std::memcpy(d + jlo, s + jlo, sizeof(float) * static_cast<std::size_t>(jhi - jlo));
          } else {
            for (int64_t j = jlo; j < jhi; ++j) d[j] = s[j * g.s];
          }
          for (int64_t j = jhi; j < g.Wo; ++j) d[j] = 0.f;
        }
      }
    }
}

// gxn [C,H,W] += col2im of gcol [K, (i1-i0)*Wo] (row stride ld; the adjoint of im2col).
// gcol is scratch and is clobbered: in the contiguous case (s = 1, Wo = W, as in im2col)
// the entries that would wrap into the neighbouring x row are zeroed first, so each
// (c,u,v) row is then ONE flat add over the run of x it maps to (adding +0 leaves gx as is).
void col2im_add(float* gcol, const ConvGeom& g, int64_t i0, int64_t i1, int64_t ld, float* gxn) {
  const bool contiguous = g.s == 1 && g.Wo == g.W;
  for (int64_t c = 0; c < g.C; ++c)
    for (int64_t u = 0; u < g.k; ++u) {
      int64_t ia, ib;
      valid_rows(g, u, i0, i1, ia, ib);
      for (int64_t v = 0; v < g.k; ++v) {
        float* src = gcol + ((c * g.k + u) * g.k + v) * ld;
        int64_t jlo, jhi;
        valid_cols(g, v, jlo, jhi);
        float* dst0 = gxn + c * g.H * g.W - g.p * g.W + u * g.W - g.p + v;  // x of output (0,0)
        if (ib == ia || jhi == jlo) continue;
        if (contiguous) {
          for (int64_t i = ia; i < ib; ++i) {
            float* s = src + (i - i0) * g.Wo;
            for (int64_t j = 0; j < jlo; ++j) s[j] = 0.f;
            for (int64_t j = jhi; j < g.Wo; ++j) s[j] = 0.f;
          }
          const int64_t first = ia * g.W + jlo, last = (ib - 1) * g.W + jhi;
          const float* s = src - i0 * g.Wo;
#pragma omp simd
          for (int64_t q = first; q < last; ++q) dst0[q] += s[q];
          continue;
        }
        for (int64_t i = ia; i < ib; ++i) {
          const float* s = src + (i - i0) * g.Wo;
          float* d = dst0 + i * g.s * g.W;
          if (g.s == 1) {
#pragma omp simd
            for (int64_t j = jlo; j < jhi; ++j) d[j] += s[j];
          } else {
            for (int64_t j = jlo; j < jhi; ++j) d[j * g.s] += s[j];
          }
        }
      }
    }
}

// col [K, cols] of a tile (cols = tile images x rows x Wo), images side by side.
void im2col_tile(const float* x, const ConvGeom& g, const Tile& t, float* col, int64_t cols) {
  const int64_t CHW = g.C * g.H * g.W, per = (t.i1 - t.i0) * g.Wo;
  for (int64_t n = t.n0; n < t.n1; ++n) im2col(x + n * CHW, g, t.i0, t.i1, col + (n - t.n0) * per, cols);
}

// The tile's block of a [N, O, Ho, Wo] tensor as a [O, cols] matrix: a view when the tile
// is one image, else copied into buf (gather) or out of it (scatter_tile).
CMap gather_tile(const float* a, const ConvGeom& g, const Tile& t, int64_t cols, float* buf) {
  const int64_t HoWo = g.Ho * g.Wo;
  if (t.images() == 1) return CMap(a + t.n0 * g.O * HoWo + t.i0 * g.Wo, g.O, cols, Eigen::OuterStride<>(HoWo));
  for (int64_t n = t.n0; n < t.n1; ++n)
    for (int64_t o = 0; o < g.O; ++o)
      std::memcpy(buf + o * cols + (n - t.n0) * HoWo, a + (n * g.O + o) * HoWo, sizeof(float) * static_cast<std::size_t>(HoWo));
  return CMap(buf, g.O, cols, Eigen::OuterStride<>(cols));
}

void scatter_tile(const float* buf, const ConvGeom& g, const Tile& t, int64_t cols, float* a) {
  const int64_t HoWo = g.Ho * g.Wo;
  for (int64_t n = t.n0; n < t.n1; ++n)
    for (int64_t o = 0; o < g.O; ++o)
      std::memcpy(a + (n * g.O + o) * HoWo, buf + o * cols + (n - t.n0) * HoWo, sizeof(float) * static_cast<std::size_t>(HoWo));
}
}  // namespace

void conv2d_forward(const float* x, const float* w, const float* b, const ConvGeom& g, float* y) {
  if (direct::use_direct(g)) return direct::conv2d_forward(x, w, b, g, y);
  if (implicit::applies(g)) return implicit::conv2d_forward(x, w, b, g, y);
  conv2d_forward_im2col(x, w, b, g, y);
}

void conv2d_forward_im2col(const float* x, const float* w, const float* b, const ConvGeom& g, float* y) {
  const int64_t K = g.K(), HoWo = g.Ho * g.Wo;
  const Tiling T = make_tiling(g);
  const CMap Wm(w, g.O, K, Eigen::OuterStride<>(K));
  const bool use_simd = sgemm_nn_simd_available();
  run_tasks(T.count, [&](int64_t ti) {
    const Tile t = T.tile(g, ti);
    const int64_t cols = T.cols(g, t);
    const bool one = t.images() == 1;
    float* buf = scratch(static_cast<std::size_t>((K + (one ? 0 : g.O)) * cols));
    float* out = buf + K * cols;
    MMap Y = one ? MMap(y + t.n0 * g.O * HoWo + t.i0 * g.Wo, g.O, cols, Eigen::OuterStride<>(HoWo))
                 : MMap(out, g.O, cols, Eigen::OuterStride<>(cols));
    const float* colp = buf;
    int64_t ldcol = cols;
    if (one && is_pointwise(g)) {
      colp = x + t.n0 * g.C * g.H * g.W + t.i0 * g.W;
      ldcol = g.H * g.W;
    } else {
      im2col_tile(x, g, t, buf, cols);
    }
    if (use_simd)
      sgemm_nn_simd(g.O, cols, K, w, K, colp, ldcol, Y.data(), Y.outerStride());
    else
      Y.noalias() = Wm * CMap(colp, K, cols, Eigen::OuterStride<>(ldcol));
    if (b)
      for (int64_t o = 0; o < g.O; ++o) Y.row(o).array() += b[o];
    if (!one) scatter_tile(out, g, t, cols, y);
  });
}

namespace {
// Backward-data of a stride-1 conv is itself a forward conv: gx = conv(gy, Wt, pad k-1-p)
// with Wt[c,o,u,v] = w[o,c,k-1-u,k-1-v] (channels swapped, taps flipped). Its im2col is of
// gy, [O*k*k, P], where the col2im route writes and scatters gcol, [C*k*k, P]: less data
// when O < C (the fusion layer: 64 against 288 channels), no zero fill, no scatter, and the
// forward's tiles run in parallel. On the im2col route it is used only when it moves less
// data, so layers with O >= C keep the col2im route; where the forward of the flipped conv
// runs implicit GEMM (3x3 same convs on SIMD builds, conv_cpu_implicit.h; not where C <= 4
// makes it a direct conv, slower than col2im at the stem) it moves no column data at all
// and is always taken.
bool backward_data_as_forward(const ConvGeom& g) {
  if (g.s != 1 || g.p > g.k - 1 || is_pointwise(g)) return false;
  const ConvGeom f = backward_data_geom(g);
  return g.O < g.C || (implicit::applies(f) && !direct::use_direct(f));  // the forward's own pick
}

void backward_data_via_forward(const float* gy, const float* w, const ConvGeom& g, float* gx) {
  thread_local std::vector<float> wt;  // not scratch(): the forward's tasks use that
  wt.resize(static_cast<std::size_t>(g.C * g.O * g.k * g.k));
  flip_weights(w, g, wt.data());
  conv2d_forward(gy, wt.data(), nullptr, backward_data_geom(g), gx);
}
}  // namespace

void flip_weights(const float* w, const ConvGeom& g, float* wt) {
  const int64_t kk = g.k * g.k;
  parallel_for(g.C, 16, [&](int64_t b, int64_t e) {
    for (int64_t c = b; c < e; ++c)
      for (int64_t o = 0; o < g.O; ++o)
        for (int64_t t = 0; t < kk; ++t) wt[(c * g.O + o) * kk + t] = w[(o * g.C + c) * kk + kk - 1 - t];
  });
}

ConvGeom backward_data_geom(const ConvGeom& g) {
  ConvGeom f = g;
  f.C = g.O, f.H = g.Ho, f.W = g.Wo, f.O = g.C, f.p = g.k - 1 - g.p, f.Ho = g.H, f.Wo = g.W;
  return f;
}

void conv2d_backward_data(const float* gy, const float* w, const ConvGeom& g, float* gx) {
  if (direct::use_direct(g)) return direct::conv2d_backward_data(gy, w, g, gx);
  if (backward_data_as_forward(g)) return backward_data_via_forward(gy, w, g, gx);
  const int64_t K = g.K(), HoWo = g.Ho * g.Wo, CHW = g.C * g.H * g.W;
  const Tiling T = make_tiling(g);
  const CMap Wm(w, g.O, K, Eigen::OuterStride<>(K));
  // W^T [K, O] once per call (K*O floats, against K*P of gcol), so the SIMD kernel
  // can run gcol = W^T gy as a plain NN product.
  const bool use_simd = sgemm_nn_simd_available();
  std::vector<float> wt(use_simd ? static_cast<std::size_t>(K * g.O) : 0);
  if (use_simd) transpose(w, K, g.O, K, wt.data(), g.O);
  // A task is one multi-image tile, or all row bands of one image (they overlap in gx).
  const int64_t tasks = T.imgs > 1 ? T.count : g.N, tiles_per_task = T.imgs > 1 ? 1 : T.per_image;
  run_tasks(tasks, [&](int64_t task) {
    for (int64_t r = 0; r < tiles_per_task; ++r) {
      const Tile t = T.tile(g, task * tiles_per_task + r);
      const int64_t cols = T.cols(g, t);
      if (t.images() == 1 && is_pointwise(g)) {
        MMap(gx + t.n0 * CHW, g.C, HoWo, Eigen::OuterStride<>(HoWo)).noalias() =
            Wm.transpose() * CMap(gy + t.n0 * g.O * HoWo, g.O, HoWo, Eigen::OuterStride<>(HoWo));
        continue;
      }
      if (r == 0) std::fill(gx + t.n0 * CHW, gx + t.n1 * CHW, 0.f);
      float* gcol = scratch(static_cast<std::size_t>((K + g.O) * cols));
      const CMap GY = gather_tile(gy, g, t, cols, gcol + K * cols);
      if (use_simd)
        sgemm_nn_simd(K, cols, g.O, wt.data(), g.O, GY.data(), GY.outerStride(), gcol, cols);
      else
        MMap(gcol, K, cols, Eigen::OuterStride<>(cols)).noalias() = Wm.transpose() * GY;
      const int64_t per = (t.i1 - t.i0) * g.Wo;
      for (int64_t n = t.n0; n < t.n1; ++n) col2im_add(gcol + (n - t.n0) * per, g, t.i0, t.i1, cols, gx + n * CHW);
    }
  });
}

namespace {
void backward_weight_tiles(const float* gy, const float* x, const ConvGeom& g, float* gw, bool allow_padded) {
  const int64_t K = g.K(), OK = g.O * K;
  const Tiling T = make_tiling(g);
  if (T.count == 0 || OK == 0) {
    std::fill(gw, gw + OK, 0.f);
    return;
  }
  const int64_t len = (T.count + kWeightChunks - 1) / kWeightChunks, chunks = (T.count + len - 1) / len;
  // On the SIMD kernel each chunk accumulates the TRANSPOSED gradient, gW^T [K, O] +=
  // col [K, cols] gy^T [cols, O] (an NN product; the tile's gy^T is O*cols floats), and the
  // final pass transposes while it adds the partials. On Eigen, gW [O, K] += gy col^T.
  // Not for shallow K (the stem's 27): there the transpose of gy costs more than it saves.
  const bool use_simd = sgemm_nn_simd_available() && K >= 64;
  // 3x3 same convs read a zero-bordered copy of the tile instead of its im2col block
  // (conv_cpu_padded_weight.h): the same bits, a ninth of the copying.
  const bool padded = use_simd && allow_padded && padded_weight::applies(g);
  const bool direct_out = chunks == 1 && !use_simd;
  std::vector<float> partial(direct_out ? 0 : static_cast<std::size_t>(chunks * OK));
  run_tasks(chunks, [&](int64_t c) {
    float* P = direct_out ? gw : partial.data() + c * OK;
    for (int64_t ti = c * len; ti < std::min(T.count, (c + 1) * len); ++ti) {
      const Tile t = T.tile(g, ti);
      const bool first = ti == c * len;
      if (padded) {
        float* buf = scratch(static_cast<std::size_t>(padded_weight::scratch_floats(g, t.n0, t.n1, t.i0, t.i1)));
        padded_weight::accumulate_tile(gy, x, g, t.n0, t.n1, t.i0, t.i1, P, !first, buf);
        continue;
      }
      const int64_t cols = T.cols(g, t);
      float* buf = scratch(static_cast<std::size_t>((K + 2 * g.O) * cols));
      const CMap GY = gather_tile(gy, g, t, cols, buf + K * cols);
      const bool direct = t.images() == 1 && is_pointwise(g);
      if (!direct) im2col_tile(x, g, t, buf, cols);
      const float* colp = direct ? x + t.n0 * g.C * g.H * g.W + t.i0 * g.W : buf;
      const int64_t ldcol = direct ? g.H * g.W : cols;
      if (use_simd) {
        float* gyt = buf + (K + g.O) * cols;  // gy^T [cols, O]
        transpose(GY.data(), GY.outerStride(), g.O, cols, gyt, g.O);
        sgemm_nn_simd(K, g.O, cols, colp, ldcol, gyt, g.O, P, g.O, !first);
        continue;
      }
      MMap Pm(P, g.O, K, Eigen::OuterStride<>(K));
      const CMap Cm(colp, K, cols, Eigen::OuterStride<>(ldcol));
      if (first)
        Pm.noalias() = GY * Cm.transpose();
      else
        Pm.noalias() += GY * Cm.transpose();
    }
  });
  if (direct_out) return;
  // Add the chunks' partials in chunk order. [K, O] partials (SIMD) are transposed on
  // the way, in blocks of 64 k so the strided reads stay in cache and writes run along k.
  const float* part = partial.data();
  if (!use_simd) {
    parallel_for(OK, 4096, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        float acc = part[i];
        for (int64_t c = 1; c < chunks; ++c) acc += part[c * OK + i];
        gw[i] = acc;
      }
    });
    return;
  }
  constexpr int64_t kBlock = 64;
  parallel_for((K + kBlock - 1) / kBlock, 1, [&](int64_t bb, int64_t be) {
    for (int64_t blk = bb; blk < be; ++blk) {
      const int64_t k0 = blk * kBlock, k1 = std::min(K, k0 + kBlock);
      for (int64_t o = 0; o < g.O; ++o)
        for (int64_t k = k0; k < k1; ++k) {
          float acc = part[k * g.O + o];
          for (int64_t c = 1; c < chunks; ++c) acc += part[c * OK + k * g.O + o];
          gw[o * K + k] = acc;
        }
    }
  });
}

}  // namespace

void conv2d_backward_weight(const float* gy, const float* x, const ConvGeom& g, float* gw) {
  if (direct::use_direct(g)) return direct::conv2d_backward_weight(gy, x, g, gw);
  backward_weight_tiles(gy, x, g, gw, true);
}

void conv2d_backward_weight_im2col(const float* gy, const float* x, const ConvGeom& g, float* gw) {
  backward_weight_tiles(gy, x, g, gw, false);
}

void conv2d_backward_bias(const float* gy, const ConvGeom& g, float* gb) {
  const int64_t HoWo = g.Ho * g.Wo;
  parallel_for(g.O, 1, [&](int64_t b, int64_t e) {
    for (int64_t o = b; o < e; ++o) {
      double acc = 0.0;
      for (int64_t n = 0; n < g.N; ++n) {
        const float* p = gy + (n * g.O + o) * HoWo;
        double part = 0.0;
#pragma omp simd reduction(+ : part)
        for (int64_t q = 0; q < HoWo; ++q) part += static_cast<double>(p[q]);
        acc += part;
      }
      gb[o] = static_cast<float>(acc);
    }
  });
}

}  // namespace gsn::cpu
