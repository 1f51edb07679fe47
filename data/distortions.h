// The distortion library behind the synthetic data set: 13 types at 5 levels each
// (1 mildest .. 5 strongest). Every level function takes (image, level, generator) and
// returns a new image clamped to [0, 1]; the input is never changed. Types that need no
// randomness ignore the generator; the random ones draw everything from it, so the same
// generator state gives the same output to the bit.
//
// The parameter of each level lives in one table (distortion_spec); docs/synthetic.md
// prints it. The parametric functions below the level functions are the building blocks,
// public so tests and tools can call them with any parameter.
#pragma once
#include <array>
#include <string>
#include <vector>

#include "data/image.h"
#include "kernels/core/random.h"

namespace gsn::data {

enum class Distortion {
  GaussianBlur,
  MotionBlur,
  WhiteNoise,
  ImpulseNoise,
  ColorNoise,
  Jpeg,
  Contrast,
  Brightness,
  Saturation,
  Resample,
  Posterize,
  Pixelate,
  Sharpen,
};
constexpr int kNumDistortions = 13;
constexpr int kNumLevels = 5;

struct DistortionSpec {
  Distortion type;
  const char* name;        // "gaussian_blur", ... (what PairInfo::distortion holds)
  const char* parameter;   // what `levels` means, e.g. "sigma (px)"
  std::array<double, kNumLevels> levels;  // the parameter at levels 1..5
  double severity;         // label weight in (0, 1]: see synthetic_dataset.h
  bool random;             // draws from the generator
};

const DistortionSpec& distortion_spec(Distortion type);
const std::vector<Distortion>& all_distortions();  // in enum order
Distortion distortion_from_name(const std::string& name);  // throws on an unknown name
// The table's parameter for a level; throws unless 1 <= level <= 5.
double level_parameter(Distortion type, int level);

// Applies `type` at `level` (1..5).
Image distort(const Image& image, Distortion type, int level, Generator& gen);

// The level functions, one per type.
Image gaussian_blur(const Image& image, int level, Generator& gen);
Image motion_blur(const Image& image, int level, Generator& gen);      // random angle
Image white_noise(const Image& image, int level, Generator& gen);      // per sample
Image impulse_noise(const Image& image, int level, Generator& gen);    // salt and pepper
Image color_noise(const Image& image, int level, Generator& gen);      // Cb, Cr only
Image jpeg(const Image& image, int level, Generator& gen);
Image contrast(const Image& image, int level, Generator& gen);         // towards mean luma
Image brightness(const Image& image, int level, Generator& gen);       // gamma, random sign
Image saturation(const Image& image, int level, Generator& gen);       // random sign
Image resample(const Image& image, int level, Generator& gen);         // box down, bilinear up
Image posterize(const Image& image, int level, Generator& gen);
Image pixelate(const Image& image, int level, Generator& gen);
Image sharpen(const Image& image, int level, Generator& gen);          // unsharp mask

// Parametric building blocks.
Image gaussian_blur_sigma(const Image& image, double sigma);  // separable, symmetric borders
// Baseline-JPEG-style round trip at IJG quality 1..100: 8-bit RGB -> YCbCr (BT.601, JFIF
// full range) -> 4:2:0 -> 8x8 DCT -> quantise with the Annex K tables scaled by the IJG
// formula -> dequantise -> inverse DCT -> triangle chroma upsampling -> 8-bit RGB.
Image jpeg_compress(const Image& image, int quality);
// Annex K table (luma: K.1, chroma: K.2) scaled for `quality`, in natural (row-major) order.
std::array<int, 64> jpeg_quant_table(bool chroma, int quality);

}  // namespace gsn::data
