// CUDA CDC pieces: the weight fold and its adjoint (one thread per O*C kernel plane of 9
// taps; O*C is at most ~147k, the paper preset's fusion layer, so these are a few
// microseconds), the tap sums of the two-conv form, and y = a - theta*b. See cdc.h.
#include "kernels/conv/cdc.h"
#include "kernels/core/cuda_check.cuh"

namespace gsn::cuda {

namespace {
constexpr int kBlock = 256;

__global__ void fold_kernel(const float* __restrict__ w, int64_t OC, float theta, float* __restrict__ wf) {
  GSN_GRID_STRIDE(oc, OC) {
    float t[9], s = 0.f;
#pragma unroll
    for (int k = 0; k < 9; ++k) {
      t[k] = w[oc * 9 + k];
      s += t[k];
    }
#pragma unroll
    for (int k = 0; k < 9; ++k) wf[oc * 9 + k] = k == 4 ? t[4] - theta * s : t[k];
  }
}

__global__ void sum_taps_kernel(const float* __restrict__ w, int64_t OC, float* __restrict__ s) {
  GSN_GRID_STRIDE(oc, OC) {
    float acc = 0.f;
#pragma unroll
    for (int k = 0; k < 9; ++k) acc += w[oc * 9 + k];
    s[oc] = acc;
  }
}

// G and gw may not alias (H may point into G).
__global__ void unfold_kernel(const float* __restrict__ G, const float* __restrict__ H, int64_t h_stride, int64_t OC,
                              float theta, float* __restrict__ gw) {
  GSN_GRID_STRIDE(oc, OC) {
    const float h = theta * H[oc * h_stride];
#pragma unroll
    for (int k = 0; k < 9; ++k) gw[oc * 9 + k] = G[oc * 9 + k] - h;
  }
}

__global__ void sub_scaled_kernel(const float* __restrict__ a, const float* __restrict__ b, float theta,
                                  float* __restrict__ y, int64_t n) {
  GSN_GRID_STRIDE(i, n) y[i] = a[i] - theta * b[i];
}
}  // namespace

void cdc_fold_weight(const float* w, int64_t OC, float theta, float* wf) {
  if (OC == 0) return;
  fold_kernel<<<grid_1d(OC, kBlock), kBlock, 0, cuda_stream()>>>(w, OC, theta, wf);
  GSN_CUDA_CHECK_LAUNCH();
}

void cdc_sum_taps(const float* w, int64_t OC, float* s) {
  if (OC == 0) return;
  sum_taps_kernel<<<grid_1d(OC, kBlock), kBlock, 0, cuda_stream()>>>(w, OC, s);
  GSN_CUDA_CHECK_LAUNCH();
}

void cdc_unfold_grad(const float* G, const float* H, int64_t h_stride, int64_t OC, float theta, float* gw) {
  if (OC == 0) return;
  unfold_kernel<<<grid_1d(OC, kBlock), kBlock, 0, cuda_stream()>>>(G, H, h_stride, OC, theta, gw);
  GSN_CUDA_CHECK_LAUNCH();
}

void cdc_sub_scaled(const float* a, const float* b, float theta, float* y, int64_t n) {
  if (n == 0) return;
  sub_scaled_kernel<<<grid_1d(n, kBlock), kBlock, 0, cuda_stream()>>>(a, b, theta, y, n);
  GSN_CUDA_CHECK_LAUNCH();
}

}  // namespace gsn::cuda
