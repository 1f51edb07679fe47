// Op harness cases: conv2d and CDC (central difference conv).
//
// Shapes are odd on purpose: N = 1, C or O = 1, primes, H != W, 1x1 images, sizes that are
// no multiple of any tile (CPU row tiles, CUDA 16/64 tiles), one case whose im2col row is
// wider than the CPU tile (R = 1) and one with several row tiles per image.
//
// Tolerances (per case, from the depth D of the longest sum an output element takes:
// max(C*k*k, N*Ho*Wo, O*k*k)):
//   cpu  float32 GEMM vs the reference's double sums: atol = rtol = 4e-6 * sqrt(D)
//        (float rounding grows like sqrt(D) for random-signed terms of size <= 1)
//   gpu  twice that (another summation order)
//   grad the loss is linear in each input, so central differences are exact up to
//        rounding; fd_eps = 1e-3 keeps that rounding at ~1e-10; atol 1e-8, rtol 1e-7.
//
// CDC cases run the folded form (fast CPU, CUDA) against the two-conv form (reference
// path), with theta = 0, 0.7 and 1. The spatial-attention conv (2 -> 1 channels, k = 7, 5,
// 3, pad k/2, no bias) has its own cases at GSN-like sizes.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>

#include "kernels/conv/cdc.h"
#include "kernels/conv/conv.h"
#include "kernels/conv/conv_cpu_implicit.h"
#include "kernels/core/dispatch.h"
#include "kernels/core/parallel.h"
#include "kernels/linear/sgemm_cpu_simd.h"
#include "tests/harness/op_harness.h"
#include "tests/test_util.h"

namespace {
using namespace gsn;
using namespace gsn::test;

struct ConvCase {
  Shape x;
  int64_t O;
  int k, s, p;
  bool bias;
};

std::string conv_name(const ConvCase& c) {
  return "conv2d k" + std::to_string(c.k) + " s" + std::to_string(c.s) + " p" + std::to_string(c.p) + " O" +
         std::to_string(c.O) + (c.bias ? " bias " : " nobias ") + c.x.str();
}

void set_tols(OpCase& oc, const ConvCase& c) {
  const ConvGeom g = conv_geom(c.x, Shape{c.O, c.x[1], c.k, c.k}, c.s, c.p);
  const double D = static_cast<double>(std::max({g.K(), g.P(), g.O * g.k * g.k}));
  const double t = 4e-6 * std::sqrt(D);
  oc.cpu_tol = {t, t};
  oc.gpu_tol = {2 * t, 2 * t};
  oc.grad_tol = {1e-8, 1e-7};
  oc.fd_eps = 1e-3;
}

void add_conv(const ConvCase& c) {
  std::vector<Shape> shapes{c.x, Shape{c.O, c.x[1], c.k, c.k}};
  if (c.bias) shapes.push_back(Shape{c.O});
  const int s = c.s, p = c.p;
  const bool bias = c.bias;
  OpCase oc{conv_name(c), shapes, [s, p, bias](const Vars& v) { return ag::conv2d(v[0], v[1], bias ? v[2] : Var(), s, p); }};
  set_tols(oc, c);
  add_case(oc);
}

void add_cdc(const Shape& x, int64_t O, double theta) {
  ConvCase c{x, O, 3, 1, 1, false};
  char th[16];
  std::snprintf(th, sizeof th, "%.1f", theta);
  OpCase oc{"cdc_conv2d theta " + std::string(th) + " O" + std::to_string(O) + " " + x.str(), {x, Shape{O, x[1], 3, 3}},
            [theta](const Vars& v) { return ag::cdc_conv2d(v[0], v[1], theta); }};
  set_tols(oc, c);
  add_case(oc);
}
}  // namespace

