// Pooling: max pooling with argmax, adaptive average pooling, global average pooling.
// Every tensor is NCHW and every op works plane by plane (a plane = one (n, c) image of
// H x W), so the raw functions below take `planes` = N*C.
//
//   max_pool2d(x, k, s, p)       x [N,C,H,W] -> y [N,C,Ho,Wo], Ho = (H + 2p - k)/s + 1
//        y[n,c,i,j] = max over the window rows i*s-p .. i*s-p+k-1, cols j*s-p .. j*s-p+k-1;
//        padding counts as -inf (p <= k/2, so every window holds a real element).
//        idx[n,c,i,j] = h*W + w of the maximum inside its plane, stored as a float of
//        x's dtype (exact: H*W < 2^24 is checked); ties pick the first in scan order
//        (rows outer, columns inner), as PyTorch does.
//   max_pool2d_backward(gy, idx)  gx[n,c,h,w] = sum of gy[n,c,i,j] over outputs whose
//        idx is h*W + w (a window that overlaps its neighbour can route two gradients to
//        one input).
//   adaptive_avg_pool2d(x, Ho, Wo)  x [N,C,H,W] -> y [N,C,Ho,Wo], y[i,j] = mean of
//        x over rows [floor(i*H/Ho), ceil((i+1)*H/Ho)) and the same rule for columns
//        (PyTorch's AdaptiveAvgPool2d; bins may overlap when H is not a multiple of Ho).
//   adaptive_avg_pool2d_backward(gy, x_shape)  gx[h,w] = sum over bins (i,j) containing
//        (h,w) of gy[i,j] / area(i,j).
//   global_avg_pool(x)           x [N,C,H,W] -> y [N,C], y[n,c] = mean of the plane
//   global_avg_pool_backward(gy, x_shape)  gx[n,c,h,w] = gy[n,c] / (H*W)
//
// Backward passes on CUDA are gathers (each input element sums the outputs that read it,
// in a fixed order), so no atomics and the result is the same bits on every run.
#pragma once
#include "kernels/core/tensor.h"

namespace gsn {

struct MaxPoolResult {
  Tensor y;    // [N,C,Ho,Wo]
  Tensor idx;  // [N,C,Ho,Wo], argmax position h*W + w within the plane (as float)
};

MaxPoolResult max_pool2d(const Tensor& x, int k, int stride, int pad);
Tensor max_pool2d_backward(const Tensor& gy, const Tensor& idx, const Shape& x_shape, int k, int stride, int pad);
Tensor adaptive_avg_pool2d(const Tensor& x, int64_t out_h, int64_t out_w);
Tensor adaptive_avg_pool2d_backward(const Tensor& gy, const Shape& x_shape);
Tensor global_avg_pool(const Tensor& x);
Tensor global_avg_pool_backward(const Tensor& gy, const Shape& x_shape);

// Geometry of a pooling op: `planes` = N*C planes of H x W in, Ho x Wo out; k, s, p are
// the window, stride and padding of max pooling (unused by the adaptive pools).
struct PoolGeom {
  int64_t planes, H, W, Ho, Wo;
  int64_t k = 0, s = 1, p = 0;
};

namespace ref {
template <class T> void max_pool2d_forward(const T* x, const PoolGeom& g, T* y, T* idx);
template <class T> void max_pool2d_backward(const T* gy, const T* idx, const PoolGeom& g, T* gx);
template <class T> void adaptive_avg_pool2d_forward(const T* x, const PoolGeom& g, T* y);
template <class T> void adaptive_avg_pool2d_backward(const T* gy, const PoolGeom& g, T* gx);
template <class T> void global_avg_pool_forward(const T* x, int64_t planes, int64_t hw, T* y);
template <class T> void global_avg_pool_backward(const T* gy, int64_t planes, int64_t hw, T* gx);
}  // namespace ref
namespace cpu {
void max_pool2d_forward(const float* x, const PoolGeom& g, float* y, float* idx);
void max_pool2d_backward(const float* gy, const float* idx, const PoolGeom& g, float* gx);
void adaptive_avg_pool2d_forward(const float* x, const PoolGeom& g, float* y);
void adaptive_avg_pool2d_backward(const float* gy, const PoolGeom& g, float* gx);
void global_avg_pool_forward(const float* x, int64_t planes, int64_t hw, float* y);
void global_avg_pool_backward(const float* gy, int64_t planes, int64_t hw, float* gx);
}  // namespace cpu
namespace cuda {
void max_pool2d_forward(const float* x, const PoolGeom& g, float* y, float* idx);
void max_pool2d_backward(const float* gy, const float* idx, const PoolGeom& g, float* gx);
void adaptive_avg_pool2d_forward(const float* x, const PoolGeom& g, float* y);
void adaptive_avg_pool2d_backward(const float* gy, const PoolGeom& g, float* gx);
void global_avg_pool_forward(const float* x, int64_t planes, int64_t hw, float* y);
void global_avg_pool_backward(const float* gy, int64_t planes, int64_t hw, float* gx);
}  // namespace cuda

}  // namespace gsn
