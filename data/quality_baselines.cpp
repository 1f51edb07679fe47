#include "data/quality_baselines.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "data/distort_detail.h"
#include "kernels/core/error.h"

namespace gsn::data {

namespace {

void check_pair(int w1, int h1, int w2, int h2, const char* what) {
  GSN_CHECK(w1 > 0 && h1 > 0, what, ": empty image");
  GSN_CHECK(w1 == w2 && h1 == h2, what, ": images differ in size (", w1, "x", h1, " and ", w2, "x", h2, ")");
}

// ssim.m's pre-filter: imfilter(img, ones(f,f)/f^2, 'symmetric', 'same') then
// img(1:f:end, 1:f:end). MATLAB centres an f-tap kernel on tap floor((f+1)/2), so the
// window covers offsets -floor((f-1)/2) .. f-1-floor((f-1)/2); only the kept samples
// are computed.
LumaPlane downsample(const LumaPlane& p, int f) {
  const int lo = -(f - 1) / 2;
  LumaPlane out;
  out.width = (p.width + f - 1) / f;
  out.height = (p.height + f - 1) / f;
  out.v.resize(static_cast<std::size_t>(out.width) * out.height);
  for (int oy = 0; oy < out.height; ++oy) {
    for (int ox = 0; ox < out.width; ++ox) {
      double s = 0;
      for (int a = 0; a < f; ++a) {
        const int y = detail::reflect(oy * f + lo + a, p.height);
        for (int b = 0; b < f; ++b) s += p.at(y, detail::reflect(ox * f + lo + b, p.width));
      }
      out.v[static_cast<std::size_t>(oy) * out.width + ox] = s / (f * f);
    }
  }
  return out;
}

// 'valid' correlation with the separable window g x g: output (h - n + 1) x (w - n + 1).
std::vector<double> filter_valid(const std::vector<double>& img, int w, int h, const std::vector<double>& g) {
  const int n = static_cast<int>(g.size()), ow = w - n + 1, oh = h - n + 1;
  std::vector<double> rows(static_cast<std::size_t>(h) * ow, 0.0), out(static_cast<std::size_t>(oh) * ow, 0.0);
  for (int y = 0; y < h; ++y)
    for (int k = 0; k < n; ++k)
      for (int x = 0; x < ow; ++x) rows[static_cast<std::size_t>(y) * ow + x] += g[k] * img[static_cast<std::size_t>(y) * w + x + k];
  for (int y = 0; y < oh; ++y)
    for (int k = 0; k < n; ++k)
      for (int x = 0; x < ow; ++x) out[static_cast<std::size_t>(y) * ow + x] += g[k] * rows[static_cast<std::size_t>(y + k) * ow + x];
  return out;
}

}  // namespace

LumaPlane luma_8bit(const Image& image) {
  LumaPlane p;
  p.width = image.width;
  p.height = image.height;
  p.v.resize(image.plane_size());
  auto byte = [](float v) { return std::round(255.0 * std::min(1.0, std::max(0.0, static_cast<double>(v)))); };
  for (std::size_t i = 0; i < p.v.size(); ++i)
    p.v[i] = std::round(0.299 * byte(image.plane(0)[i]) + 0.587 * byte(image.plane(1)[i]) + 0.114 * byte(image.plane(2)[i]));
  return p;
}

int ssim_downsample_factor(int width, int height) {
  return std::max(1, static_cast<int>(std::round(std::min(width, height) / 256.0)));
}

double psnr_plane(const LumaPlane& ref, const LumaPlane& dist) {
  check_pair(ref.width, ref.height, dist.width, dist.height, "psnr");
  double se = 0;
  for (std::size_t i = 0; i < ref.v.size(); ++i) se += (ref.v[i] - dist.v[i]) * (ref.v[i] - dist.v[i]);
  if (se == 0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(255.0 * 255.0 / (se / static_cast<double>(ref.v.size())));
}

double ssim_plane(const LumaPlane& ref, const LumaPlane& dist) {
  check_pair(ref.width, ref.height, dist.width, dist.height, "ssim");
  const int f = ssim_downsample_factor(ref.width, ref.height);
  const LumaPlane a = f > 1 ? downsample(ref, f) : ref, b = f > 1 ? downsample(dist, f) : dist;
  const int w = a.width, h = a.height;
  GSN_CHECK(w >= 11 && h >= 11, "ssim: needs at least 11x11 pixels after downsampling by ", f, ", got ", w, "x", h);
  // fspecial('gaussian', 11, 1.5): the normalised 2-D window is the outer product of the
  // normalised 1-D one.
  std::vector<double> g(11);
  double gs = 0;
  for (int i = 0; i < 11; ++i) gs += g[i] = std::exp(-(i - 5) * (i - 5) / (2 * 1.5 * 1.5));
  for (double& e : g) e /= gs;
  std::vector<double> aa(a.v.size()), bb(a.v.size()), ab(a.v.size());
  for (std::size_t i = 0; i < a.v.size(); ++i) aa[i] = a.v[i] * a.v[i], bb[i] = b.v[i] * b.v[i], ab[i] = a.v[i] * b.v[i];
  const std::vector<double> mu1 = filter_valid(a.v, w, h, g), mu2 = filter_valid(b.v, w, h, g);
  const std::vector<double> s11 = filter_valid(aa, w, h, g), s22 = filter_valid(bb, w, h, g),
                            s12 = filter_valid(ab, w, h, g);
  const double C1 = (0.01 * 255) * (0.01 * 255), C2 = (0.03 * 255) * (0.03 * 255);
  double sum = 0;
  for (std::size_t i = 0; i < mu1.size(); ++i) {
    const double m1 = mu1[i] * mu1[i], m2 = mu2[i] * mu2[i], m12 = mu1[i] * mu2[i];
    const double v1 = s11[i] - m1, v2 = s22[i] - m2, v12 = s12[i] - m12;
    sum += ((2 * m12 + C1) * (2 * v12 + C2)) / ((m1 + m2 + C1) * (v1 + v2 + C2));
  }
  return sum / static_cast<double>(mu1.size());
}

double psnr_y(const Image& ref, const Image& dist) {
  check_pair(ref.width, ref.height, dist.width, dist.height, "psnr");
  return psnr_plane(luma_8bit(ref), luma_8bit(dist));
}

double ssim_y(const Image& ref, const Image& dist) {
  check_pair(ref.width, ref.height, dist.width, dist.height, "ssim");
  return ssim_plane(luma_8bit(ref), luma_8bit(dist));
}

}  // namespace gsn::data
