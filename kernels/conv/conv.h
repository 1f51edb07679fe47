// conv2d: square k x k kernel, stride s, zero padding p, no groups, optional bias.
//
//   x  [N, C, H, W]     input (NCHW, dense)
//   w  [O, C, k, k]     weights (PyTorch's layout)
//   b  [O]              bias, or an undefined Tensor for none
//   y  [N, O, Ho, Wo]   Ho = (H + 2p - k)/s + 1, Wo = (W + 2p - k)/s + 1
//
//   conv2d_forward          y[n,o,i,j] = b[o] + sum_{c,u,v} w[o,c,u,v] x[n,c, i*s-p+u, j*s-p+v]
//                           (x outside [0,H) x [0,W) reads as 0)
//   conv2d_backward_data    gx[n,c,h,w] = sum over (o,u,v) with h = i*s-p+u, w = j*s-p+v
//                           (i, j in range) of w[o,c,u,v] gy[n,o,i,j]
//   conv2d_backward_weight  gw[o,c,u,v] = sum_{n,i,j} gy[n,o,i,j] x[n,c, i*s-p+u, j*s-p+v]
//   conv2d_backward_bias    gb[o]       = sum_{n,i,j} gy[n,o,i,j]
//
// As GEMMs (K = C*k*k, P = N*Ho*Wo; "col" is the im2col matrix [K, P] of x):
//   forward      y[O, P]    = W[O, K] col[K, P]
//   bwd-data     gcol[K, P] = W^T gy, then col2im (scatter-add) into gx
//   bwd-weight   gW[O, K]   = gy[O, P] col^T
//
// Every path is deterministic: a given output element is summed in an order that depends
// only on the shapes (never on the thread count or on timing; no float atomics on CUDA).
// The CPU fast path (conv_cpu.cpp) is implicit GEMM on AVX-512 for 3x3 same convs
// (conv_cpu_implicit.h), a direct path for O <= 4 (conv_cpu_direct.h), im2col + GEMM on
// tiles otherwise; CUDA is implicit GEMM with shared-memory tiles, no im2col buffer
// (conv.cu, numbered versions).
#pragma once
#include "kernels/core/tensor.h"

namespace gsn {

Tensor conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, int stride, int pad);
Tensor conv2d_backward_data(const Tensor& gy, const Tensor& w, const Shape& x_shape, int stride, int pad);
Tensor conv2d_backward_weight(const Tensor& gy, const Tensor& x, const Shape& w_shape, int stride, int pad);
Tensor conv2d_backward_bias(const Tensor& gy);  // gy [N,O,Ho,Wo] -> [O]

// Output size of a conv (throws when the window does not fit the padded input).
int64_t conv_out_size(int64_t in, int64_t k, int64_t stride, int64_t pad);

// The geometry every raw function takes.
struct ConvGeom {
  int64_t N, C, H, W;  // input
  int64_t O, k;        // output channels, kernel size
  int64_t s, p;        // stride, padding
  int64_t Ho, Wo;      // output size
  int64_t K() const { return C * k * k; }     // GEMM depth of the forward
  int64_t P() const { return N * Ho * Wo; }   // output pixels over the batch
  double flops() const { return 2.0 * static_cast<double>(O) * static_cast<double>(K()) * static_cast<double>(P()); }
};
ConvGeom conv_geom(const Shape& x_shape, const Shape& w_shape, int stride, int pad);

// Raw layer (dense NCHW pointers). b may be nullptr (no bias). Outputs are fully written
// (never accumulated into).
namespace ref {
template <class T> void conv2d_forward(const T* x, const T* w, const T* b, const ConvGeom& g, T* y);
template <class T> void conv2d_backward_data(const T* gy, const T* w, const ConvGeom& g, T* gx);
template <class T> void conv2d_backward_weight(const T* gy, const T* x, const ConvGeom& g, T* gw);
template <class T> void conv2d_backward_bias(const T* gy, const ConvGeom& g, T* gb);
}  // namespace ref
namespace cpu {
void conv2d_forward(const float* x, const float* w, const float* b, const ConvGeom& g, float* y);
void conv2d_backward_data(const float* gy, const float* w, const ConvGeom& g, float* gx);
void conv2d_backward_weight(const float* gy, const float* x, const ConvGeom& g, float* gw);
void conv2d_backward_bias(const float* gy, const ConvGeom& g, float* gb);
}  // namespace cpu
namespace cuda {
// version 0: the launcher's pick (by shape, see conv.cu; the environment variable
// GSN_CUDA_CONV_VERSION=v makes it take v everywhere); 1..kConvVersions: that version
// (v1 direct, v2 smem-tiled implicit GEMM, v3 register-blocked implicit GEMM, v4 its
// 128x128 tile with float4 smem reads, v5 v4 software-pipelined; conv.cu says more).
constexpr int kConvVersions = 5;
void conv2d_forward(const float* x, const float* w, const float* b, const ConvGeom& g, float* y, int version = 0);
void conv2d_backward_data(const float* gy, const float* w, const ConvGeom& g, float* gx, int version = 0);
void conv2d_backward_weight(const float* gy, const float* x, const ConvGeom& g, float* gw, int version = 0);
void conv2d_backward_bias(const float* gy, const ConvGeom& g, float* gb);
}  // namespace cuda

}  // namespace gsn
