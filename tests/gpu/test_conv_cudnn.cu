// Our CUDA conv2d (every kernel version) and CDC against cuDNN, fp32 (CUDNN_FMA_MATH: no
// TF32). Forward (+ bias), backward-data, backward-weight and the bias gradient at GSN
// layer shapes (batch cut to 4 to keep the test short; channels and resolutions as in the
// tiny and paper presets) and at odd shapes; each version is also run twice to check the
// bits do not change. CDC: our folded form against cuDNN's two-convolution form
// (conv3x3(x, w) - theta * conv1x1(x, sum_uv w), and its two backward passes).
// Label gpu; the binary's main reports SKIPPED without a device.
//
// Tolerance: |ours - cuDNN| <= t + t*|cuDNN| with t = 2e-5 * sqrt(D), D the length of the
// longest sum (C*k*k, O*k*k or N*Ho*Wo): both sides are float sums in different orders
// (cuDNN may also pick Winograd/FFT algorithms, whose rounding is larger).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/conv/cdc.h"
#include "kernels/conv/conv.h"
#include "kernels/core/backend.h"
#include "kernels/core/cuda_check.cuh"
#include "kernels/core/random.h"

#ifdef GSN_WITH_CUDNN
#include "kernels/core/cudnn_check.cuh"

namespace {
using namespace gsn;


const float kOne = 1.f, kZero = 0.f;

// Descriptors of one conv; algorithms from cuDNN's heuristic (Get*_v7), the first that
// succeeds with a workspace under 1 GiB.
struct CudnnConv {
  cudnnTensorDescriptor_t xd{}, yd{}, bd{};
  cudnnFilterDescriptor_t wd{};
  cudnnConvolutionDescriptor_t cd{};
  ConvGeom g;

