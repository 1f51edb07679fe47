// Differentiable ops on Vars. Each computes its value with the kernels (kernels/) and
// records its backward on the tape (autograd/var.h). Shapes are those of the kernel API
// each one wraps; a mismatch throws before anything is recorded.
#pragma once
#include "autograd/var.h"

namespace gsn::ag {

Var add(const Var& a, const Var& b);      // same shapes
Var sub(const Var& a, const Var& b);
Var mul(const Var& a, const Var& b);
Var scale(const Var& x, double s);
Var relu(const Var& x);
Var sigmoid(const Var& x);
Var sum(const Var& x);                    // -> [1]
Var mean(const Var& x);                   // -> [1]
Var reshape(const Var& x, const Shape& shape);  // a view; numel must match

}  // namespace gsn::ag

// ---- nn ops: batch norm, pooling, concat/slice, spatial attention, fusion -------------
// (autograd/ops_nn.cpp; kernels in kernels/norm, pool, tensor_ops, attention, fusion)
#include <vector>

namespace gsn::ag {

// BatchNorm2d over x [N,C,H,W] with gamma, beta [C]. training: batch statistics, and
// running_mean / running_var ([C], x's device and dtype) are updated in place (momentum,
// unbiased variance), not differentiated; eval: the running statistics normalise.
Var batch_norm(const Var& x, const Var& gamma, const Var& beta, Tensor& running_mean, Tensor& running_var,
               bool training, double momentum = 0.1, double eps = 1e-5);
// relu(batch_norm(...)) as one op: the fused kernels (kernels/norm/batch_norm.h), one
// activation-sized tensor and three full passes fewer than the two ops.
Var batch_norm_relu(const Var& x, const Var& gamma, const Var& beta, Tensor& running_mean, Tensor& running_var,
                    bool training, double momentum = 0.1, double eps = 1e-5);
Var max_pool2d(const Var& x, int k, int stride, int pad);            // [N,C,H,W] -> [N,C,Ho,Wo]
Var adaptive_avg_pool2d(const Var& x, int64_t out_h, int64_t out_w);  // PyTorch's bins
Var global_avg_pool(const Var& x);                                    // [N,C,H,W] -> [N,C]
Var concat_channels(const std::vector<Var>& xs);                      // [N,Ci,H,W] -> [N,sum Ci,H,W]
Var slice_batch(const Var& x, int64_t begin, int64_t end);            // rows [begin,end): a view
Var channel_mean_max(const Var& x);        // [N,C,H,W] -> [N,2,H,W]: channel 0 mean, 1 max
Var gate(const Var& x, const Var& a);      // x [N,C,H,W] * a [N,1,H,W] (broadcast over C)
Var siamese_diff_concat(const Var& F, int64_t B);  // [2B,c,h,w] -> [B,3c,h,w] = (F_r, F_d, F_r-F_d)
Var fuse_levels(const Var& P1, const Var& P2, const Var& P3);  // -> [B,C1+C2+C3,h3,w3], P1, P2 pooled

}  // namespace gsn::ag

// ---- linear algebra: matmul and the fully connected layer ------------------------------
// (autograd/ops_linear.cpp; kernels in kernels/linear)
namespace gsn::ag {

Var matmul(const Var& a, const Var& b);                // [M,K] x [K,N] -> [M,N]
Var linear(const Var& x, const Var& w, const Var& b);  // x [N,K], w [M,K], b [M] -> x w^T + b: [N,M];
                                                       // b may be an undefined Var(): no bias

}  // namespace gsn::ag

// ---- conv ops: conv2d and central difference conv (CDC) -------------------------------
// (autograd/ops_conv.cpp; kernels in kernels/conv: conv.h, cdc.h)
namespace gsn::ag {

// x [N,C,H,W], w [O,C,k,k], b [O] or an undefined Var (no bias) -> [N,O,Ho,Wo],
// Ho = (H + 2*pad - k)/stride + 1 (likewise Wo).
Var conv2d(const Var& x, const Var& w, const Var& b, int stride, int pad);
// CDC, 3x3, stride 1, pad 1: x [N,C,H,W], w [O,C,3,3] -> [N,O,H,W], theta in [0,1].
// The folded form (one conv with the centre tap w_c - theta*sum(w)); the gradient of w
// goes back through the fold (dL/dw_k = G_k - theta*G_c). The reference path (float64)
// runs the two-conv form.
Var cdc_conv2d(const Var& x, const Var& w, double theta);

}  // namespace gsn::ag
