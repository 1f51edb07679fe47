// Our CUDA nn kernels against cuDNN, where cuDNN has the op: BatchNorm2d training forward
// and backward (legacy cudnnBatchNormalization* API, spatial mode), max pooling 3x3 s2 p1
// forward and backward, average pooling (= adaptive pooling with an integer factor, and
// global average pooling = one window over the whole plane). Label gpu; the binary's
// main reports SKIPPED without a device. Shapes: GSN-like and odd ones.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "kernels/core/cuda_check.cuh"
#include "kernels/core/random.h"
#include "kernels/norm/batch_norm.h"
#include "kernels/pool/pool.h"

#ifdef GSN_WITH_CUDNN
#include "kernels/core/cudnn_check.cuh"

namespace {
using namespace gsn;


struct TensorDesc {
  cudnnTensorDescriptor_t d{};
  TensorDesc(int64_t n, int64_t c, int64_t h, int64_t w) {
    GSN_CUDNN_CHECK(cudnnCreateTensorDescriptor(&d));
    GSN_CUDNN_CHECK(cudnnSetTensor4dDescriptor(d, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, static_cast<int>(n),
                                               static_cast<int>(c), static_cast<int>(h), static_cast<int>(w)));
  }
  explicit TensorDesc(const Shape& s) : TensorDesc(s[0], s[1], s.ndim() > 2 ? s[2] : 1, s.ndim() > 3 ? s[3] : 1) {}
  ~TensorDesc() { cudnnDestroyTensorDescriptor(d); }
  TensorDesc(const TensorDesc&) = delete;
  TensorDesc& operator=(const TensorDesc&) = delete;
};

struct PoolDesc {
  cudnnPoolingDescriptor_t d{};
  PoolDesc(cudnnPoolingMode_t mode, int kh, int kw, int ph, int pw, int sh, int sw) {
    GSN_CUDNN_CHECK(cudnnCreatePoolingDescriptor(&d));
    GSN_CUDNN_CHECK(cudnnSetPooling2dDescriptor(d, mode, CUDNN_NOT_PROPAGATE_NAN, kh, kw, ph, pw, sh, sw));
  }
  ~PoolDesc() { cudnnDestroyPoolingDescriptor(d); }
  PoolDesc(const PoolDesc&) = delete;
  PoolDesc& operator=(const PoolDesc&) = delete;
};

// |ours - theirs| <= atol + rtol*|theirs| everywhere; reports the worst element.
void expect_close(const char* what, const Tensor& ours, const Tensor& theirs, double atol, double rtol) {
  REQUIRE(ours.shape() == theirs.shape());
  std::vector<double> a = ours.to_vector<double>(), b = theirs.to_vector<double>();
  int bad = 0;
  double worst = 0.0;
  std::size_t worst_i = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double d = std::fabs(a[i] - b[i]);
    if (!(d <= atol + rtol * std::fabs(b[i]))) ++bad;
    if (!(d <= worst)) {
      worst = d;
      worst_i = i;
    }
  }
  INFO(what << ": " << bad << " of " << a.size() << " out of tolerance; worst |diff| " << worst << " at " << worst_i
            << " (ours " << a[worst_i] << ", cuDNN " << b[worst_i] << ")");
  CHECK(bad == 0);
}

Tensor uniform(const Shape& s, uint64_t seed, double lo, double hi) {
  Generator g(seed);
  return rand_uniform(s, g, lo, hi).to(Device::CUDA);
}

// A random permutation of n evenly spaced values in [-1, 1): no two equal, so no window
// has a tied maximum and cuDNN's backward cannot route a gradient to another element
// than our first-max rule (which the harness's tie test checks on its own).
Tensor distinct(const Shape& s, uint64_t seed) {
  const int64_t n = s.numel();
  std::vector<float> v(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = static_cast<float>(-1.0 + 2.0 * i / n);
  std::mt19937_64 rng(seed);
  std::shuffle(v.begin(), v.end(), rng);
  return Tensor::from_vector(s, v, Device::CUDA);
}

const float kOne = 1.f, kZero = 0.f;
}  // namespace

