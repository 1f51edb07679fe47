// Linear filters: Gaussian blur, motion blur and unsharp-mask sharpening.
#include <cmath>
#include <map>
#include <utility>

#include "data/distort_detail.h"
#include "data/distortions.h"

namespace gsn::data {

using detail::clamp01;

Image gaussian_blur_sigma(const Image& image, double sigma) {
  Image out = detail::separable_filter(image, detail::gaussian_kernel(sigma));
  clamp01(out);  // float round-off can step a hair outside [0, 1]
  return out;
}

Image gaussian_blur(const Image& image, int level, Generator&) {
  return gaussian_blur_sigma(image, level_parameter(Distortion::GaussianBlur, level));
}

namespace {
// A line of `length` pixels through the origin at `angle`, anti-aliased: points every
// quarter pixel along it are splatted bilinearly onto the integer grid and normalised.
std::vector<detail::Tap> line_kernel(double length, double angle) {
  const double half = 0.5 * (length - 1.0), c = std::cos(angle), s = std::sin(angle);
  const int points = static_cast<int>(4 * length) + 1;
  std::map<std::pair<int, int>, double> weight;  // ordered: the tap order is fixed
  for (int i = 0; i < points; ++i) {
    const double t = -half + 2.0 * half * i / (points - 1);
    const double px = t * c, py = t * s;
    const int x0 = static_cast<int>(std::floor(px)), y0 = static_cast<int>(std::floor(py));
    const double fx = px - x0, fy = py - y0;
    weight[{y0, x0}] += (1 - fy) * (1 - fx);
    weight[{y0, x0 + 1}] += (1 - fy) * fx;
    weight[{y0 + 1, x0}] += fy * (1 - fx);
    weight[{y0 + 1, x0 + 1}] += fy * fx;
  }
  double sum = 0;
  for (const auto& kv : weight) sum += kv.second;
  std::vector<detail::Tap> taps;
  for (const auto& kv : weight)
    if (kv.second > 1e-9) taps.push_back({kv.first.first, kv.first.second, static_cast<float>(kv.second / sum)});
  return taps;
}
}  // namespace

Image motion_blur(const Image& image, int level, Generator& gen) {
  const double length = level_parameter(Distortion::MotionBlur, level);
  const double angle = gen.uniform() * 3.14159265358979323846;  // a line, so [0, pi) covers all
  Image out = detail::sparse_filter(image, line_kernel(length, angle));
  clamp01(out);
  return out;
}

Image sharpen(const Image& image, int level, Generator&) {
  // Unsharp mask: x + a (x - blur(x)). Large a overshoots at edges (halos, ringing) and
  // clips in flat bright or dark regions, the artefacts over-sharpened photos show.
  const float a = static_cast<float>(level_parameter(Distortion::Sharpen, level));
  Image blurred = detail::separable_filter(image, detail::gaussian_kernel(1.5));
  Image out(image.width, image.height);
  for (std::size_t i = 0; i < out.rgb.size(); ++i)
    out.rgb[i] = clamp01(image.rgb[i] + a * (image.rgb[i] - blurred.rgb[i]));
  return out;
}

}  // namespace gsn::data
