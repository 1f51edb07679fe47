// JPEG through libjpeg.
//
// libjpeg's default error handler calls exit(); ours longjmps back to the function that
// called setjmp, which (as in png_io.cpp) holds only C values: the buffers and the
// guards that destroy libjpeg's structs live in its caller. Warnings longjmp too: for a
// truncated file libjpeg would warn "Premature end of JPEG file" and fill the rest of the
// image with grey, which is exactly the silent bad image we refuse.
#include <cstdio>
// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>

#include <cerrno>
#include <csetjmp>
#include <cstring>
#include <memory>

#include "data/image_io.h"
#include "data/image_io_detail.h"
#include "kernels/core/error.h"

namespace gsn::data {
namespace {

struct JpegErrorManager {
  jpeg_error_mgr pub;  // first, so libjpeg's pointer to it is a pointer to this
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void on_jpeg_error(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

void on_jpeg_message(j_common_ptr cinfo, int level) {
  if (level < 0) on_jpeg_error(cinfo);  // a warning: corrupt or truncated data
  // level >= 0: trace messages, ignored.
}

void install_error_manager(JpegErrorManager& err) {
  jpeg_std_error(&err.pub);
  err.pub.error_exit = on_jpeg_error;
  err.pub.emit_message = on_jpeg_message;
  std::snprintf(err.message, sizeof err.message, "unknown libjpeg error");
}

struct JpegHeader {
  JDIMENSION width;
  JDIMENSION height;
  int components;
};

bool jpeg_start_c(jpeg_decompress_struct* cinfo, JpegErrorManager* err, const unsigned char* data,
                  unsigned long size, JpegHeader* header) {
  if (setjmp(err->jump)) return false;
  jpeg_create_decompress(cinfo);
  jpeg_mem_src(cinfo, data, size);
  jpeg_read_header(cinfo, TRUE);
  if (static_cast<int64_t>(cinfo->image_width) * cinfo->image_height > detail::kMaxPixels) {
    std::snprintf(err->message, sizeof err->message, "image is too large");
    return false;
  }
  cinfo->out_color_space = JCS_RGB;  // gray and YCbCr both convert; CMYK is an error
  jpeg_start_decompress(cinfo);
  header->width = cinfo->output_width;
  header->height = cinfo->output_height;
  header->components = cinfo->output_components;
  return true;
}

bool jpeg_read_rows_c(jpeg_decompress_struct* cinfo, JpegErrorManager* err, unsigned char* pixels,
                      std::size_t row_bytes) {
  if (setjmp(err->jump)) return false;
  while (cinfo->output_scanline < cinfo->output_height) {
    JSAMPROW row = pixels + cinfo->output_scanline * row_bytes;
    jpeg_read_scanlines(cinfo, &row, 1);
  }
  jpeg_finish_decompress(cinfo);
  return true;
}

// Destroys the decompressor whether or not decoding finished. jpeg_create_decompress
// runs inside jpeg_start_c; before it, the struct is zeroed and destroying it is a no-op.
struct Decompressor {
  jpeg_decompress_struct cinfo{};
  ~Decompressor() { jpeg_destroy_decompress(&cinfo); }
};

}  // namespace

namespace detail {

Image decode_jpeg(const std::vector<uint8_t>& bytes, const std::string& path) {
  JpegErrorManager err;
  install_error_manager(err);
  Decompressor d;
  d.cinfo.err = &err.pub;
  JpegHeader header{};
  if (!jpeg_start_c(&d.cinfo, &err, bytes.data(), static_cast<unsigned long>(bytes.size()), &header))
    GSN_THROW("JPEG ", path, " cannot be read: ", err.message);
  GSN_CHECK(header.components == 3, "JPEG ", path, ": decoded to ", header.components, " channels, expected 3");

  const std::size_t row_bytes = static_cast<std::size_t>(header.width) * 3;
  std::vector<unsigned char> pixels(row_bytes * header.height);
  if (!jpeg_read_rows_c(&d.cinfo, &err, pixels.data(), row_bytes))
    GSN_THROW("JPEG ", path, " cannot be read: ", err.message);

  Image image(static_cast<int>(header.width), static_cast<int>(header.height));
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width; ++x)
      for (int c = 0; c < 3; ++c) image.at(c, y, x) = pixels[y * row_bytes + 3 * x + c] / 255.f;
  return image;
}

}  // namespace detail

namespace {

bool jpeg_write_c(jpeg_compress_struct* cinfo, JpegErrorManager* err, FILE* file, int width, int height,
                  int quality, unsigned char* pixels) {
  if (setjmp(err->jump)) return false;
  jpeg_create_compress(cinfo);
  jpeg_stdio_dest(cinfo, file);
  cinfo->image_width = static_cast<JDIMENSION>(width);
  cinfo->image_height = static_cast<JDIMENSION>(height);
  cinfo->input_components = 3;
  cinfo->in_color_space = JCS_RGB;
  jpeg_set_defaults(cinfo);
  jpeg_set_quality(cinfo, quality, TRUE);
  jpeg_start_compress(cinfo, TRUE);
  while (cinfo->next_scanline < cinfo->image_height) {
    JSAMPROW row = pixels + static_cast<std::size_t>(cinfo->next_scanline) * width * 3;
    jpeg_write_scanlines(cinfo, &row, 1);
  }
  jpeg_finish_compress(cinfo);
  return true;
}

struct Compressor {
  jpeg_compress_struct cinfo{};
  ~Compressor() { jpeg_destroy_compress(&cinfo); }
};

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};

}  // namespace

void write_jpeg(const std::string& path, const Image& image, int quality) {
  GSN_CHECK(quality >= 1 && quality <= 100, "write_jpeg ", path, ": quality ", quality, " is not in 1..100");
  GSN_CHECK(image.width > 0 && image.height > 0, "write_jpeg ", path, ": empty image");
  std::vector<unsigned char> pixels(image.plane_size() * 3);
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width; ++x)
      for (int c = 0; c < 3; ++c)
        pixels[(static_cast<std::size_t>(y) * image.width + x) * 3 + c] =
            static_cast<unsigned char>(detail::to_sample(image.at(c, y, x), 255));

  std::unique_ptr<FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
  GSN_CHECK(file, "write_jpeg: cannot create ", path, ": ", std::strerror(errno));
  JpegErrorManager err;
  install_error_manager(err);
  Compressor c;
  c.cinfo.err = &err.pub;
  if (!jpeg_write_c(&c.cinfo, &err, file.get(), image.width, image.height, quality, pixels.data()))
    GSN_THROW("write_jpeg ", path, ": ", err.message);
  FILE* raw = file.release();
  GSN_CHECK(std::fclose(raw) == 0, "write_jpeg ", path, ": cannot finish writing: ", std::strerror(errno));
}

}  // namespace gsn::data