  explicit CudnnConv(const ConvGeom& geom) : g(geom) {
    auto i = [](int64_t v) { return static_cast<int>(v); };
    GSN_CUDNN_CHECK(cudnnCreateTensorDescriptor(&xd));
    GSN_CUDNN_CHECK(cudnnCreateTensorDescriptor(&yd));
    GSN_CUDNN_CHECK(cudnnCreateTensorDescriptor(&bd));
    GSN_CUDNN_CHECK(cudnnCreateFilterDescriptor(&wd));
    GSN_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&cd));
    GSN_CUDNN_CHECK(cudnnSetTensor4dDescriptor(xd, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, i(g.N), i(g.C), i(g.H), i(g.W)));
    GSN_CUDNN_CHECK(cudnnSetTensor4dDescriptor(yd, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, i(g.N), i(g.O), i(g.Ho), i(g.Wo)));
    GSN_CUDNN_CHECK(cudnnSetTensor4dDescriptor(bd, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, i(g.O), 1, 1));
    GSN_CUDNN_CHECK(cudnnSetFilter4dDescriptor(wd, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, i(g.O), i(g.C), i(g.k), i(g.k)));
    GSN_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(cd, i(g.p), i(g.p), i(g.s), i(g.s), 1, 1, CUDNN_CROSS_CORRELATION,
                                                    CUDNN_DATA_FLOAT));
    GSN_CUDNN_CHECK(cudnnSetConvolutionMathType(cd, CUDNN_FMA_MATH));
  }
  ~CudnnConv() {
    cudnnDestroyTensorDescriptor(xd);
    cudnnDestroyTensorDescriptor(yd);
    cudnnDestroyTensorDescriptor(bd);
    cudnnDestroyFilterDescriptor(wd);
    cudnnDestroyConvolutionDescriptor(cd);
  }
  CudnnConv(const CudnnConv&) = delete;
  CudnnConv& operator=(const CudnnConv&) = delete;

  static Tensor workspace(std::size_t bytes) {
    return Tensor::empty(Shape{static_cast<int64_t>(bytes / 4 + 1)}, DType::F32, Device::CUDA);
  }

  // Runs call(algo, workspace, bytes) for each algorithm the heuristic lists as usable
  // (workspace under 1 GiB), in its order, until one returns success: a listed algorithm
  // can still refuse the call (odd shapes: pad >= k, images smaller than the kernel),
  // and that must not fail a test of OUR kernel.
  template <class Perf, class Call> static void first_that_runs(const Perf* perf, int n, const char* what, Call call) {
    cudnnStatus_t last = CUDNN_STATUS_NOT_SUPPORTED;
    for (int a = 0; a < n; ++a) {
      if (perf[a].status != CUDNN_STATUS_SUCCESS || perf[a].memory > (std::size_t{1} << 30)) continue;
      Tensor ws = workspace(perf[a].memory);
      last = call(perf[a].algo, ws.raw(), perf[a].memory);
      if (last == CUDNN_STATUS_SUCCESS) return;
    }
    GSN_THROW("cuDNN ran no ", what, " algorithm; the last one tried said ", cudnnGetErrorString(last));
  }

  void forward(const Tensor& x, const Tensor& w, const Tensor& b, Tensor& y) {
    cudnnConvolutionFwdAlgoPerf_t perf[16];
    int n = 0;
    GSN_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithm_v7(cudnn_handle(), xd, wd, cd, yd, 16, &n, perf));
    first_that_runs(perf, n, "forward", [&](cudnnConvolutionFwdAlgo_t algo, void* ws, std::size_t bytes) {
      return cudnnConvolutionForward(cudnn_handle(), &kOne, xd, x.raw(), wd, w.raw(), cd, algo, ws, bytes, &kZero, yd,
                                     y.raw());
    });
    if (b.defined()) GSN_CUDNN_CHECK(cudnnAddTensor(cudnn_handle(), &kOne, bd, b.raw(), &kOne, yd, y.raw()));
  }
  void backward_data(const Tensor& gy, const Tensor& w, Tensor& gx) {
    cudnnConvolutionBwdDataAlgoPerf_t perf[16];
    int n = 0;
    GSN_CUDNN_CHECK(cudnnGetConvolutionBackwardDataAlgorithm_v7(cudnn_handle(), wd, yd, cd, xd, 16, &n, perf));
    first_that_runs(perf, n, "backward-data", [&](cudnnConvolutionBwdDataAlgo_t algo, void* ws, std::size_t bytes) {
      return cudnnConvolutionBackwardData(cudnn_handle(), &kOne, wd, w.raw(), yd, gy.raw(), cd, algo, ws, bytes, &kZero,
                                          xd, gx.raw());
    });
  }
  void backward_filter(const Tensor& gy, const Tensor& x, Tensor& gw) {
    cudnnConvolutionBwdFilterAlgoPerf_t perf[16];
    int n = 0;
    GSN_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterAlgorithm_v7(cudnn_handle(), xd, yd, cd, wd, 16, &n, perf));
    first_that_runs(perf, n, "backward-filter", [&](cudnnConvolutionBwdFilterAlgo_t algo, void* ws, std::size_t bytes) {
      return cudnnConvolutionBackwardFilter(cudnn_handle(), &kOne, xd, x.raw(), yd, gy.raw(), cd, algo, ws, bytes,
                                            &kZero, wd, gw.raw());
    });
  }
  void backward_bias(const Tensor& gy, Tensor& gb) {
    GSN_CUDNN_CHECK(cudnnConvolutionBackwardBias(cudnn_handle(), &kOne, yd, gy.raw(), &kZero, bd, gb.raw()));
  }
};

void expect_close(const std::string& what, const Tensor& ours, const Tensor& theirs, double t) {
  REQUIRE(ours.numel() == theirs.numel());
  std::vector<double> a = ours.to_vector<double>(), b = theirs.to_vector<double>();
  int bad = 0;
  double worst = 0.0;
  std::size_t wi = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double d = std::fabs(a[i] - b[i]);
    if (!(d <= t + t * std::fabs(b[i]))) ++bad;
    if (!(d <= worst)) {
      worst = d;
      wi = i;
    }
  }
  INFO(what << ": " << bad << " of " << a.size() << " out of tolerance " << t << "; worst |diff| " << worst << " at "
            << wi << " (ours " << a[wi] << ", cuDNN " << b[wi] << ")");
  CHECK(bad == 0);
}

bool same_bits(const Tensor& a, const Tensor& b) {
  std::vector<float> x = a.to_vector<float>(), y = b.to_vector<float>();
  return std::equal(x.begin(), x.end(), y.begin(), [](float p, float q) {
    return std::memcmp(&p, &q, sizeof p) == 0;
  });
}

Tensor uniform(const Shape& s, uint64_t seed) {
  Generator g(seed);
  return rand_uniform(s, g, -1.0, 1.0).to(Device::CUDA);
}

