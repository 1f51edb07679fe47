// CPU benchmarks of conv2d and CDC at GSN layer shapes (bench/ops_conv.h), float32.
//
//   conv2d_fwd|conv2d_bwd_data|conv2d_bwd_weight/<layer>/gsn_cpu    gsn's CPU conv (the route
//       conv_cpu.cpp picks: implicit GEMM, padded copy, im2col + GEMM, or direct)
//   conv2d_fwd|conv2d_bwd_weight/<layer>/gsn_cpu_im2col   the im2col + GEMM route forced, to
//       see what the implicit (forward) and padded-copy (backward-weight) routes gain
//   .../<layer>/eigen_gemm (baseline)   ONE plain Eigen GEMM of the same M, N, K on
//       preallocated row-major matrices (Eigen's own threads): fwd [O,K]x[K,P],
//       bwd-data [K,O]x[O,P] (W^T gy), bwd-weight [O,P]x[P,K]; K = C*k*k, P = N*Ho*Wo.
//       The target (issue 3) is gsn_cpu >= 0.8x its GFLOP/s.
//   .../<layer>/gsn_gemm   the same product through cpu::gemm (chunked Eigen, gsn's threads)
//   cdc_fwd|cdc_bwd/<layer>/gsn_cpu_conv (baseline)   a plain 3x3 conv of the same shape
//       (bwd = bwd-data + bwd-weight)
//   .../gsn_cpu_folded   the folded CDC (fold + one conv; bwd: + unfold), target <= 1.05x
//   .../gsn_cpu_twoconv  CDCN's two-conv form with our conv (3x3 + 1x1 + combine)
//   cdc_fold/<layer>/gsn_cpu   the weight fold alone (the folded form's extra work)
// Every kernel runs on preallocated buffers (no allocation in the timed loop). GFLOP/s
// counts 2*O*K*P per conv pass (the 3x3 conv's count for every CDC variant, so their
// GFLOP/s compare directly). Every layer of the tiny preset, MinTime 0.2 s (about two
// minutes on 2 cores; the paper preset's layers are 10-40x larger and are left to the GPU).
#include <Eigen/Core>
#include <memory>
#include <vector>

#include "bench/bench_util.h"
#include "bench/ops_conv.h"
#include "kernels/conv/cdc.h"
#include "kernels/conv/conv.h"
#include "kernels/conv/conv_cpu_implicit.h"
#include "kernels/core/random.h"
#include "kernels/linear/linear.h"

namespace {
using namespace gsn;
namespace gb = gsn::bench;
using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Buf {
  Tensor t;
  float* p;
  explicit Buf(const Shape& s, uint64_t seed = 0) {
    Generator g(seed);
    t = rand_uniform(s, g, -1.0, 1.0);
    p = t.data<float>();
  }
};
using B = std::shared_ptr<Buf>;
B buf(const Shape& s, uint64_t seed = 0) { return std::make_shared<Buf>(s, seed); }

template <class Fn> void reg(const std::string& op, const std::string& shape, const std::string& impl, double flops,
                             bool baseline, Fn fn) {
  gb::add(op, shape, impl, [flops, baseline, fn](benchmark::State& st) {
    for (auto _ : st) {
      fn();
      benchmark::ClobberMemory();
    }
    gb::set_flops(st, flops);
    if (baseline) gb::mark_baseline(st);
  })->MinTime(0.2)->UseRealTime()->Unit(benchmark::kMillisecond);
}

// C[M,N] = A[M,K] B[K,N] with plain Eigen (row-major, its default threading).
void reg_gemm(const std::string& op, const std::string& shape, int64_t M, int64_t N, int64_t K) {
  auto a = std::make_shared<RowMat>(RowMat::Random(M, K));
  auto b = std::make_shared<RowMat>(RowMat::Random(K, N));
  auto c = std::make_shared<RowMat>(RowMat::Zero(M, N));  // touched: no page faults in the timing
  reg(op, shape, "eigen_gemm", 2.0 * static_cast<double>(M * N * K), true, [a, b, c] { c->noalias() = (*a) * (*b); });
  // The same product through gsn's CPU GEMM (Eigen per fixed chunk of C inside one OpenMP
  // team): on these flat shapes (M = 1..64 rows, up to 131k columns) Eigen's own threading
  // leaves a core idle, so this is the stronger GEMM to hold the conv against.
  reg(op, shape, "gsn_gemm", 2.0 * static_cast<double>(M * N * K), false, [a, b, c, M, N, K] {
    cpu::gemm(false, false, M, N, K, 1.f, a->data(), K, b->data(), N, 0.f, c->data(), N);
  });
}
}  // namespace

