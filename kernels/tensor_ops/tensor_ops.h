// Moving data between tensors: concat / split along channels, slice along the batch.
//
//   concat_channels({x_0 .. x_{k-1}})   x_j [N, C_j, H, W] -> y [N, sum C_j, H, W]
//        y[n, off_j + c, h, w] = x_j[n, c, h, w],  off_j = C_0 + ... + C_{j-1}
//   split_channels(y, {C_0 .. C_{k-1}})  the inverse (concat's backward): x_j = y[:, off_j : off_j + C_j]
//   slice_batch(x, b, e)                 x [N, ...] -> x[b:e] : a zero-copy view (Tensor::slice0)
//   slice_batch_backward(gy, N, b)       gy [e-b, ...] -> gx [N, ...], gx[b:e] = gy, zeros elsewhere
//
// All are pure copies: the CUDA kernels move each element once (float4 when every plane
// offset is a multiple of 4 elements and the pointers are 16-byte aligned).
#pragma once
#include <vector>

#include "kernels/core/tensor.h"

namespace gsn {

Tensor concat_channels(const std::vector<Tensor>& xs);
std::vector<Tensor> split_channels(const Tensor& y, const std::vector<int64_t>& channels);
Tensor slice_batch(const Tensor& x, int64_t begin, int64_t end);
Tensor slice_batch_backward(const Tensor& gy, int64_t n, int64_t begin);

// Raw implementations: k parts with channel counts ch[j]; hw = H*W; `row` = elements per
// batch row (C*H*W) for the batch slice.
namespace ref {
template <class T> void concat_channels(const T* const* xs, const int64_t* ch, int k, int64_t N, int64_t hw, T* y);
template <class T> void split_channels(const T* y, const int64_t* ch, int k, int64_t N, int64_t hw, T* const* xs);
template <class T> void slice_batch_backward(const T* gy, int64_t row, int64_t N, int64_t begin, int64_t end, T* gx);
}  // namespace ref
namespace cpu {
void concat_channels(const float* const* xs, const int64_t* ch, int k, int64_t N, int64_t hw, float* y);
void split_channels(const float* y, const int64_t* ch, int k, int64_t N, int64_t hw, float* const* xs);
void slice_batch_backward(const float* gy, int64_t row, int64_t N, int64_t begin, int64_t end, float* gx);
}  // namespace cpu
namespace cuda {
void concat_channels(const float* const* xs, const int64_t* ch, int k, int64_t N, int64_t hw, float* y);
void split_channels(const float* y, const int64_t* ch, int k, int64_t N, int64_t hw, float* const* xs);
void slice_batch_backward(const float* gy, int64_t row, int64_t N, int64_t begin, int64_t end, float* gx);
}  // namespace cuda

}  // namespace gsn
