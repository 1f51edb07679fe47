#include "data/synthetic_refs.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "data/distort_detail.h"
#include "kernels/core/error.h"

namespace gsn::data {

namespace {

constexpr double kPi = 3.14159265358979323846;
using Rgb = std::array<float, 3>;

Rgb natural_colour(Generator& gen) {
  const double y = gen.uniform(0.06, 0.94);
  const double sigma = gen.below(6) == 0 ? 0.16 : 0.06;
  const double cb = sigma * gen.normal(), cr = sigma * gen.normal();
  Rgb c;
  detail::ycbcr_to_rgb(static_cast<float>(y), static_cast<float>(cb), static_cast<float>(cr), c[0], c[1], c[2]);
  for (float& v : c) v = detail::clamp01(v);
  return c;
}

void check_size(int width, int height) {
  GSN_CHECK(width > 0 && height > 0, "synthetic reference: size must be positive, got ", width, "x", height);
}

// Stretches a field to [0, 1] (a constant field becomes 0.5).
void normalise(std::vector<float>& f) {
  const auto [lo, hi] = std::minmax_element(f.begin(), f.end());
  const float a = *lo, range = *hi - *lo;
  for (float& v : f) v = range > 0 ? (v - a) / range : 0.5f;
}

// Value noise: uniform random values on a lattice of `cell` pixels, interpolated with
// smoothstep weights (C1, so no creases along lattice lines); added to f times amp.
void add_value_noise(std::vector<float>& f, int w, int h, double cell, double amp, Generator& gen) {
  const int gw = static_cast<int>(w / cell) + 2, gh = static_cast<int>(h / cell) + 2;
  std::vector<float> lattice(static_cast<std::size_t>(gw) * gh);
  for (float& v : lattice) v = static_cast<float>(gen.uniform(-1.0, 1.0));
  auto smooth = [](double t) { return t * t * (3 - 2 * t); };
  for (int y = 0; y < h; ++y) {
    const double gy = y / cell;
    const int y0 = static_cast<int>(gy);
    const double ty = smooth(gy - y0);
    for (int x = 0; x < w; ++x) {
      const double gx = x / cell;
      const int x0 = static_cast<int>(gx);
      const double tx = smooth(gx - x0);
      const float* r0 = lattice.data() + static_cast<std::size_t>(y0) * gw + x0;
      const float* r1 = r0 + gw;
      const double top = r0[0] + tx * (r0[1] - r0[0]), bot = r1[0] + tx * (r1[1] - r1[0]);
      f[static_cast<std::size_t>(y) * w + x] += static_cast<float>(amp * (top + ty * (bot - top)));
    }
  }
}

// 1/f noise: octaves from a quarter of the longer side down to 2 px, amplitude
// proportional to the lattice spacing.
std::vector<float> pink_noise(int w, int h, Generator& gen, double largest) {
  std::vector<float> f(static_cast<std::size_t>(w) * h, 0.f);
  for (double cell = largest; cell >= 2.0; cell /= 2) add_value_noise(f, w, h, cell, cell / largest, gen);
  return f;
}

}  // namespace

const char* ref_kind_name(RefKind kind) {
  switch (kind) {
    case RefKind::DeadLeaves: return "dead_leaves";
    case RefKind::Gradient: return "gradient";
    case RefKind::Texture: return "texture";
  }
  return "?";
}

RefKind ref_kind_for(std::size_t k) {
  switch (k % 4) {
    case 2: return RefKind::Gradient;
    case 3: return RefKind::Texture;
    default: return RefKind::DeadLeaves;
  }
}

Image dead_leaves(int width, int height, Generator& gen, double rmin, double rmax) {
  check_size(width, height);
  if (rmax <= 0) rmax = 0.5 * std::min(width, height);
  GSN_CHECK(rmin > 0 && rmin <= rmax, "dead_leaves: need 0 < rmin <= rmax, got ", rmin, ", ", rmax);
  // Inverse CDF of the density r^-3 on [rmin, rmax]: r^-2 is uniform between the ends.
  const double a = 1.0 / (rmin * rmin), b = 1.0 / (rmax * rmax);
  Image img(width, height);
  std::vector<unsigned char> covered(img.plane_size(), 0);
  std::size_t left = img.plane_size();
  // Front to back: each disc paints only what no earlier (nearer) disc covers, so the
  // loop ends exactly when the canvas is full. A disc of radius >= 1 always covers the
  // pixel its centre falls in, so the loop ends; the cap only bounds pathological sizes.
  const std::size_t cap = 64 * img.plane_size() + 1000;
  for (std::size_t disc = 0; left > 0 && disc < cap; ++disc) {
    const double r = 1.0 / std::sqrt(a - gen.uniform() * (a - b));
    const double cx = gen.uniform(0.0, width), cy = gen.uniform(0.0, height);
    const Rgb colour = natural_colour(gen);
    const int y0 = std::max(0, static_cast<int>(std::floor(cy - r))), y1 = std::min(height - 1, static_cast<int>(cy + r));
    const int x0 = std::max(0, static_cast<int>(std::floor(cx - r))), x1 = std::min(width - 1, static_cast<int>(cx + r));
    for (int y = y0; y <= y1; ++y) {
      const double dy = y + 0.5 - cy;
      for (int x = x0; x <= x1; ++x) {
        const double dx = x + 0.5 - cx;
        const std::size_t i = static_cast<std::size_t>(y) * width + x;
        if (covered[i] || dx * dx + dy * dy > r * r) continue;
        covered[i] = 1;
        --left;
        for (int c = 0; c < 3; ++c) img.plane(c)[i] = colour[c];
      }
    }
  }
  return img;  // any pixel still uncovered after the cap stays black
}

Image smooth_gradient(int width, int height, Generator& gen) {
  check_size(width, height);
  const Rgb c0 = natural_colour(gen), c1 = natural_colour(gen), blob = natural_colour(gen);
  const double angle = gen.uniform(0.0, 2 * kPi), ux = std::cos(angle), uy = std::sin(angle);
  const double bx = gen.uniform(0.0, width), by = gen.uniform(0.0, height);
  const double bs = gen.uniform(0.15, 0.4) * std::max(width, height), strength = gen.uniform(0.3, 0.8);
  const double ripple_f = gen.uniform(0.5, 2.0) * 2 * kPi / std::max(width, height);
  const double ripple_a = gen.uniform(0.0, 0.04), ripple_angle = gen.uniform(0.0, 2 * kPi);
  const double rx = std::cos(ripple_angle), ry = std::sin(ripple_angle);
  // Projection of the corners onto the ramp direction, to map the ramp to [0, 1].
  const double lo = std::min(0.0, ux * width) + std::min(0.0, uy * height);
  const double span = std::abs(ux) * width + std::abs(uy) * height;
  Image img(width, height);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const double t = (ux * x + uy * y - lo) / span;
      const double s = t * t * (3 - 2 * t);  // smoothstep: a soft start and end
      const double d2 = ((x - bx) * (x - bx) + (y - by) * (y - by)) / (2 * bs * bs);
      const double wb = strength * std::exp(-d2);
      const double ripple = ripple_a * std::sin(ripple_f * (rx * x + ry * y));
      for (int c = 0; c < 3; ++c) {
        const double ramp = c0[c] + s * (c1[c] - c0[c]);
        img.at(c, y, x) = detail::clamp01(static_cast<float>(ramp + wb * (blob[c] - ramp) + ripple));
      }
    }
  }
  return img;
}

