// CPU benchmarks of the nn ops (batch norm, pooling, concat / batch slice, attention,
// fusion) at GSN shapes. Each times the fast CPU kernel (gsn::cpu::*) on preallocated
// outputs, so allocation and first-touch page faults are not in the number, and reports
// GB/s of the compulsory traffic (every input read once, every output written once).
// Kept short: MinTime 0.2 s each. Shapes: the tiny preset (2B = 32 images of 64x64,
// c0..cf = 16,32,48,32,64), which the CPU trains, and the paper preset's fusion shapes.
// Names: "<op>/<preset.layer>/gsn_cpu"; "copy/<size>/memcpy" is the reference point.
// Tensors that fit in the L2/L3 caches can beat the memcpy figure.
#include <cstring>
#include <memory>
#include <tuple>
#include <vector>

#include "bench/bench_util.h"
#include "kernels/attention/attention.h"
#include "kernels/core/random.h"
#include "kernels/elementwise/elementwise.h"
#include "kernels/fusion/fusion.h"
#include "kernels/norm/batch_norm.h"
#include "kernels/pool/pool.h"
#include "kernels/tensor_ops/tensor_ops.h"

namespace {
using namespace gsn;
namespace gb = gsn::bench;

// A float32 CPU buffer kept alive by the benchmark's closure.
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
double bytes_of(const Shape& s) { return 4.0 * static_cast<double>(s.numel()); }

template <class Fn>
void reg(const std::string& op, const std::string& shape, double bytes, Fn fn, const std::string& impl = "gsn_cpu",
         bool baseline = false) {
  gb::add(op, shape, impl, [bytes, fn, baseline](benchmark::State& st) {
    for (auto _ : st) {
      fn();
      benchmark::ClobberMemory();
    }
    gb::set_bytes(st, bytes);
    if (baseline) gb::mark_baseline(st);
  })->MinTime(0.2)->UseRealTime()->Unit(benchmark::kMicrosecond);
}
}  // namespace

