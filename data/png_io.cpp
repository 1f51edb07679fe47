// PNG through libpng.
//
// libpng reports errors by longjmp. A longjmp that skips a C++ destructor is undefined
// behaviour, so each function that calls setjmp (png_read_header_c, png_read_rows_c,
// png_write_c) holds only plain C values and pointers; the C++ objects (buffers, the
// libpng structs' guard, the FILE guard) live in their callers, which the longjmp never
// crosses. The error handler copies libpng's message into PngError, and the caller
// throws gsn::Error with it.
#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <memory>

#include "data/image_io.h"
#include "data/image_io_detail.h"
#include "kernels/core/error.h"

namespace gsn::data {
namespace {

struct PngError {
  char message[256] = "unknown libpng error";
};

[[noreturn]] void on_png_error(png_structp png, png_const_charp message) {
  auto* err = static_cast<PngError*>(png_get_error_ptr(png));
  std::snprintf(err->message, sizeof err->message, "%s", message);
  // Jump ourselves: if this handler returned, libpng would print the message to stderr.
  png_longjmp(png, 1);
}

void on_png_warning(png_structp, png_const_charp) {
  // Warnings (bad ancillary chunks, odd colour profiles) do not affect the pixels we read.
}

// Reads from memory; running out of bytes is a libpng error ("truncated").
struct MemoryReader {
  const uint8_t* data;
  std::size_t size;
  std::size_t pos;
};

void read_from_memory(png_structp png, png_bytep out, png_size_t count) {
  auto* r = static_cast<MemoryReader*>(png_get_io_ptr(png));
  if (count > r->size - r->pos) png_error(png, "file is truncated (unexpected end of data)");
  std::memcpy(out, r->data + r->pos, count);
  r->pos += count;
}

struct PngHeader {
  png_uint_32 width;
  png_uint_32 height;
  int bit_depth;  // after the transforms: 8 or 16
  int channels;   // after the transforms: 3
  png_size_t row_bytes;
};

// Reads the header and sets the transforms that turn any PNG into 8- or 16-bit RGB.
bool png_read_header_c(png_structp png, png_infop info, PngHeader* header) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_info(png, info);
  const png_uint_32 width = png_get_image_width(png, info);
  const png_uint_32 height = png_get_image_height(png, info);
  const int color = png_get_color_type(png, info);
  const int depth = png_get_bit_depth(png, info);
  if (static_cast<int64_t>(width) * height > detail::kMaxPixels) png_error(png, "image is too large");
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  // Unconditional: it also removes the alpha that palette expansion makes from tRNS.
  png_set_strip_alpha(png);
  if (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  header->width = width;
  header->height = height;
  header->bit_depth = png_get_bit_depth(png, info);
  header->channels = png_get_channels(png, info);
  header->row_bytes = png_get_rowbytes(png, info);
  return true;
}

bool png_read_rows_c(png_structp png, png_infop info, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_image(png, rows);
  // Reading to IEND checks the CRCs of everything after the pixels: a damaged tail is
  // an error too, not silently accepted.
  png_read_end(png, info);
  return true;
}

// v / (2^bits - 1) for every sample v: a table lookup is much faster than the division,
// and a division (not a multiplication by the reciprocal) gives the float nearest the
// true value, so v / 65535 comes out exactly as a test writes it.
template <int Bits>
const std::vector<float>& sample_values() {
  static const std::vector<float> table = [] {
    const int levels = 1 << Bits;
    std::vector<float> t(static_cast<std::size_t>(levels));
    for (int v = 0; v < levels; ++v) t[static_cast<std::size_t>(v)] = static_cast<float>(v) / static_cast<float>(levels - 1);
    return t;
  }();
  return table;
}

struct ReadStructs {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~ReadStructs() { png_destroy_read_struct(&png, info ? &info : nullptr, nullptr); }
};

}  // namespace

namespace detail {

Image decode_png(const std::vector<uint8_t>& bytes, const std::string& path) {
  PngError err;
  ReadStructs s;
  s.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &err, on_png_error, on_png_warning);
  GSN_CHECK(s.png, "PNG ", path, ": cannot create the libpng reader");
  s.info = png_create_info_struct(s.png);
  GSN_CHECK(s.info, "PNG ", path, ": cannot create the libpng info struct");
  MemoryReader reader{bytes.data(), bytes.size(), 0};
  png_set_read_fn(s.png, &reader, read_from_memory);