TEST_CASE("batch_norm training forward and backward match cuDNN") {
  for (const Shape& s : std::vector<Shape>{{32, 16, 64, 64}, {32, 32, 8, 8}, {3, 7, 13, 11}, {1, 5, 1, 2}}) {
    INFO("x " << s.str());
    const int64_t C = s[1];
    Tensor x = uniform(s, 1, -1.0, 3.0), gy = uniform(s, 2, -1.0, 1.0);
    Tensor gamma = uniform(Shape{C}, 3, 0.5, 1.5), beta = uniform(Shape{C}, 4, -0.5, 0.5);
    Tensor rm = uniform(Shape{C}, 5, -0.2, 0.2), rv = uniform(Shape{C}, 6, 0.5, 1.5);
    Tensor rm_c = rm.clone(), rv_c = rv.clone();
    BatchNormResult ours = batch_norm_forward(x, gamma, beta, rm, rv, true, 0.1, 1e-5);

    Tensor y_c = Tensor::empty_like(x), mean_c = Tensor::empty(Shape{C}, DType::F32, Device::CUDA),
           inv_c = Tensor::empty(Shape{C}, DType::F32, Device::CUDA);
    TensorDesc xd(s), pd(1, C, 1, 1);
    GSN_CUDNN_CHECK(cudnnBatchNormalizationForwardTraining(
        cudnn_handle(), CUDNN_BATCHNORM_SPATIAL, &kOne, &kZero, xd.d, x.raw(), xd.d, y_c.raw(), pd.d, gamma.raw(), beta.raw(),
        0.1, rm_c.raw(), rv_c.raw(), 1e-5, mean_c.raw(), inv_c.raw()));
    expect_close("y", ours.y, y_c, 1e-5, 1e-4);
    expect_close("save_mean", ours.save_mean, mean_c, 1e-6, 1e-5);
    expect_close("save_invstd", ours.save_invstd, inv_c, 1e-6, 1e-4);
    expect_close("running_mean", rm, rm_c, 1e-6, 1e-5);
    expect_close("running_var (unbiased)", rv, rv_c, 1e-6, 1e-4);

    BatchNormGrads g = batch_norm_backward(x, gy, gamma, ours.save_mean, ours.save_invstd, true);
    Tensor gx_c = Tensor::empty_like(x), gg_c = Tensor::empty(Shape{C}, DType::F32, Device::CUDA),
           gb_c = Tensor::empty(Shape{C}, DType::F32, Device::CUDA);
    GSN_CUDNN_CHECK(cudnnBatchNormalizationBackward(cudnn_handle(), CUDNN_BATCHNORM_SPATIAL, &kOne, &kZero, &kOne, &kZero,
                                                    xd.d, x.raw(), xd.d, gy.raw(), xd.d, gx_c.raw(), pd.d,
                                                    gamma.raw(), gg_c.raw(), gb_c.raw(), 1e-5, mean_c.raw(),
                                                    inv_c.raw()));
    expect_close("gx", g.gx, gx_c, 1e-5, 1e-3);
    expect_close("ggamma", g.ggamma, gg_c, 1e-3, 1e-4);
    expect_close("gbeta", g.gbeta, gb_c, 1e-3, 1e-4);
  }
}

TEST_CASE("max_pool2d 3x3 s2 p1 forward and backward match cuDNN") {
  for (const Shape& s : std::vector<Shape>{{32, 32, 64, 64}, {32, 128, 48, 48}, {2, 3, 7, 5}, {1, 1, 1, 1}}) {
    INFO("x " << s.str());
    Tensor x = distinct(s, 11);  // negative values too: padding must act as -inf
    MaxPoolResult ours = max_pool2d(x, 3, 2, 1);
    Tensor y_c = Tensor::empty_like(ours.y);
    TensorDesc xd(s), yd(ours.y.shape());
    PoolDesc pd(CUDNN_POOLING_MAX_DETERMINISTIC, 3, 3, 1, 1, 2, 2);
    GSN_CUDNN_CHECK(cudnnPoolingForward(cudnn_handle(), pd.d, &kOne, xd.d, x.raw(), &kZero, yd.d, y_c.raw()));
    expect_close("y", ours.y, y_c, 0.0, 0.0);

    Tensor gy = uniform(ours.y.shape(), 12, -1.0, 1.0);
    Tensor gx = max_pool2d_backward(gy, ours.idx, s, 3, 2, 1);
    Tensor gx_c = Tensor::empty_like(x);
    GSN_CUDNN_CHECK(cudnnPoolingBackward(cudnn_handle(), pd.d, &kOne, yd.d, y_c.raw(), yd.d, gy.raw(), xd.d, x.raw(), &kZero,
                                         xd.d, gx_c.raw()));
    expect_close("gx", gx, gx_c, 1e-6, 1e-6);
  }
}

