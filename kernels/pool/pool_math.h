// Index arithmetic of the pooling ops, shared by the reference, the CPU path, the CUDA
// kernels (host and device) and kernels/fusion/, so all of them use the same windows.
#pragma once
#include <cstdint>

#ifndef GSN_HD
#ifdef __CUDACC__
#define GSN_HD __host__ __device__ __forceinline__
#else
#define GSN_HD inline
#endif
#endif

namespace gsn {

// Adaptive pooling, PyTorch's bin rule: output i of `out` covers input rows
// [floor(i*in/out), ceil((i+1)*in/out)).
GSN_HD int64_t adaptive_start(int64_t i, int64_t in, int64_t out) { return (i * in) / out; }
GSN_HD int64_t adaptive_end(int64_t i, int64_t in, int64_t out) { return ((i + 1) * in + out - 1) / out; }
// The outputs whose bins contain input row h: [first, last] (both inclusive).
//   start(i) <= h  <=>  i <= ((h+1)*out - 1) / in;   end(i) > h  <=>  i >= h*out / in.
GSN_HD int64_t adaptive_first_bin(int64_t h, int64_t in, int64_t out) { return (h * out) / in; }
GSN_HD int64_t adaptive_last_bin(int64_t h, int64_t in, int64_t out) {
  const int64_t l = ((h + 1) * out - 1) / in;
  return l < out - 1 ? l : out - 1;
}
// Whether the bins of `in` -> `out` tile the input exactly (in = f*out, f >= 1): then each
// input row lies in exactly one bin, rows [i*f, (i+1)*f) (the backward kernels' one-bin path).
GSN_HD bool adaptive_bins_tile(int64_t in, int64_t out) { return out > 0 && in >= out && in % out == 0; }

// Sliding windows (max pooling): output size, and the outputs whose window (k, stride s,
// padding p) contains input row h: [first, last], possibly empty (first > last).
GSN_HD int64_t pool_out_size(int64_t in, int64_t k, int64_t s, int64_t p) { return (in + 2 * p - k) / s + 1; }
// Templated on the integer type: the CUDA kernels use int (64-bit divisions cost tens of
// instructions each on a GPU), the reference int64_t.
template <class I> GSN_HD I window_first_out(I h, I k, I s, I p) {
  const I t = h + p - k + 1;  // smallest o with o*s + k - 1 >= h + p
  return t <= 0 ? I(0) : (t + s - 1) / s;
}
template <class I> GSN_HD I window_last_out(I h, I s, I p, I out) {
  const I l = (h + p) / s;  // largest o with o*s <= h + p
  return l < out - 1 ? l : out - 1;
}

}  // namespace gsn
