// Images: PNG round trips for every colour type and bit depth, BMP and JPEG, and damaged
// files of every kind failing with an error that names the file.
#include <doctest/doctest.h>

#include <cmath>

#include "data/image_io.h"
#include "tests/data/data_fixtures.h"
#include "tests/test_util.h"

using namespace gsn::data;
using gsn::test::contains;
using gsn::test::error_of;
using gsn::test::TempDir;

namespace {

// Samples that use the whole range of a bit depth, varying per pixel and channel.
PngPixels make_pixels(PngColor color, int depth, int width = 7, int height = 5) {
  PngPixels px;
  px.width = width;
  px.height = height;
  px.color = color;
  px.bit_depth = depth;
  const int channels = channels_of(color);
  const unsigned levels = color == PngColor::Palette ? 1u << std::min(depth, 3) : 1u << depth;
  for (int i = 0; i < width * height * channels; ++i) px.samples.push_back(static_cast<uint16_t>((i * 40503u + 11) % levels));
  if (color == PngColor::Palette)
    for (unsigned k = 0; k < levels; ++k)
      px.palette.push_back({static_cast<uint8_t>(k * 30), static_cast<uint8_t>(255 - k * 20), static_cast<uint8_t>(k * 7 + 3)});
  return px;
}

// What read_image must return for these pixels: gray replicated, alpha dropped,
// palette looked up, every sample divided by its maximum.
float expected(const PngPixels& px, int c, int y, int x) {
  const int channels = channels_of(px.color);
  const uint16_t* p = &px.samples[(static_cast<std::size_t>(y) * px.width + x) * channels];
  if (px.color == PngColor::Palette) return px.palette[p[0]][c] / 255.f;
  const float max_value = static_cast<float>((1u << px.bit_depth) - 1);
  const bool gray = px.color == PngColor::Gray || px.color == PngColor::GrayAlpha;
  return static_cast<float>(p[gray ? 0 : c]) / max_value;
}

void check_round_trip(const PngPixels& px, const std::string& path) {
  write_png_pixels(path, px);
  const Image im = read_image(path);
  REQUIRE(im.width == px.width);
  REQUIRE(im.height == px.height);
  int wrong = 0;
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < px.height; ++y)
      for (int x = 0; x < px.width; ++x) wrong += std::abs(im.at(c, y, x) - expected(px, c, y, x)) > 1e-6f;
  CHECK(wrong == 0);
}

std::vector<uint8_t> png_fixture(const TempDir& dir) {
  write_png(dir.file("fixture.png"), gsn::test::pattern_image(6, 5));
  return gsn::test::file_bytes(dir.file("fixture.png"));
}

}  // namespace

TEST_CASE("PNG round trips for every colour type and bit depth") {
  TempDir dir;
  const std::pair<PngColor, std::vector<int>> cases[] = {
      {PngColor::Gray, {1, 2, 4, 8, 16}},   {PngColor::GrayAlpha, {8, 16}}, {PngColor::RGB, {8, 16}},
      {PngColor::RGBA, {8, 16}},            {PngColor::Palette, {1, 2, 4, 8}}};
  for (const auto& [color, depths] : cases) {
    for (int depth : depths) {
      CAPTURE(static_cast<int>(color));
      CAPTURE(depth);
      check_round_trip(make_pixels(color, depth), dir.file("img.png"));
      PngPixels interlaced = make_pixels(color, depth, 11, 9);
      interlaced.interlaced = true;
      check_round_trip(interlaced, dir.file("interlaced.png"));
    }
  }
}

TEST_CASE("PNG: 16-bit samples become v / 65535 exactly") {
  TempDir dir;
  PngPixels px;
  px.width = 4;
  px.height = 1;
  px.color = PngColor::Gray;
  px.bit_depth = 16;
  px.samples = {0, 1, 32768, 65535};
  write_png_pixels(dir.file("g16.png"), px);
  const Image im = read_png(dir.file("g16.png"));
  for (int x = 0; x < 4; ++x) CHECK(im.at(1, 0, x) == static_cast<float>(px.samples[x]) / 65535.f);
  CHECK(im.at(0, 0, 3) == 1.f);
}

TEST_CASE("PNG: palette transparency is dropped, not turned into a fourth channel") {
  TempDir dir;
  PngPixels px = make_pixels(PngColor::Palette, 8);
  px.palette_alpha = {0, 128, 255};
  check_round_trip(px, dir.file("trns.png"));
}

