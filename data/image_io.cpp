// read_image(): sniff the signature and dispatch; the file helpers the codecs share.
#include "data/image_io.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "data/image_io_detail.h"
#include "kernels/core/error.h"

namespace gsn::data {
namespace detail {

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  GSN_CHECK(!std::filesystem::is_directory(path), "image file ", path, " is a folder");
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  GSN_CHECK(in, "cannot open image file ", path, ": ", std::strerror(errno));
  // One read of the known size: byte-by-byte stream iterators cost as much as decoding.
  const std::streamoff size = in.tellg();
  GSN_CHECK(size >= 0, "cannot read the size of image file ", path);
  GSN_CHECK(size > 0, "image file ", path, " is empty");
  std::vector<uint8_t> bytes(static_cast<std::size_t>(size));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(bytes.data()), size);
  GSN_CHECK(in.gcount() == size, "error reading image file ", path, ": got ", in.gcount(), " of ", size, " bytes");
  return bytes;
}

}  // namespace detail

namespace {

bool starts_with(const std::vector<uint8_t>& bytes, std::initializer_list<uint8_t> signature) {
  if (bytes.size() < signature.size()) return false;
  return std::equal(signature.begin(), signature.end(), bytes.begin());
}

std::string first_bytes_hex(const std::vector<uint8_t>& bytes) {
  std::string s;
  char buf[4];
  for (std::size_t i = 0; i < bytes.size() && i < 8; ++i) {
    std::snprintf(buf, sizeof buf, "%02x ", bytes[i]);
    s += buf;
  }
  if (!s.empty()) s.pop_back();
  return s;
}

}  // namespace

Image read_image(const std::string& path) {
  const std::vector<uint8_t> bytes = detail::read_file_bytes(path);
  if (starts_with(bytes, {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a})) return detail::decode_png(bytes, path);
  if (starts_with(bytes, {0xff, 0xd8, 0xff})) return detail::decode_jpeg(bytes, path);
  if (starts_with(bytes, {'B', 'M'})) return detail::decode_bmp(bytes, path);
  GSN_THROW("image file ", path, " is not a PNG, BMP or JPEG file (it starts with bytes ",
            first_bytes_hex(bytes), ")");
}

Image read_png(const std::string& path) { return detail::decode_png(detail::read_file_bytes(path), path); }
Image read_bmp(const std::string& path) { return detail::decode_bmp(detail::read_file_bytes(path), path); }
Image read_jpeg(const std::string& path) { return detail::decode_jpeg(detail::read_file_bytes(path), path); }

void check_same_size(const Image& ref, const std::string& ref_path, const Image& dist,
                     const std::string& dist_path) {
  GSN_CHECK(ref.width == dist.width && ref.height == dist.height,
            "a pair's images differ in size: reference ", ref_path, " is ", ref.size_str(),
            ", distorted ", dist_path, " is ", dist.size_str());
}

}  // namespace gsn::data