Image texture(int width, int height, Generator& gen) {
  check_size(width, height);
  const int w = width, h = height;
  const double largest = std::max(2.0, std::max(w, h) / 4.0);
  std::vector<float> field = pink_noise(w, h, gen, largest);
  normalise(field);
  // Gratings: 2-4 oriented sinusoids of 4-24 cycles across the image, random phase.
  const int gratings = 2 + static_cast<int>(gen.below(3));
  const double grating_weight = gen.uniform(0.2, 0.7);
  std::vector<float> waves(field.size(), 0.f);
  for (int g = 0; g < gratings; ++g) {
    const double cycles = gen.uniform(4.0, 24.0), angle = gen.uniform(0.0, kPi), phase = gen.uniform(0.0, 2 * kPi);
    const double amp = gen.uniform(0.3, 1.0), k = 2 * kPi * cycles / std::max(w, h);
    const double kx = k * std::cos(angle), ky = k * std::sin(angle);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) waves[static_cast<std::size_t>(y) * w + x] += static_cast<float>(amp * std::sin(kx * x + ky * y + phase));
  }
  normalise(waves);
  for (std::size_t i = 0; i < field.size(); ++i)
    field[i] = static_cast<float>((1 - grating_weight) * field[i] + grating_weight * waves[i]);
  normalise(field);
  // Shading: a smooth field that scales brightness by 0.7..1.3, like uneven lighting.
  std::vector<float> shade(field.size(), 0.f);
  add_value_noise(shade, w, h, largest * 2, 1.0, gen);
  normalise(shade);
  const Rgb c0 = natural_colour(gen), c1 = natural_colour(gen);
  Image img(w, h);
  for (int c = 0; c < 3; ++c)
    for (std::size_t i = 0; i < field.size(); ++i)
      img.plane(c)[i] = detail::clamp01((c0[c] + field[i] * (c1[c] - c0[c])) * (0.7f + 0.6f * shade[i]));
  return img;
}

Image make_reference(RefKind kind, int width, int height, Generator& gen) {
  switch (kind) {
    case RefKind::DeadLeaves: return dead_leaves(width, height, gen);
    case RefKind::Gradient: return smooth_gradient(width, height, gen);
    case RefKind::Texture: return texture(width, height, gen);
  }
  GSN_THROW("make_reference: unknown kind ", static_cast<int>(kind));
}

}  // namespace gsn::data
