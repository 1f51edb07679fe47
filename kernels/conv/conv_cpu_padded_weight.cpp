// Backward-weight of 3x3 same convs from a zero-bordered copy of x; see conv_cpu_padded_weight.h.
#include "kernels/conv/conv_cpu_padded_weight.h"

#include <algorithm>
#include <cstring>

#include "kernels/core/error.h"
#include "kernels/core/transpose_cpu.h"
#include "kernels/linear/sgemm_cpu_simd.h"

namespace gsn::cpu::padded_weight {

namespace {

// Where a tile's rows sit in the padded layout. Padded row r starts at index 1 + r*(W+1)
// (index 0 is the zero left of row 0) and ends with its zero at 1 + r*(W+1) + W. Output
// row i of tile image g is padded row 1 + g*(R+1) + (i - i0), R = i1 - i0: so the rows
// above and below a band hold the image's rows i0-1 and i1 (zero outside the image), and
// whole images are separated by one zero row.
struct Layout {
  int64_t W1;     // W + 1
  int64_t R;      // output rows per image
  int64_t G;      // images
  int64_t rows;   // padded rows: G*(R+1) + 1
  int64_t L;      // floats per padded channel plane
  int64_t first;  // padded index of the first output pixel (row 1, column 0)
  int64_t count;  // padded positions from the first output pixel to the last
  int64_t pos(int64_t g, int64_t i) const { return 1 + (1 + g * (R + 1) + i) * W1; }  // (g, i - i0, 0)
};

Layout layout(const ConvGeom& g, int64_t n0, int64_t n1, int64_t i0, int64_t i1) {
  Layout l;
  l.W1 = g.W + 1;
  l.R = i1 - i0;
  l.G = n1 - n0;
  l.rows = l.G * (l.R + 1) + 1;
  l.L = 1 + l.rows * l.W1;
  l.first = l.pos(0, 0);
  l.count = l.pos(l.G - 1, l.R - 1) + g.W - l.first;
  return l;
}

}  // namespace

bool applies(const ConvGeom& g) { return g.k == 3 && g.s == 1 && g.p == 1; }

int64_t scratch_floats(const ConvGeom& g, int64_t n0, int64_t n1, int64_t i0, int64_t i1) {
  const Layout l = layout(g, n0, n1, i0, i1);
  return g.C * l.L + l.count * g.O;
}

void accumulate_tile(const float* gy, const float* x, const ConvGeom& g, int64_t n0, int64_t n1, int64_t i0,
                     int64_t i1, float* partial, bool accumulate, float* scratch) {
  GSN_CHECK(applies(g) && n1 > n0 && i1 > i0 && (n1 - n0 == 1 || (i0 == 0 && i1 == g.H)),
            "padded_weight: not a 3x3 same conv, or not a tile (rows of one image or whole images)");
  const Layout l = layout(g, n0, n1, i0, i1);
  const int64_t W = g.W, HW = g.H * g.W;
  float* xpad = scratch;             // [C, L]
  float* gyt = scratch + g.C * l.L;  // [count, O]

  // Xpad: every padded row is a data row or zeros, then its zero column.
  for (int64_t c = 0; c < g.C; ++c) {
    float* plane = xpad + c * l.L;
    plane[0] = 0.f;
    for (int64_t r = 0; r < l.rows; ++r) {
      float* dst = plane + 1 + r * l.W1;
      // Padded row r: image n0 + r / (R+1), row i0 - 1 + r % (R+1) (the zero row between
      // two images is the row past the last of one image, and never an image row).
      const int64_t n = n0 + std::min(r / (l.R + 1), l.G - 1);
      const int64_t i = i0 - 1 + (r - (n - n0) * (l.R + 1));
      if (i >= 0 && i < g.H)
        std::memcpy(dst, x + (n * g.C + c) * HW + i * W, sizeof(float) * static_cast<std::size_t>(W));
      else
        std::memset(dst, 0, sizeof(float) * static_cast<std::size_t>(W));
      dst[W] = 0.f;
    }
  }
  // gyT: each output row transposed into its positions; the positions from its end to the
  // next output row's start (its shared zero column, and the zero row between images) are
  // zero rows.
  for (int64_t gi = 0; gi < l.G; ++gi)
    for (int64_t i = 0; i < l.R; ++i) {
      const int64_t k0 = l.pos(gi, i) - l.first;
      transpose(gy + (n0 + gi) * g.O * HW + (i0 + i) * W, HW, g.O, W, gyt + k0 * g.O, g.O);
      const int64_t next = i + 1 < l.R ? l.pos(gi, i + 1) - l.first
                                       : gi + 1 < l.G ? l.pos(gi + 1, 0) - l.first : l.count;
      std::memset(gyt + (k0 + W) * g.O, 0, sizeof(float) * static_cast<std::size_t>((next - k0 - W) * g.O));
    }
  // One GEMM per tap: rows c of A are the padded planes shifted by the tap.
  for (int64_t u = 0; u < 3; ++u)
    for (int64_t v = 0; v < 3; ++v) {
      const float* a = xpad + l.first + (u - 1) * l.W1 + (v - 1);
      sgemm_nn_simd(g.C, g.O, l.count, a, l.L, gyt, g.O, partial + (3 * u + v) * g.O, 9 * g.O, accumulate);
    }
}

}  // namespace gsn::cpu::padded_weight
