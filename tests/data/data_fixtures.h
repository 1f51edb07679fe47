// Helpers the data tests share: small deterministic images, raw file bytes, and the
// message of an expected gsn::Error.
#pragma once
#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "data/image.h"
#include "data/image_io.h"
#include "kernels/core/error.h"

namespace gsn::test {

// An image whose samples are multiples of 1/255 (so 8-bit files hold it exactly) and
// differ from pixel to pixel and between seeds.
inline data::Image pattern_image(int width, int height, uint32_t seed = 0) {
  data::Image im(width, height);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x)
        im.at(c, y, x) = static_cast<float>((x * 7 + y * 13 + c * 71 + seed * 37) % 256) / 255.f;
  return im;
}

inline std::vector<uint8_t> file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// The message of the gsn::Error that f() throws; a failed check (and "") when it throws
// nothing. Any other exception type escapes and fails the test.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const gsn::Error& e) {
    return e.what();
  }
  FAIL_CHECK("expected a gsn::Error, nothing was thrown");
  return "";
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace gsn::test
