// Fast CPU conv2d: im2col on row tiles + Eigen GEMM (float32).
//
// Decomposition. The output of one image is cut into tiles of R whole output rows, R
// chosen so that the tile's im2col block [K, R*Wo] stays near 256 KB (in L2 while the GEMM
// packs it). A task is one (image, tile):
//   forward      col = im2col(tile); y[:, tile] = W[O,K] col            (+ bias)
//   bwd-data     gcol = W^T gy[:, tile]; col2im adds gcol into gx       (one task per image:
//                tiles of one image overlap in x, so they run in order on one thread)
//   bwd-weight   gW += gy[:, tile] col^T over the (image, tile) sequence, cut into at most
//                kWeightChunks fixed chunks; each chunk sums into its own partial [O,K] and
//                the partials are added in chunk order. The chunking depends only on the
//                shapes, so the bits do not depend on the number of threads.
// 1x1 stride-1 unpadded convs skip im2col: x itself is the column matrix.
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
#include "kernels/core/parallel.h"

namespace gsn::cpu {

namespace {
using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using CMap = Eigen::Map<const RowMat, 0, Eigen::OuterStride<>>;
using MMap = Eigen::Map<RowMat, 0, Eigen::OuterStride<>>;

constexpr int64_t kTileFloats = 64 * 1024;  // ~256 KB of im2col per tile
constexpr int64_t kWeightChunks = 8;         // at most this many bwd-weight partials

int64_t tile_rows(const ConvGeom& g) {
  const int64_t per_row = std::max<int64_t>(1, g.K() * g.Wo);
  return std::clamp<int64_t>(kTileFloats / per_row, 1, std::max<int64_t>(g.Ho, 1));
}

bool is_pointwise(const ConvGeom& g) { return g.k == 1 && g.s == 1 && g.p == 0; }

// This thread's scratch buffer, grown on demand and kept between calls.
float* scratch(std::size_t n) {
  thread_local std::vector<float> buf;
  if (buf.size() < n) buf.resize(n);
  return buf.data();
}

template <class Fn> void run_tasks(int64_t n, Fn fn) {
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t t = 0; t < n; ++t) fn(t);
}

// Output columns [jlo, jhi) whose input column j*s - p + v lies inside [0, W).
void valid_cols(const ConvGeom& g, int64_t v, int64_t& jlo, int64_t& jhi) {
  const int64_t a = g.p - v, b = g.W - 1 + g.p - v;  // need a <= j*s <= b
  jlo = a <= 0 ? 0 : (a + g.s - 1) / g.s;
  jhi = b < 0 ? 0 : b / g.s + 1;
  jlo = std::min(jlo, g.Wo);
  jhi = std::clamp(jhi, jlo, g.Wo);
}

// col[K, (i1-i0)*Wo] (row-major) = im2col of output rows [i0, i1) of one image xn [C,H,W].
void im2col(const float* xn, const ConvGeom& g, int64_t i0, int64_t i1, float* col) {
  const int64_t cols = (i1 - i0) * g.Wo;
  for (int64_t c = 0; c < g.C; ++c)
    for (int64_t u = 0; u < g.k; ++u)
      for (int64_t v = 0; v < g.k; ++v) {
        float* dst = col + ((c * g.k + u) * g.k + v) * cols;
        int64_t jlo, jhi;
        valid_cols(g, v, jlo, jhi);
        for (int64_t i = i0; i < i1; ++i, dst += g.Wo) {
          const int64_t h = i * g.s - g.p + u;
          if (h < 0 || h >= g.H) {
            std::memset(dst, 0, sizeof(float) * static_cast<std::size_t>(g.Wo));
            continue;
          }
          const float* src = xn + (c * g.H + h) * g.W - g.p + v;
          for (int64_t j = 0; j < jlo; ++j) dst[j] = 0.f;
          if (g.s == 1) {
            std::memcpy(dst + jlo, src + jlo, sizeof(float) * static_cast<std::size_t>(jhi - jlo));
          } else {
            for (int64_t j = jlo; j < jhi; ++j) dst[j] = src[j * g.s];
          }
          for (int64_t j = jhi; j < g.Wo; ++j) dst[j] = 0.f;
        }
      }
}

// gxn [C,H,W] += col2im of gcol [K, (i1-i0)*Wo] (the adjoint of im2col above).
void col2im_add(const float* gcol, const ConvGeom& g, int64_t i0, int64_t i1, float* gxn) {
  const int64_t cols = (i1 - i0) * g.Wo;
  for (int64_t c = 0; c < g.C; ++c)
    for (int64_t u = 0; u < g.k; ++u)
      for (int64_t v = 0; v < g.k; ++v) {
        const float* src = gcol + ((c * g.k + u) * g.k + v) * cols;
        int64_t jlo, jhi;
        valid_cols(g, v, jlo, jhi);
        for (int64_t i = i0; i < i1; ++i, src += g.Wo) {
          const int64_t h = i * g.s - g.p + u;
          if (h < 0 || h >= g.H) continue;
          float* dst = gxn + (c * g.H + h) * g.W - g.p + v;
          if (g.s == 1) {
#pragma omp simd
            for (int64_t j = jlo; j < jhi; ++j) dst[j] += src[j];
          } else {
            for (int64_t j = jlo; j < jhi; ++j) dst[j * g.s] += src[j];
          }
        }
      }
}
}  // namespace

