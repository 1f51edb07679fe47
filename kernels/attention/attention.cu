// CUDA spatial-attention pieces, one fused kernel each.
//
// Decomposition (all four kernels): block = 32 positions x 8 channel groups (256 threads),
// grid = (ceil(hw / 32), N). Thread (tx, ty) owns position p = blockIdx.x*32 + tx of image
// n = blockIdx.y and channels c = ty, ty + 8, ty + 16, ...; a warp (fixed ty) reads 32
// consecutive floats of one channel plane, so every access is coalesced, and a position's
// C channels are spread over 8 threads, which keeps enough loads in flight when hw is
// small (GSN's level 3 is 24x24 at the paper preset).
//
//   channel_mean_max_forward   each thread: partial sum and (max, first argmax) over its
//                              channels; the 8 partials per position are combined in
//                              shared memory in group order (ties: the lower channel)
//   channel_mean_max_backward  gy0, gy1 and argmax loaded once per thread, then gx written
//                              for the thread's channels
//   gate_forward               a loaded once, y = x * a over the thread's channels
//   gate_backward              gx = gy * a and the partial sum of gy * x in one pass;
//                              ga = the 8 partials added in group order (no atomics)
// Versions: 1 (this one). Scalar loads; float4 along p would cut instructions, not bytes.
#include "kernels/attention/attention.h"
#include "kernels/core/cuda_check.cuh"

