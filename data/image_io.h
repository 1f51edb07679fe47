// Reading and writing images: PNG (libpng), BMP (own code) and JPEG (libjpeg).
//
// read_image() looks at the file's first bytes, not its extension, and dispatches; every
// decoder returns an Image (three float planes in [0, 1]): gray is replicated to RGB,
// alpha and PNG transparency are dropped, 16-bit samples become v / 65535 exactly.
//
// Any file that is missing, empty, truncated, corrupt or not an image throws gsn::Error
// whose message names the file and what is wrong. A decoder never returns a partial or
// black image for a damaged file: libpng errors, libjpeg warnings (which libjpeg would
// otherwise paper over with grey) and short BMP pixel arrays are all errors.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "data/image.h"

namespace gsn::data {

Image read_image(const std::string& path);  // PNG, BMP or JPEG, by signature

// The decoders behind read_image(), for callers that know the format.
Image read_png(const std::string& path);
Image read_bmp(const std::string& path);   // uncompressed 8-bit palette, 24- and 32-bit
Image read_jpeg(const std::string& path);  // baseline and progressive, gray or colour

// Throws, naming both files and both sizes, when a pair's images differ in size.
void check_same_size(const Image& ref, const std::string& ref_path, const Image& dist,
                     const std::string& dist_path);

// Writes an RGB PNG with 8 or 16 bits per sample; values are clamped to [0, 1] and rounded.
void write_png(const std::string& path, const Image& image, int bit_depth = 8);

// The low-level PNG writer: any colour type and bit depth the PNG format allows, with
// samples given exactly as they go into the file. The tests make their fixtures with it.
enum class PngColor { Gray, GrayAlpha, RGB, RGBA, Palette };
struct PngPixels {
  int width = 0;
  int height = 0;
  PngColor color = PngColor::RGB;
  int bit_depth = 8;  // Gray: 1,2,4,8,16; Palette: 1,2,4,8; the others: 8,16
  // Row-major, channels interleaved (Gray 1, GrayAlpha 2, RGB 3, RGBA 4, Palette 1 index).
  std::vector<uint16_t> samples;
  std::vector<std::array<uint8_t, 3>> palette;  // Palette only
  std::vector<uint8_t> palette_alpha;           // Palette only, optional: a tRNS chunk
  bool interlaced = false;                      // Adam7
};
int channels_of(PngColor color);
void write_png_pixels(const std::string& path, const PngPixels& pixels);

// BMP writer (uncompressed 24- or 32-bit, bottom-up or top-down) for tests and tools.
void write_bmp(const std::string& path, const Image& image, int bits_per_pixel = 24,
               bool top_down = false);

// Baseline JPEG writer (4:2:0, quality 1..100) for tests and tools.
void write_jpeg(const std::string& path, const Image& image, int quality = 90);

}  // namespace gsn::data