GSN_OP_CASES(conv) {
  const std::vector<ConvCase> cases = {
      // k = 3, the GSN kernel, in both strides, with and without bias.
      {{2, 3, 9, 7}, 4, 3, 1, 1, true},
      {{2, 3, 9, 7}, 4, 3, 2, 1, false},
      {{3, 7, 6, 5}, 2, 3, 1, 0, true},
      {{2, 4, 16, 13}, 6, 3, 2, 2, true},
      {{1, 1, 4, 4}, 13, 3, 1, 1, false},
      {{1, 1, 1, 1}, 1, 3, 1, 1, true},  // a 1x1 image: only the centre tap is inside
      {{2, 5, 1, 9}, 3, 3, 1, 1, false},  // H = 1
      // k = 1: pointwise (the CPU path skips im2col at s1 p0), strided, padded.
      {{1, 1, 5, 6}, 1, 1, 1, 0, true},
      {{2, 6, 7, 5}, 3, 1, 1, 0, false},
      {{1, 2, 7, 5}, 3, 1, 2, 0, false},
      {{2, 3, 4, 3}, 2, 1, 1, 1, true},
      // k = 5 and 7, pads up to 3.
      {{2, 5, 11, 8}, 3, 5, 1, 2, true},
      {{1, 3, 13, 10}, 2, 5, 2, 3, false},
      {{2, 2, 9, 11}, 1, 7, 1, 3, false},
      {{1, 3, 8, 8}, 5, 7, 2, 0, true},  // Ho = Wo = 1
      {{1, 2, 3, 2}, 2, 5, 1, 2, false},  // kernel larger than the image
      // An odd batch of small images (O = 4: the direct path); several CPU row tiles per
      // image; an im2col row wider than a tile (R = 1).
      {{5, 3, 12, 11}, 4, 3, 1, 1, true},
      {{4, 16, 33, 31}, 17, 3, 1, 1, true},
      {{1, 40, 9, 18}, 5, 7, 1, 3, false},
      {{1, 25, 3, 300}, 5, 3, 1, 1, false},   // R = 1: 3 row tiles; bwd-data as a forward conv (O < C)
      {{1, 5, 3, 300}, 30, 3, 1, 1, true},    // R = 1, bwd-data through col2im (O >= C; without the SIMD SGEMM)
      // Small images grouped into multi-image tiles (H*W < 256 columns), with a short last
      // tile: bwd-data as a forward conv (O < C) and through col2im (O >= C; 3x3 same convs
      // take it only on builds without the SIMD SGEMM, where the forward is not implicit); strided;
      // pointwise (no im2col on single-image tiles, a copy on grouped ones).
      {{20, 9, 6, 5}, 5, 3, 1, 1, true},
      {{20, 3, 6, 5}, 5, 3, 1, 1, false},
      {{20, 3, 7, 5}, 4, 3, 2, 1, true},
      {{20, 6, 5, 5}, 5, 1, 1, 0, false},
      // K = C*k*k >= 64 with O > 4: backward-weight on the SIMD kernel (transposed
      // partials) for grouped images, strided, and pointwise (x as the column matrix).
      {{20, 9, 6, 5}, 6, 3, 1, 1, true},
      {{20, 8, 7, 5}, 12, 3, 2, 1, false},
      {{2, 70, 5, 6}, 8, 1, 1, 0, true},
      // O <= 4 runs the direct path: same convs (2p = k-1) above and in the attention
      // cases take its masked-load route on AVX-512 builds; these pads do not, and take
      // its padded-copy route (as every direct conv does on builds without AVX-512).
      {{3, 2, 10, 9}, 1, 5, 1, 1, true},
      {{2, 2, 7, 6}, 2, 3, 1, 2, false},
      // 3x3 same convs with O > 4 take the implicit-GEMM forward on SIMD builds (AVX-512F
      // or AVX2+FMA; above too): 1-pixel rows and columns and a 1x1 image (most taps
      // masked), last panels of one vector (AVX-512: H*W = 33*31 above; AVX2: 4x6) and of
      // two (6x5 on both), and several bands (384 pixels each).
      {{3, 4, 1, 1}, 6, 3, 1, 1, true},
      {{2, 5, 1, 19}, 7, 3, 1, 1, false},
      {{2, 3, 21, 1}, 9, 3, 1, 1, true},
      {{2, 3, 37, 29}, 10, 3, 1, 1, false},
      {{3, 6, 4, 6}, 7, 3, 1, 1, true},
  };
  for (const ConvCase& c : cases) add_conv(c);

  // Spatial attention: concat(mean_c, max_c) [B,2,h,w] -> [B,1,h,w], k = 7, 5, 3, pad k/2.
  for (int k : {7, 5, 3}) add_conv({{4, 2, 16, 15}, 1, k, 1, k / 2, false});
  add_conv({{16, 2, 32, 32}, 1, 7, 1, 3, false});  // tiny preset, level 1

  for (double theta : {0.0, 0.7, 1.0}) {
    add_cdc({2, 3, 9, 7}, 4, theta);
    add_cdc({1, 1, 5, 5}, 1, theta);
    add_cdc({2, 5, 8, 11}, 3, theta);
    add_cdc({3, 16, 12, 10}, 8, theta);
    add_cdc({1, 2, 1, 1}, 3, theta);
  }
}

