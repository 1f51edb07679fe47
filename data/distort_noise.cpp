// Additive and impulsive noise. Draws go in a fixed order (plane by plane, row-major), so
// a generator state gives one image on every machine.
#include "data/distort_detail.h"
#include "data/distortions.h"

namespace gsn::data {

using detail::clamp01;

Image white_noise(const Image& image, int level, Generator& gen) {
  // Independent N(0, sigma^2) on every sample of every channel.
  const double sigma = level_parameter(Distortion::WhiteNoise, level);
  Image out = image;
  for (float& v : out.rgb) v = clamp01(v + static_cast<float>(sigma * gen.normal()));
  return out;
}

Image impulse_noise(const Image& image, int level, Generator& gen) {
  // Salt and pepper: a fraction p of pixels becomes black or white (all three channels,
  // half each), like dead or stuck sensor pixels and bit errors.
  const double p = level_parameter(Distortion::ImpulseNoise, level);
  Image out = image;
  const std::size_t n = image.plane_size();
  for (std::size_t i = 0; i < n; ++i) {
    const double u = gen.uniform();
    if (u >= p) continue;
    const float v = u < 0.5 * p ? 0.f : 1.f;
    for (int c = 0; c < 3; ++c) out.plane(c)[i] = v;
  }
  return out;
}

Image color_noise(const Image& image, int level, Generator& gen) {
  // Noise in the chroma channels only (JFIF YCbCr), luma untouched: the colour speckle of
  // high-ISO sensors that luma-only metrics miss.
  const double sigma = level_parameter(Distortion::ColorNoise, level);
  Image out(image.width, image.height);
  const std::size_t n = image.plane_size();
  const float *r = image.plane(0), *g = image.plane(1), *b = image.plane(2);
  float *ro = out.plane(0), *go = out.plane(1), *bo = out.plane(2);
  for (std::size_t i = 0; i < n; ++i) {
    float y, cb, cr;
    detail::rgb_to_ycbcr(r[i], g[i], b[i], y, cb, cr);
    cb += static_cast<float>(sigma * gen.normal());
    cr += static_cast<float>(sigma * gen.normal());
    detail::ycbcr_to_rgb(y, cb, cr, ro[i], go[i], bo[i]);
  }
  detail::clamp01(out);
  return out;
}

}  // namespace gsn::data
