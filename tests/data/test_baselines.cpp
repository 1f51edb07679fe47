// PSNR and SSIM against their definitions: the 8-bit luma convention, a known MSE, and a
// brute-force transcription of Wang et al.'s ssim.m (downsampling included).
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "data/distortions.h"
#include "data/image_io.h"
#include "data/quality_baselines.h"
#include "data/synthetic_refs.h"
#include "tests/test_util.h"

using namespace gsn;
using namespace gsn::data;

namespace {

Image grey_image(int w, int h, const std::vector<int>& bytes) {
  Image img(w, h);
  for (int c = 0; c < 3; ++c)
    for (std::size_t i = 0; i < img.plane_size(); ++i) img.plane(c)[i] = bytes[i] / 255.f;
  return img;
}

LumaPlane random_plane(int w, int h, Generator& gen) {
  LumaPlane p{w, h, std::vector<double>(static_cast<std::size_t>(w) * h)};
  // A smooth ramp plus noise: SSIM well away from both 0 and 1.
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) p.v[static_cast<std::size_t>(y) * w + x] = 2.0 * x + y + 40 * gen.uniform();
  return p;
}

// ssim.m, line by line, with 2-D loops and explicit MATLAB indexing (1-based, centre tap
// floor((f+1)/2), 'symmetric' padding that repeats the edge sample).
double ssim_brute(LumaPlane a, LumaPlane b) {
  const int f = std::max(1, static_cast<int>(std::round(std::min(a.width, a.height) / 256.0)));
  if (f > 1) {
    auto pre = [f](const LumaPlane& p) {
      auto sym = [](int i, int n) {  // 1-based symmetric: 0 -> 1, -1 -> 2, n+1 -> n
        while (i < 1 || i > n) i = i < 1 ? 1 - i : 2 * n + 1 - i;
        return i;
      };
      const int c = (f + 1) / 2;
      LumaPlane out{(p.width + f - 1) / f, (p.height + f - 1) / f, {}};
      for (int i = 1; i <= p.height; i += f)
        for (int j = 1; j <= p.width; j += f) {
          double s = 0;
          for (int u = 1; u <= f; ++u)
            for (int v = 1; v <= f; ++v) s += p.at(sym(i + u - c, p.height) - 1, sym(j + v - c, p.width) - 1) / (f * f);
          out.v.push_back(s);
        }
      return out;
    };
    a = pre(a);
    b = pre(b);
  }
  double win[11][11], ws = 0;
  for (int i = 0; i < 11; ++i)
    for (int j = 0; j < 11; ++j) ws += win[i][j] = std::exp(-((i - 5) * (i - 5) + (j - 5) * (j - 5)) / (2 * 1.5 * 1.5));
  const double C1 = std::pow(0.01 * 255, 2), C2 = std::pow(0.03 * 255, 2);
  double sum = 0;
  int count = 0;
  for (int y = 0; y + 11 <= a.height; ++y)
    for (int x = 0; x + 11 <= a.width; ++x) {
      double m1 = 0, m2 = 0, s11 = 0, s22 = 0, s12 = 0;
      for (int i = 0; i < 11; ++i)
        for (int j = 0; j < 11; ++j) {
          const double w = win[i][j] / ws, p = a.at(y + i, x + j), q = b.at(y + i, x + j);
          m1 += w * p, m2 += w * q, s11 += w * p * p, s22 += w * q * q, s12 += w * p * q;
        }
      sum += ((2 * m1 * m2 + C1) * (2 * (s12 - m1 * m2) + C2)) /
             ((m1 * m1 + m2 * m2 + C1) * (s11 - m1 * m1 + s22 - m2 * m2 + C2));
      ++count;
    }
  return sum / count;
}

}  // namespace

TEST_CASE("luma: 8-bit samples, BT.601 weights, rounded like rgb2gray") {
  Image img(3, 1);
  img.at(0, 0, 0) = 1.f;                                            // red: 0.299 * 255 = 76.245
  img.at(1, 0, 1) = 1.f;                                            // green: 149.685
  img.at(0, 0, 2) = 0.5f, img.at(1, 0, 2) = 0.5f, img.at(2, 0, 2) = 0.5f;  // 127.5 rounds to 128
  const LumaPlane y = luma_8bit(img);
  CHECK(y.v == std::vector<double>{76, 150, 128});
}

