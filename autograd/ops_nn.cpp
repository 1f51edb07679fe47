// Autograd wrappers of the nn kernels: batch norm, pooling, concat / batch slice, the
// spatial-attention pieces and the multi-level fusion. Each keeps what its backward
// needs (saved statistics, argmax indices, input values or just shapes).
#include "autograd/ops.h"
#include "kernels/attention/attention.h"
#include "kernels/fusion/fusion.h"
#include "kernels/norm/batch_norm.h"
#include "kernels/pool/pool.h"
#include "kernels/tensor_ops/tensor_ops.h"

namespace gsn::ag {

using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;

namespace {
Var batch_norm_op(const char* name, bool relu, const Var& x, const Var& gamma, const Var& beta, Tensor& running_mean,
                  Tensor& running_var, bool training, double momentum, double eps) {
  BatchNormResult r = gsn::batch_norm_forward(x.value(), gamma.value(), beta.value(), running_mean, running_var,
                                              training, momentum, eps, relu);
  Tensor xv = x.value(), gv = gamma.value(), mean = r.save_mean, invstd = r.save_invstd;
  Tensor mask = relu ? r.y : Tensor();  // the output is kept alive by the next op anyway
  return make_result(name, r.y, {x, gamma, beta},
                     [xv, gv, mean, invstd, training, mask](const Tensor& g, const Needs& n) {
                       BatchNormGrads gr = gsn::batch_norm_backward(xv, g, gv, mean, invstd, training, mask);
                       return Grads{n[0] ? gr.gx : Tensor(), n[1] ? gr.ggamma : Tensor(), n[2] ? gr.gbeta : Tensor()};
                     });
}
}  // namespace

Var batch_norm(const Var& x, const Var& gamma, const Var& beta, Tensor& running_mean, Tensor& running_var,
               bool training, double momentum, double eps) {
  return batch_norm_op("batch_norm", false, x, gamma, beta, running_mean, running_var, training, momentum, eps);
}

Var batch_norm_relu(const Var& x, const Var& gamma, const Var& beta, Tensor& running_mean, Tensor& running_var,
                    bool training, double momentum, double eps) {
  return batch_norm_op("batch_norm_relu", true, x, gamma, beta, running_mean, running_var, training, momentum, eps);
}

Var max_pool2d(const Var& x, int k, int stride, int pad) {
  MaxPoolResult r = gsn::max_pool2d(x.value(), k, stride, pad);
  Tensor idx = r.idx;
  Shape xs = x.shape();
  return make_result("max_pool2d", r.y, {x}, [idx, xs, k, stride, pad](const Tensor& g, const Needs&) {
    return Grads{gsn::max_pool2d_backward(g, idx, xs, k, stride, pad)};
  });
}

Var adaptive_avg_pool2d(const Var& x, int64_t out_h, int64_t out_w) {
  Shape xs = x.shape();
  return make_result("adaptive_avg_pool2d", gsn::adaptive_avg_pool2d(x.value(), out_h, out_w), {x},
                     [xs](const Tensor& g, const Needs&) { return Grads{gsn::adaptive_avg_pool2d_backward(g, xs)}; });
}

Var global_avg_pool(const Var& x) {
  Shape xs = x.shape();
  return make_result("global_avg_pool", gsn::global_avg_pool(x.value()), {x},
                     [xs](const Tensor& g, const Needs&) { return Grads{gsn::global_avg_pool_backward(g, xs)}; });
}

Var concat_channels(const std::vector<Var>& xs) {
  std::vector<Tensor> values;
  std::vector<int64_t> channels;
  for (const Var& v : xs) {
    values.push_back(v.value());
    channels.push_back(v.value().ndim() == 4 ? v.dim(1) : 0);
  }
  return make_result("concat_channels", gsn::concat_channels(values), xs, [channels](const Tensor& g, const Needs& n) {
    Grads parts = gsn::split_channels(g, channels);
    for (std::size_t i = 0; i < parts.size(); ++i)
      if (!n[i]) parts[i] = Tensor();
    return parts;
  });
}

Var slice_batch(const Var& x, int64_t begin, int64_t end) {
  const int64_t rows = x.value().defined() ? x.dim(0) : 0;
  return make_result("slice_batch", gsn::slice_batch(x.value(), begin, end), {x},
                     [rows, begin](const Tensor& g, const Needs&) {
                       return Grads{gsn::slice_batch_backward(g, rows, begin)};
                     });
}

Var channel_mean_max(const Var& x) {
  ChannelPoolResult r = gsn::channel_mean_max(x.value());
  Tensor argmax = r.argmax;
  const int64_t channels = x.dim(1);
  return make_result("channel_mean_max", r.y, {x}, [argmax, channels](const Tensor& g, const Needs&) {
    return Grads{gsn::channel_mean_max_backward(g, argmax, channels)};
  });
}

Var gate(const Var& x, const Var& a) {
  Tensor xv = x.value(), av = a.value();
  return make_result("gate", gsn::gate(xv, av), {x, a}, [xv, av](const Tensor& g, const Needs& n) {
    GateGrads gr = gsn::gate_backward(xv, av, g, n[0], n[1]);
    return Grads{gr.gx, gr.ga};
  });
}

Var siamese_diff_concat(const Var& F, int64_t B) {
  return make_result("siamese_diff_concat", gsn::siamese_diff_concat(F.value(), B), {F},
                     [B](const Tensor& g, const Needs&) { return Grads{gsn::siamese_diff_concat_backward(g, B)}; });
}

Var fuse_levels(const Var& P1, const Var& P2, const Var& P3) {
  Shape s1 = P1.shape(), s2 = P2.shape(), s3 = P3.shape();
  return make_result("fuse_levels", gsn::fuse_levels(P1.value(), P2.value(), P3.value()), {P1, P2, P3},
                     [s1, s2, s3](const Tensor& g, const Needs& n) {
                       FuseLevelsGrads gr = gsn::fuse_levels_backward(g, s1, s2, s3);
                       return Grads{n[0] ? gr.g1 : Tensor(), n[1] ? gr.g2 : Tensor(), n[2] ? gr.g3 : Tensor()};
                     });
}

}  // namespace gsn::ag
