// safetensors checkpoints: round trips, the byte layout, and every way a file can be bad.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "kernels/core/random.h"
#include "nn/safetensors.h"
#include "tests/test_util.h"

using namespace gsn;

namespace {
std::string read_bytes(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
void write_bytes(const std::string& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }
std::string with_header(const std::string& header, const std::string& data) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return s + header + data;
}
}  // namespace

TEST_CASE("safetensors: round trip of tensors and metadata, exact bits") {
  test::TempDir dir;
  Generator g(1);
  std::map<std::string, Tensor> t = {{"a.weight", randn({3, 4, 3, 3}, g)},
                                     {"b", randn({5}, g, 1.0, DType::F64)},
                                     {"empty", Tensor::zeros({0, 2})}};
  save_safetensors(dir.file("x.safetensors"), t, {{"step", "12"}, {"config", "{\"preset\":\"tiny\"}"}});
  SafetensorsFile f = load_safetensors(dir.file("x.safetensors"));
  CHECK(f.metadata.at("step") == "12");
  CHECK(f.metadata.at("config") == "{\"preset\":\"tiny\"}");
  REQUIRE(f.tensors.size() == 3);
  CHECK(f.tensors.at("a.weight").shape() == Shape{3, 4, 3, 3});
  CHECK(f.tensors.at("a.weight").to_vector<float>() == t["a.weight"].to_vector<float>());
  CHECK(f.tensors.at("b").dtype() == DType::F64);
  CHECK(f.tensors.at("b").to_vector<double>() == t["b"].to_vector<double>());
  CHECK(f.tensors.at("empty").numel() == 0);
  CHECK_FALSE(std::filesystem::exists(dir.file("x.safetensors.tmp." + std::to_string(::getpid()))));
}

TEST_CASE("safetensors: the layout is the published one") {
  test::TempDir dir;
  save_safetensors(dir.file("one.safetensors"), {{"w", Tensor::from_vector({2}, std::vector<float>{1.f, -2.f})}}, {});
  std::string s = read_bytes(dir.file("one.safetensors"));
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(s[i]);
  CHECK(n % 8 == 0);
  CHECK(s.substr(8, n).find("\"w\":{\"data_offsets\":[0,8],\"dtype\":\"F32\",\"shape\":[2]}") != std::string::npos);
  REQUIRE(s.size() == 8 + n + 8);
  float v[2];
  std::memcpy(v, s.data() + 8 + n, 8);
  CHECK(v[0] == 1.f);
  CHECK(v[1] == -2.f);
}

TEST_CASE("safetensors: broken files are refused with the file and the tensor named") {
  test::TempDir dir;
  const std::string p = dir.file("bad.safetensors");
  save_safetensors(p, {{"conv.weight", Tensor::zeros({4, 4})}}, {});
  const std::string good = read_bytes(p);

  CHECK_THROWS_WITH_AS(load_safetensors(dir.file("missing.safetensors")), doctest::Contains("missing.safetensors: cannot open"), Error);
  write_bytes(p, good.substr(0, 5));
  CHECK_THROWS_WITH_AS(load_safetensors(p), doctest::Contains("bad.safetensors: not a safetensors file"), Error);
  write_bytes(p, good.substr(0, good.size() - 4));  // data cut short
  CHECK_THROWS_WITH_AS(load_safetensors(p), doctest::Contains("tensor 'conv.weight'"), Error);
  write_bytes(p, good.substr(0, 20));  // header cut short
  CHECK_THROWS_WITH_AS(load_safetensors(p), doctest::Contains("does not fit"), Error);
  write_bytes(p, with_header("{not json", ""));
  CHECK_THROWS_WITH_AS(load_safetensors(p), doctest::Contains("not valid JSON"), Error);
  write_bytes(p, with_header(R"({"w":{"dtype":"I8","shape":[1],"data_offsets":[0,1]}})", "x"));
  CHECK_THROWS_WITH_AS(load_safetensors(p), doctest::Contains("tensor 'w': dtype 'I8' is not supported"), Error);
  write_bytes(p, with_header(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", std::string(8, '\0')));
  CHECK_THROWS_WITH_AS(load_safetensors(p), doctest::Contains("shape [3] needs 12 bytes"), Error);
  write_bytes(p, with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                             std::string(8, '\0')));
  CHECK_THROWS_WITH_AS(load_safetensors(p), doctest::Contains("share bytes"), Error);
}

TEST_CASE("safetensors: a failed save leaves the old checkpoint untouched") {
  test::TempDir dir;
  const std::string p = dir.file("ckpt.safetensors");
  save_safetensors(p, {{"w", Tensor::full({3}, 7.0)}}, {{"step", "1"}});
  const std::string before = read_bytes(p);
  // An undefined tensor fails before anything is written; a target inside a missing folder
  // fails at the temporary file. Neither may touch the existing checkpoint.
  CHECK_THROWS_AS(save_safetensors(p, {{"w", Tensor()}}, {}), Error);
  CHECK_THROWS_WITH_AS(save_safetensors(dir.file("nope/ckpt.safetensors"), {{"w", Tensor::zeros({1})}}, {}),
                       doctest::Contains("cannot create temporary file"), Error);
  CHECK(read_bytes(p) == before);
  CHECK(load_safetensors(p).metadata.at("step") == "1");
}

TEST_CASE("safetensors: a folder or a missing file is refused, saying which") {
  test::TempDir dir;
  CHECK_THROWS_WITH_AS(load_safetensors(dir.path()), doctest::Contains("is a folder, not a checkpoint file"), Error);
  CHECK_THROWS_WITH_AS(load_safetensors(dir.file("none.safetensors")),
                       doctest::Contains("cannot open checkpoint (No such file or directory)"), Error);
}
