// BMP, read and written by hand: the format is a header and an uncompressed pixel array.
// Read: BITMAPINFOHEADER and its V4/V5 extensions; 8-bit palette, 24-bit BGR, 32-bit BGRX
// (BI_RGB, or BI_BITFIELDS with any channel masks); rows bottom-up (positive height) or
// top-down (negative height), each padded to 4 bytes. RLE and 1/4/16-bit files are refused
// with a message that says so.
#include <cerrno>
#include <cstring>
#include <fstream>

#include "data/image_io.h"
#include "data/image_io_detail.h"
#include "kernels/core/error.h"

namespace gsn::data {
namespace {

constexpr uint32_t kBiRgb = 0;
constexpr uint32_t kBiBitfields = 3;
constexpr std::size_t kFileHeaderBytes = 14;

uint32_t u32_at(const std::vector<uint8_t>& b, std::size_t at) {
  return uint32_t{b[at]} | uint32_t{b[at + 1]} << 8 | uint32_t{b[at + 2]} << 16 | uint32_t{b[at + 3]} << 24;
}
uint16_t u16_at(const std::vector<uint8_t>& b, std::size_t at) {
  return static_cast<uint16_t>(b[at] | b[at + 1] << 8);
}

// One colour channel of a BI_BITFIELDS pixel: where its bits are and how many.
struct ChannelMask {
  uint32_t mask = 0;
  int shift = 0;
  float max_value = 1.f;  // 2^bits - 1
  explicit ChannelMask(uint32_t m) : mask(m) {
    if (m == 0) return;
    while (!((m >> shift) & 1u)) ++shift;
    max_value = static_cast<float>(m >> shift);
  }
  float operator()(uint32_t pixel) const { return mask ? static_cast<float>((pixel & mask) >> shift) / max_value : 0.f; }
};

}  // namespace

namespace detail {

Image decode_bmp(const std::vector<uint8_t>& b, const std::string& path) {
  GSN_CHECK(b.size() >= kFileHeaderBytes + 4, "BMP ", path, " is truncated: only ", b.size(), " bytes");
  const uint32_t pixel_offset = u32_at(b, 10);
  const uint32_t dib_size = u32_at(b, kFileHeaderBytes);
  GSN_CHECK(dib_size == 40 || dib_size == 52 || dib_size == 56 || dib_size == 108 || dib_size == 124, "BMP ",
            path, ": unsupported header of ", dib_size, " bytes (only BITMAPINFOHEADER and its V4/V5 forms)");
  GSN_CHECK(b.size() >= kFileHeaderBytes + dib_size, "BMP ", path, " is truncated inside its header");
  const int32_t width = static_cast<int32_t>(u32_at(b, 18));
  const int32_t signed_height = static_cast<int32_t>(u32_at(b, 22));
  const uint16_t planes = u16_at(b, 26);
  const uint16_t bits = u16_at(b, 28);
  const uint32_t compression = u32_at(b, 30);
  const uint32_t colors_used = u32_at(b, 46);

  GSN_CHECK(planes == 1, "BMP ", path, ": corrupt header (", planes, " planes)");
  GSN_CHECK(width > 0 && signed_height != 0 && signed_height != INT32_MIN, "BMP ", path,
            ": corrupt header (size ", width, "x", signed_height, ")");
  const bool top_down = signed_height < 0;
  const int64_t height = top_down ? -int64_t{signed_height} : signed_height;
  GSN_CHECK(int64_t{width} * height <= kMaxPixels, "BMP ", path, ": image is too large (", width, "x", height, ")");
  GSN_CHECK(bits == 8 || bits == 24 || bits == 32, "BMP ", path, ": ", bits,
            "-bit pixels are not supported (only 8-bit palette, 24- and 32-bit)");
  GSN_CHECK(compression == kBiRgb || (compression == kBiBitfields && bits == 32), "BMP ", path,
            ": compression ", compression, " is not supported (only uncompressed BMP)");

  // 32-bit pixels: BGRX unless BI_BITFIELDS gives the masks (after a 40-byte header, or
  // inside the V4/V5 header: either way at offset 54).
  uint32_t masks[3] = {0x00ff0000u, 0x0000ff00u, 0x000000ffu};
  if (compression == kBiBitfields) {
    GSN_CHECK(b.size() >= kFileHeaderBytes + 40 + 12, "BMP ", path, " is truncated inside its colour masks");
    for (int c = 0; c < 3; ++c) masks[c] = u32_at(b, kFileHeaderBytes + 40 + 4 * c);
  }
  const ChannelMask channel[3] = {ChannelMask(masks[0]), ChannelMask(masks[1]), ChannelMask(masks[2])};

  // 8-bit pixels index a palette of BGRA entries that follows the header.
  std::vector<std::array<float, 3>> palette;
  if (bits == 8) {
    const uint32_t entries = colors_used == 0 ? 256 : colors_used;
    GSN_CHECK(entries <= 256, "BMP ", path, ": corrupt header (", entries, " palette entries)");
    const std::size_t at = kFileHeaderBytes + dib_size;
    GSN_CHECK(at + 4 * std::size_t{entries} <= b.size(), "BMP ", path, " is truncated inside its palette");
    for (uint32_t i = 0; i < entries; ++i) {
      const uint8_t* e = &b[at + 4 * i];
      palette.push_back({e[2] / 255.f, e[1] / 255.f, e[0] / 255.f});
    }
  }

  const std::size_t row_bytes = (static_cast<std::size_t>(width) * bits / 8 + 3) & ~std::size_t{3};
  const std::size_t needed = row_bytes * static_cast<std::size_t>(height);
  GSN_CHECK(pixel_offset >= kFileHeaderBytes + dib_size && pixel_offset <= b.size(), "BMP ", path,
            ": corrupt header (pixel data offset ", pixel_offset, " in a file of ", b.size(), " bytes)");
  GSN_CHECK(b.size() - pixel_offset >= needed, "BMP ", path, " is truncated: its pixels need ", needed,
            " bytes, the file has ", b.size() - pixel_offset, " after the header");

  Image image(width, static_cast<int>(height));
  for (int y = 0; y < image.height; ++y) {
    const int file_row = top_down ? y : image.height - 1 - y;
    const uint8_t* row = &b[pixel_offset + static_cast<std::size_t>(file_row) * row_bytes];
    for (int x = 0; x < width; ++x) {
      if (bits == 8) {
        GSN_CHECK(row[x] < palette.size(), "BMP ", path, ": pixel (", x, ",", y, ") uses palette entry ",
                  int{row[x]}, " of ", palette.size());
        for (int c = 0; c < 3; ++c) image.at(c, y, x) = palette[row[x]][c];
      } else if (bits == 24) {
        const uint8_t* p = row + 3 * x;
        for (int c = 0; c < 3; ++c) image.at(c, y, x) = p[2 - c] / 255.f;
      } else {
        const uint8_t* p = row + 4 * x;
        const uint32_t pixel = uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
        for (int c = 0; c < 3; ++c) image.at(c, y, x) = channel[c](pixel);
      }
    }
  }
  return image;
}

}  // namespace detail

namespace {
void put_u16(std::vector<uint8_t>& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v));
  b.push_back(static_cast<uint8_t>(v >> 8));
}
void put_u32(std::vector<uint8_t>& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
}  // namespace

