// Helpers the distortion files share (internal to data/): borders, separable filtering,
// resampling and the BT.601 colour transforms.
#pragma once
#include <algorithm>
#include <vector>

#include "data/image.h"

namespace gsn::data::detail {

inline float clamp01(float v) { return std::min(1.f, std::max(0.f, v)); }
inline void clamp01(Image& image) {
  for (float& v : image.rgb) v = clamp01(v);
}

// Half-sample symmetric border (MATLAB 'symmetric'): -1 -> 0, n -> n-1; any i, n >= 1.
inline int reflect(int i, int n) {
  const int period = 2 * n;
  i %= period;
  if (i < 0) i += period;
  return i < n ? i : period - 1 - i;
}

// BT.601 luma of linear-in-code-value RGB, the weights JPEG/JFIF and rgb2gray use.
inline float luma(float r, float g, float b) { return 0.299f * r + 0.587f * g + 0.114f * b; }

// JFIF full-range YCbCr on the [0, 1] scale (Cb, Cr centred on 0).
inline void rgb_to_ycbcr(float r, float g, float b, float& y, float& cb, float& cr) {
  y = luma(r, g, b);
  cb = -0.168736f * r - 0.331264f * g + 0.5f * b;
  cr = 0.5f * r - 0.418688f * g - 0.081312f * b;
}
inline void ycbcr_to_rgb(float y, float cb, float cr, float& r, float& g, float& b) {
  r = y + 1.402f * cr;
  g = y - 0.344136f * cb - 0.714136f * cr;
  b = y + 1.772f * cb;
}

// Normalised Gaussian taps, radius ceil(3 sigma), odd length.
std::vector<float> gaussian_kernel(double sigma);

// Correlates every plane with `taps` (odd length, centred) along x and then y, with
// symmetric borders. Separable, so a radius-r blur costs 2(2r+1) taps per sample.
Image separable_filter(const Image& image, const std::vector<float>& taps);

// One tap of a sparse 2-D kernel: out(y, x) += w * in(y + dy, x + dx).
struct Tap {
  int dy, dx;
  float w;
};
// Sparse 2-D correlation with symmetric borders (motion blur's line kernel).
Image sparse_filter(const Image& image, const std::vector<Tap>& taps);

// Mean over f x f blocks; the last block in a row or column averages only the pixels
// that exist. Result size ceil(w/f) x ceil(h/f).
Image box_downsample(const Image& image, int f);
// Bilinear upsampling by the scale factor f (source pixel centres at (i + 0.5) f - 0.5),
// edge samples held; output width x height.
Image bilinear_upsample(const Image& small, double f, int width, int height);

}  // namespace gsn::data::detail
