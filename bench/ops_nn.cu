// CUDA benchmarks of the nn ops at GSN shapes (tiny: 2B = 32 images of 64x64,
// c = 16,32,48,32,64; paper: 192x192, c = 64,128,196,128,128). Each op's raw CUDA kernel
// runs on preallocated buffers, timed with CUDA events after an L2 flush
// (bench_cuda.cuh). GB/s counts the compulsory traffic (inputs read once, outputs written
// once). Per op and shape:
//   gsn_cuda  ours
//   copy      cudaMemcpyAsync device-to-device moving the same bytes (half read, half
//             written): the baseline; the target is >= 60% of its GB/s
//   cudnn     where cuDNN has the op (BN training forward/backward, max and average
//             pooling)
// Registered only when a CUDA device answers.
#include <memory>
#include <tuple>
#include <vector>

#include "bench/bench_cuda.cuh"
#include "bench/bench_util.h"
#include "kernels/attention/attention.h"
#include "kernels/core/backend.h"
#include "kernels/core/random.h"
#include "kernels/fusion/fusion.h"
#include "kernels/norm/batch_norm.h"
#include "kernels/pool/pool.h"
#include "kernels/tensor_ops/tensor_ops.h"

#ifdef GSN_WITH_CUDNN
#include "kernels/core/cudnn_check.cuh"
#endif

namespace {
using namespace gsn;
namespace gb = gsn::bench;

struct Buf {  // filled on the device (bench_cuda.cuh): made eagerly, at registration
  Tensor t;
  float* p;
  explicit Buf(const Shape& s, uint64_t seed = 0) : t(gb::cuda_random(s, seed)), p(t.data<float>()) {}
};
using B = std::shared_ptr<Buf>;
B buf(const Shape& s, uint64_t seed = 0) { return std::make_shared<Buf>(s, seed); }
double bytes_of(const Shape& s) { return 4.0 * static_cast<double>(s.numel()); }

template <class Fn> void reg(const std::string& op, const std::string& shape, const std::string& impl, double bytes, Fn fn) {
  gb::cuda_timed(gb::add(op, shape, impl, [bytes, fn](benchmark::State& st) {
    gb::time_cuda(st, fn);
    gb::set_bytes(st, bytes);
  }));
}

// The baseline: a device-to-device copy of bytes/2 (so it moves `bytes` in all).
void reg_copy(const std::string& op, const std::string& shape, double bytes) {
  const std::size_t half = static_cast<std::size_t>(bytes / 2);
  auto src = std::make_shared<Buf>(Shape{static_cast<int64_t>(half / 4) + 1});
  auto dst = std::make_shared<Buf>(Shape{static_cast<int64_t>(half / 4) + 1});
  gb::cuda_timed(gb::add(op, shape, "copy", [=](benchmark::State& st) {
    gb::time_cuda(st, [&] { GSN_CUDA_CHECK(cudaMemcpyAsync(dst->p, src->p, half, cudaMemcpyDeviceToDevice, cuda_stream())); });
    gb::set_bytes(st, 2.0 * static_cast<double>(half));
    gb::mark_baseline(st);
  }));
}

template <class Fn> void reg_pair(const std::string& op, const std::string& shape, double bytes, Fn fn) {
  reg(op, shape, "gsn_cuda", bytes, fn);
  reg_copy(op, shape, bytes);
}

#ifdef GSN_WITH_CUDNN
cudnnTensorDescriptor_t desc(const Shape& s) {  // kept for the process's lifetime
  cudnnTensorDescriptor_t d;
  GSN_CUDNN_CHECK(cudnnCreateTensorDescriptor(&d));
  GSN_CUDNN_CHECK(cudnnSetTensor4dDescriptor(d, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, static_cast<int>(s[0]),
                                             static_cast<int>(s[1]), s.ndim() > 2 ? static_cast<int>(s[2]) : 1,
                                             s.ndim() > 3 ? static_cast<int>(s[3]) : 1));
  return d;
}
cudnnPoolingDescriptor_t pool_desc(cudnnPoolingMode_t mode, int k, int s, int p) {
  cudnnPoolingDescriptor_t d;
  GSN_CUDNN_CHECK(cudnnCreatePoolingDescriptor(&d));
  GSN_CUDNN_CHECK(cudnnSetPooling2dDescriptor(d, mode, CUDNN_NOT_PROPAGATE_NAN, k, k, p, p, s, s));
  return d;
}
const float kOne = 1.f, kZero = 0.f;
#endif
}  // namespace

