// The emulator's own test kernels, written as CUDA like kernels/*/*.cu and built only
// through transform.cmake (never by nvcc). The first group must run correctly
// (test_shim.cpp); each kernel of the second breaks one rule the emulator enforces
// (cuda_emu_selfcheck, ctest emu.detects.*).
#include <cmath>

#include "kernels/core/cuda_check.cuh"
#include "tests/cuda_emu/selfcheck.h"

namespace gsn::emu_selfcheck {

namespace {
// ------------------------------------------------------------ kernels that are correct
__global__ void shuffle_kernel(int* __restrict__ out) {
  const int t = threadIdx.x, lane = t % 32, v = 100 * (t / 32) + lane;
  const int r[kShuffleOps] = {
      __shfl_xor_sync(0xffffffffu, v, 1),
      __shfl_down_sync(0xffffffffu, v, 3),
      __shfl_up_sync(0xffffffffu, v, 2),
      __shfl_sync(0xffffffffu, v, (lane * 7) % 32),
      __shfl_xor_sync(0xffffffffu, v, 8, 8),  // width 8: lane ^ 8 lies in a later group
      __shfl_down_sync(0xffffffffu, v, 5, 16),
      static_cast<int>(__ballot_sync(0xffffffffu, lane % 3 == 0)),
      __all_sync(0xffffffffu, v >= 0) && __any_sync(0xffffffffu, lane == 31) ? 1 : 0,
  };
  for (int op = 0; op < kShuffleOps; ++op) out[op * kShuffleBlock + t] = r[op];
}

__global__ void shared_kernel(const float* __restrict__ x, float* __restrict__ out) {
  __shared__ __align__(16) float buf[256], unread[4][2];
  extern __shared__ float dyn[];
  const int t = threadIdx.x;
  if (t == 0) out[1] = std::isnan(unread[3][1]) ? 1.f : 0.f;
  buf[t] = x[t];
  dyn[t] = 1.f;
  __syncthreads();
  for (int stride = 128; stride > 0; stride >>= 1) {
    if (t < stride) buf[t] += buf[t + stride];
    __syncthreads();
  }
  if (t == 0) {
    out[0] = buf[0];
    float s = 0.f;
    for (int i = 0; i < 256; ++i) s += dyn[i];
    out[2] = s;
  }
}

// The barrier makes the kernel run threaded, so the atomics race for real.
__global__ void atomic_kernel(int* count, float* sum, int* mx) {
  atomicAdd(count, 1);
  __syncthreads();
  atomicAdd(sum, 0.5f);
  atomicMax(mx, static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x));
}

__global__ void fill_kernel(float* out) { out[blockIdx.y] = 1.f; }

// ------------------------------------------------------------- kernels that break a rule
__global__ void divergent_barrier() {
  if (threadIdx.x < 32) {
    __syncthreads();
  } else {
    __syncthreads();
  }
}

__global__ void early_return_barrier() {
  if (threadIdx.x == 5) return;
  __syncthreads();
}

__global__ void missing_lane(int* out) {
  if (threadIdx.x == 5) return;
  out[threadIdx.x] = __shfl_xor_sync(0xffffffffu, static_cast<int>(threadIdx.x), 1);
}

__global__ void shuffle_sites(int* out) {
  int v = threadIdx.x;
  if (threadIdx.x % 32 < 16) {
    v = __shfl_xor_sync(0xffffffffu, v, 1);
  } else {
    v = __shfl_xor_sync(0xffffffffu, v, 2);
  }
  out[threadIdx.x] = v;
}

__global__ void shuffle_in_partial_warp(int* out) {
  out[threadIdx.x] = __shfl_down_sync(0xffffffffu, static_cast<int>(threadIdx.x), 1);
}

__global__ void too_much_shared(float* out) {
  __shared__ float big[13000];  // 52 KB
  big[threadIdx.x] = 1.f;
  out[threadIdx.x] = big[threadIdx.x];
}

// Lanes 0..15 wait at a shuffle for lanes 16..31, which wait at __syncthreads for them.
__global__ void deadlock(int* out) {
  int v = threadIdx.x;
  if (threadIdx.x < 16) v = __shfl_xor_sync(0xffffffffu, v, 16);
  else __syncthreads();
  out[threadIdx.x] = v;
}
}  // namespace

void shuffles(int* out) {
  shuffle_kernel<<<1, kShuffleBlock, 0, cuda_stream()>>>(out);
  GSN_CUDA_CHECK_LAUNCH();
}

void shared_memory(const float* x, float* out) {
  shared_kernel<<<1, 256, 256 * sizeof(float), cuda_stream()>>>(x, out);
  GSN_CUDA_CHECK_LAUNCH();
}

void atomics(int blocks, int* count, float* sum, int* max) {
  atomic_kernel<<<blocks, 256, 0, cuda_stream()>>>(count, sum, max);
  GSN_CUDA_CHECK_LAUNCH();
}

void launch_over_limit(float* out) {
  fill_kernel<<<dim3(1, 70000), 1, 0, cuda_stream()>>>(out);
  GSN_CUDA_CHECK_LAUNCH();
}

bool break_rule(const std::string& rule) {
  static int sink[64];
  if (rule == "divergent_barrier")
    divergent_barrier<<<1, 64, 0, cuda_stream()>>>();
  else if (rule == "early_return_barrier")
    early_return_barrier<<<1, 64, 0, cuda_stream()>>>();
  else if (rule == "missing_lane")
    missing_lane<<<1, 32, 0, cuda_stream()>>>(sink);
  else if (rule == "shuffle_sites")
    shuffle_sites<<<1, 32, 0, cuda_stream()>>>(sink);
  else if (rule == "partial_warp")
    shuffle_in_partial_warp<<<1, 48, 0, cuda_stream()>>>(sink);
  else if (rule == "shared_limit")
    too_much_shared<<<1, 32, 0, cuda_stream()>>>(reinterpret_cast<float*>(sink));
  else if (rule == "deadlock")
    deadlock<<<1, 32, 0, cuda_stream()>>>(sink);
  else if (rule == "grid_limit")
    launch_over_limit(reinterpret_cast<float*>(sink));
  else
    return false;
  GSN_CUDA_CHECK_LAUNCH();
  return true;
}

}  // namespace gsn::emu_selfcheck
