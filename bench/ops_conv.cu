// CUDA benchmarks of conv2d and CDC at every GSN layer shape of both presets
// (bench/ops_conv.h): ours against cuDNN fp32 (CUDNN_FMA_MATH, no TF32), cuDNN's algorithm
// chosen by cudnnFind*AlgorithmEx on the real buffers (the fastest that fits 1 GiB of
// workspace), found once per shape outside the timed loop.
//
//   conv2d_fwd|conv2d_bwd_data|conv2d_bwd_weight/<layer>/cudnn (baseline)
//       its label names the algorithm: for 3x3 layers cuDNN often takes Winograd or FFT,
//       with fewer multiplications than the direct sum (so GFLOP/s above the FP32 FMA
//       peak: the count is the direct conv's) and a different rounding
//   .../<layer>/cudnn_gemm    the fastest of cuDNN's implicit-GEMM and GEMM algorithms,
//       the same method as ours: the like-for-like comparison
//   .../<layer>/gsn_cuda      version 0, the launcher's pick
//   .../<layer>/gsn_cuda_v<i> each version (v1, the direct kernel, only on layers under
//                             10 GFLOP, so the run stays short)
//   cdc_fwd|cdc_bwd/<layer>/cudnn_twoconv (baseline)  conv3x3 + conv1x1 (+ cudnnAddTensor;
//       bwd: both bwd-data and bwd-filter of both convs, the 1x1 grad broadcast by our
//       unfold kernel) on the sum-of-taps kernel S (computed by our cdc_sum_taps)
//   .../gsn_cuda_folded     fold + one conv (bwd: fold, bwd-data, bwd-weight, unfold)
// Target (issue 3): gsn_cuda >= 0.7x cuDNN; folded CDC >= 1.3x faster than the two-conv.
// Registered only when a CUDA device answers. Timing: bench_cuda.cuh (events, L2 flush).
#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_cuda.cuh"
#include "bench/bench_util.h"
#include "bench/ops_conv.h"
#include "kernels/conv/cdc.h"
#include "kernels/conv/conv.h"
#include "kernels/core/backend.h"
#include "kernels/core/random.h"

#ifdef GSN_WITH_CUDNN
#include "kernels/core/cudnn_check.cuh"

namespace {
using namespace gsn;
namespace gb = gsn::bench;

const float kOne = 1.f, kZero = 0.f;

Tensor dev(const Shape& s, uint64_t seed) { return gb::cuda_random(s, seed); }
Tensor workspace(std::size_t bytes) {
  return Tensor::empty(Shape{static_cast<int64_t>(bytes / 4 + 1)}, DType::F32, Device::CUDA);
}
constexpr float kTheta = 0.7f;  // CDC's theta in the GSN model
constexpr std::size_t kMaxWs = std::size_t{1} << 30;

// cuDNN's algorithm names (the enums' values index them) and which are GEMMs: implicit
// GEMM, precomputed implicit GEMM, explicit GEMM; the rest are direct, FFT and Winograd.
const char* const kFwdAlgo[] = {"implicit_gemm", "implicit_precomp_gemm", "gemm", "direct",
                                "fft", "fft_tiling", "winograd", "winograd_nonfused"};
const char* const kBwdDataAlgo[] = {"algo0_gemm", "algo1_gemm", "fft", "fft_tiling", "winograd", "winograd_nonfused"};
const char* const kBwdFilterAlgo[] = {"algo0_gemm", "algo1_gemm", "fft", "algo3_gemm", "winograd", "winograd_nonfused",
                                      "fft_tiling"};
template <std::size_t N> std::string algo_name(const char* const (&names)[N], int a) {
  return a >= 0 && static_cast<std::size_t>(a) < N ? names[a] : "algo" + std::to_string(a);
}
bool is_gemm_fwd(int a) { return a <= 2; }
bool is_gemm_bwd_data(int a) { return a <= 1; }
bool is_gemm_bwd_filter(int a) { return a <= 1 || a == 3; }

// The fastest successful result of a cudnnFind*AlgorithmEx list (sorted by time) whose
// algorithm passes keep; false if none does.
template <class Perf, class Keep> bool fastest(const Perf* p, int n, Keep keep, Perf& out) {
  for (int i = 0; i < n; ++i)
    if (p[i].status == CUDNN_STATUS_SUCCESS && keep(static_cast<int>(p[i].algo))) {
      out = p[i];
      return true;
    }
  return false;
}

// One conv's descriptors, the fastest fp32 algorithms (found on the given buffers), the
// fastest GEMM-type ones, and their workspaces.
struct CudnnConv {
  cudnnTensorDescriptor_t xd{}, yd{};
  cudnnFilterDescriptor_t wd{};
  cudnnConvolutionDescriptor_t cd{};
  cudnnConvolutionFwdAlgoPerf_t fa{}, fg{};
  cudnnConvolutionBwdDataAlgoPerf_t da{}, dg{};
  cudnnConvolutionBwdFilterAlgoPerf_t wa{}, wg{};
  Tensor fws, dws, wws;