TEST_CASE("adaptive and global average pooling match cuDNN average pooling") {
  struct Case {
    Shape s;
    int f;  // integer factor: adaptive bins are then non-overlapping f x f windows
  };
  for (const Case& c : std::vector<Case>{{{16, 96, 32, 32}, 4}, {{16, 96, 16, 16}, 2}, {{3, 5, 21, 14}, 7}}) {
    INFO("x " << c.s.str() << " factor " << c.f);
    Tensor x = uniform(c.s, 21, -1.0, 1.0);
    Tensor y = adaptive_avg_pool2d(x, c.s[2] / c.f, c.s[3] / c.f);
    Tensor y_c = Tensor::empty_like(y);
    TensorDesc xd(c.s), yd(y.shape());
    PoolDesc pd(CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING, c.f, c.f, 0, 0, c.f, c.f);
    GSN_CUDNN_CHECK(cudnnPoolingForward(cudnn_handle(), pd.d, &kOne, xd.d, x.raw(), &kZero, yd.d, y_c.raw()));
    expect_close("adaptive y", y, y_c, 1e-6, 1e-5);
    Tensor gy = uniform(y.shape(), 22, -1.0, 1.0);
    Tensor gx = adaptive_avg_pool2d_backward(gy, c.s), gx_c = Tensor::empty_like(x);
    GSN_CUDNN_CHECK(cudnnPoolingBackward(cudnn_handle(), pd.d, &kOne, yd.d, y_c.raw(), yd.d, gy.raw(), xd.d, x.raw(), &kZero,
                                         xd.d, gx_c.raw()));
    expect_close("adaptive gx", gx, gx_c, 1e-6, 1e-5);
  }
  for (const Shape& s : std::vector<Shape>{{16, 64, 24, 24}, {16, 32, 8, 8}, {3, 7, 5, 9}}) {
    INFO("x " << s.str());
    Tensor x = uniform(s, 31, -1.0, 1.0);
    Tensor y = global_avg_pool(x);
    Tensor y_c = Tensor::empty(Shape{s[0], s[1], 1, 1}, DType::F32, Device::CUDA);
    TensorDesc xd(s), yd(s[0], s[1], 1, 1);
    PoolDesc pd(CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING, static_cast<int>(s[2]), static_cast<int>(s[3]), 0, 0,
                static_cast<int>(s[2]), static_cast<int>(s[3]));
    GSN_CUDNN_CHECK(cudnnPoolingForward(cudnn_handle(), pd.d, &kOne, xd.d, x.raw(), &kZero, yd.d, y_c.raw()));
    expect_close("global y", y, y_c.reshape(y.shape()), 1e-6, 1e-5);
    Tensor gy = uniform(y.shape(), 32, -1.0, 1.0);
    Tensor gx = global_avg_pool_backward(gy, s), gx_c = Tensor::empty_like(x);
    GSN_CUDNN_CHECK(cudnnPoolingBackward(cudnn_handle(), pd.d, &kOne, yd.d, y_c.raw(), yd.d, gy.raw(), xd.d, x.raw(), &kZero,
                                         xd.d, gx_c.raw()));
    expect_close("global gx", gx, gx_c, 1e-6, 1e-5);
  }
}

#else
TEST_CASE("nn kernels against cuDNN") { MESSAGE("SKIPPED: built without cuDNN"); }
#endif