namespace gsn::cuda {

namespace {
constexpr int kTile = 32;
constexpr int kGroups = 8;

dim3 grid_of(int64_t N, int64_t hw) { return dim3(static_cast<unsigned>(ceil_div(hw, kTile)), static_cast<unsigned>(N)); }
const dim3 kThreads(kTile, kGroups);

void check_sizes(int64_t N, int64_t C, int64_t hw) {
  GSN_CHECK(N * C * hw < (int64_t{1} << 31) && N <= 65535, "attention (CUDA): tensor too large for 32-bit indexing");
}

__global__ void cmm_fwd(const float* __restrict__ x, int C, int hw, float* __restrict__ y, float* __restrict__ am) {
  __shared__ float s_sum[kGroups][kTile], s_max[kGroups][kTile];
  __shared__ int s_arg[kGroups][kTile];
  const int tx = threadIdx.x, ty = threadIdx.y, n = blockIdx.y;
  const int p = blockIdx.x * kTile + tx;
  float sum = 0.f, mx = 0.f;
  int arg = -1;  // -1: this group has no channel (C < 8) or only NaNs
  if (p < hw) {
    const float* xp = x + static_cast<size_t>(n) * C * hw + p;
    for (int c = ty; c < C; c += kGroups) {
      const float v = xp[static_cast<size_t>(c) * hw];
      sum += v;
      // As the reference: channel 0 starts the max even if it is NaN (and then keeps it);
      // any other NaN never takes it. A group's first channel c > 0 that is NaN must not
      // start the group's max, or the group would ignore every later channel (v > NaN is
      // false) and the combine below would skip it too.
      if ((arg < 0 && (c == 0 || v == v)) || v > mx) {
        mx = v;
        arg = c;
      }
    }
  }
  s_sum[ty][tx] = sum;
  s_max[ty][tx] = mx;
  s_arg[ty][tx] = arg;
  __syncthreads();
  if (ty == 0 && p < hw) {
    for (int g = 1; g < kGroups; ++g) {
      sum += s_sum[g][tx];
      const int a = s_arg[g][tx];
      if (a >= 0 && (s_max[g][tx] > mx || (s_max[g][tx] == mx && a < arg))) {
        mx = s_max[g][tx];
        arg = a;
      }
    }
    y[(static_cast<size_t>(n) * 2 + 0) * hw + p] = sum / static_cast<float>(C);
    y[(static_cast<size_t>(n) * 2 + 1) * hw + p] = mx;
    am[static_cast<size_t>(n) * hw + p] = static_cast<float>(arg);
  }
}

__global__ void cmm_bwd(const float* __restrict__ gy, const float* __restrict__ am, int C, int hw, float* __restrict__ gx) {
  const int n = blockIdx.y, p = blockIdx.x * kTile + threadIdx.x;
  if (p >= hw) return;
  const float g0 = gy[(static_cast<size_t>(n) * 2 + 0) * hw + p] / static_cast<float>(C);
  const float g1 = gy[(static_cast<size_t>(n) * 2 + 1) * hw + p];
  const int a = static_cast<int>(am[static_cast<size_t>(n) * hw + p]);
  float* out = gx + static_cast<size_t>(n) * C * hw + p;
  for (int c = threadIdx.y; c < C; c += kGroups) out[static_cast<size_t>(c) * hw] = c == a ? g0 + g1 : g0;
}

__global__ void gate_fwd(const float* __restrict__ x, const float* __restrict__ a, int C, int hw, float* __restrict__ y) {
  const int n = blockIdx.y, p = blockIdx.x * kTile + threadIdx.x;
  if (p >= hw) return;
  const float s = a[static_cast<size_t>(n) * hw + p];
  const size_t base = static_cast<size_t>(n) * C * hw + p;
  for (int c = threadIdx.y; c < C; c += kGroups) y[base + static_cast<size_t>(c) * hw] = x[base + static_cast<size_t>(c) * hw] * s;
}

__global__ void gate_bwd(const float* __restrict__ x, const float* __restrict__ a, const float* __restrict__ gy, int C,
                         int hw, float* __restrict__ gx, float* __restrict__ ga) {
  __shared__ float s_acc[kGroups][kTile];
  const int tx = threadIdx.x, ty = threadIdx.y, n = blockIdx.y;
  const int p = blockIdx.x * kTile + tx;
  float acc = 0.f;
  if (p < hw) {
    const float s = a[static_cast<size_t>(n) * hw + p];
    const size_t base = static_cast<size_t>(n) * C * hw + p;
    for (int c = ty; c < C; c += kGroups) {
      const size_t i = base + static_cast<size_t>(c) * hw;
      const float g = gy[i];
      if (gx) gx[i] = g * s;
      if (ga) acc += g * x[i];
    }
  }
  if (!ga) return;  // uniform across the block: no thread waits at the barrier below
  s_acc[ty][tx] = acc;
  __syncthreads();
  if (ty == 0 && p < hw) {
    for (int g = 1; g < kGroups; ++g) acc += s_acc[g][tx];
    ga[static_cast<size_t>(n) * hw + p] = acc;
  }
}
}  // namespace

void channel_mean_max_forward(const float* x, int64_t N, int64_t C, int64_t hw, float* y, float* argmax) {
  check_sizes(N, C, hw);
  if (N * hw == 0) return;
  cmm_fwd<<<grid_of(N, hw), kThreads, 0, cuda_stream()>>>(x, static_cast<int>(C), static_cast<int>(hw), y, argmax);
  GSN_CUDA_CHECK_LAUNCH();
}

void channel_mean_max_backward(const float* gy, const float* argmax, int64_t N, int64_t C, int64_t hw, float* gx) {
  check_sizes(N, C, hw);
  if (N * hw == 0) return;
  cmm_bwd<<<grid_of(N, hw), kThreads, 0, cuda_stream()>>>(gy, argmax, static_cast<int>(C), static_cast<int>(hw), gx);
  GSN_CUDA_CHECK_LAUNCH();
}

void gate_forward(const float* x, const float* a, int64_t N, int64_t C, int64_t hw, float* y) {
  check_sizes(N, C, hw);
  if (N * hw == 0) return;
  gate_fwd<<<grid_of(N, hw), kThreads, 0, cuda_stream()>>>(x, a, static_cast<int>(C), static_cast<int>(hw), y);
  GSN_CUDA_CHECK_LAUNCH();
}

void gate_backward(const float* x, const float* a, const float* gy, int64_t N, int64_t C, int64_t hw, float* gx,
                   float* ga) {
  check_sizes(N, C, hw);
  if (N * hw == 0 || (!gx && !ga)) return;
  gate_bwd<<<grid_of(N, hw), kThreads, 0, cuda_stream()>>>(x, a, gy, static_cast<int>(C), static_cast<int>(hw), gx, ga);
  GSN_CUDA_CHECK_LAUNCH();
}

}  // namespace gsn::cuda
