#include "data/crop.h"

#include <algorithm>
#include <cstring>

#include "kernels/core/error.h"

namespace gsn::data {

void copy_crop(const Image& image, const CropWindow& w, float* out) {
  GSN_CHECK(w.size > 0 && w.x >= 0 && w.y >= 0 && w.x + w.size <= image.width && w.y + w.size <= image.height,
            "crop ", w.size, "x", w.size, " at (", w.x, ",", w.y, ") does not fit a ", image.size_str(), " image");
  for (int c = 0; c < 3; ++c) {
    for (int r = 0; r < w.size; ++r) {
      const float* src = &image.rgb[(static_cast<std::size_t>(c) * image.height + w.y + r) * image.width + w.x];
      float* dst = out + (static_cast<std::size_t>(c) * w.size + r) * w.size;
      if (w.flip) {
        std::reverse_copy(src, src + w.size, dst);
      } else {
        std::memcpy(dst, src, sizeof(float) * static_cast<std::size_t>(w.size));
      }
    }
  }
}

std::vector<CropWindow> five_crops(int width, int height, int size) {
  GSN_CHECK(size > 0 && size <= width && size <= height, "five_crops: ", size, "x", size,
            " crops do not fit a ", width, "x", height, " image");
  const int right = width - size, bottom = height - size;
  return {{right / 2, bottom / 2, size, false},
          {0, 0, size, false},
          {right, 0, size, false},
          {0, bottom, size, false},
          {right, bottom, size, false}};
}

}  // namespace gsn::data