GSN_BENCHMARKS(nn_cpu) {
  // BatchNorm2d (training) at tiny block-1 conv3 [32,32,64,64] and the fusion CDC [16,64,8,8].
  for (auto [name, s] : std::vector<std::pair<std::string, Shape>>{{"tiny.block1", {32, 32, 64, 64}},
                                                                   {"tiny.fuse", {16, 64, 8, 8}}}) {
    const Shape c{s[1]};
    const BnGeom g{s[0], s[1], s[2] * s[3]};
    B x = buf(s, 1), gy = buf(s, 2), y = buf(s), gx = buf(s), gamma = buf(c, 3), beta = buf(c, 4), rm = buf(c),
      rv = buf(c), mean = buf(c), inv = buf(c), gg = buf(c), gbt = buf(c);
    reg("batch_norm_fwd", name, 2 * bytes_of(s), [=] {
      cpu::batch_norm_forward(x->p, gamma->p, beta->p, g, true, 0.1f, 1e-5f, y->p, mean->p, inv->p, rm->p, rv->p, false);
    });
    reg("batch_norm_bwd", name, 3 * bytes_of(s), [=] {
      cpu::batch_norm_backward(x->p, gy->p, gamma->p, mean->p, inv->p, g, true, gx->p, gg->p, gbt->p, nullptr);
    });
    // The fused BN + ReLU against BN then a separate ReLU pass (the baseline; what the
    // model ran before). Bytes: the fused op's compulsory traffic (bwd: x, gy, y in, gx out).
    B t = buf(s);
    const int64_t n = s.numel();
    reg("batch_norm_relu_fwd", name, 2 * bytes_of(s), [=] {
      cpu::batch_norm_forward(x->p, gamma->p, beta->p, g, true, 0.1f, 1e-5f, y->p, mean->p, inv->p, rm->p, rv->p, true);
    });
    reg("batch_norm_relu_fwd", name, 2 * bytes_of(s), [=] {
      cpu::batch_norm_forward(x->p, gamma->p, beta->p, g, true, 0.1f, 1e-5f, t->p, mean->p, inv->p, rm->p, rv->p, false);
      cpu::unary(UnaryOp::Relu, t->p, 0.f, y->p, n);
    }, "gsn_cpu_unfused", true);
    reg("batch_norm_relu_bwd", name, 4 * bytes_of(s), [=] {
      cpu::batch_norm_backward(x->p, gy->p, gamma->p, mean->p, inv->p, g, true, gx->p, gg->p, gbt->p, y->p);
    });
    reg("batch_norm_relu_bwd", name, 4 * bytes_of(s), [=] {
      cpu::binary(BinaryOp::ReluBackward, y->p, gy->p, t->p, n);
      cpu::batch_norm_backward(x->p, t->p, gamma->p, mean->p, inv->p, g, true, gx->p, gg->p, gbt->p, nullptr);
    }, "gsn_cpu_unfused", true);
  }

  // MaxPool2d 3x3 s2 p1 at the end of tiny blocks 1 and 3.
  for (auto [name, s] : std::vector<std::pair<std::string, Shape>>{{"tiny.block1", {32, 32, 64, 64}},
                                                                   {"tiny.block3", {32, 32, 16, 16}}}) {
    PoolGeom g{s[0] * s[1], s[2], s[3], (s[2] - 1) / 2 + 1, (s[3] - 1) / 2 + 1, 3, 2, 1};
    const Shape ys{s[0], s[1], g.Ho, g.Wo};
    B x = buf(s, 3), gx = buf(s), y = buf(ys), idx = buf(ys), gy = buf(ys, 4);
    cpu::max_pool2d_forward(x->p, g, y->p, idx->p);
    reg("max_pool2d_fwd", name, bytes_of(s) + 2 * bytes_of(ys), [=] { cpu::max_pool2d_forward(x->p, g, y->p, idx->p); });
    reg("max_pool2d_bwd", name, bytes_of(s) + 2 * bytes_of(ys), [=] { cpu::max_pool2d_backward(gy->p, idx->p, g, gx->p); });
  }

  // Per level: the siamese difference concat and the attention pieces.
  struct Level {
    std::string name;
    int64_t B, cb, h;  // F [2B, cb, h, h], P [B, 3cb, h, h]
  };
  for (const Level& L : std::vector<Level>{{"tiny.l1", 16, 32, 32}, {"tiny.l3", 16, 32, 8}, {"paper.l3", 16, 128, 24}}) {
    const Shape F{2 * L.B, L.cb, L.h, L.h}, P{L.B, 3 * L.cb, L.h, L.h}, A{L.B, 1, L.h, L.h}, M{L.B, 2, L.h, L.h};
    const int64_t Bn = L.B, chw = L.cb * L.h * L.h, C = P[1], hw = L.h * L.h;
    B f = buf(F, 5), gf = buf(F), p = buf(P, 6), gp = buf(P, 7), y = buf(P), a = buf(A, 8), ga = buf(A), m = buf(M),
      gm = buf(M, 9), am = buf(A);
    reg("siamese_diff_concat_fwd", L.name, bytes_of(F) + bytes_of(P), [=] { cpu::siamese_diff_concat_forward(f->p, Bn, chw, y->p); });
    reg("siamese_diff_concat_bwd", L.name, bytes_of(F) + bytes_of(P), [=] { cpu::siamese_diff_concat_backward(gp->p, Bn, chw, gf->p); });
    cpu::channel_mean_max_forward(p->p, Bn, C, hw, m->p, am->p);
    reg("channel_mean_max_fwd", L.name, bytes_of(P) + 3 * bytes_of(A), [=] { cpu::channel_mean_max_forward(p->p, Bn, C, hw, m->p, am->p); });
    reg("channel_mean_max_bwd", L.name, bytes_of(P) + 3 * bytes_of(A), [=] { cpu::channel_mean_max_backward(gm->p, am->p, Bn, C, hw, y->p); });
    reg("gate_fwd", L.name, 2 * bytes_of(P) + bytes_of(A), [=] { cpu::gate_forward(p->p, a->p, Bn, C, hw, y->p); });
    reg("gate_bwd", L.name, 3 * bytes_of(P) + 2 * bytes_of(A), [=] { cpu::gate_backward(p->p, a->p, gp->p, Bn, C, hw, y->p, ga->p); });
  }

  // Fusion: P1, P2, P3 of the tiny preset (32, 16, 8) and of the paper preset (96, 48, 24).
  for (auto [name, cb, h] : std::vector<std::tuple<std::string, int64_t, int64_t>>{{"tiny", 32, 32}, {"paper", 128, 96}}) {
    const int64_t Bn = 16, c3 = 3 * cb;
    const Shape s1{Bn, c3, h, h}, s2{Bn, c3, h / 2, h / 2}, s3{Bn, c3, h / 4, h / 4}, so{Bn, 3 * c3, h / 4, h / 4};
    FuseGeom g{Bn, {c3, c3, c3}, {h, h / 2, h / 4}, {h, h / 2, h / 4}};
    B p1 = buf(s1, 10), p2 = buf(s2, 11), p3 = buf(s3, 12), y = buf(so), gy = buf(so, 13), g1 = buf(s1), g2 = buf(s2),
      g3 = buf(s3);
    const double bytes = bytes_of(s1) + bytes_of(s2) + bytes_of(s3) + bytes_of(so);
    reg("fuse_levels_fwd", name, bytes, [=] { cpu::fuse_levels_forward(g, p1->p, p2->p, p3->p, y->p); });
    reg("fuse_levels_bwd", name, bytes, [=] { cpu::fuse_levels_backward(g, gy->p, g1->p, g2->p, g3->p); });
    const PoolGeom pg{Bn * c3, h, h, h / 4, h / 4};
    reg("adaptive_avg_pool2d_fwd", name + ".P1", bytes_of(s1) + bytes_of(s3), [=] { cpu::adaptive_avg_pool2d_forward(p1->p, pg, p3->p); });
    reg("adaptive_avg_pool2d_bwd", name + ".P1", bytes_of(s1) + bytes_of(s3), [=] { cpu::adaptive_avg_pool2d_backward(p3->p, pg, g1->p); });
    const int64_t ch[3] = {c3, c3, c3};
    const int64_t hw3 = (h / 4) * (h / 4);
    reg("concat_channels", name + ".l3x3", 2 * bytes_of(so), [=] {
      const float* xs[3] = {p3->p, g3->p, p3->p};
      cpu::concat_channels(xs, ch, 3, Bn, hw3, y->p);
    });
    reg("split_channels", name + ".l3x3", 2 * bytes_of(so), [=] {
      float* xs[3] = {p3->p, g3->p, p3->p};
      cpu::split_channels(gy->p, ch, 3, Bn, hw3, xs);
    });
  }

  // Global average pooling at the end of the fusion: [B, cf/2, h3, w3].
  for (auto [name, s] : std::vector<std::pair<std::string, Shape>>{{"tiny", {16, 32, 8, 8}}, {"paper", {16, 64, 24, 24}}}) {
    const int64_t planes = s[0] * s[1], hw = s[2] * s[3];
    B x = buf(s, 14), gx = buf(s), y = buf(Shape{s[0], s[1]}, 15);
    reg("global_avg_pool_fwd", name, bytes_of(s), [=] { cpu::global_avg_pool_forward(x->p, planes, hw, y->p); });
    reg("global_avg_pool_bwd", name, bytes_of(s), [=] { cpu::global_avg_pool_backward(y->p, planes, hw, gx->p); });
  }

  // Batch slice backward: the dist half's gradient into the siamese batch (tiny level 1).
  {
    const Shape g{16, 32, 32, 32}, full{32, 32, 32, 32};
    B gy = buf(g, 16), gx = buf(full);
    reg("slice_batch_bwd", "tiny.l1", 3 * bytes_of(g), [=] { cpu::slice_batch_backward(gy->p, 32 * 32 * 32, 32, 16, 32, gx->p); });
  }

  // Reference point: memcpy of 8 MiB and of 64 MiB (beyond the L3).
  for (std::size_t mib : {8u, 64u}) {
    const std::size_t n = mib << 20;
    auto src = std::make_shared<std::vector<char>>(n, 1), dst = std::make_shared<std::vector<char>>(n, 0);
    gb::add("copy", std::to_string(mib) + "MiB", "memcpy", [=](benchmark::State& st) {
      for (auto _ : st) {
        std::memcpy(dst->data(), src->data(), n);
        benchmark::ClobberMemory();
      }
      gb::set_bytes(st, 2.0 * static_cast<double>(n));
      gb::mark_baseline(st);
    })->MinTime(0.2)->UseRealTime()->Unit(benchmark::kMicrosecond);
  }
}
