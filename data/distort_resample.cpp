// Loss of resolution: down-up resampling (soft) and pixelation (blocky).
#include "data/distort_detail.h"
#include "data/distortions.h"

namespace gsn::data {

Image resample(const Image& image, int level, Generator&) {
  // Area-average down by f, bilinear back up: the blur and staircase softness of an image
  // stored small and enlarged.
  const int f = static_cast<int>(level_parameter(Distortion::Resample, level));
  Image out = detail::bilinear_upsample(detail::box_downsample(image, f), f, image.width, image.height);
  detail::clamp01(out);
  return out;
}

Image pixelate(const Image& image, int level, Generator&) {
  // Every b x b block takes its mean colour (nearest-neighbour enlargement of a box
  // downsample), with the blocks anchored at the top-left corner.
  const int b = static_cast<int>(level_parameter(Distortion::Pixelate, level));
  const Image small = detail::box_downsample(image, b);
  Image out(image.width, image.height);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < image.height; ++y)
      for (int x = 0; x < image.width; ++x) out.at(c, y, x) = small.at(c, y / b, x / b);
  detail::clamp01(out);
  return out;
}

}  // namespace gsn::data
