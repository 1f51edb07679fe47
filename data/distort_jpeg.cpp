// JPEG-style compression without entropy coding (which is lossless, so it cannot change
// the pixels): the lossy steps of baseline JPEG as libjpeg does them with its defaults.
#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "data/distort_detail.h"
#include "data/distortions.h"
#include "kernels/core/error.h"

namespace gsn::data {

namespace {

// ITU-T T.81 Annex K, tables K.1 (luminance) and K.2 (chrominance), row-major.
constexpr int kLuma[64] = {16, 11, 10, 16, 24,  40,  51,  61,  12, 12, 14, 19, 26,  58,  60,  55,
                           14, 13, 16, 24, 40,  57,  69,  56,  14, 17, 22, 29, 51,  87,  80,  62,
                           18, 22, 37, 56, 68,  109, 103, 77,  24, 35, 55, 64, 81,  104, 113, 92,
                           49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};
constexpr int kChroma[64] = {17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99,
                             24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
                             99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
                             99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99};

// A plane of 8-bit-range samples whose size is a multiple of 8.
struct Plane {
  int w = 0, h = 0;
  std::vector<double> v;
  double& at(int y, int x) { return v[static_cast<std::size_t>(y) * w + x]; }
  double at(int y, int x) const { return v[static_cast<std::size_t>(y) * w + x]; }
};

// Orthonormal 8-point DCT-II basis: D[u][x] = c(u)/2 cos((2x+1) u pi / 16).
struct DctBasis {
  double d[8][8];
  DctBasis() {
    for (int u = 0; u < 8; ++u)
      for (int x = 0; x < 8; ++x)
        d[u][x] = (u == 0 ? std::sqrt(0.125) : 0.5) * std::cos((2 * x + 1) * u * 3.14159265358979323846 / 16);
  }
};

// Quantises one plane block by block in place: F = D f D^T, F' = round(F / Q) Q,
// f = D^T F' D, with the level shift of 128 around it.
void quantise_plane(Plane& p, const std::array<int, 64>& q) {
  static const DctBasis basis;
  const auto& D = basis.d;
  double f[8][8], t[8][8], F[8][8];
  for (int by = 0; by < p.h; by += 8) {
    for (int bx = 0; bx < p.w; bx += 8) {
      for (int y = 0; y < 8; ++y)
        for (int x = 0; x < 8; ++x) f[y][x] = p.at(by + y, bx + x) - 128.0;
      for (int u = 0; u < 8; ++u)  // t = D f
        for (int x = 0; x < 8; ++x) {
          double s = 0;
          for (int y = 0; y < 8; ++y) s += D[u][y] * f[y][x];
          t[u][x] = s;
        }
      for (int u = 0; u < 8; ++u)  // F = t D^T, quantised
        for (int v = 0; v < 8; ++v) {
          double s = 0;
          for (int x = 0; x < 8; ++x) s += t[u][x] * D[v][x];
          const double step = q[u * 8 + v];
          F[u][v] = std::round(s / step) * step;
        }
      for (int y = 0; y < 8; ++y)  // t = D^T F
        for (int v = 0; v < 8; ++v) {
          double s = 0;
          for (int u = 0; u < 8; ++u) s += D[u][y] * F[u][v];
          t[y][v] = s;
        }
      for (int y = 0; y < 8; ++y)  // f = t D
        for (int x = 0; x < 8; ++x) {
          double s = 0;
          for (int v = 0; v < 8; ++v) s += t[y][v] * D[v][x];
          p.at(by + y, bx + x) = s + 128.0;
        }
    }
  }
}

// libjpeg's "fancy" h2v2 upsampling: each output sample is 3/4 its own chroma sample and
// 1/4 the nearest other one, per axis (a triangle filter), edges held.
Plane upsample2(const Plane& s) {
  Plane tall{s.w, 2 * s.h, std::vector<double>(static_cast<std::size_t>(s.w) * 2 * s.h)};
  for (int y = 0; y < 2 * s.h; ++y) {
    const int i = y / 2, j = y % 2 == 0 ? std::max(i - 1, 0) : std::min(i + 1, s.h - 1);
    for (int x = 0; x < s.w; ++x) tall.at(y, x) = 0.75 * s.at(i, x) + 0.25 * s.at(j, x);
  }
  Plane out{2 * s.w, tall.h, std::vector<double>(static_cast<std::size_t>(4) * s.w * s.h)};
  for (int y = 0; y < out.h; ++y)
    for (int x = 0; x < out.w; ++x) {
      const int i = x / 2, j = x % 2 == 0 ? std::max(i - 1, 0) : std::min(i + 1, s.w - 1);
      out.at(y, x) = 0.75 * tall.at(y, i) + 0.25 * tall.at(y, j);
    }
  return out;
}

double to_byte(double v) { return std::min(255.0, std::max(0.0, std::round(v))); }

}  // namespace

std::array<int, 64> jpeg_quant_table(bool chroma, int quality) {
  GSN_CHECK(quality >= 1 && quality <= 100, "jpeg: quality must be 1..100, got ", quality);
  // IJG jcparam.c: jpeg_quality_scaling() then jpeg_add_quant_table() with force_baseline.
  const int scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
  std::array<int, 64> t{};
  for (int i = 0; i < 64; ++i) {
    const int v = ((chroma ? kChroma[i] : kLuma[i]) * scale + 50) / 100;
    t[i] = std::min(255, std::max(1, v));
  }
  return t;
}

Image jpeg_compress(const Image& image, int quality) {
  const std::array<int, 64> ql = jpeg_quant_table(false, quality), qc = jpeg_quant_table(true, quality);
  const int w = image.width, h = image.height;
  // Pad to whole 16x16 MCUs by repeating the last row and column, as encoders do.
  const int pw = (w + 15) / 16 * 16, ph = (h + 15) / 16 * 16;
  Plane Y{pw, ph, std::vector<double>(static_cast<std::size_t>(pw) * ph)};
  Plane Cb{pw / 2, ph / 2, std::vector<double>(static_cast<std::size_t>(pw) * ph / 4, 0.0)};
  Plane Cr = Cb;
  for (int y = 0; y < ph; ++y) {
    for (int x = 0; x < pw; ++x) {
      const int sy = std::min(y, h - 1), sx = std::min(x, w - 1);
      const double r = to_byte(255.0 * image.at(0, sy, sx)), g = to_byte(255.0 * image.at(1, sy, sx)),
                   b = to_byte(255.0 * image.at(2, sy, sx));
      // JFIF full-range YCbCr, rounded to bytes as libjpeg's converter does.
      Y.at(y, x) = to_byte(0.299 * r + 0.587 * g + 0.114 * b);
      // 4:2:0 by the mean of each 2x2 block.
      Cb.at(y / 2, x / 2) += 0.25 * to_byte(128.0 - 0.168736 * r - 0.331264 * g + 0.5 * b);
      Cr.at(y / 2, x / 2) += 0.25 * to_byte(128.0 + 0.5 * r - 0.418688 * g - 0.081312 * b);
    }
  }
  for (double& v : Cb.v) v = to_byte(v);
  for (double& v : Cr.v) v = to_byte(v);
  quantise_plane(Y, ql);
  quantise_plane(Cb, qc);
  quantise_plane(Cr, qc);
  const Plane cb = upsample2(Cb), cr = upsample2(Cr);
  Image out(w, h);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const double l = to_byte(Y.at(y, x)), u = to_byte(cb.at(y, x)) - 128.0, v = to_byte(cr.at(y, x)) - 128.0;
      out.at(0, y, x) = static_cast<float>(to_byte(l + 1.402 * v) / 255.0);
      out.at(1, y, x) = static_cast<float>(to_byte(l - 0.344136 * u - 0.714136 * v) / 255.0);
      out.at(2, y, x) = static_cast<float>(to_byte(l + 1.772 * u) / 255.0);
    }
  }
  return out;
}

Image jpeg(const Image& image, int level, Generator&) {
  return jpeg_compress(image, static_cast<int>(level_parameter(Distortion::Jpeg, level)));
}

}  // namespace gsn::data