// Tolerances per pass, from the length of the sums an output of that pass takes (float
// rounding grows like its square root): forward C*k*k, backward-data O*k*k, backward-
// weight (and the bias gradient) N*Ho*Wo. One shared bound would let the forward and
// backward-data checks pass errors 5-30x larger than their own sums can produce.
struct Tols {
  double y, gx, gw;
};
Tols tols_of(const ConvGeom& g) {
  const auto t = [](int64_t depth) { return 2e-5 * std::sqrt(static_cast<double>(std::max<int64_t>(depth, 1))); };
  return {t(g.K()), t(g.O * g.k * g.k), t(g.P())};
}

struct Case {
  std::string name;
  Shape x;
  int64_t O;
  int k, s, p;
};

const std::vector<Case> kCases = {
    // GSN layer shapes (batch 4): tiny at 64x64, paper at 192x192 (cut to 96x96 here).
    {"tiny.stem", {4, 3, 64, 64}, 16, 3, 1, 1},
    {"tiny.b1.conv2", {4, 32, 64, 64}, 48, 3, 1, 1},
    {"tiny.b3.conv3", {4, 48, 16, 16}, 32, 3, 1, 1},
    {"tiny.fuse1", {4, 288, 8, 8}, 64, 3, 1, 1},
    {"tiny.attn7", {4, 2, 32, 32}, 1, 7, 1, 3},
    {"paper.b1.conv2", {2, 128, 96, 96}, 196, 3, 1, 1},
    {"paper.fuse1", {2, 1152, 24, 24}, 128, 3, 1, 1},
    // Odd shapes.
    {"odd.k3s2", {2, 3, 9, 7}, 4, 3, 2, 1},
    {"odd.k5", {1, 5, 13, 11}, 3, 5, 1, 2},
    {"odd.k7s2p0", {1, 3, 8, 8}, 5, 7, 2, 0},
    {"odd.p0", {3, 7, 6, 5}, 2, 3, 1, 0},
    {"odd.1x1img", {1, 1, 1, 1}, 1, 3, 1, 1},
    {"odd.k1", {2, 6, 7, 5}, 3, 1, 1, 0},
    {"odd.k1s2p1", {2, 3, 4, 3}, 2, 1, 2, 1},
    {"odd.primes", {3, 17, 29, 23}, 67, 3, 1, 1},
};
}  // namespace

TEST_CASE("conv2d: every CUDA version matches cuDNN (fwd + bias, bwd-data, bwd-weight, bias grad)") {
  for (const Case& c : kCases) {
    const Shape ws{c.O, c.x[1], c.k, c.k};
    const ConvGeom g = conv_geom(c.x, ws, c.s, c.p);
    const Shape ys{g.N, g.O, g.Ho, g.Wo};
    INFO(c.name << " x " << c.x.str() << " w " << ws.str() << " s " << c.s << " p " << c.p);
    Tensor x = uniform(c.x, 1), w = uniform(ws, 2), b = uniform(Shape{c.O}, 3), gy = uniform(ys, 4);
    CudnnConv cd(g);
    Tensor y_c = Tensor::empty(ys, DType::F32, Device::CUDA), gx_c = Tensor::empty_like(x), gw_c = Tensor::empty_like(w),
           gb_c = Tensor::empty_like(b);
    cd.forward(x, w, b, y_c);
    cd.backward_data(gy, w, gx_c);
    cd.backward_filter(gy, x, gw_c);
    cd.backward_bias(gy, gb_c);
    const Tols t = tols_of(g);
    for (int v = 0; v <= cuda::kConvVersions; ++v) {
      INFO("version " << v << " (0 = the launcher's pick)");
      Tensor y = Tensor::empty(ys, DType::F32, Device::CUDA), y2 = Tensor::empty_like(y);
      Tensor gx = Tensor::empty_like(x), gx2 = Tensor::empty_like(x), gw = Tensor::empty_like(w),
             gw2 = Tensor::empty_like(w);
      for (int rep = 0; rep < 2; ++rep) {
        cuda::conv2d_forward(x.data<float>(), w.data<float>(), b.data<float>(), g, (rep ? y2 : y).data<float>(), v);
        cuda::conv2d_backward_data(gy.data<float>(), w.data<float>(), g, (rep ? gx2 : gx).data<float>(), v);
        cuda::conv2d_backward_weight(gy.data<float>(), x.data<float>(), g, (rep ? gw2 : gw).data<float>(), v);
      }
      cuda_synchronize();
      expect_close("y", y, y_c, t.y);
      expect_close("gx", gx, gx_c, t.gx);
      expect_close("gw", gw, gw_c, t.gw);
      CHECK(same_bits(y, y2));
      CHECK(same_bits(gx, gx2));
      CHECK(same_bits(gw, gw2));
    }
    Tensor gb = conv2d_backward_bias(gy);
    expect_close("gb", gb, gb_c, t.gw);  // also a sum over N*Ho*Wo
  }
}