GSN_BENCHMARKS(conv_cpu) {
  for (const gb::ConvLayer& l : gb::gsn_conv_layers("tiny")) {
    const int pad = l.k / 2;
    const Shape xs{l.N, l.C, l.H, l.H}, ws{l.O, l.C, l.k, l.k};
    const ConvGeom g = conv_geom(xs, ws, 1, pad), g1 = conv_geom(xs, Shape{l.O, l.C, 1, 1}, 1, 0);
    const Shape ys{g.N, g.O, g.Ho, g.Wo};
    B x = buf(xs, 1), w = buf(ws, 2), gy = buf(ys, 3), y = buf(ys), y1 = buf(ys), gx = buf(xs), gx1 = buf(xs),
      gw = buf(ws), wf = buf(ws), S = buf(Shape{l.O, l.C, 1, 1}), H = buf(Shape{l.O, l.C, 1, 1});
    const double f = g.flops();
    const int64_t K = g.K(), P = g.P();

    reg("conv2d_fwd", l.name, "gsn_cpu", f, false, [=] { cpu::conv2d_forward(x->p, w->p, nullptr, g, y->p); });
    // The im2col route that the implicit-GEMM route (3x3 same convs) replaced.
    reg("conv2d_fwd", l.name, "gsn_cpu_im2col", f, false,
        [=] { cpu::conv2d_forward_im2col(x->p, w->p, nullptr, g, y->p); });
    reg_gemm("conv2d_fwd", l.name, l.O, P, K);
    reg("conv2d_bwd_data", l.name, "gsn_cpu", f, false, [=] { cpu::conv2d_backward_data(gy->p, w->p, g, gx->p); });
    reg_gemm("conv2d_bwd_data", l.name, K, P, l.O);
    reg("conv2d_bwd_weight", l.name, "gsn_cpu", f, false, [=] { cpu::conv2d_backward_weight(gy->p, x->p, g, gw->p); });
    // The im2col route that the padded-copy route (3x3 same convs) replaced, in the same process.
    reg("conv2d_bwd_weight", l.name, "gsn_cpu_im2col", f, false,
        [=] { cpu::conv2d_backward_weight_im2col(gy->p, x->p, g, gw->p); });
    reg_gemm("conv2d_bwd_weight", l.name, l.O, K, P);

    if (!l.cdc) continue;
    const float th = 0.7f;
    const int64_t OC = l.O * l.C, n = ys.numel(), nx = xs.numel();
    reg("cdc_fwd", l.name, "gsn_cpu_conv", f, true, [=] { cpu::conv2d_forward(x->p, w->p, nullptr, g, y->p); });
    reg("cdc_fwd", l.name, "gsn_cpu_folded", f, false, [=] {
      cpu::cdc_fold_weight(w->p, OC, th, wf->p);
      cpu::conv2d_forward(x->p, wf->p, nullptr, g, y->p);
    });
    // The fold alone (9 adds and a copy per kernel plane): its time over the conv's is
    // the folded CDC's whole overhead in the forward, measured without the +-5% noise of
    // two separate conv timings.
    reg("cdc_fold", l.name, "gsn_cpu", 9.0 * static_cast<double>(OC), false,
        [=] { cpu::cdc_fold_weight(w->p, OC, th, wf->p); });
    reg("cdc_fwd", l.name, "gsn_cpu_twoconv", f, false, [=] {
      cpu::cdc_sum_taps(w->p, OC, S->p);
      cpu::conv2d_forward(x->p, w->p, nullptr, g, y->p);
      cpu::conv2d_forward(x->p, S->p, nullptr, g1, y1->p);
      cpu::cdc_sub_scaled(y->p, y1->p, th, y->p, n);
    });
    reg("cdc_bwd", l.name, "gsn_cpu_conv", 2 * f, true, [=] {
      cpu::conv2d_backward_data(gy->p, w->p, g, gx->p);
      cpu::conv2d_backward_weight(gy->p, x->p, g, gw->p);
    });
    reg("cdc_bwd", l.name, "gsn_cpu_folded", 2 * f, false, [=] {
      cpu::cdc_fold_weight(w->p, OC, th, wf->p);
      cpu::conv2d_backward_data(gy->p, wf->p, g, gx->p);
      cpu::conv2d_backward_weight(gy->p, x->p, g, wf->p);
      cpu::cdc_unfold_grad(wf->p, wf->p + 4, 9, OC, th, gw->p);
    });
    reg("cdc_bwd", l.name, "gsn_cpu_twoconv", 2 * f, false, [=] {
      cpu::cdc_sum_taps(w->p, OC, S->p);
      cpu::conv2d_backward_data(gy->p, w->p, g, gx->p);
      cpu::conv2d_backward_data(gy->p, S->p, g1, gx1->p);
      cpu::cdc_sub_scaled(gx->p, gx1->p, th, gx->p, nx);
      cpu::conv2d_backward_weight(gy->p, x->p, g, wf->p);
      cpu::conv2d_backward_weight(gy->p, x->p, g1, H->p);
      cpu::cdc_unfold_grad(wf->p, H->p, 1, OC, th, gw->p);
    });
  }
}