void write_bmp(const std::string& path, const Image& image, int bits_per_pixel, bool top_down) {
  GSN_CHECK(bits_per_pixel == 24 || bits_per_pixel == 32, "write_bmp ", path, ": ", bits_per_pixel,
            "-bit output is not supported (24 or 32)");
  GSN_CHECK(image.width > 0 && image.height > 0, "write_bmp ", path, ": empty image");
  const std::size_t bytes_per_pixel = static_cast<std::size_t>(bits_per_pixel) / 8;
  const std::size_t row_bytes = (image.width * bytes_per_pixel + 3) & ~std::size_t{3};
  const uint32_t header_bytes = kFileHeaderBytes + 40;
  const std::size_t file_bytes = header_bytes + row_bytes * image.height;

  std::vector<uint8_t> b;
  b.reserve(file_bytes);
  b.push_back('B');
  b.push_back('M');
  put_u32(b, static_cast<uint32_t>(file_bytes));
  put_u32(b, 0);  // reserved
  put_u32(b, header_bytes);
  put_u32(b, 40);
  put_u32(b, static_cast<uint32_t>(image.width));
  put_u32(b, static_cast<uint32_t>(top_down ? -image.height : image.height));
  put_u16(b, 1);
  put_u16(b, static_cast<uint16_t>(bits_per_pixel));
  put_u32(b, kBiRgb);
  put_u32(b, static_cast<uint32_t>(row_bytes * image.height));
  put_u32(b, 2835);  // 72 dpi
  put_u32(b, 2835);
  put_u32(b, 0);
  put_u32(b, 0);
  for (int r = 0; r < image.height; ++r) {
    const int y = top_down ? r : image.height - 1 - r;
    const std::size_t row_start = b.size();
    for (int x = 0; x < image.width; ++x) {
      for (int c = 2; c >= 0; --c) b.push_back(static_cast<uint8_t>(detail::to_sample(image.at(c, y, x), 255)));
      if (bits_per_pixel == 32) b.push_back(0);
    }
    b.resize(row_start + row_bytes, 0);
  }

  std::ofstream out(path, std::ios::binary);
  GSN_CHECK(out, "write_bmp: cannot create ", path, ": ", std::strerror(errno));
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  GSN_CHECK(out.good(), "write_bmp: cannot write ", path);
}

}  // namespace gsn::data
