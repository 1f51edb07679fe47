// Image: an RGB picture as three float planes in [0, 1], laid out like one NCHW sample
// (plane c, row y, column x at rgb[(c*height + y)*width + x]), so a batch is a memcpy.
// Every reader in data/ produces this; gray images are replicated to three planes and
// alpha is dropped.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace gsn::data {

struct Image {
  int width = 0;
  int height = 0;
  std::vector<float> rgb;  // 3 * height * width

  Image() = default;
  Image(int w, int h) : width(w), height(h), rgb(static_cast<std::size_t>(3) * w * h, 0.f) {}

  std::size_t plane_size() const { return static_cast<std::size_t>(width) * height; }
  float* plane(int c) { return rgb.data() + c * plane_size(); }
  const float* plane(int c) const { return rgb.data() + c * plane_size(); }
  float& at(int c, int y, int x) { return rgb[(static_cast<std::size_t>(c) * height + y) * width + x]; }
  float at(int c, int y, int x) const { return rgb[(static_cast<std::size_t>(c) * height + y) * width + x]; }
  std::string size_str() const { return std::to_string(width) + "x" + std::to_string(height); }
};

}  // namespace gsn::data
