// Pieces the image decoders and encoders share; not part of the public API.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "data/image.h"

namespace gsn::data::detail {

// The whole file; throws naming the file when it cannot be opened or read, or is empty.
std::vector<uint8_t> read_file_bytes(const std::string& path);

// Decoders over a file's bytes; `path` only names the file in error messages.
Image decode_png(const std::vector<uint8_t>& bytes, const std::string& path);
Image decode_bmp(const std::vector<uint8_t>& bytes, const std::string& path);
Image decode_jpeg(const std::vector<uint8_t>& bytes, const std::string& path);

// A float in [0, 1] to an integer sample in [0, max_value], clamped and rounded.
inline uint16_t to_sample(float v, int max_value) {
  const float c = v < 0.f ? 0.f : (v > 1.f ? 1.f : v);
  return static_cast<uint16_t>(c * static_cast<float>(max_value) + 0.5f);
}

// Image sizes above this are refused: a corrupt header must not ask for gigabytes.
constexpr int64_t kMaxPixels = int64_t{1} << 28;

}  // namespace gsn::data::detail
