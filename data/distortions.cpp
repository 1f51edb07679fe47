// The level table and the dispatch. Levels were chosen so that each step is a visible
// change on a 128x128 image and level 5 is strong but still recognisably the same scene;
// the error against the reference grows with the level for every type (tested).
#include "data/distortions.h"

#include "kernels/core/error.h"

namespace gsn::data {

namespace {
using D = Distortion;
// Order matches the enum, so the table is indexed by it.
const DistortionSpec kSpecs[kNumDistortions] = {
    {D::GaussianBlur, "gaussian_blur", "sigma (px)", {0.6, 1.0, 1.6, 2.5, 4.0}, 1.0, false},
    {D::MotionBlur, "motion_blur", "length (px), random angle", {3, 5, 9, 13, 19}, 0.9, true},
    {D::WhiteNoise, "white_noise", "sigma (of 1)", {0.02, 0.04, 0.07, 0.11, 0.16}, 0.9, true},
    {D::ImpulseNoise, "impulse_noise", "fraction of pixels", {0.01, 0.03, 0.06, 0.10, 0.16}, 0.8, true},
    {D::ColorNoise, "color_noise", "Cb/Cr sigma (of 1)", {0.03, 0.06, 0.10, 0.15, 0.22}, 0.6, true},
    {D::Jpeg, "jpeg", "IJG quality", {70, 45, 25, 12, 5}, 0.9, false},
    {D::Contrast, "contrast", "contrast factor", {0.82, 0.66, 0.50, 0.36, 0.24}, 0.7, false},
    {D::Brightness, "brightness", "gamma (or 1/gamma), random sign", {0.85, 0.70, 0.56, 0.44, 0.33}, 0.5, true},
    {D::Saturation, "saturation", "chroma change a: 1-a or 1+2a, random sign", {0.2, 0.4, 0.6, 0.8, 1.0}, 0.5, true},
    {D::Resample, "resample", "down-up factor", {2, 3, 4, 6, 8}, 0.9, false},
    {D::Posterize, "posterize", "levels per channel", {24, 12, 7, 4, 2}, 0.8, false},
    {D::Pixelate, "pixelate", "block size (px)", {2, 3, 5, 7, 10}, 1.0, false},
    {D::Sharpen, "sharpen", "unsharp amount (sigma 1.5)", {0.6, 1.2, 2.0, 3.0, 4.5}, 0.6, false},
};
}  // namespace

const DistortionSpec& distortion_spec(Distortion type) {
  const int i = static_cast<int>(type);
  GSN_CHECK(i >= 0 && i < kNumDistortions, "distortion_spec: unknown distortion ", i);
  return kSpecs[i];
}

const std::vector<Distortion>& all_distortions() {
  static const std::vector<Distortion> all = [] {
    std::vector<Distortion> v;
    for (const DistortionSpec& s : kSpecs) v.push_back(s.type);
    return v;
  }();
  return all;
}

Distortion distortion_from_name(const std::string& name) {
  for (const DistortionSpec& s : kSpecs)
    if (name == s.name) return s.type;
  std::string known;
  for (const DistortionSpec& s : kSpecs) known += std::string(known.empty() ? "" : ", ") + s.name;
  GSN_THROW("unknown distortion '", name, "' (known: ", known, ")");
}

double level_parameter(Distortion type, int level) {
  const DistortionSpec& s = distortion_spec(type);
  GSN_CHECK(level >= 1 && level <= kNumLevels, s.name, ": level must be 1..", kNumLevels, ", got ", level);
  return s.levels[level - 1];
}

Image distort(const Image& image, Distortion type, int level, Generator& gen) {
  GSN_CHECK(image.width > 0 && image.height > 0 && image.rgb.size() == 3 * image.plane_size(),
            "distort: empty or malformed image ", image.size_str());
  switch (type) {
    case D::GaussianBlur: return gaussian_blur(image, level, gen);
    case D::MotionBlur: return motion_blur(image, level, gen);
    case D::WhiteNoise: return white_noise(image, level, gen);
    case D::ImpulseNoise: return impulse_noise(image, level, gen);
    case D::ColorNoise: return color_noise(image, level, gen);
    case D::Jpeg: return jpeg(image, level, gen);
    case D::Contrast: return contrast(image, level, gen);
    case D::Brightness: return brightness(image, level, gen);
    case D::Saturation: return saturation(image, level, gen);
    case D::Resample: return resample(image, level, gen);
    case D::Posterize: return posterize(image, level, gen);
    case D::Pixelate: return pixelate(image, level, gen);
    case D::Sharpen: return sharpen(image, level, gen);
  }
  GSN_THROW("distort: unknown distortion ", static_cast<int>(type));
}

}  // namespace gsn::data