namespace {
Tensor uniform(const Shape& s, uint64_t seed, DType t = DType::F32) {
  Generator g(seed);
  return rand_uniform(s, g, -1.0, 1.0, t);
}
bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() && std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}
}  // namespace

TEST_CASE("cdc: theta = 0 is exactly conv2d; folded and two-conv forms agree in float64") {
  const Shape xs{2, 5, 8, 11}, ws{3, 5, 3, 3};
  for (CpuPath path : {CpuPath::Fast, CpuPath::Reference}) {
    ScopedCpuPath sp(path);
    Tensor x = uniform(xs, 1), w = uniform(ws, 2), gy = uniform({2, 3, 8, 11}, 3);
    CHECK(same_bits(cdc_conv2d_forward(x, w, 0.0, CdcForm::Folded), conv2d_forward(x, w, Tensor(), 1, 1)));
    CHECK(same_bits(cdc_conv2d_backward_data(gy, w, xs, 0.0, CdcForm::Folded), conv2d_backward_data(gy, w, xs, 1, 1)));
    CHECK(same_bits(cdc_conv2d_backward_weight(gy, x, ws, 0.0, CdcForm::Folded),
                    conv2d_backward_weight(gy, x, ws, 1, 1)));
  }
  Tensor x = uniform(xs, 4, DType::F64), w = uniform(ws, 5, DType::F64), gy = uniform({2, 3, 8, 11}, 6, DType::F64);
  for (double theta : {0.0, 0.7, 1.0}) {
    INFO("theta " << theta);
    CHECK(max_abs_diff(cdc_conv2d_forward(x, w, theta, CdcForm::Folded),
                       cdc_conv2d_forward(x, w, theta, CdcForm::TwoConv)) < 1e-12);
    CHECK(max_abs_diff(cdc_conv2d_backward_data(gy, w, xs, theta, CdcForm::Folded),
                       cdc_conv2d_backward_data(gy, w, xs, theta, CdcForm::TwoConv)) < 1e-12);
    CHECK(max_abs_diff(cdc_conv2d_backward_weight(gy, x, ws, theta, CdcForm::Folded),
                       cdc_conv2d_backward_weight(gy, x, ws, theta, CdcForm::TwoConv)) < 1e-12);
  }
}

TEST_CASE("conv2d forward: the implicit-GEMM route gives the im2col route's bits" * doctest::test_suite("simd")) {
  if (!cpu::implicit::applies(conv_geom(Shape{1, 1, 3, 3}, Shape{1, 1, 3, 3}, 1, 1)))
    return test::skip("this build has no implicit-GEMM route (it needs AVX-512F or AVX2+FMA)");
  // Every GSN conv but the attention convs runs the implicit route; training was
  // bit-reproducible on the im2col route before it, and stays so only if the two agree.
  const std::vector<std::pair<Shape, int64_t>> layers = {
      {{3, 4, 1, 1}, 6},  {{2, 5, 1, 19}, 7},  {{2, 3, 21, 1}, 9},    {{2, 3, 64, 64}, 16},
      {{20, 9, 6, 5}, 5}, {{4, 16, 33, 31}, 17}, {{32, 64, 8, 8}, 64}, {{3, 24, 16, 16}, 33},
      {{1, 3, 130, 127}, 8}};  // 344 panels: the mask table is built in parallel
  for (const auto& [xs, O] : layers) {
    const Shape ws{O, xs[1], 3, 3};
    const ConvGeom g = conv_geom(xs, ws, 1, 1);
    REQUIRE(cpu::implicit::applies(g));
    Tensor x = uniform(xs, 11), w = uniform(ws, 12), b = uniform({O}, 13);
    Tensor y1 = Tensor::empty({xs[0], O, xs[2], xs[3]}), y2 = Tensor::empty({xs[0], O, xs[2], xs[3]});
    for (const float* bias : {static_cast<const float*>(nullptr), static_cast<const float*>(b.data<float>())}) {
      INFO(xs.str() << " O " << O << (bias ? " bias" : ""));
      cpu::implicit::conv2d_forward(x.data<float>(), w.data<float>(), bias, g, y1.data<float>());
      cpu::conv2d_forward_im2col(x.data<float>(), w.data<float>(), bias, g, y2.data<float>());
      CHECK(same_bits(y1, y2));
    }
  }
}