GSN_BENCHMARKS(nn_cuda) {
  if (!cuda_available()) return;

  // BatchNorm2d training: tiny block-1 conv3 and paper stem / block-3 conv3.
  for (auto [name, s] : std::vector<std::pair<std::string, Shape>>{{"tiny.block1", {32, 32, 64, 64}},
                                                                   {"paper.stem", {32, 64, 192, 192}},
                                                                   {"paper.block3", {32, 128, 48, 48}}}) {
    const Shape c{s[1]};
    const BnGeom g{s[0], s[1], s[2] * s[3]};
    B x = buf(s, 1), gy = buf(s, 2), y = buf(s), gx = buf(s), gamma = buf(c, 3), beta = buf(c, 4), rm = buf(c),
      rv = buf(c), mean = buf(c), inv = buf(c), gg = buf(c), gbt = buf(c);
    reg_pair("batch_norm_fwd", name, 2 * bytes_of(s), [=] {
      cuda::batch_norm_forward(x->p, gamma->p, beta->p, g, true, 0.1f, 1e-5f, y->p, mean->p, inv->p, rm->p, rv->p, false);
    });
    reg_pair("batch_norm_bwd", name, 3 * bytes_of(s), [=] {
      cuda::batch_norm_backward(x->p, gy->p, gamma->p, mean->p, inv->p, g, true, gx->p, gg->p, gbt->p, nullptr);
    });
    reg_pair("batch_norm_relu_fwd", name, 2 * bytes_of(s), [=] {
      cuda::batch_norm_forward(x->p, gamma->p, beta->p, g, true, 0.1f, 1e-5f, y->p, mean->p, inv->p, rm->p, rv->p, true);
    });
    reg_pair("batch_norm_relu_bwd", name, 4 * bytes_of(s), [=] {
      cuda::batch_norm_backward(x->p, gy->p, gamma->p, mean->p, inv->p, g, true, gx->p, gg->p, gbt->p, y->p);
    });
#ifdef GSN_WITH_CUDNN
    cudnnTensorDescriptor_t xd = desc(s), pd = desc(Shape{1, s[1], 1, 1});
    reg("batch_norm_fwd", name, "cudnn", 2 * bytes_of(s), [=] {
      GSN_CUDNN_CHECK(cudnnBatchNormalizationForwardTraining(cudnn_handle(), CUDNN_BATCHNORM_SPATIAL, &kOne, &kZero, xd, x->p, xd,
                                                             y->p, pd, gamma->p, beta->p, 0.1, rm->p, rv->p, 1e-5,
                                                             mean->p, inv->p));
    });
    reg("batch_norm_bwd", name, "cudnn", 3 * bytes_of(s), [=] {
      GSN_CUDNN_CHECK(cudnnBatchNormalizationBackward(cudnn_handle(), CUDNN_BATCHNORM_SPATIAL, &kOne, &kZero, &kOne, &kZero, xd,
                                                      x->p, xd, gy->p, xd, gx->p, pd, gamma->p, gg->p, gbt->p, 1e-5,
                                                      mean->p, inv->p));
    });
#endif
  }

  // MaxPool2d 3x3 s2 p1 at the end of block 1 (tiny, paper).
  for (auto [name, s] : std::vector<std::pair<std::string, Shape>>{{"tiny.block1", {32, 32, 64, 64}},
                                                                   {"paper.block1", {32, 128, 192, 192}}}) {
    PoolGeom g{s[0] * s[1], s[2], s[3], (s[2] - 1) / 2 + 1, (s[3] - 1) / 2 + 1, 3, 2, 1};
    const Shape ys{s[0], s[1], g.Ho, g.Wo};
    B x = buf(s, 3), gx = buf(s), y = buf(ys), idx = buf(ys), gy = buf(ys, 4);
    cuda::max_pool2d_forward(x->p, g, y->p, idx->p);
    reg_pair("max_pool2d_fwd", name, bytes_of(s) + 2 * bytes_of(ys), [=] { cuda::max_pool2d_forward(x->p, g, y->p, idx->p); });
    reg_pair("max_pool2d_bwd", name, bytes_of(s) + 2 * bytes_of(ys), [=] { cuda::max_pool2d_backward(gy->p, idx->p, g, gx->p); });
#ifdef GSN_WITH_CUDNN
    cudnnTensorDescriptor_t xd = desc(s), yd = desc(ys);
    cudnnPoolingDescriptor_t pd = pool_desc(CUDNN_POOLING_MAX_DETERMINISTIC, 3, 2, 1);
    reg("max_pool2d_fwd", name, "cudnn", bytes_of(s) + bytes_of(ys), [=] {
      GSN_CUDNN_CHECK(cudnnPoolingForward(cudnn_handle(), pd, &kOne, xd, x->p, &kZero, yd, y->p));
    });
    reg("max_pool2d_bwd", name, "cudnn", 2 * bytes_of(s) + 2 * bytes_of(ys), [=] {  // reads x, y, gy; writes gx
      GSN_CUDNN_CHECK(cudnnPoolingBackward(cudnn_handle(), pd, &kOne, yd, y->p, yd, gy->p, xd, x->p, &kZero, xd, gx->p));
    });
#endif
  }

  // Per level: siamese difference concat and the attention pieces.
  struct Level {
    std::string name;
    int64_t B, cb, h;
  };
  for (const Level& L : std::vector<Level>{{"tiny.l1", 16, 32, 32}, {"tiny.l3", 16, 32, 8}, {"paper.l1", 16, 128, 96},
                                           {"paper.l3", 16, 128, 24}}) {
    const Shape F{2 * L.B, L.cb, L.h, L.h}, P{L.B, 3 * L.cb, L.h, L.h}, A{L.B, 1, L.h, L.h}, M{L.B, 2, L.h, L.h};
    const int64_t Bn = L.B, chw = L.cb * L.h * L.h, C = P[1], hw = L.h * L.h;
    B f = buf(F, 5), gf = buf(F), p = buf(P, 6), gp = buf(P, 7), y = buf(P), a = buf(A, 8), ga = buf(A), m = buf(M),
      gm = buf(M, 9), am = buf(A);
    reg_pair("siamese_diff_concat_fwd", L.name, bytes_of(F) + bytes_of(P), [=] { cuda::siamese_diff_concat_forward(f->p, Bn, chw, y->p); });
    reg_pair("siamese_diff_concat_bwd", L.name, bytes_of(F) + bytes_of(P), [=] { cuda::siamese_diff_concat_backward(gp->p, Bn, chw, gf->p); });
    cuda::channel_mean_max_forward(p->p, Bn, C, hw, m->p, am->p);
    reg_pair("channel_mean_max_fwd", L.name, bytes_of(P) + 3 * bytes_of(A), [=] { cuda::channel_mean_max_forward(p->p, Bn, C, hw, m->p, am->p); });
    reg_pair("channel_mean_max_bwd", L.name, bytes_of(P) + 3 * bytes_of(A), [=] { cuda::channel_mean_max_backward(gm->p, am->p, Bn, C, hw, y->p); });
    reg_pair("gate_fwd", L.name, 2 * bytes_of(P) + bytes_of(A), [=] { cuda::gate_forward(p->p, a->p, Bn, C, hw, y->p); });
    reg_pair("gate_bwd", L.name, 3 * bytes_of(P) + 2 * bytes_of(A), [=] { cuda::gate_backward(p->p, a->p, gp->p, Bn, C, hw, y->p, ga->p); });
  }

  // Fusion, adaptive pooling (with cuDNN average pooling: the factor is an integer) and concat.
  for (auto [name, cb, h] : std::vector<std::tuple<std::string, int64_t, int64_t>>{{"tiny", 32, 32}, {"paper", 128, 96}}) {
    const int64_t Bn = 16, c3 = 3 * cb;
    const Shape s1{Bn, c3, h, h}, s2{Bn, c3, h / 2, h / 2}, s3{Bn, c3, h / 4, h / 4}, so{Bn, 3 * c3, h / 4, h / 4};
    FuseGeom g{Bn, {c3, c3, c3}, {h, h / 2, h / 4}, {h, h / 2, h / 4}};
    B p1 = buf(s1, 10), p2 = buf(s2, 11), p3 = buf(s3, 12), y = buf(so), gy = buf(so, 13), g1 = buf(s1), g2 = buf(s2),
      g3 = buf(s3), s3copy = buf(s3);
    const double bytes = bytes_of(s1) + bytes_of(s2) + bytes_of(s3) + bytes_of(so);
    reg_pair("fuse_levels_fwd", name, bytes, [=] { cuda::fuse_levels_forward(g, p1->p, p2->p, p3->p, y->p); });
    reg_pair("fuse_levels_bwd", name, bytes, [=] { cuda::fuse_levels_backward(g, gy->p, g1->p, g2->p, g3->p); });
    const PoolGeom pg{Bn * c3, h, h, h / 4, h / 4};
    reg_pair("adaptive_avg_pool2d_fwd", name + ".P1", bytes_of(s1) + bytes_of(s3), [=] { cuda::adaptive_avg_pool2d_forward(p1->p, pg, p3->p); });
    reg_pair("adaptive_avg_pool2d_bwd", name + ".P1", bytes_of(s1) + bytes_of(s3), [=] { cuda::adaptive_avg_pool2d_backward(p3->p, pg, g1->p); });
#ifdef GSN_WITH_CUDNN
    cudnnTensorDescriptor_t xd = desc(s1), yd = desc(s3);
    cudnnPoolingDescriptor_t pd = pool_desc(CUDNN_POOLING_AVERAGE_COUNT_EXCLUDE_PADDING, 4, 4, 0);
    reg("adaptive_avg_pool2d_fwd", name + ".P1", "cudnn", bytes_of(s1) + bytes_of(s3), [=] {
      GSN_CUDNN_CHECK(cudnnPoolingForward(cudnn_handle(), pd, &kOne, xd, p1->p, &kZero, yd, p3->p));
    });
    reg("adaptive_avg_pool2d_bwd", name + ".P1", "cudnn", bytes_of(s1) + bytes_of(s3), [=] {
      GSN_CUDNN_CHECK(cudnnPoolingBackward(cudnn_handle(), pd, &kOne, yd, p3->p, yd, gy->p, xd, p1->p, &kZero, xd, g1->p));
    });
#endif
    const std::vector<int64_t> ch{c3, c3, c3};
    const int64_t hw3 = (h / 4) * (h / 4);
    reg_pair("concat_channels", name + ".l3x3", 2 * bytes_of(so), [=] {
      const float* xs[3] = {p3->p, g3->p, p3->p};
      cuda::concat_channels(xs, ch.data(), 3, Bn, hw3, y->p);
    });
    reg_pair("split_channels", name + ".l3x3", 2 * bytes_of(so), [=] {
      float* xs[3] = {p3->p, g3->p, s3copy->p};  // three distinct outputs: no two blocks write one address
      cuda::split_channels(gy->p, ch.data(), 3, Bn, hw3, xs);
    });
  }

  // Global average pooling at the end of the fusion [B, cf/2, h3, w3].
  for (auto [name, s] : std::vector<std::pair<std::string, Shape>>{{"tiny", {16, 32, 8, 8}}, {"paper", {16, 64, 24, 24}}}) {
    const int64_t planes = s[0] * s[1], hw = s[2] * s[3];
    B x = buf(s, 14), gx = buf(s), y = buf(Shape{s[0], s[1]}, 15);
    reg_pair("global_avg_pool_fwd", name, bytes_of(s), [=] { cuda::global_avg_pool_forward(x->p, planes, hw, y->p); });
    reg_pair("global_avg_pool_bwd", name, bytes_of(s), [=] { cuda::global_avg_pool_backward(y->p, planes, hw, gx->p); });
  }

  // Batch slice backward: the dist half's gradient into the siamese batch.
  for (auto [name, c, h] : std::vector<std::tuple<std::string, int64_t, int64_t>>{{"tiny.l1", 32, 32}, {"paper.l1", 128, 96}}) {
    const Shape g{16, c, h, h}, full{32, c, h, h};
    B gy = buf(g, 16), gx = buf(full);
    const int64_t row = c * h * h;
    reg_pair("slice_batch_bwd", name, 3 * bytes_of(g), [=] { cuda::slice_batch_backward(gy->p, row, 32, 16, 32, gx->p); });
  }
}
