#include "nn/safetensors.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

namespace gsn {

namespace {

using json = nlohmann::json;
constexpr uint64_t kMaxHeader = 100u << 20;  // the format's own limit is 100 MB

const char* dtype_tag(DType t) { return t == DType::F32 ? "F32" : "F64"; }

void put_u64_le(unsigned char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}
uint64_t get_u64_le(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Writes all of buf to fd or throws with the file name.
void write_all(int fd, const void* buf, std::size_t n, const std::string& path) {
  const char* p = static_cast<const char*>(buf);
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) GSN_THROW(path, ": write failed: ", std::strerror(errno));
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

}  // namespace

void save_safetensors(const std::string& path, const std::map<std::string, Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  static_assert(sizeof(float) == 4, "float32 expected");
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<Tensor> cpu;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    GSN_CHECK(t.defined(), path, ": tensor '", name, "' is undefined");
    GSN_CHECK(name != "__metadata__", path, ": '__metadata__' is reserved");
    cpu.push_back(t.to(Device::CPU));
    header[name] = {{"dtype", dtype_tag(t.dtype())}, {"shape", t.shape().dims()},
                    {"data_offsets", {offset, offset + t.nbytes()}}};
    offset += t.nbytes();
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  unsigned char len[8];
  put_u64_le(len, text.size());

  // Same folder as the target, so the rename is atomic (one file system).
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) GSN_THROW(path, ": cannot create temporary file ", tmp, ": ", std::strerror(errno));
  try {
    write_all(fd, len, 8, tmp);
    write_all(fd, text.data(), text.size(), tmp);
    for (const Tensor& t : cpu) write_all(fd, t.raw(), t.nbytes(), tmp);  // x86/ARM: already little-endian
    if (::fsync(fd) != 0) GSN_THROW(tmp, ": fsync failed: ", std::strerror(errno));
  } catch (...) {
    ::close(fd);
    std::remove(tmp.c_str());
    throw;
  }
  if (::close(fd) != 0) {
    std::remove(tmp.c_str());
    GSN_THROW(tmp, ": close failed: ", std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    GSN_THROW(path, ": cannot rename ", tmp, " over it: ", why);
  }
}

SafetensorsFile load_safetensors(const std::string& path) {
  std::error_code ec;
  GSN_CHECK(!std::filesystem::is_directory(path, ec), path, ": is a folder, not a checkpoint file");
  std::ifstream in(path, std::ios::binary);
  GSN_CHECK(in, path, ": cannot open checkpoint (", std::strerror(errno), ")");
  in.seekg(0, std::ios::end);
  const uint64_t file_size = static_cast<uint64_t>(in.tellg());
  in.seekg(0);
  GSN_CHECK(file_size >= 8, path, ": not a safetensors file (", file_size, " bytes, shorter than the 8-byte header length)");
  unsigned char len[8];
  in.read(reinterpret_cast<char*>(len), 8);
  const uint64_t n = get_u64_le(len);
  GSN_CHECK(n <= kMaxHeader && 8 + n <= file_size, path, ": header length ", n, " does not fit a file of ", file_size,
            " bytes (truncated or not a safetensors file)");
  std::string text(n, '\0');
  in.read(text.data(), static_cast<std::streamsize>(n));
  GSN_CHECK(in, path, ": cannot read the header");

  json header;
  try {
    header = json::parse(text);
  } catch (const std::exception& e) {
    GSN_THROW(path, ": header is not valid JSON: ", e.what());
  }
  GSN_CHECK(header.is_object(), path, ": header is not a JSON object");

  SafetensorsFile out;
  const uint64_t data_size = file_size - 8 - n;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    if (name == "__metadata__") {
      GSN_CHECK(it->is_object(), path, ": __metadata__ is not an object");
      for (auto m = it->begin(); m != it->end(); ++m) {
        GSN_CHECK(m->is_string(), path, ": metadata '", m.key(), "' is not a string");
        out.metadata[m.key()] = m->get<std::string>();
      }
      continue;
    }
    const json& e = *it;
    GSN_CHECK(e.is_object() && e.contains("dtype") && e.contains("shape") && e.contains("data_offsets"), path,
              ": tensor '", name, "': entry needs dtype, shape and data_offsets");
    const std::string dt = e["dtype"].is_string() ? e["dtype"].get<std::string>() : "";
    GSN_CHECK(dt == "F32" || dt == "F64", path, ": tensor '", name, "': dtype '", dt,
              "' is not supported (gsn reads F32 and F64)");
    const DType dtype = dt == "F32" ? DType::F32 : DType::F64;
    std::vector<int64_t> dims;
    GSN_CHECK(e["shape"].is_array(), path, ": tensor '", name, "': shape is not an array");
    for (const json& d : e["shape"]) {
      GSN_CHECK(d.is_number_integer() && d.get<int64_t>() >= 0, path, ": tensor '", name, "': bad shape entry");
      dims.push_back(d.get<int64_t>());
    }
    const json& off = e["data_offsets"];
    GSN_CHECK(off.is_array() && off.size() == 2 && off[0].is_number_unsigned() && off[1].is_number_unsigned(), path,
              ": tensor '", name, "': data_offsets must be two non-negative integers");
    const uint64_t b = off[0].get<uint64_t>(), en = off[1].get<uint64_t>();
    Shape shape(dims);
    GSN_CHECK(b <= en && en <= data_size, path, ": tensor '", name, "': bytes [", b, ",", en,
              ") lie outside the data section of ", data_size, " bytes (truncated file?)");
    GSN_CHECK(en - b == static_cast<uint64_t>(shape.numel()) * dtype_size(dtype), path, ": tensor '", name,
              "': shape ", shape.str(), " needs ", shape.numel() * static_cast<int64_t>(dtype_size(dtype)),
              " bytes, its range holds ", en - b);
    Tensor t = Tensor::empty(shape, dtype);
    in.seekg(static_cast<std::streamoff>(8 + n + b));
    in.read(static_cast<char*>(t.raw()), static_cast<std::streamsize>(en - b));
    GSN_CHECK(in, path, ": tensor '", name, "': read failed");
    ranges.emplace_back(b, en);
    out.tensors.emplace(name, std::move(t));
  }
  std::sort(ranges.begin(), ranges.end());
  for (std::size_t i = 1; i < ranges.size(); ++i)
    GSN_CHECK(ranges[i].first >= ranges[i - 1].second, path, ": two tensors share bytes from offset ", ranges[i].first);
  return out;
}

}  // namespace gsn