  PngHeader header{};
  if (!png_read_header_c(s.png, s.info, &header)) GSN_THROW("PNG ", path, " cannot be read: ", err.message);
  GSN_CHECK(header.channels == 3 && (header.bit_depth == 8 || header.bit_depth == 16), "PNG ", path,
            ": unexpected layout after conversion (", header.channels, " channels, ", header.bit_depth,
            " bits)");

  std::vector<png_byte> pixels(header.row_bytes * header.height);
  std::vector<png_bytep> rows(header.height);
  for (png_uint_32 y = 0; y < header.height; ++y) rows[y] = pixels.data() + y * header.row_bytes;
  if (!png_read_rows_c(s.png, s.info, rows.data())) GSN_THROW("PNG ", path, " cannot be read: ", err.message);

  Image image(static_cast<int>(header.width), static_cast<int>(header.height));
  const bool wide = header.bit_depth == 16;
  const std::vector<float>& to_float = wide ? sample_values<16>() : sample_values<8>();
  for (int y = 0; y < image.height; ++y) {
    const png_byte* row = rows[static_cast<std::size_t>(y)];
    for (int x = 0; x < image.width; ++x) {
      for (int c = 0; c < 3; ++c) {
        const std::size_t i = static_cast<std::size_t>(x) * 3 + c;
        // 16-bit samples are big-endian in the file and libpng leaves them so.
        const unsigned v = wide ? (unsigned{row[2 * i]} << 8 | row[2 * i + 1]) : row[i];
        image.at(c, y, x) = to_float[v];
      }
    }
  }
  return image;
}

}  // namespace detail

int channels_of(PngColor color) {
  switch (color) {
    case PngColor::Gray: return 1;
    case PngColor::GrayAlpha: return 2;
    case PngColor::RGB: return 3;
    case PngColor::RGBA: return 4;
    case PngColor::Palette: return 1;
  }
  GSN_THROW("channels_of: unknown PNG colour type");
}

namespace {

int libpng_color_type(PngColor color) {
  switch (color) {
    case PngColor::Gray: return PNG_COLOR_TYPE_GRAY;
    case PngColor::GrayAlpha: return PNG_COLOR_TYPE_GRAY_ALPHA;
    case PngColor::RGB: return PNG_COLOR_TYPE_RGB;
    case PngColor::RGBA: return PNG_COLOR_TYPE_RGB_ALPHA;
    case PngColor::Palette: return PNG_COLOR_TYPE_PALETTE;
  }
  return -1;
}

bool bit_depth_allowed(PngColor color, int depth) {
  switch (color) {
    case PngColor::Gray: return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
    case PngColor::Palette: return depth == 1 || depth == 2 || depth == 4 || depth == 8;
    default: return depth == 8 || depth == 16;
  }
}

struct WriteJob {
  png_uint_32 width;
  png_uint_32 height;
  int bit_depth;
  int color_type;
  int interlace;
  const png_color* palette;
  int palette_size;
  const png_byte* palette_alpha;  // tRNS, or null
  int palette_alpha_size;
  png_bytepp rows;  // one byte per sample below 8 bits (png_set_packing packs them)
};

bool png_write_c(png_structp png, png_infop info, FILE* file, const WriteJob* job) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_init_io(png, file);
  png_set_IHDR(png, info, job->width, job->height, job->bit_depth, job->color_type, job->interlace,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (job->palette) png_set_PLTE(png, info, job->palette, job->palette_size);
  if (job->palette_alpha) png_set_tRNS(png, info, job->palette_alpha, job->palette_alpha_size, nullptr);
  png_write_info(png, info);
  if (job->bit_depth < 8) png_set_packing(png);
  png_write_image(png, job->rows);
  png_write_end(png, nullptr);
  return true;
}

struct WriteStructs {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~WriteStructs() { png_destroy_write_struct(&png, info ? &info : nullptr); }
};

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};

}  // namespace

