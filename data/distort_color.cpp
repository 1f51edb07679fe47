// Point operations on tone and colour: contrast, brightness, saturation, posterisation.
#include <cmath>

#include "data/distort_detail.h"
#include "data/distortions.h"

namespace gsn::data {

using detail::clamp01;

Image contrast(const Image& image, int level, Generator&) {
  // Pull every sample towards the image's mean luma by factor c < 1: a convex blend,
  // so no clipping, and the error is (1 - c)^2 times the image's variance about it.
  const float c = static_cast<float>(level_parameter(Distortion::Contrast, level));
  const std::size_t n = image.plane_size();
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += detail::luma(image.plane(0)[i], image.plane(1)[i], image.plane(2)[i]);
  const float mean = static_cast<float>(sum / static_cast<double>(n));
  Image out = image;
  for (float& v : out.rgb) v = clamp01(mean + c * (v - mean));
  return out;
}

Image brightness(const Image& image, int level, Generator& gen) {
  // A gamma curve, x^g (brighter) or x^(1/g) (darker), sign drawn from the generator:
  // it fixes 0 and 1, so it shifts mid-tones without clipping, like exposure changes.
  const float g = static_cast<float>(level_parameter(Distortion::Brightness, level));
  const float e = gen.uniform() < 0.5 ? g : 1.f / g;
  Image out = image;
  for (float& v : out.rgb) v = clamp01(std::pow(clamp01(v), e));
  return out;
}

Image saturation(const Image& image, int level, Generator& gen) {
  // Scale each pixel's distance from its own luma: by 1 - a (washed out, a = 1 is grey)
  // or by 1 + 2a (over-saturated, clipping); the sign is drawn from the generator.
  const float a = static_cast<float>(level_parameter(Distortion::Saturation, level));
  const float s = gen.uniform() < 0.5 ? 1.f - a : 1.f + 2.f * a;
  Image out(image.width, image.height);
  const std::size_t n = image.plane_size();
  for (std::size_t i = 0; i < n; ++i) {
    const float y = detail::luma(image.plane(0)[i], image.plane(1)[i], image.plane(2)[i]);
    for (int c = 0; c < 3; ++c) out.plane(c)[i] = clamp01(y + s * (image.plane(c)[i] - y));
  }
  return out;
}

Image posterize(const Image& image, int level, Generator&) {
  // Uniform quantisation to n levels per channel, no dither: banding in smooth regions.
  const float steps = static_cast<float>(level_parameter(Distortion::Posterize, level) - 1);
  Image out = image;
  for (float& v : out.rgb) v = std::nearbyint(clamp01(v) * steps) / steps;
  return out;
}

}  // namespace gsn::data