TEST_CASE("psnr: 10 log10(255^2 / MSE) on luma; identical images give +infinity") {
  std::vector<int> a(64), b(64);
  for (int i = 0; i < 64; ++i) a[i] = 100 + i, b[i] = a[i] + (i % 2 ? 5 : -5);  // MSE 25
  CHECK(psnr_y(grey_image(8, 8, a), grey_image(8, 8, b)) == doctest::Approx(10 * std::log10(65025.0 / 25)).epsilon(1e-12));
  CHECK(psnr_y(grey_image(8, 8, a), grey_image(8, 8, a)) == std::numeric_limits<double>::infinity());
  CHECK_THROWS_WITH_AS(psnr_y(Image(8, 8), Image(8, 7)), doctest::Contains("differ in size"), gsn::Error);
}

TEST_CASE("ssim: 1 exactly for identical images, symmetric, and equal to ssim.m written out") {
  Generator gen(21);
  const Image img = texture(40, 33, gen);
  CHECK(ssim_y(img, img) == 1.0);
  const Image blurred = gaussian_blur_sigma(img, 1.2);
  CHECK(ssim_y(img, blurred) == doctest::Approx(ssim_y(blurred, img)).epsilon(1e-13));
  const LumaPlane a = random_plane(31, 24, gen), b = random_plane(31, 24, gen);
  const double s = ssim_plane(a, b);
  CHECK(s > 0.05);
  CHECK(s < 0.95);
  CHECK(s == doctest::Approx(ssim_brute(a, b)).epsilon(1e-12));
  CHECK_THROWS_WITH_AS(ssim_plane(random_plane(10, 30, gen), random_plane(10, 30, gen)),
                       doctest::Contains("at least 11x11"), gsn::Error);
}

TEST_CASE("ssim: the automatic downsampling of ssim.m") {
  CHECK(ssim_downsample_factor(383, 1000) == 1);  // round(1.496)
  CHECK(ssim_downsample_factor(384, 384) == 2);   // round(1.5) = 2, MATLAB rounds half away
  CHECK(ssim_downsample_factor(768, 512) == 2);   // Kodak
  CHECK(ssim_downsample_factor(640, 700) == 3);   // round(2.5)
  CHECK(ssim_downsample_factor(1024, 1024) == 4);
  Generator gen(5);
  // f = 2 on an odd size, f = 3 (odd, centred window): both against the transcription.
  for (auto [w, h] : {std::pair{401, 390}, std::pair{645, 650}}) {
    CAPTURE(w);
    const LumaPlane a = random_plane(w, h, gen), b = random_plane(w, h, gen);
    CHECK(ssim_plane(a, b) == doctest::Approx(ssim_brute(a, b)).epsilon(1e-12));
  }
}

TEST_CASE("psnr and ssim on a Kodak photograph and blurred copies" * doctest::test_suite("shared")) {
  const std::string root = gsn::test::shared_data_dir();
  const std::string path = root + "/kodak24/kodim03.png";
  if (root.empty() || !std::filesystem::exists(path)) return gsn::test::skip("no ../shared/data/kodak24/kodim03.png");
  const Image ref = read_image(path);
  const Image mild = gaussian_blur_sigma(ref, 0.8), strong = gaussian_blur_sigma(ref, 3.0);
  const double s_mild = ssim_y(ref, mild), s_strong = ssim_y(ref, strong);
  const double p_mild = psnr_y(ref, mild), p_strong = psnr_y(ref, strong);
  MESSAGE("kodim03 blur 0.8: PSNR " << p_mild << " dB, SSIM " << s_mild << "; blur 3.0: PSNR " << p_strong
                                    << " dB, SSIM " << s_strong);
  CHECK(s_mild > s_strong);
  CHECK(s_mild > 0.9);
  CHECK(s_mild < 1.0);
  CHECK(s_strong > 0.5);
  CHECK(p_mild > p_strong);
  CHECK(p_mild > 30);
  CHECK(p_mild < 50);
  CHECK(p_strong > 20);
  CHECK(p_strong < 35);
}
