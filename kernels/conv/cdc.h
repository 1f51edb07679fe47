// CDC: central difference convolution (CDCN), 3x3 kernel, stride 1, padding 1, theta in [0, 1].
//
//   x  [N, C, H, W]    w  [O, C, 3, 3]    y  [N, O, H, W]
//
//   y[n,o] = conv3x3(x, w)[n,o] - theta * sum_c S[o,c] x[n,c]      S[o,c] = sum_{u,v} w[o,c,u,v]
//
// Two forms compute it:
//   folded (the default): ONE 3x3 conv with the folded kernel
//       w'[o,c,u,v] = w[o,c,u,v]                     (u,v) != centre
//       w'[o,c,1,1] = w[o,c,1,1] - theta * S[o,c]     the centre tap
//     backward-data is the conv's backward-data with w'; backward-weight maps the
//     gradient G of w' back through the fold:  dL/dw[o,c,u,v] = G[o,c,u,v] - theta * G[o,c,1,1].
//   two-conv (CDCN's form; the reference and the benchmark baseline):
//       y = conv3x3(x, w) - theta * conv1x1(x, S)
//       gx = bwd_data3x3(gy, w) - theta * bwd_data1x1(gy, S)
//       gw[o,c,u,v] = bwd_weight3x3(gy, x)[o,c,u,v] - theta * bwd_weight1x1(gy, x)[o,c]
// theta = 0 gives w' = w bit for bit, so the folded CDC is then exactly conv2d.
//
// CdcForm::Auto runs the folded form on the fast paths (CPU float32, CUDA) and the two-conv
// form on the reference path (CPU float64, ScopedCpuPath(Reference)), so the op harness
// checks one form against the other.
#pragma once
#include "kernels/conv/conv.h"

namespace gsn {

enum class CdcForm { Auto, Folded, TwoConv };

Tensor cdc_conv2d_forward(const Tensor& x, const Tensor& w, double theta, CdcForm form = CdcForm::Auto);
Tensor cdc_conv2d_backward_data(const Tensor& gy, const Tensor& w, const Shape& x_shape, double theta,
                                CdcForm form = CdcForm::Auto);
Tensor cdc_conv2d_backward_weight(const Tensor& gy, const Tensor& x, const Shape& w_shape, double theta,
                                  CdcForm form = CdcForm::Auto);

// The pieces (w and G are [O,C,3,3]).
Tensor cdc_fold_weight(const Tensor& w, double theta);  // -> w' [O,C,3,3]
Tensor cdc_unfold_grad(const Tensor& G, double theta);  // -> dL/dw [O,C,3,3] from dL/dw'
Tensor cdc_sum_taps(const Tensor& w);                   // -> S [O,C,1,1], the two-conv form's 1x1 kernel

// Raw layer. OC = O*C kernel planes of 9 taps each.
//   fold_weight   wf[oc,t] = w[oc,t] - (t == 4) * theta * sum_t' w[oc,t']
//   sum_taps      s[oc]    = sum_t w[oc,t]
//   unfold_grad   gw[oc,t] = G[oc,t] - theta * H[oc * h_stride]
//                 (the fold's adjoint: H = G + 4, h_stride = 9, the centre taps; the
//                 two-conv form: H = the 1x1 conv's weight gradient, h_stride = 1)
//   sub_scaled    y[i] = a[i] - theta * b[i]
namespace ref {
template <class T> void cdc_fold_weight(const T* w, int64_t OC, T theta, T* wf);
template <class T> void cdc_sum_taps(const T* w, int64_t OC, T* s);
template <class T> void cdc_unfold_grad(const T* G, const T* H, int64_t h_stride, int64_t OC, T theta, T* gw);
template <class T> void cdc_sub_scaled(const T* a, const T* b, T theta, T* y, int64_t n);
}  // namespace ref
namespace cpu {
void cdc_fold_weight(const float* w, int64_t OC, float theta, float* wf);
void cdc_sum_taps(const float* w, int64_t OC, float* s);
void cdc_unfold_grad(const float* G, const float* H, int64_t h_stride, int64_t OC, float theta, float* gw);
void cdc_sub_scaled(const float* a, const float* b, float theta, float* y, int64_t n);
}  // namespace cpu
namespace cuda {
void cdc_fold_weight(const float* w, int64_t OC, float theta, float* wf);
void cdc_sum_taps(const float* w, int64_t OC, float* s);
void cdc_unfold_grad(const float* G, const float* H, int64_t h_stride, int64_t OC, float theta, float* gw);
void cdc_sub_scaled(const float* a, const float* b, float theta, float* y, int64_t n);
}  // namespace cuda

}  // namespace gsn