void conv2d_forward(const float* x, const float* w, const float* b, const ConvGeom& g, float* y) {
  const int64_t K = g.K(), HoWo = g.Ho * g.Wo, R = tile_rows(g), tiles = (g.Ho + R - 1) / R;
  const CMap Wm(w, g.O, K, Eigen::OuterStride<>(K));
  run_tasks(g.N * tiles, [&](int64_t t) {
    const int64_t n = t / tiles, i0 = (t % tiles) * R, i1 = std::min(g.Ho, i0 + R), cols = (i1 - i0) * g.Wo;
    const float* xn = x + n * g.C * g.H * g.W;
    MMap Y(y + n * g.O * HoWo + i0 * g.Wo, g.O, cols, Eigen::OuterStride<>(HoWo));
    if (is_pointwise(g)) {
      Y.noalias() = Wm * CMap(xn + i0 * g.W, g.C, cols, Eigen::OuterStride<>(g.H * g.W));
    } else {
      float* col = scratch(static_cast<std::size_t>(K * cols));
      im2col(xn, g, i0, i1, col);
      Y.noalias() = Wm * CMap(col, K, cols, Eigen::OuterStride<>(cols));
    }
    if (b)
      for (int64_t o = 0; o < g.O; ++o) Y.row(o).array() += b[o];
  });
}

void conv2d_backward_data(const float* gy, const float* w, const ConvGeom& g, float* gx) {
  const int64_t K = g.K(), HoWo = g.Ho * g.Wo, CHW = g.C * g.H * g.W, R = tile_rows(g), tiles = (g.Ho + R - 1) / R;
  const CMap Wm(w, g.O, K, Eigen::OuterStride<>(K));
  run_tasks(g.N, [&](int64_t n) {
    const float* gyn = gy + n * g.O * HoWo;
    float* gxn = gx + n * CHW;
    if (is_pointwise(g)) {
      MMap(gxn, g.C, HoWo, Eigen::OuterStride<>(HoWo)).noalias() =
          Wm.transpose() * CMap(gyn, g.O, HoWo, Eigen::OuterStride<>(HoWo));
      return;
    }
    std::fill(gxn, gxn + CHW, 0.f);
    for (int64_t r = 0; r < tiles; ++r) {
      const int64_t i0 = r * R, i1 = std::min(g.Ho, i0 + R), cols = (i1 - i0) * g.Wo;
      float* gcol = scratch(static_cast<std::size_t>(K * cols));
      MMap(gcol, K, cols, Eigen::OuterStride<>(cols)).noalias() =
          Wm.transpose() * CMap(gyn + i0 * g.Wo, g.O, cols, Eigen::OuterStride<>(HoWo));
      col2im_add(gcol, g, i0, i1, gxn);
    }
  });
}

void conv2d_backward_weight(const float* gy, const float* x, const ConvGeom& g, float* gw) {
  const int64_t K = g.K(), OK = g.O * K, HoWo = g.Ho * g.Wo, R = tile_rows(g), tiles = (g.Ho + R - 1) / R;
  const int64_t T = g.N * tiles;
  if (T == 0 || OK == 0) {
    std::fill(gw, gw + OK, 0.f);
    return;
  }
  const int64_t len = (T + kWeightChunks - 1) / kWeightChunks, chunks = (T + len - 1) / len;
  std::vector<float> partial(chunks > 1 ? static_cast<std::size_t>(chunks * OK) : 0);
  run_tasks(chunks, [&](int64_t c) {
    float* P = chunks > 1 ? partial.data() + c * OK : gw;
    MMap Pm(P, g.O, K, Eigen::OuterStride<>(K));
    for (int64_t t = c * len; t < std::min(T, (c + 1) * len); ++t) {
      const int64_t n = t / tiles, i0 = (t % tiles) * R, i1 = std::min(g.Ho, i0 + R), cols = (i1 - i0) * g.Wo;
      const float* xn = x + n * g.C * g.H * g.W;
      const CMap GY(gy + n * g.O * HoWo + i0 * g.Wo, g.O, cols, Eigen::OuterStride<>(HoWo));
      const float* colp;
      int64_t ld;
      if (is_pointwise(g)) {
        colp = xn + i0 * g.W;
        ld = g.H * g.W;
      } else {
        float* col = scratch(static_cast<std::size_t>(K * cols));
        im2col(xn, g, i0, i1, col);
        colp = col;
        ld = cols;
      }
      const CMap Cm(colp, K, cols, Eigen::OuterStride<>(ld));
      if (t == c * len)
        Pm.noalias() = GY * Cm.transpose();
      else
        Pm.noalias() += GY * Cm.transpose();
    }
  });
  if (chunks > 1)
    parallel_for(OK, 4096, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        float acc = partial[static_cast<std::size_t>(i)];
        for (int64_t c = 1; c < chunks; ++c) acc += partial[static_cast<std::size_t>(c * OK + i)];
        gw[i] = acc;
      }
    });
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
