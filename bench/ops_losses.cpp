// CPU benchmarks of the losses and the optimizer steps.
//   <loss>/B=<B>/gsn_cpu       the fast CPU path: value and dL/dq in one call
//   <loss>/B=<B>/reference     the plain reference (baseline)
//   <step>/<preset>/gsn_cpu    one step over all 43 parameter tensors of the GSN model at
//                              that preset (tiny 292k params, paper 3.13M), threaded chunks
//   <step>/<preset>/reference  plain loops, tensor after tensor (baseline)
// GB/s for the steps counts the compulsory traffic: Adam reads p, g, m, v and writes
// p, m, v (28 B/param); SGD momentum 20 B/param; grad_norm 4 B/param. The raw kernels run
// on preallocated buffers. Kept short: MinTime 0.2 s each.
#include <memory>
#include <vector>

#include "bench/bench_util.h"
#include "bench/ops_losses.h"
#include "kernels/core/random.h"
#include "kernels/optim/optim.h"
#include "losses/losses.h"

namespace {
using namespace gsn;
namespace gb = gsn::bench;

struct LossBufs {
  Tensor q, y, value, grad;
  explicit LossBufs(int64_t b) {
    Generator g(static_cast<uint64_t>(b));
    q = rand_uniform({b}, g, -3.0, 3.0);
    y = rand_uniform({b}, g, -2.0, 2.0);
    value = Tensor::empty({1});
    grad = Tensor::empty({b});
  }
};

struct ParamBufs {
  std::vector<Tensor> keep;
  std::vector<ParamSlot<float>> slots;
  int64_t numel = 0;
  explicit ParamBufs(const std::vector<Shape>& shapes) {
    Generator g(1);
    for (const Shape& s : shapes) {
      Tensor p = rand_uniform(s, g, -1.0, 1.0), gr = rand_uniform(s, g, -1.0, 1.0), m = Tensor::zeros(s),
             v = Tensor::zeros(s);
      slots.push_back({p.data<float>(), gr.data<float>(), m.data<float>(), v.data<float>(), s.numel()});
      keep.insert(keep.end(), {p, gr, m, v});
      numel += s.numel();
    }
  }
};

template <class Fn> void reg(const std::string& op, const std::string& shape, const std::string& impl, double bytes,
                             Fn fn) {
  auto* b = gb::add(op, shape, impl, [bytes, fn, impl](benchmark::State& st) {
    for (auto _ : st) {
      fn();
      benchmark::ClobberMemory();
    }
    if (bytes > 0) gb::set_bytes(st, bytes);
    if (impl == "reference") gb::mark_baseline(st);
  });
  b->MinTime(0.2)->UseRealTime()->Unit(benchmark::kMicrosecond);
}
}  // namespace

GSN_BENCHMARKS(losses_cpu) {
  struct K {
    const char* name;
    float w_mse, w_kl;
  };
  for (int64_t b : {16, 64, 256}) {
    auto lb = std::make_shared<LossBufs>(b);
    const std::string shape = "B=" + std::to_string(b);
    for (K k : {K{"gsn_loss", 1.f, 1.f}, K{"mse_loss", 1.f, 0.f}, K{"kl_batch_loss", 0.f, 1.f}}) {
      reg(k.name, shape, "gsn_cpu", 0, [lb, k] {
        cpu::loss_forward(lb->q.data<float>(), lb->y.data<float>(), lb->q.numel(), k.w_mse, k.w_kl, 1.f,
                          lb->value.data<float>(), lb->grad.data<float>());
      });
      reg(k.name, shape, "reference", 0, [lb, k] {
        ref::loss_forward<float>(lb->q.data<float>(), lb->y.data<float>(), lb->q.numel(), k.w_mse, k.w_kl, 1.f,
                                 lb->value.data<float>(), lb->grad.data<float>());
      });
    }
  }

  for (const gb::Preset& p : gb::presets()) {
    auto pb = std::make_shared<ParamBufs>(gb::gsn_param_shapes(p));
    const std::string shape = gb::preset_label(p);
    const double n = static_cast<double>(pb->numel);
    // Tiny steps keep the parameters bounded: lr 1e-6 over many iterations.
    AdamParams adam;
    adam.lr = 1e-6;
    adam.weight_decay = 1e-4;
    AdamParams adamw = adam;
    adamw.decoupled = true;
    SgdParams sgd;
    sgd.lr = 1e-6;
    sgd.momentum = 0.9;
    reg("adam_step", shape, "gsn_cpu", 28 * n, [pb, adam] { cpu::adam_step(pb->slots, adam, nullptr); });
    reg("adam_step", shape, "reference", 28 * n, [pb, adam] { ref::adam_step<float>(pb->slots, adam, nullptr); });
    reg("adamw_step", shape, "gsn_cpu", 28 * n, [pb, adamw] { cpu::adam_step(pb->slots, adamw, nullptr); });
    reg("adamw_step", shape, "reference", 28 * n, [pb, adamw] { ref::adam_step<float>(pb->slots, adamw, nullptr); });
    reg("sgd_momentum_step", shape, "gsn_cpu", 20 * n, [pb, sgd] { cpu::sgd_step(pb->slots, sgd, nullptr); });
    reg("sgd_momentum_step", shape, "reference", 20 * n, [pb, sgd] { ref::sgd_step<float>(pb->slots, sgd, nullptr); });
    auto out = std::make_shared<Tensor>(Tensor::empty({2}));
    reg("grad_norm", shape, "gsn_cpu", 4 * n, [pb, out] {
      cpu::grad_norm(pb->slots, 1.0, out->data<float>(), out->data<float>() + 1);
    });
    reg("grad_norm", shape, "reference", 4 * n, [pb, out] {
      ref::grad_norm<float>(pb->slots, 1.0, out->data<float>(), out->data<float>() + 1);
    });
  }
}
