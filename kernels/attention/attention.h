// Spatial attention pieces (the 2->1 k x k conv between them is conv2d, the squashing
// is sigmoid; both live elsewhere).
//
//   channel_mean_max(x)        x [N,C,H,W] -> y [N,2,H,W]
//        y[n,0,p] = (1/C) sum_c x[n,c,p]           (p = h*W + w)
//        y[n,1,p] = max_c x[n,c,p]
//        argmax [N,1,H,W] = the channel of the max, as a float; ties: the lowest channel
//   channel_mean_max_backward(gy, argmax, C)
//        gx[n,c,p] = gy[n,0,p] / C + (c == argmax[n,p] ? gy[n,1,p] : 0)
//   gate(x, a)                 x [N,C,H,W], a [N,1,H,W] -> y [N,C,H,W], y = x * a[n,0,p]
//   gate_backward(x, a, gy)    gx[n,c,p] = gy[n,c,p] * a[n,0,p]
//                              ga[n,0,p] = sum_c gy[n,c,p] * x[n,c,p]   (fixed order)
//
// CUDA: one fused kernel each for channel_mean_max, its backward, gate and gate_backward.
// Every kernel maps a block to a tile of 32 positions p x 8 channel groups, so a warp
// reads 32 consecutive floats of one channel plane and the per-position results (mean,
// max, ga) are combined across the 8 groups in shared memory in a fixed order.
#pragma once
#include "kernels/core/tensor.h"

namespace gsn {

struct ChannelPoolResult {
  Tensor y;       // [N,2,H,W]
  Tensor argmax;  // [N,1,H,W]
};
struct GateGrads {
  Tensor gx, ga;
};

ChannelPoolResult channel_mean_max(const Tensor& x);
Tensor channel_mean_max_backward(const Tensor& gy, const Tensor& argmax, int64_t channels);
Tensor gate(const Tensor& x, const Tensor& a);
GateGrads gate_backward(const Tensor& x, const Tensor& a, const Tensor& gy, bool need_gx = true, bool need_ga = true);

// Raw implementations; hw = H*W. gate_backward skips gx or ga when given nullptr.
namespace ref {
template <class T> void channel_mean_max_forward(const T* x, int64_t N, int64_t C, int64_t hw, T* y, T* argmax);
template <class T> void channel_mean_max_backward(const T* gy, const T* argmax, int64_t N, int64_t C, int64_t hw, T* gx);
template <class T> void gate_forward(const T* x, const T* a, int64_t N, int64_t C, int64_t hw, T* y);
template <class T> void gate_backward(const T* x, const T* a, const T* gy, int64_t N, int64_t C, int64_t hw, T* gx, T* ga);
}  // namespace ref
namespace cpu {
void channel_mean_max_forward(const float* x, int64_t N, int64_t C, int64_t hw, float* y, float* argmax);
void channel_mean_max_backward(const float* gy, const float* argmax, int64_t N, int64_t C, int64_t hw, float* gx);
void gate_forward(const float* x, const float* a, int64_t N, int64_t C, int64_t hw, float* y);
void gate_backward(const float* x, const float* a, const float* gy, int64_t N, int64_t C, int64_t hw, float* gx,
                   float* ga);
}  // namespace cpu
namespace cuda {
void channel_mean_max_forward(const float* x, int64_t N, int64_t C, int64_t hw, float* y, float* argmax);
void channel_mean_max_backward(const float* gy, const float* argmax, int64_t N, int64_t C, int64_t hw, float* gx);
void gate_forward(const float* x, const float* a, int64_t N, int64_t C, int64_t hw, float* y);
void gate_backward(const float* x, const float* a, const float* gy, int64_t N, int64_t C, int64_t hw, float* gx,
                   float* ga);
}  // namespace cuda

}  // namespace gsn