  CudnnConv(const ConvGeom& g, const Tensor& x, const Tensor& w, const Tensor& y, const Tensor& gx, const Tensor& gw) {
    auto i = [](int64_t v) { return static_cast<int>(v); };
    GSN_CUDNN_CHECK(cudnnCreateTensorDescriptor(&xd));
    GSN_CUDNN_CHECK(cudnnCreateTensorDescriptor(&yd));
    GSN_CUDNN_CHECK(cudnnCreateFilterDescriptor(&wd));
    GSN_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&cd));
    GSN_CUDNN_CHECK(cudnnSetTensor4dDescriptor(xd, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, i(g.N), i(g.C), i(g.H), i(g.W)));
    GSN_CUDNN_CHECK(cudnnSetTensor4dDescriptor(yd, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, i(g.N), i(g.O), i(g.Ho), i(g.Wo)));
    GSN_CUDNN_CHECK(cudnnSetFilter4dDescriptor(wd, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, i(g.O), i(g.C), i(g.k), i(g.k)));
    GSN_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(cd, i(g.p), i(g.p), i(g.s), i(g.s), 1, 1, CUDNN_CROSS_CORRELATION,
                                                    CUDNN_DATA_FLOAT));
    GSN_CUDNN_CHECK(cudnnSetConvolutionMathType(cd, CUDNN_FMA_MATH));
    Tensor ws = workspace(kMaxWs);
    int n = 0;
    cudnnConvolutionFwdAlgoPerf_t fp[16];
    GSN_CUDNN_CHECK(cudnnFindConvolutionForwardAlgorithmEx(cudnn_handle(), xd, x.raw(), wd, w.raw(), cd, yd, y.raw(), 16, &n,
                                                           fp, ws.raw(), kMaxWs));
    GSN_CHECK(fastest(fp, n, [](int) { return true; }, fa), "cuDNN: no forward algorithm");
    GSN_CHECK(fastest(fp, n, is_gemm_fwd, fg), "cuDNN: no GEMM forward algorithm");
    cudnnConvolutionBwdDataAlgoPerf_t dp[16];
    GSN_CUDNN_CHECK(cudnnFindConvolutionBackwardDataAlgorithmEx(cudnn_handle(), wd, w.raw(), yd, y.raw(), cd, xd, gx.raw(), 16,
                                                                &n, dp, ws.raw(), kMaxWs));
    GSN_CHECK(fastest(dp, n, [](int) { return true; }, da), "cuDNN: no backward-data algorithm");
    GSN_CHECK(fastest(dp, n, is_gemm_bwd_data, dg), "cuDNN: no GEMM backward-data algorithm");
    cudnnConvolutionBwdFilterAlgoPerf_t wp[16];
    GSN_CUDNN_CHECK(cudnnFindConvolutionBackwardFilterAlgorithmEx(cudnn_handle(), xd, x.raw(), yd, y.raw(), cd, wd, gw.raw(),
                                                                  16, &n, wp, ws.raw(), kMaxWs));
    GSN_CHECK(fastest(wp, n, [](int) { return true; }, wa), "cuDNN: no backward-filter algorithm");
    GSN_CHECK(fastest(wp, n, is_gemm_bwd_filter, wg), "cuDNN: no GEMM backward-filter algorithm");
    fws = workspace(std::max(fa.memory, fg.memory));
    dws = workspace(std::max(da.memory, dg.memory));
    wws = workspace(std::max(wa.memory, wg.memory));
  }
  // "cuDNN <fastest>, GEMM-only <fastest GEMM>" for one pass: the benchmark's label.
  std::string fwd_algos() const {
    return "cuDNN " + algo_name(kFwdAlgo, fa.algo) + ", GEMM-only " + algo_name(kFwdAlgo, fg.algo);
  }
  std::string bwd_data_algos() const {
    return "cuDNN " + algo_name(kBwdDataAlgo, da.algo) + ", GEMM-only " + algo_name(kBwdDataAlgo, dg.algo);
  }
  std::string bwd_filter_algos() const {
    return "cuDNN " + algo_name(kBwdFilterAlgo, wa.algo) + ", GEMM-only " + algo_name(kBwdFilterAlgo, wg.algo);
  }
  ~CudnnConv() {
    cudnnDestroyTensorDescriptor(xd);
    cudnnDestroyTensorDescriptor(yd);
    cudnnDestroyFilterDescriptor(wd);
    cudnnDestroyConvolutionDescriptor(cd);
  }
  CudnnConv(const CudnnConv&) = delete;
  CudnnConv& operator=(const CudnnConv&) = delete;

  // gemm: the fastest GEMM-type algorithm instead of the fastest of all.
  void fwd(const Tensor& x, const Tensor& w, Tensor& y, float beta = 0.f, float alpha = 1.f, bool gemm = false) const {
    const auto& a = gemm ? fg : fa;
    GSN_CUDNN_CHECK(cudnnConvolutionForward(cudnn_handle(), &alpha, xd, x.raw(), wd, w.raw(), cd, a.algo, fws.raw(), a.memory,
                                            &beta, yd, y.raw()));
  }
  void bwd_data(const Tensor& gy, const Tensor& w, Tensor& gx, float beta = 0.f, float alpha = 1.f, bool gemm = false) const {
    const auto& a = gemm ? dg : da;
    GSN_CUDNN_CHECK(cudnnConvolutionBackwardData(cudnn_handle(), &alpha, wd, w.raw(), yd, gy.raw(), cd, a.algo, dws.raw(),
                                                 a.memory, &beta, xd, gx.raw()));
  }
  void bwd_filter(const Tensor& gy, const Tensor& x, Tensor& gw, bool gemm = false) const {
    const auto& a = gemm ? wg : wa;
    GSN_CUDNN_CHECK(cudnnConvolutionBackwardFilter(cudnn_handle(), &kOne, xd, x.raw(), yd, gy.raw(), cd, a.algo, wws.raw(),
                                                   a.memory, &kZero, wd, gw.raw()));
  }
};

