// CUDA benchmarks of the losses and the optimizer steps (registered only when a CUDA
// device answers). Timed with CUDA events after an L2 flush (bench_cuda.cuh).
//   <loss>/B=<B>/gsn_cuda          the one-block value-and-gradient kernel (no baseline:
//                                  a loss of B <= 256 values is one launch's latency)
//   <step>/<preset>/gsn_cuda       version 2: ONE launch over all 43 tensors (chunk table)
//   <step>/<preset>/per_tensor     version 1, the baseline: one launch per tensor
//   grad_norm/<preset>/gsn_cuda    two launches (chunk partials, ordered final sum)
// GB/s: Adam 28 B/param, SGD momentum 20 B/param, grad_norm 4 B/param.
#include <memory>
#include <vector>

#include "bench/bench_cuda.cuh"
#include "bench/bench_util.h"
#include "bench/ops_losses.h"
#include "kernels/core/backend.h"
#include "kernels/core/random.h"
#include "kernels/optim/optim.h"
#include "losses/losses.h"

namespace {
using namespace gsn;
namespace gb = gsn::bench;

struct ParamBufs {
  std::vector<Tensor> keep;
  std::vector<ParamSlot<float>> slots;
  int64_t numel = 0;
  explicit ParamBufs(const std::vector<Shape>& shapes) {
    Generator g(1);
    for (const Shape& s : shapes) {
      Tensor p = rand_uniform(s, g, -1.0, 1.0).to(Device::CUDA), gr = rand_uniform(s, g, -1.0, 1.0).to(Device::CUDA),
             m = Tensor::zeros(s, DType::F32, Device::CUDA), v = Tensor::zeros(s, DType::F32, Device::CUDA);
      slots.push_back({p.data<float>(), gr.data<float>(), m.data<float>(), v.data<float>(), s.numel()});
      keep.insert(keep.end(), {p, gr, m, v});
      numel += s.numel();
    }
  }
};

template <class Fn> void reg(const std::string& op, const std::string& shape, const std::string& impl, double bytes,
                             bool baseline, Fn fn) {
  gb::cuda_timed(gb::add(op, shape, impl, [bytes, fn, baseline](benchmark::State& st) {
    gb::time_cuda(st, fn);
    if (bytes > 0) gb::set_bytes(st, bytes);
    if (baseline) gb::mark_baseline(st);
  }));
}
}  // namespace

GSN_BENCHMARKS(losses_cuda) {
  if (!cuda_available()) return;
  struct K {
    const char* name;
    float w_mse, w_kl;
  };
  for (int64_t b : {16, 64, 256}) {
    Generator g(static_cast<uint64_t>(b));
    auto q = std::make_shared<Tensor>(rand_uniform({b}, g, -3.0, 3.0).to(Device::CUDA));
    auto y = std::make_shared<Tensor>(rand_uniform({b}, g, -2.0, 2.0).to(Device::CUDA));
    auto out = std::make_shared<Tensor>(Tensor::empty({b + 1}, DType::F32, Device::CUDA));
    for (K k : {K{"gsn_loss", 1.f, 1.f}, K{"mse_loss", 1.f, 0.f}, K{"kl_batch_loss", 0.f, 1.f}}) {
      reg(k.name, "B=" + std::to_string(b), "gsn_cuda", 0, false, [q, y, out, k] {
        cuda::loss_forward(q->data<float>(), y->data<float>(), q->numel(), k.w_mse, k.w_kl, 1.f, out->data<float>(),
                           out->data<float>() + 1);
      });
    }
  }

  for (const gb::Preset& p : gb::presets()) {
    auto pb = std::make_shared<ParamBufs>(gb::gsn_param_shapes(p));
    const std::string shape = gb::preset_label(p);
    const double n = static_cast<double>(pb->numel);
    AdamParams adam;
    adam.lr = 1e-6;
    adam.weight_decay = 1e-4;
    AdamParams adamw = adam;
    adamw.decoupled = true;
    SgdParams sgd;
    sgd.lr = 1e-6;
    sgd.momentum = 0.9;
    reg("adam_step", shape, "gsn_cuda", 28 * n, false, [pb, adam] { cuda::adam_step(pb->slots, adam, nullptr); });
    reg("adam_step", shape, "per_tensor", 28 * n, true,
        [pb, adam] { cuda::adam_step_per_tensor(pb->slots, adam, nullptr); });
    reg("adamw_step", shape, "gsn_cuda", 28 * n, false, [pb, adamw] { cuda::adam_step(pb->slots, adamw, nullptr); });
    reg("adamw_step", shape, "per_tensor", 28 * n, true,
        [pb, adamw] { cuda::adam_step_per_tensor(pb->slots, adamw, nullptr); });
    reg("sgd_momentum_step", shape, "gsn_cuda", 20 * n, false, [pb, sgd] { cuda::sgd_step(pb->slots, sgd, nullptr); });
    reg("sgd_momentum_step", shape, "per_tensor", 20 * n, true,
        [pb, sgd] { cuda::sgd_step_per_tensor(pb->slots, sgd, nullptr); });
    auto out = std::make_shared<Tensor>(Tensor::empty({2}, DType::F32, Device::CUDA));
    reg("grad_norm", shape, "gsn_cuda", 4 * n, false, [pb, out] {
      cuda::grad_norm(pb->slots, 1.0, out->data<float>(), out->data<float>() + 1);
    });
  }
}
