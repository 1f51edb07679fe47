// CUDA losses: value and gradient in ONE launch of ONE block (B is at most a few thousand,
// which one block of 512 threads covers in a few strided iterations; a multi-block grid
// would need a second launch or atomics to combine, and this kernel is launch-bound).
//
// Thread t handles elements t, t + 512, ... and the block runs the reference's three passes,
// each ending in a block reduction:
//   A. MSE sum, max q/tau, max y/tau        (sum, max, max)
//   B. sum exp(q/tau - m_q), sum exp(y/tau - m_y)  -> LSE_q, LSE_y
//   C. KL terms P_i (a_i - b_i), written gradients
// Reductions are warp xor-shuffle trees, then warp 0 combines the 16 warp partials in
// order: the same bits on every run (no atomics). q and y are re-read from L1/L2 in B and C.
// Version 1 (this one). Accumulation in float; the reference sums in double, the harness
// tolerance (gpu_tol) says how close that is.
#include <cmath>

#include "kernels/core/cuda_check.cuh"
#include "losses/losses.h"

namespace gsn::cuda {

namespace {
constexpr int kBlock = 512;
constexpr int kWarps = kBlock / 32;
static_assert(kWarps <= 32 && (kWarps & (kWarps - 1)) == 0, "block_reduce needs a power-of-two warp count <= 32");

struct Sum {
  __device__ float operator()(float a, float b) const { return a + b; }
};
struct Max {  // NaN never wins (comparisons are false); the exp sums catch it
  __device__ float operator()(float a, float b) const { return b > a ? b : a; }
};

// Reduces v over the block in a fixed order; every thread gets the result.
template <class Op> __device__ float block_reduce(float v, Op op, float* smem) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  for (int o = 16; o > 0; o >>= 1) v = op(v, __shfl_xor_sync(0xffffffffu, v, o));
  __syncthreads();  // smem may still be read from the previous reduction
  if (lane == 0) smem[warp] = v;
  __syncthreads();
  if (warp == 0) {
    // Lanes 16..31 mirror 0..15; xor offsets below 16 keep each half to itself.
    float w = smem[lane & (kWarps - 1)];
    for (int o = kWarps / 2; o > 0; o >>= 1) w = op(w, __shfl_xor_sync(0xffffffffu, w, o));
    if (lane == 0) smem[kWarps] = w;
  }
  __syncthreads();
  return smem[kWarps];
}

__global__ void __launch_bounds__(kBlock) loss_kernel(const float* __restrict__ q, const float* __restrict__ y, int64_t n,
                                                      float w_mse, float w_kl, float inv_tau, float* __restrict__ value,
                                                      float* __restrict__ grad) {
  __shared__ float smem[kWarps + 1];
  const float ninf = -INFINITY;
  float sq = 0.f, mq = ninf, my = ninf;
  for (int64_t i = threadIdx.x; i < n; i += kBlock) {
    const float qi = q[i], yi = y[i], d = qi - yi;
    sq = fmaf(d, d, sq);
    const float xq = __fmul_rn(qi, inv_tau), xy = __fmul_rn(yi, inv_tau);
    mq = xq > mq ? xq : mq;
    my = xy > my ? xy : my;
  }
  sq = block_reduce(sq, Sum{}, smem);
  // The logits q/tau are formed with __fmul_rn in every pass: nvcc would otherwise fuse
  // q*inv_tau - m into an FMA, so the pass that finds the max (a rounded product) and the
  // passes that subtract it (an exact product) would disagree, and B = 1 would give a
  // rounding residue instead of KL = 0 and gradient 0. log-sum-exp = m + log(sum) is
  // kept as its two parts for the same reason: (x - m) - log(sum), x - m exact at the max.
  float kl = 0.f, lsum_q = 0.f, lsum_y = 0.f;
  if (w_kl != 0.f) {
    mq = block_reduce(mq, Max{}, smem);
    my = block_reduce(my, Max{}, smem);
    float eq = 0.f, ey = 0.f;
    for (int64_t i = threadIdx.x; i < n; i += kBlock) {
      eq += expf(__fmul_rn(q[i], inv_tau) - mq);
      ey += expf(__fmul_rn(y[i], inv_tau) - my);
    }
    eq = block_reduce(eq, Sum{}, smem);
    ey = block_reduce(ey, Sum{}, smem);
    lsum_q = logf(eq);
    lsum_y = logf(ey);
  }
  const float inv_n = 1.f / static_cast<float>(n);
  const float g_mse = 2.f * w_mse * inv_n, g_kl = w_kl * inv_tau;
  if (w_kl != 0.f) {
    for (int64_t i = threadIdx.x; i < n; i += kBlock) {
      const float qi = q[i], yi = y[i];
      const float a = (__fmul_rn(yi, inv_tau) - my) - lsum_y, b = (__fmul_rn(qi, inv_tau) - mq) - lsum_q;
      const float p = expf(a);
      kl = fmaf(p, a - b, kl);
      if (grad) grad[i] = (w_mse != 0.f ? g_mse * (qi - yi) : 0.f) + g_kl * (expf(b) - p);
    }
    kl = block_reduce(kl, Sum{}, smem);
  } else if (grad) {
    for (int64_t i = threadIdx.x; i < n; i += kBlock) grad[i] = w_mse != 0.f ? g_mse * (q[i] - y[i]) : 0.f;
  }
  if (threadIdx.x == 0) value[0] = (w_mse != 0.f ? w_mse * sq * inv_n : 0.f) + (w_kl != 0.f ? w_kl * kl : 0.f);
}

__global__ void scale_by_kernel(const float* __restrict__ x, const float* __restrict__ s, float* __restrict__ out,
                                int64_t n) {
  const float v = s[0];  // the upstream gradient, read on the device: no host sync
  GSN_GRID_STRIDE(i, n) out[i] = v * x[i];
}
}  // namespace

void loss_forward(const float* q, const float* y, int64_t n, float w_mse, float w_kl, float tau, float* value,
                  float* grad) {
  loss_kernel<<<1, kBlock, 0, cuda_stream()>>>(q, y, n, w_mse, w_kl, 1.f / tau, value, grad);
  GSN_CUDA_CHECK_LAUNCH();
}

void scale_by(const float* x, const float* s, float* out, int64_t n) {
  if (n == 0) return;
  scale_by_kernel<<<grid_1d(n, 256), 256, 0, cuda_stream()>>>(x, s, out, n);
  GSN_CUDA_CHECK_LAUNCH();
}

}  // namespace gsn::cuda