TEST_CASE("cdc: our folded CDC matches cuDNN's two-convolution CDC") {
  struct CdcCase {
    std::string name;
    Shape x;
    int64_t O;
  };
  const std::vector<CdcCase> cases = {{"tiny.b1.conv1", {4, 16, 64, 64}, 32},
                                      {"paper.fuse2", {4, 128, 24, 24}, 64},
                                      {"odd", {3, 5, 13, 11}, 7},
                                      {"odd.1x1", {1, 2, 1, 1}, 3}};
  for (const CdcCase& c : cases) {
    const Shape ws{c.O, c.x[1], 3, 3}, ss{c.O, c.x[1], 1, 1};
    const ConvGeom g3 = conv_geom(c.x, ws, 1, 1), g1 = conv_geom(c.x, ss, 1, 0);
    const Shape ys{g3.N, g3.O, g3.Ho, g3.Wo};
    Tensor x = uniform(c.x, 11), w = uniform(ws, 12), gy = uniform(ys, 13);
    // S = sum of the 9 taps, computed on the host (independent of our kernels).
    std::vector<float> wh = w.to_vector<float>(), sh(static_cast<std::size_t>(c.O * c.x[1]));
    for (std::size_t oc = 0; oc < sh.size(); ++oc)
      for (int t = 0; t < 9; ++t) sh[oc] += wh[oc * 9 + static_cast<std::size_t>(t)];
    Tensor S = Tensor::from_vector(ss, sh, Device::CUDA);
    CudnnConv c3(g3), c1(g1);
    for (double theta : {0.0, 0.7, 1.0}) {
      INFO(c.name << " x " << c.x.str() << " O " << c.O << " theta " << theta);
      const float mt = static_cast<float>(-theta);
      Tensor y3 = Tensor::empty(ys, DType::F32, Device::CUDA), y1 = Tensor::empty_like(y3);
      c3.forward(x, w, Tensor(), y3);
      c1.forward(x, S, Tensor(), y1);
      GSN_CUDNN_CHECK(cudnnAddTensor(cudnn_handle(), &mt, c1.yd, y1.raw(), &kOne, c3.yd, y3.raw()));
      Tensor gx3 = Tensor::empty_like(x), gx1 = Tensor::empty_like(x);
      c3.backward_data(gy, w, gx3);
      c1.backward_data(gy, S, gx1);
      GSN_CUDNN_CHECK(cudnnAddTensor(cudnn_handle(), &mt, c1.xd, gx1.raw(), &kOne, c3.xd, gx3.raw()));
      Tensor gw3 = Tensor::empty_like(w), gw1 = Tensor::empty(ss, DType::F32, Device::CUDA);
      c3.backward_filter(gy, x, gw3);
      c1.backward_filter(gy, x, gw1);
      std::vector<float> g3h = gw3.to_vector<float>(), g1h = gw1.to_vector<float>();
      for (std::size_t oc = 0; oc < g1h.size(); ++oc)
        for (int t = 0; t < 9; ++t) g3h[oc * 9 + static_cast<std::size_t>(t)] -= static_cast<float>(theta) * g1h[oc];
      Tensor gw_c = Tensor::from_vector(ws, g3h);

      const Tols t = tols_of(g3);
      expect_close("y", cdc_conv2d_forward(x, w, theta), y3, t.y);
      expect_close("gx", cdc_conv2d_backward_data(gy, w, c.x, theta), gx3, t.gx);
      expect_close("gw", cdc_conv2d_backward_weight(gy, x, ws, theta), gw_c, t.gw);
      if (theta == 0.0) CHECK(same_bits(cdc_conv2d_forward(x, w, 0.0), conv2d_forward(x, w, Tensor(), 1, 1)));
    }
  }
}

#else
TEST_CASE("conv kernels against cuDNN") { MESSAGE("SKIPPED: built without cuDNN"); }
#endif
