// Classical full-reference baselines, computed the way IQA papers compute them, so the
// numbers printed beside GSN match published PSNR/SSIM correlations.
//
// Both work on the luma of the 8-bit image: every RGB sample is rounded to 0..255, then
// Y = 0.299 R + 0.587 G + 0.114 B (BT.601) is rounded to an integer, which is what
// MATLAB's rgb2gray does to a uint8 image (the usual first line of the reference scripts).
//
// psnr_y: 10 log10(255^2 / MSE) in dB. Identical luma (MSE = 0) returns +infinity
//   (std::numeric_limits<double>::infinity()), not a cap: callers that average PSNR over
//   a set must decide what a perfect pair means to them.
// ssim_y: Wang, Bovik, Sheikh & Simoncelli 2004, exactly as their reference ssim.m (the
//   2009 revision): downsample by f = max(1, round(min(H, W) / 256)) with an f x f mean
//   filter (symmetric borders, MATLAB's even-size centring) keeping rows and columns
//   1, 1+f, ...; an 11x11 Gaussian window, sigma 1.5, normalised; K1 = 0.01, K2 = 0.03,
//   L = 255; 'valid' filtering (no padding); the mean of the SSIM map. Needs at least
//   11x11 pixels after downsampling.
#pragma once
#include <vector>

#include "data/image.h"

namespace gsn::data {

// A single-channel image in double precision (row-major).
struct LumaPlane {
  int width = 0, height = 0;
  std::vector<double> v;
  double at(int y, int x) const { return v[static_cast<std::size_t>(y) * width + x]; }
};

LumaPlane luma_8bit(const Image& image);  // the rounded rgb2gray luma, values 0..255
int ssim_downsample_factor(int width, int height);

double psnr_y(const Image& ref, const Image& dist);
double ssim_y(const Image& ref, const Image& dist);
// The same on luma planes already on the 0..255 scale (any values, no rounding).
double psnr_plane(const LumaPlane& ref, const LumaPlane& dist);
double ssim_plane(const LumaPlane& ref, const LumaPlane& dist);

}  // namespace gsn::data
