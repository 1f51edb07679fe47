// The distortion library: every type grows with its level, stays in [0, 1], is a pure
// function of the generator state; JPEG against what the standard says.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "data/distortions.h"
#include "data/synthetic_refs.h"

using namespace gsn;
using namespace gsn::data;

namespace {

double mse(const Image& a, const Image& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.rgb.size(); ++i) s += (a.rgb[i] - b.rgb[i]) * double(a.rgb[i] - b.rgb[i]);
  return s / static_cast<double>(a.rgb.size());
}

// Colourful test scenes: sharp edges (dead leaves) and fine texture; odd sizes on purpose.
Image scene(int which) {
  Generator gen(100 + which);
  return which == 0 ? dead_leaves(67, 53, gen) : texture(64, 45, gen);
}

Image flat(int w, int h, float r, float g, float b) {
  Image img(w, h);
  for (std::size_t i = 0; i < img.plane_size(); ++i) img.plane(0)[i] = r, img.plane(1)[i] = g, img.plane(2)[i] = b;
  return img;
}

}  // namespace

TEST_CASE("every distortion's error grows with its level and its output stays in [0, 1]") {
  REQUIRE(all_distortions().size() == kNumDistortions);
  for (int s = 0; s < 2; ++s) {
    const Image ref = scene(s);
    for (Distortion d : all_distortions()) {
      CAPTURE(distortion_spec(d).name);
      CAPTURE(s);
      double prev = 0;
      for (int level = 1; level <= kNumLevels; ++level) {
        CAPTURE(level);
        Generator gen(7);  // the same draws at every level: random signs and angles agree
        const Image out = distort(ref, d, level, gen);
        REQUIRE(out.width == ref.width);
        REQUIRE(out.height == ref.height);
        REQUIRE(out.rgb.size() == ref.rgb.size());
        for (float v : out.rgb) REQUIRE((v >= 0.f && v <= 1.f));
        const double e = mse(ref, out);
        CHECK(e > prev);
        prev = e;
      }
    }
  }
}

TEST_CASE("the same generator state gives the same bits; random types change with the seed") {
  const Image ref = scene(1);
  for (Distortion d : all_distortions()) {
    CAPTURE(distortion_spec(d).name);
    Generator g1(42), g2(42);
    CHECK(distort(ref, d, 3, g1).rgb == distort(ref, d, 3, g2).rgb);
    // A random sign is the same for half the seeds, so look for any difference among eight.
    bool differs = false;
    Generator g0(1);
    const Image first = distort(ref, d, 3, g0);
    for (uint64_t seed = 2; seed <= 8; ++seed) {
      Generator g(seed);
      differs = differs || distort(ref, d, 3, g).rgb != first.rgb;
    }
    CHECK(differs == distortion_spec(d).random);
  }
}

TEST_CASE("the distortion table: names round-trip, levels outside 1..5 are rejected") {
  for (Distortion d : all_distortions()) {
    CHECK(distortion_from_name(distortion_spec(d).name) == d);
    CHECK(distortion_spec(d).severity > 0);
    CHECK(distortion_spec(d).severity <= 1);
  }
  CHECK_THROWS_WITH_AS(distortion_from_name("fog"), doctest::Contains("unknown distortion 'fog'"), gsn::Error);
  Generator gen(0);
  CHECK_THROWS_WITH_AS(distort(scene(0), Distortion::Jpeg, 0, gen), doctest::Contains("level must be 1..5"), gsn::Error);
  CHECK_THROWS_AS(distort(scene(0), Distortion::Sharpen, 6, gen), gsn::Error);
  CHECK_THROWS_AS(distort(Image(), Distortion::Sharpen, 1, gen), gsn::Error);
}

TEST_CASE("linear filters keep a flat image flat") {
  const Image grey = flat(20, 13, 0.3f, 0.5f, 0.7f);
  for (Distortion d : {Distortion::GaussianBlur, Distortion::MotionBlur, Distortion::Sharpen, Distortion::Resample,
                       Distortion::Pixelate}) {
    CAPTURE(distortion_spec(d).name);
    Generator gen(3);
    const Image out = distort(grey, d, 5, gen);
    for (std::size_t i = 0; i < out.rgb.size(); ++i) CHECK(out.rgb[i] == doctest::Approx(grey.rgb[i]).epsilon(1e-5));
  }
}

TEST_CASE("jpeg: the Annex K tables and the IJG quality scaling") {
  // Quality 50 is the tables themselves; 100 is all ones; very low qualities clamp at 255.
  const auto l50 = jpeg_quant_table(false, 50), c50 = jpeg_quant_table(true, 50);
  CHECK(l50[0] == 16);
  CHECK(l50[7] == 61);
  CHECK(l50[63] == 99);
  CHECK(c50[0] == 17);
  CHECK(c50[63] == 99);
  for (int v : jpeg_quant_table(false, 100)) CHECK(v == 1);
  CHECK(jpeg_quant_table(false, 1)[0] == 255);  // 16 * 5000 / 100 = 800, clamped
  // Quality 75: scale 50, (16 * 50 + 50) / 100 = 8 (integer division), (99 * 50 + 50) / 100 = 50.
  CHECK(jpeg_quant_table(false, 75)[0] == 8);
  CHECK(jpeg_quant_table(true, 75)[63] == 50);
  // Quality 10: scale 500, (11 * 500 + 50) / 100 = 55.
  CHECK(jpeg_quant_table(false, 10)[1] == 55);
  CHECK_THROWS_AS(jpeg_quant_table(false, 0), gsn::Error);
}

TEST_CASE("jpeg: flat blocks survive, error falls as quality rises") {
  // Mid grey is Y = 128, Cb = Cr = 128: every DCT coefficient is 0 after the level shift,
  // so it survives any quality exactly.
  const Image grey = flat(16, 16, 128 / 255.f, 128 / 255.f, 128 / 255.f);
  CHECK(jpeg_compress(grey, 5).rgb == grey.rgb);
  // Any flat colour keeps only DC terms: off by at most half a DC step (plus rounding).
  const Image tan = flat(8, 8, 0.8f, 0.6f, 0.4f);
  for (int q : {95, 50, 20}) {
    const Image out = jpeg_compress(tan, q);
    const double dc_step = jpeg_quant_table(true, q)[0];
    for (std::size_t i = 0; i < out.rgb.size(); ++i) CHECK(std::abs(out.rgb[i] - tan.rgb[i]) * 255 <= 2 * dc_step / 8 + 2);
  }
  CHECK(mse(jpeg_compress(tan, 95), tan) < 1e-5);
  // Error against quality on a textured scene of a size that is not a multiple of 16.
  const Image ref = scene(1);
  double prev = -1;
  for (int q : {95, 75, 50, 25, 10, 3}) {
    const double e = mse(ref, jpeg_compress(ref, q));
    CHECK(e > prev);
    prev = e;
  }
}