TEST_CASE("write_png from an Image: 8-bit exact, 16-bit within half a step") {
  TempDir dir;
  const Image im = gsn::test::pattern_image(9, 4, 3);
  write_png(dir.file("a.png"), im);
  CHECK(read_image(dir.file("a.png")).rgb == im.rgb);
  Image fine = im;
  for (float& v : fine.rgb) v = v * 0.999f + 0.0003f;
  write_png(dir.file("b.png"), fine, 16);
  const Image back = read_image(dir.file("b.png"));
  float worst = 0;
  for (std::size_t i = 0; i < fine.rgb.size(); ++i) worst = std::max(worst, std::abs(back.rgb[i] - fine.rgb[i]));
  CHECK(worst <= 0.5f / 65535.f + 1e-7f);
  CHECK(contains(error_of([&] { write_png(dir.file("c.png"), im, 12); }), "bit depth"));
}

TEST_CASE("BMP: 24- and 32-bit, bottom-up and top-down, rows padded to 4 bytes") {
  TempDir dir;
  const Image im = gsn::test::pattern_image(5, 3, 1);  // 5*3 = 15 bytes a row: padded to 16
  for (int bits : {24, 32}) {
    for (bool top_down : {false, true}) {
      CAPTURE(bits);
      CAPTURE(top_down);
      write_bmp(dir.file("a.bmp"), im, bits, top_down);
      CHECK(read_image(dir.file("a.bmp")).rgb == im.rgb);
    }
  }
}

TEST_CASE("BMP: 8-bit palette, written by hand") {
  // 3x2 pixels, bottom-up; palette of 4 BGRA entries; rows of 3 index bytes + 1 pad.
  std::vector<uint8_t> b = {'B', 'M', 0, 0, 0, 0, 0, 0, 0, 0, 14 + 40 + 16, 0, 0, 0,
                            40, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 8, 0, 0, 0, 0, 0,
                            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0};
  const uint8_t palette[4][4] = {{0, 0, 255, 0}, {0, 255, 0, 0}, {255, 0, 0, 0}, {10, 20, 30, 0}};
  for (const auto& e : palette) b.insert(b.end(), e, e + 4);
  const uint8_t bottom_row[4] = {3, 2, 1, 0}, top_row[4] = {0, 1, 2, 0};
  b.insert(b.end(), bottom_row, bottom_row + 4);
  b.insert(b.end(), top_row, top_row + 4);
  TempDir dir;
  gsn::test::write_bytes(dir.file("p.bmp"), b);
  const Image im = read_image(dir.file("p.bmp"));
  REQUIRE(im.width == 3);
  REQUIRE(im.height == 2);
  CHECK(im.at(0, 0, 0) == 1.f);  // top-left: entry 0, red
  CHECK(im.at(1, 0, 1) == 1.f);  // entry 1, green
  CHECK(im.at(2, 0, 2) == 1.f);  // entry 2, blue
  CHECK(im.at(0, 1, 0) == 30 / 255.f);  // bottom-left: entry 3 (B 10, G 20, R 30)
  CHECK(im.at(2, 1, 0) == 10 / 255.f);

  b[14 + 40 + 16 + 1] = 9;  // a pixel beyond the 4-entry palette
  gsn::test::write_bytes(dir.file("bad.bmp"), b);
  const std::string msg = error_of([&] { read_image(dir.file("bad.bmp")); });
  CHECK(contains(msg, "bad.bmp"));
  CHECK(contains(msg, "palette entry 9"));
}

TEST_CASE("JPEG: a written file reads back close to the original") {
  TempDir dir;
  Image im(32, 24);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 24; ++y)
      for (int x = 0; x < 32; ++x) im.at(c, y, x) = 0.2f + 0.6f * (x + y + 8 * c) / 80.f;  // smooth: JPEG keeps it
  write_jpeg(dir.file("a.jpg"), im, 95);
  const Image back = read_image(dir.file("a.jpg"));
  REQUIRE(back.width == 32);
  REQUIRE(back.height == 24);
  double err = 0;
  for (std::size_t i = 0; i < im.rgb.size(); ++i) err += std::abs(back.rgb[i] - im.rgb[i]);
  CHECK(err / im.rgb.size() < 0.02);
}

TEST_CASE("read_image goes by the signature, not the extension") {
  TempDir dir;
  const Image im = gsn::test::pattern_image(4, 4);
  write_png(dir.file("really_png.bmp"), im);
  write_bmp(dir.file("really_bmp.png"), im);
  CHECK(read_image(dir.file("really_png.bmp")).rgb == im.rgb);
  CHECK(read_image(dir.file("really_bmp.png")).rgb == im.rgb);
}