TEST_CASE("conv2d backward-weight: the padded-copy route gives the im2col route's bits" * doctest::test_suite("simd")) {
  // Without the SIMD SGEMM both calls take the im2col route: nothing to compare.
  if (!cpu::sgemm_nn_simd_available())
    return test::skip("this build has no padded-copy route (it needs AVX-512F or AVX2+FMA)");
  // Row bands of one image (with real rows above and below), single whole images, and
  // multi-image tiles (zero rows between images); odd sizes; C under 8 (K < 64: the im2col
  // route, where both calls must agree trivially) and over.
  const std::vector<std::pair<Shape, int64_t>> layers = {
      {{2, 3, 64, 64}, 16}, {{20, 9, 6, 5}, 5}, {{4, 16, 33, 31}, 17}, {{32, 64, 8, 8}, 64}, {{3, 24, 16, 16}, 33},
      {{1, 8, 130, 127}, 8}, {{5, 16, 1, 19}, 32}, {{6, 16, 21, 1}, 32}, {{2, 3, 5, 5}, 5}, {{9, 288, 8, 8}, 64}};
  for (const auto& [xs, O] : layers) {
    const Shape ws{O, xs[1], 3, 3};
    const ConvGeom g = conv_geom(xs, ws, 1, 1);
    Tensor x = uniform(xs, 21), gy = uniform({xs[0], O, xs[2], xs[3]}, 22);
    Tensor gw1 = Tensor::empty(ws), gw2 = Tensor::empty(ws);
    INFO(xs.str() << " O " << O);
    cpu::conv2d_backward_weight(gy.data<float>(), x.data<float>(), g, gw1.data<float>());
    cpu::conv2d_backward_weight_im2col(gy.data<float>(), x.data<float>(), g, gw2.data<float>());
    CHECK(same_bits(gw1, gw2));
    Tensor want;
    {
      ScopedCpuPath reference(CpuPath::Reference);  // double sums
      want = conv2d_backward_weight(gy, x, ws, 1, 1);
    }
    // Sums of up to 9 * 64 * 130 products of [-1, 1] values in float: ~1e-4 apart.
    CHECK(max_abs_diff(gw1, want) < 2e-3);
  }
}

TEST_CASE("conv2d on the CPU gives the same bits for 1 and 2 threads") {
  // Row tiles of large images; grouped small images with bwd-data as a forward conv
  // (O < C) and through col2im (O >= C); the direct path (O <= 4) for a same conv (the
  // attention conv, O = 1, k = 7: masked loads on AVX-512 builds) and for pad 0 (the
  // padded-copy route, whose backward-weight sums fixed chunks).
  struct Layer {
    Shape xs;
    int64_t O, k, pad;
  };
  const std::vector<Layer> layers = {{{5, 7, 19, 17}, 6, 3, 1},
                                     {{20, 9, 6, 5}, 7, 3, 1},
                                     {{20, 3, 6, 5}, 5, 3, 1},
                                     {{16, 2, 16, 15}, 1, 7, 3},
                                     {{24, 2, 20, 19}, 1, 3, 0}};
  for (const auto& [xs, O, k, pad] : layers) {
    const Shape ws{O, xs[1], k, k};
    const int64_t Ho = xs[2] + 2 * pad - k + 1, Wo = xs[3] + 2 * pad - k + 1;
    Tensor x = uniform(xs, 7), w = uniform(ws, 8), b = uniform({O}, 9), gy = uniform({xs[0], O, Ho, Wo}, 10);
    const int saved = num_threads();
    std::vector<Tensor> out[2];
    for (int t : {1, 2}) {
      set_num_threads(t);
      auto& o = out[t - 1];
      const int p = static_cast<int>(pad);
      o.push_back(conv2d_forward(x, w, b, 1, p));
      o.push_back(conv2d_backward_data(gy, w, xs, 1, p));
      o.push_back(conv2d_backward_weight(gy, x, ws, 1, p));
      o.push_back(conv2d_backward_bias(gy));
    }
    set_num_threads(saved);
    for (std::size_t i = 0; i < out[0].size(); ++i) {
      INFO(xs.str() << " output " << i);
      CHECK(same_bits(out[0][i], out[1][i]));
    }
  }
}