// label: called after the timing (the layer exists then), its text goes in the report.
template <class Fn> void reg(const std::string& op, const std::string& shape, const std::string& impl, double flops,
                             bool baseline, Fn fn, std::function<std::string()> label = {}) {
  gb::cuda_timed(gb::add(op, shape, impl, [flops, baseline, fn, label](benchmark::State& st) {
    gb::time_cuda(st, fn, gb::warmups_for(flops));
    gb::set_flops(st, flops);
    if (baseline) gb::mark_baseline(st);
    if (label) st.SetLabel(label());
  }), gb::iterations_for(flops));
}

// Buffers and cuDNN state of one layer, made on first use (so registering costs nothing).
struct Layer {
  ConvGeom g, g1;
  Tensor x, w, wf, G, gy, y, y1, gx, gx1, gw, S, H;
  std::unique_ptr<CudnnConv> c, c1;
};

std::shared_ptr<Layer> make_layer(const gb::ConvLayer& l) {
  auto L = std::make_shared<Layer>();
  const Shape xs{l.N, l.C, l.H, l.H}, ws{l.O, l.C, l.k, l.k};
  L->g = conv_geom(xs, ws, 1, l.k / 2);
  L->g1 = conv_geom(xs, Shape{l.O, l.C, 1, 1}, 1, 0);
  const Shape ys{L->g.N, L->g.O, L->g.Ho, L->g.Wo};
  L->x = dev(xs, 1);
  L->w = dev(ws, 2);
  L->gy = dev(ys, 3);
  L->wf = Tensor::empty_like(L->w);
  L->G = Tensor::empty_like(L->w);
  L->y = Tensor::empty(ys, DType::F32, Device::CUDA);
  L->y1 = Tensor::empty_like(L->y);
  L->gx = Tensor::empty_like(L->x);
  L->gx1 = Tensor::empty_like(L->x);
  L->gw = Tensor::empty_like(L->w);
  L->S = Tensor::empty(Shape{l.O, l.C, 1, 1}, DType::F32, Device::CUDA);
  L->H = Tensor::empty_like(L->S);
  L->c = std::make_unique<CudnnConv>(L->g, L->x, L->w, L->y, L->gx, L->gw);
  if (l.cdc) L->c1 = std::make_unique<CudnnConv>(L->g1, L->x, L->S, L->y, L->gx, L->H);
  return L;
}
}  // namespace