void write_png_pixels(const std::string& path, const PngPixels& px) {
  const int channels = channels_of(px.color);
  GSN_CHECK(px.width > 0 && px.height > 0, "write_png ", path, ": empty image ", px.width, "x", px.height);
  GSN_CHECK(bit_depth_allowed(px.color, px.bit_depth), "write_png ", path, ": bit depth ", px.bit_depth,
            " is not allowed for this colour type");
  const std::size_t n = static_cast<std::size_t>(px.width) * px.height * channels;
  GSN_CHECK(px.samples.size() == n, "write_png ", path, ": ", px.samples.size(), " samples, expected ", n);
  const bool is_palette = px.color == PngColor::Palette;
  GSN_CHECK(!is_palette || (!px.palette.empty() && px.palette.size() <= (std::size_t{1} << px.bit_depth)),
            "write_png ", path, ": a palette image needs 1..", 1 << px.bit_depth, " palette entries");
  GSN_CHECK(px.palette_alpha.size() <= px.palette.size(), "write_png ", path,
            ": more palette alpha values than palette entries");
  const unsigned max_value = (1u << px.bit_depth) - 1;
  for (uint16_t v : px.samples) {
    GSN_CHECK(v <= max_value && (!is_palette || v < px.palette.size()), "write_png ", path, ": sample ", v,
              " out of range for ", px.bit_depth, " bits", is_palette ? " or the palette" : "");
  }

  // Rows as libpng wants them: 16-bit big-endian, everything else one byte per sample.
  const std::size_t bytes_per_sample = px.bit_depth == 16 ? 2 : 1;
  const std::size_t row_bytes = static_cast<std::size_t>(px.width) * channels * bytes_per_sample;
  std::vector<png_byte> data(row_bytes * px.height);
  for (std::size_t i = 0; i < n; ++i) {
    if (bytes_per_sample == 2) {
      data[2 * i] = static_cast<png_byte>(px.samples[i] >> 8);
      data[2 * i + 1] = static_cast<png_byte>(px.samples[i] & 0xff);
    } else {
      data[i] = static_cast<png_byte>(px.samples[i]);
    }
  }
  std::vector<png_bytep> rows(px.height);
  for (int y = 0; y < px.height; ++y) rows[y] = data.data() + y * row_bytes;
  std::vector<png_color> palette;
  for (const auto& e : px.palette) palette.push_back(png_color{e[0], e[1], e[2]});

  std::unique_ptr<FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
  GSN_CHECK(file, "write_png: cannot create ", path, ": ", std::strerror(errno));
  PngError err;
  WriteStructs s;
  s.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &err, on_png_error, on_png_warning);
  GSN_CHECK(s.png, "write_png ", path, ": cannot create the libpng writer");
  s.info = png_create_info_struct(s.png);
  GSN_CHECK(s.info, "write_png ", path, ": cannot create the libpng info struct");
  const WriteJob job{static_cast<png_uint_32>(px.width),
                     static_cast<png_uint_32>(px.height),
                     px.bit_depth,
                     libpng_color_type(px.color),
                     px.interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                     is_palette ? palette.data() : nullptr,
                     static_cast<int>(palette.size()),
                     px.palette_alpha.empty() ? nullptr : px.palette_alpha.data(),
                     static_cast<int>(px.palette_alpha.size()),
                     rows.data()};
  if (!png_write_c(s.png, s.info, file.get(), &job)) GSN_THROW("write_png ", path, ": ", err.message);
  FILE* raw = file.release();
  GSN_CHECK(std::fclose(raw) == 0, "write_png ", path, ": cannot finish writing: ", std::strerror(errno));
}

void write_png(const std::string& path, const Image& image, int bit_depth) {
  GSN_CHECK(bit_depth == 8 || bit_depth == 16, "write_png ", path, ": bit depth must be 8 or 16, not ",
            bit_depth);
  PngPixels px;
  px.width = image.width;
  px.height = image.height;
  px.color = PngColor::RGB;
  px.bit_depth = bit_depth;
  px.samples.resize(image.plane_size() * 3);
  const int max_value = (1 << bit_depth) - 1;
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width; ++x)
      for (int c = 0; c < 3; ++c)
        px.samples[(static_cast<std::size_t>(y) * image.width + x) * 3 + c] =
            detail::to_sample(image.at(c, y, x), max_value);
  write_png_pixels(path, px);
}

}  // namespace gsn::data