TEST_CASE("missing, empty, folder and non-image files fail with the file's name") {
  TempDir dir;
  const std::string missing = dir.file("missing.png");
  CHECK(contains(error_of([&] { read_image(missing); }), "cannot open image file " + missing));
  const std::string empty = dir.write("empty.png", "");
  CHECK(contains(error_of([&] { read_image(empty); }), empty + " is empty"));
  CHECK(contains(error_of([&] { read_image(dir.path().string()); }), "is a folder"));
  const std::string text = dir.write("notes.png", "hello, not an image\n");
  const std::string msg = error_of([&] { read_image(text); });
  CHECK(contains(msg, text));
  CHECK(contains(msg, "not a PNG, BMP or JPEG"));
  const std::string bm = dir.write("bm.bmp", "BM");  // a signature and nothing else
  CHECK(contains(error_of([&] { read_image(bm); }), "truncated"));
}

TEST_CASE("PNG: every truncation fails cleanly and names the file") {
  TempDir dir;
  const std::vector<uint8_t> bytes = png_fixture(dir);
  const std::string path = dir.file("cut.png");
  for (std::size_t keep = 1; keep < bytes.size(); ++keep) {
    CAPTURE(keep);
    gsn::test::write_bytes(path, std::vector<uint8_t>(bytes.begin(), bytes.begin() + keep));
    const std::string msg = error_of([&] { read_image(path); });
    CHECK(contains(msg, path));
  }
}

TEST_CASE("PNG: a flipped byte anywhere fails cleanly (the CRCs catch it)") {
  TempDir dir;
  const std::vector<uint8_t> bytes = png_fixture(dir);
  const std::string path = dir.file("flipped.png");
  for (std::size_t at = 0; at < bytes.size(); ++at) {
    CAPTURE(at);
    std::vector<uint8_t> bad = bytes;
    bad[at] ^= 0x5a;
    gsn::test::write_bytes(path, bad);
    CHECK(contains(error_of([&] { read_image(path); }), path));
  }
}

TEST_CASE("BMP: truncated at several points fails cleanly") {
  TempDir dir;
  write_bmp(dir.file("a.bmp"), gsn::test::pattern_image(7, 6), 24);
  const std::vector<uint8_t> bytes = gsn::test::file_bytes(dir.file("a.bmp"));
  for (std::size_t keep : {std::size_t{2}, std::size_t{10}, std::size_t{20}, std::size_t{53}, std::size_t{54},
                           bytes.size() / 2, bytes.size() - 1}) {
    CAPTURE(keep);
    gsn::test::write_bytes(dir.file("cut.bmp"), std::vector<uint8_t>(bytes.begin(), bytes.begin() + keep));
    const std::string msg = error_of([&] { read_image(dir.file("cut.bmp")); });
    CHECK(contains(msg, "cut.bmp"));
  }
  std::vector<uint8_t> rle = bytes;
  rle[30] = 1;  // BI_RLE8
  gsn::test::write_bytes(dir.file("rle.bmp"), rle);
  CHECK(contains(error_of([&] { read_image(dir.file("rle.bmp")); }), "compression 1 is not supported"));
}

TEST_CASE("JPEG: truncated anywhere fails instead of returning a grey-filled image") {
  TempDir dir;
  write_jpeg(dir.file("a.jpg"), gsn::test::pattern_image(24, 16), 90);
  const std::vector<uint8_t> bytes = gsn::test::file_bytes(dir.file("a.jpg"));
  const std::string path = dir.file("cut.jpg");
  for (std::size_t keep = 3; keep < bytes.size(); keep += 7) {
    CAPTURE(keep);
    gsn::test::write_bytes(path, std::vector<uint8_t>(bytes.begin(), bytes.begin() + keep));
    CHECK(contains(error_of([&] { read_image(path); }), path));
  }
}

TEST_CASE("check_same_size names both files and both sizes") {
  const std::string msg =
      error_of([] { check_same_size(Image(64, 48), "ref/a.png", Image(32, 32), "dist/a_01.png"); });
  CHECK(contains(msg, "ref/a.png is 64x48"));
  CHECK(contains(msg, "dist/a_01.png is 32x32"));
  check_same_size(Image(5, 5), "a", Image(5, 5), "b");
}