GSN_BENCHMARKS(conv_cuda) {
  if (!cuda_available()) return;
  for (const std::string preset : {"tiny", "paper"})
    for (const gb::ConvLayer& l : gb::gsn_conv_layers(preset)) {
      // The layer's buffers, made lazily the first time one of its benchmarks runs.
      auto holder = std::make_shared<std::shared_ptr<Layer>>();
      auto get = [holder, l]() -> Layer& {
        if (!*holder) *holder = make_layer(l);
        return **holder;
      };
      const ConvGeom g = conv_geom(Shape{l.N, l.C, l.H, l.H}, Shape{l.O, l.C, l.k, l.k}, 1, l.k / 2);
      const double f = g.flops();
      reg("conv2d_fwd", l.name, "cudnn", f, true, [get] { Layer& L = get(); L.c->fwd(L.x, L.w, L.y); },
          [get] { return get().c->fwd_algos(); });
      reg("conv2d_bwd_data", l.name, "cudnn", f, true, [get] { Layer& L = get(); L.c->bwd_data(L.gy, L.w, L.gx); },
          [get] { return get().c->bwd_data_algos(); });
      reg("conv2d_bwd_weight", l.name, "cudnn", f, true, [get] { Layer& L = get(); L.c->bwd_filter(L.gy, L.x, L.gw); },
          [get] { return get().c->bwd_filter_algos(); });
      reg("conv2d_fwd", l.name, "cudnn_gemm", f, false, [get] { Layer& L = get(); L.c->fwd(L.x, L.w, L.y, 0.f, 1.f, true); });
      reg("conv2d_bwd_data", l.name, "cudnn_gemm", f, false,
          [get] { Layer& L = get(); L.c->bwd_data(L.gy, L.w, L.gx, 0.f, 1.f, true); });
      reg("conv2d_bwd_weight", l.name, "cudnn_gemm", f, false,
          [get] { Layer& L = get(); L.c->bwd_filter(L.gy, L.x, L.gw, true); });
      for (int v = 0; v <= cuda::kConvVersions; ++v) {
        // Version 1 (naive) only where it takes under a second; above kHeavyFlops the
        // launcher's pick (version 0, the one held against cuDNN) and the register-blocked
        // versions it chooses between (v3, v4, and v5, v4 pipelined, a candidate for its
        // place), not v2, whose 16x16 tiles would take minutes there: the GPU check has
        // 90 s for convs. The heavy passes add up to ~1.7 TFLOP per version and pass, so 6
        // runs of 4 versions and cuDNN in 3 passes are ~150 TFLOP: 5-15 s at 10-30 TFLOP/s.
        if (v == 1 && f > 10e9) continue;
        if (v > 0 && v < 3 && f > gb::kHeavyFlops) continue;
        const std::string impl = v == 0 ? "gsn_cuda" : "gsn_cuda_v" + std::to_string(v);
        reg("conv2d_fwd", l.name, impl, f, false, [get, v] {
          Layer& L = get();
          cuda::conv2d_forward(L.x.data<float>(), L.w.data<float>(), nullptr, L.g, L.y.data<float>(), v);
        });
        reg("conv2d_bwd_data", l.name, impl, f, false, [get, v] {
          Layer& L = get();
          cuda::conv2d_backward_data(L.gy.data<float>(), L.w.data<float>(), L.g, L.gx.data<float>(), v);
        });
        reg("conv2d_bwd_weight", l.name, impl, f, false, [get, v] {
          Layer& L = get();
          cuda::conv2d_backward_weight(L.gy.data<float>(), L.x.data<float>(), L.g, L.gw.data<float>(), v);
        });
      }
      if (!l.cdc) continue;
      const int64_t OC = l.O * l.C;
      reg("cdc_fwd", l.name, "cudnn_twoconv", f, true, [get, OC] {
        Layer& L = get();
        cuda::cdc_sum_taps(L.w.data<float>(), OC, L.S.data<float>());
        L.c->fwd(L.x, L.w, L.y);
        L.c1->fwd(L.x, L.S, L.y, 1.f, -kTheta);  // y = conv3x3 - theta * conv1x1, accumulated by cuDNN
      });
      reg("cdc_fwd", l.name, "gsn_cuda_folded", f, false, [get, OC] {
        Layer& L = get();
        cuda::cdc_fold_weight(L.w.data<float>(), OC, kTheta, L.wf.data<float>());
        cuda::conv2d_forward(L.x.data<float>(), L.wf.data<float>(), nullptr, L.g, L.y.data<float>());
      });
      reg("cdc_bwd", l.name, "cudnn_twoconv", 2 * f, true, [get, OC] {
        Layer& L = get();
        cuda::cdc_sum_taps(L.w.data<float>(), OC, L.S.data<float>());
        L.c->bwd_data(L.gy, L.w, L.gx);
        L.c1->bwd_data(L.gy, L.S, L.gx, 1.f, -kTheta);
        L.c->bwd_filter(L.gy, L.x, L.wf);
        L.c1->bwd_filter(L.gy, L.x, L.H);
        cuda::cdc_unfold_grad(L.wf.data<float>(), L.H.data<float>(), 1, OC, kTheta, L.gw.data<float>());
      });
      reg("cdc_bwd", l.name, "gsn_cuda_folded", 2 * f, false, [get, OC] {
        Layer& L = get();
        cuda::cdc_fold_weight(L.w.data<float>(), OC, kTheta, L.wf.data<float>());
        cuda::conv2d_backward_data(L.gy.data<float>(), L.wf.data<float>(), L.g, L.gx.data<float>());
        cuda::conv2d_backward_weight(L.gy.data<float>(), L.x.data<float>(), L.g, L.G.data<float>());
        cuda::cdc_unfold_grad(L.G.data<float>(), L.G.data<float>() + 4, 9, OC, kTheta, L.gw.data<float>());
      });
    }
}

#else
GSN_BENCHMARKS(conv_cuda) {}
#endif
