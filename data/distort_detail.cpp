#include "data/distort_detail.h"

#include <cmath>
#include <cstdlib>

#include "kernels/core/error.h"

namespace gsn::data::detail {

std::vector<float> gaussian_kernel(double sigma) {
  GSN_CHECK(sigma > 0, "gaussian_kernel: sigma must be positive, got ", sigma);
  const int r = static_cast<int>(std::ceil(3.0 * sigma));
  std::vector<double> k(2 * r + 1);
  double sum = 0;
  for (int i = -r; i <= r; ++i) sum += k[i + r] = std::exp(-0.5 * i * i / (sigma * sigma));
  std::vector<float> taps(k.size());
  for (std::size_t i = 0; i < k.size(); ++i) taps[i] = static_cast<float>(k[i] / sum);
  return taps;
}

Image separable_filter(const Image& image, const std::vector<float>& taps) {
  GSN_CHECK(taps.size() % 2 == 1, "separable_filter: kernel length must be odd");
  const int w = image.width, h = image.height, r = static_cast<int>(taps.size() / 2);
  const int n = static_cast<int>(taps.size());
  Image out(w, h);
  std::vector<float> pad(w + 2 * r), tmp(image.plane_size());
  for (int c = 0; c < 3; ++c) {
    const float* src = image.plane(c);
    // Rows: copy into a padded buffer so the inner loop has no border test.
    for (int y = 0; y < h; ++y) {
      const float* row = src + static_cast<std::size_t>(y) * w;
      for (int x = -r; x < w + r; ++x) pad[x + r] = row[reflect(x, w)];
      float* o = tmp.data() + static_cast<std::size_t>(y) * w;
      for (int x = 0; x < w; ++x) o[x] = 0.f;
      for (int k = 0; k < n; ++k) {
        const float t = taps[k];
        const float* p = pad.data() + k;
        for (int x = 0; x < w; ++x) o[x] += t * p[x];
      }
    }
    // Columns: whole rows at a time, so the loop over x vectorises.
    float* dst = out.plane(c);
    for (int y = 0; y < h; ++y) {
      float* o = dst + static_cast<std::size_t>(y) * w;
      for (int k = 0; k < n; ++k) {
        const float t = taps[k];
        const float* p = tmp.data() + static_cast<std::size_t>(reflect(y + k - r, h)) * w;
        for (int x = 0; x < w; ++x) o[x] += t * p[x];
      }
    }
  }
  return out;
}

Image sparse_filter(const Image& image, const std::vector<Tap>& taps) {
  const int w = image.width, h = image.height;
  int r = 0;
  for (const Tap& t : taps) r = std::max({r, std::abs(t.dy), std::abs(t.dx)});
  const int pw = w + 2 * r, ph = h + 2 * r;
  std::vector<float> pad(static_cast<std::size_t>(pw) * ph);
  Image out(w, h);
  for (int c = 0; c < 3; ++c) {
    const float* src = image.plane(c);
    for (int y = 0; y < ph; ++y) {
      const float* row = src + static_cast<std::size_t>(reflect(y - r, h)) * w;
      for (int x = 0; x < pw; ++x) pad[static_cast<std::size_t>(y) * pw + x] = row[reflect(x - r, w)];
    }
    float* dst = out.plane(c);
    for (const Tap& t : taps) {
      for (int y = 0; y < h; ++y) {
        const float* p = pad.data() + static_cast<std::size_t>(y + t.dy + r) * pw + t.dx + r;
        float* o = dst + static_cast<std::size_t>(y) * w;
        for (int x = 0; x < w; ++x) o[x] += t.w * p[x];
      }
    }
  }
  return out;
}

Image box_downsample(const Image& image, int f) {
  GSN_CHECK(f >= 1, "box_downsample: factor must be >= 1, got ", f);
  const int w = image.width, h = image.height;
  const int sw = (w + f - 1) / f, sh = (h + f - 1) / f;
  Image out(sw, sh);
  for (int c = 0; c < 3; ++c) {
    for (int by = 0; by < sh; ++by) {
      const int y1 = std::min(h, (by + 1) * f);
      for (int bx = 0; bx < sw; ++bx) {
        const int x1 = std::min(w, (bx + 1) * f);
        float sum = 0.f;
        for (int y = by * f; y < y1; ++y)
          for (int x = bx * f; x < x1; ++x) sum += image.at(c, y, x);
        out.at(c, by, bx) = sum / static_cast<float>((y1 - by * f) * (x1 - bx * f));
      }
    }
  }
  return out;
}

namespace {
// Source index and weight of the upper neighbour for output coordinate i at scale f.
struct Lerp {
  int i0, i1;
  float t;
};
std::vector<Lerp> lerp_table(int n_out, int n_in, double f) {
  std::vector<Lerp> table(n_out);
  for (int i = 0; i < n_out; ++i) {
    double s = (i + 0.5) / f - 0.5;
    s = std::min(std::max(s, 0.0), static_cast<double>(n_in - 1));
    const int i0 = static_cast<int>(s);
    table[i] = {i0, std::min(i0 + 1, n_in - 1), static_cast<float>(s - i0)};
  }
  return table;
}
}  // namespace

Image bilinear_upsample(const Image& small, double f, int width, int height) {
  const std::vector<Lerp> lx = lerp_table(width, small.width, f), ly = lerp_table(height, small.height, f);
  Image out(width, height);
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < height; ++y) {
      const Lerp& a = ly[y];
      for (int x = 0; x < width; ++x) {
        const Lerp& b = lx[x];
        const float top = small.at(c, a.i0, b.i0) + b.t * (small.at(c, a.i0, b.i1) - small.at(c, a.i0, b.i0));
        const float bot = small.at(c, a.i1, b.i0) + b.t * (small.at(c, a.i1, b.i1) - small.at(c, a.i1, b.i0));
        out.at(c, y, x) = top + a.t * (bot - top);
      }
    }
  }
  return out;
}

}  // namespace gsn::data::detail
