// CUDA BatchNorm2d. Deterministic: no atomics; every sum has a fixed order that depends
// only on the shape.
//
// Forward (training), three launches:
//   1. stats_partial  grid (S, C): block (s, c) sums d = x - shift_c and d^2 over a fixed
//      contiguous slice of channel c's M = N*H*W values (grid-stride inside the slice,
//      then a fixed shared-memory tree). shift_c = x[0, c, 0] keeps d small, so the
//      single-pass variance S2/M - (S1/M)^2 does not cancel catastrophically.
//   2. finalize       one thread per channel merges its S partials in order (in double),
//      writes save_mean / save_invstd, updates the running statistics and the folded
//      coefficients a_c = gamma*invstd, b_c = beta - mean*a_c.
//   3. apply          y = a_c * x + b_c, a flat grid-stride pass (float4 when H*W % 4 == 0).
// Eval skips 1 and finalizes from the running statistics.
// S (splits per channel) = min(ceil(M / 4096), max(1, 1024 / C)): about a thousand blocks
// for GSN's shapes, at least 4096 values each. When H*W % 4 == 0 (every GSN layer at the
// usual crop sizes) a block reads its slice as float4, the slice length then a multiple
// of 4: these passes are memory-bound, and scalar loads with a divide per value kept too
// few bytes in flight (an estimate from reading the code, 2026-11-29: about 30% of the
// bandwidth). With float4, on an H200: 0.47-0.63x of a same-bytes copy (docs/kernels.md),
// near the ~0.67x that three passes over x allow. Planes (H*W contiguous values of one
// image) of at least a block's worth of loads are walked one by one, with no division at all;
// smaller ones (the 8x8 fusion layers) flat, one division per load, so all the block's
// threads stay busy.
//
// Backward, the same three steps: partial sums of gy and gy*(x - mean) per (s, c);
// finalize gbeta, ggamma and the coefficients of gx = A*gy + B*x + D; then one pass
// (eval: B = D = 0 and x is not read).
// Fused ReLU: apply takes max(0, .) of its result (forward); in the backward, grad_partial
// and apply read gy as (relu_y > 0 ? gy : 0) (template flag MASK).
//
// Versions: 1 (this one; its statistics passes walk planes with float4 since 2026-11-29).
// A single-launch version that keeps a channel's slice on chip
// between the statistics and the output would save one read of x (3 -> 2 passes).
#include <algorithm>

#include "kernels/core/cuda_check.cuh"
#include "kernels/core/tensor.h"
#include "kernels/norm/batch_norm.h"

namespace gsn::cuda {

namespace {
constexpr int kBlock = 256;

// Sums (a, b) over the block in a fixed tree; every thread gets the totals.
__device__ void block_sum2(float& a, float& b) {
  __shared__ float sa[kBlock], sb[kBlock];
  sa[threadIdx.x] = a;
  sb[threadIdx.x] = b;
  __syncthreads();
  for (int stride = kBlock / 2; stride > 0; stride >>= 1) {
    if (static_cast<int>(threadIdx.x) < stride) {
      sa[threadIdx.x] += sa[threadIdx.x + stride];
      sb[threadIdx.x] += sb[threadIdx.x + stride];
    }
    __syncthreads();
  }
  a = sa[0];
  b = sb[0];
}

struct Split {
  int S, len;  // S blocks per channel, each over `len` consecutive values of the channel
};
// With H*W % 4 == 0 the slices are whole float4s: len a multiple of 4 (S recomputed).
Split split_of(const BnGeom& g) {
  const int64_t M = g.per_channel();
  const int64_t by_work = ceil_div(M, 4096);
  const int64_t by_grid = std::max<int64_t>(1, 1024 / g.C);
  const int64_t S = std::max<int64_t>(1, std::min(by_work, by_grid));
  int64_t len = ceil_div(M, S);
  if (g.HW % 4 == 0) len = ceil_div(len, 4) * 4;
  return {static_cast<int>(ceil_div(M, len)), static_cast<int>(len)};
}

bool aligned16(const float* p) { return p == nullptr || reinterpret_cast<uintptr_t>(p) % 16 == 0; }

// Calls body(i) for every value of the slice [m0, m1) of channel c's M values, i = its
// offset in the tensor: plane by plane, the block's threads striding through each plane,
// when a plane holds at least a block's loads; else flat over the slice, one division per
// load. V4: body(i) handles the four values i..i+3 (a float4); HW, m0 and m1 are
// multiples of 4.
template <bool V4, class Body>
__device__ __forceinline__ void walk_slice(unsigned m0, unsigned m1, unsigned HW, unsigned C, unsigned c, Body body) {
  constexpr unsigned kStep = V4 ? 4 : 1;
  if (HW >= kBlock * kStep) {  // plane by plane: every thread has work in every plane
    for (unsigned n = m0 / HW; n * HW < m1; ++n) {
      const unsigned lo = max(m0, n * HW) - n * HW, hi = min(m1, (n + 1) * HW) - n * HW;
      const int64_t base = (static_cast<int64_t>(n) * C + c) * HW;
#pragma unroll 4
      for (unsigned q = lo + threadIdx.x * kStep; q < hi; q += kBlock * kStep) body(base + q);
    }
  } else {  // flat over the slice (a float4 never crosses a plane: HW and m are multiples of 4)
#pragma unroll 4
    for (unsigned m = m0 + threadIdx.x * kStep; m < m1; m += kBlock * kStep) {
      const unsigned n = m / HW;
      body((static_cast<int64_t>(n) * C + c) * HW + (m - n * HW));
    }
  }
}

template <bool V4>
__global__ void stats_partial(const float* __restrict__ x, unsigned C, unsigned HW, unsigned M, unsigned len,
                              float* __restrict__ partial) {
  const unsigned c = blockIdx.y, s = blockIdx.x;
  const float shift = x[static_cast<int64_t>(c) * HW];
  const unsigned m0 = s * len, m1 = min(M, m0 + len);
  float a = 0.f, b = 0.f;
  auto add = [&](float v) {
    const float d = v - shift;
    a += d;
    b += d * d;
  };
  walk_slice<V4>(m0, m1, HW, C, c, [&](int64_t i) {
    if constexpr (V4) {
      const float4 v = *reinterpret_cast<const float4*>(x + i);
      add(v.x), add(v.y), add(v.z), add(v.w);
    } else {
      add(x[i]);
    }
  });
  block_sum2(a, b);
  if (threadIdx.x == 0) {
    partial[(static_cast<int64_t>(c) * gridDim.x + s) * 2 + 0] = a;
    partial[(static_cast<int64_t>(c) * gridDim.x + s) * 2 + 1] = b;
  }
}

__global__ void finalize_forward(const float* __restrict__ partial, int S, int C, unsigned HW, double M,
                                 const float* __restrict__ x, const float* __restrict__ gamma,
                                 const float* __restrict__ beta, bool training, float momentum, float eps,
                                 float* running_mean, float* running_var, float* __restrict__ save_mean,
                                 float* __restrict__ save_invstd, float* __restrict__ coef) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= C) return;
  double mean, var;
  if (training) {
    double a = 0.0, b = 0.0;
    for (int s = 0; s < S; ++s) {
      a += static_cast<double>(partial[(static_cast<int64_t>(c) * S + s) * 2 + 0]);
      b += static_cast<double>(partial[(static_cast<int64_t>(c) * S + s) * 2 + 1]);
    }
    const double mu = a / M;  // mean of x - shift
    mean = static_cast<double>(x[static_cast<int64_t>(c) * HW]) + mu;
    var = fmax(b / M - mu * mu, 0.0);
    const double m = static_cast<double>(momentum);
    running_mean[c] = static_cast<float>((1.0 - m) * static_cast<double>(running_mean[c]) + m * mean);
    running_var[c] = static_cast<float>((1.0 - m) * static_cast<double>(running_var[c]) + m * var * M / (M - 1.0));
  } else {
    mean = static_cast<double>(running_mean[c]);
    var = static_cast<double>(running_var[c]);
  }
  const double invstd = 1.0 / sqrt(var + static_cast<double>(eps));
  save_mean[c] = static_cast<float>(mean);
  save_invstd[c] = static_cast<float>(invstd);
  const double a = static_cast<double>(gamma[c]) * invstd;
  coef[3 * c + 0] = static_cast<float>(a);
  coef[3 * c + 1] = 0.f;
  coef[3 * c + 2] = static_cast<float>(static_cast<double>(beta[c]) - mean * a);
}

template <bool MASK, bool V4>
__global__ void grad_partial(const float* __restrict__ x, const float* __restrict__ gy,
                             const float* __restrict__ relu_y, const float* __restrict__ mean, unsigned C,
                             unsigned HW, unsigned M, unsigned len, float* __restrict__ partial) {
  const unsigned c = blockIdx.y, s = blockIdx.x;
  const float mu = mean[c];
  const unsigned m0 = s * len, m1 = min(M, m0 + len);
  float a = 0.f, b = 0.f;
  // All loads are issued before the mask selects: a load behind the branch on relu_y
  // would wait for relu_y's load first (two dependent trips to memory per value).
  auto add = [&](float g, float xv, float r) {
    g = MASK && !(r > 0.f) ? 0.f : g;
    a += g;
    b += g * (xv - mu);
  };
  walk_slice<V4>(m0, m1, HW, C, c, [&](int64_t i) {
    if constexpr (V4) {
      const float4 g = *reinterpret_cast<const float4*>(gy + i), xv = *reinterpret_cast<const float4*>(x + i);
      const float4 r = MASK ? *reinterpret_cast<const float4*>(relu_y + i) : make_float4(1.f, 1.f, 1.f, 1.f);
      add(g.x, xv.x, r.x), add(g.y, xv.y, r.y), add(g.z, xv.z, r.z), add(g.w, xv.w, r.w);
    } else {
      add(gy[i], x[i], MASK ? relu_y[i] : 1.f);
    }
  });
  block_sum2(a, b);
  if (threadIdx.x == 0) {
    partial[(static_cast<int64_t>(c) * gridDim.x + s) * 2 + 0] = a;
    partial[(static_cast<int64_t>(c) * gridDim.x + s) * 2 + 1] = b;
  }
}

__global__ void finalize_backward(const float* __restrict__ partial, int S, int C, double M,
                                  const float* __restrict__ gamma, const float* __restrict__ mean,
                                  const float* __restrict__ invstd_, bool training, float* __restrict__ ggamma,
                                  float* __restrict__ gbeta, float* __restrict__ coef) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= C) return;
  double sg = 0.0, sgx = 0.0;
  for (int s = 0; s < S; ++s) {
    sg += static_cast<double>(partial[(static_cast<int64_t>(c) * S + s) * 2 + 0]);
    sgx += static_cast<double>(partial[(static_cast<int64_t>(c) * S + s) * 2 + 1]);
  }
  const double invstd = static_cast<double>(invstd_[c]);
  const double gg = sgx * invstd;
  gbeta[c] = static_cast<float>(sg);
  ggamma[c] = static_cast<float>(gg);
  const double A = static_cast<double>(gamma[c]) * invstd;
  const double B = training ? -A * invstd * gg / M : 0.0;
  const double D = training ? -A * sg / M : 0.0;
  coef[3 * c + 0] = static_cast<float>(A);
  coef[3 * c + 1] = static_cast<float>(B);
  coef[3 * c + 2] = static_cast<float>(D - B * static_cast<double>(mean[c]));
}

// out = k0*u + k1*v + k2 with (k0, k1, k2) = coef[c]; v is read only when USE_V.
// Forward: u = x, no v. Backward: u = gy, v = x. V4: float4 accesses (H*W % 4 == 0).
// RELU: out = max(0, out) (the fused forward). MASK: u read as (w > 0 ? u : 0) (the fused
// backward, w = the forward's y).
template <bool USE_V, bool V4, bool RELU, bool MASK>
__global__ void apply(const float* __restrict__ u, const float* __restrict__ v, const float* __restrict__ w,
                      const float* __restrict__ coef, unsigned C, unsigned HW, unsigned n, float* __restrict__ out) {
  auto relu = [](float r) { return RELU ? (r > 0.f ? r : 0.f) : r; };
  if (V4) {
    const unsigned n4 = n / 4;
    for (unsigned q = blockIdx.x * blockDim.x + threadIdx.x; q < n4; q += gridDim.x * blockDim.x) {
      const unsigned c = (4 * q / HW) % C;
      const float k0 = coef[3 * c], k1 = coef[3 * c + 1], k2 = coef[3 * c + 2];
      float4 a = reinterpret_cast<const float4*>(u)[q];
      if (MASK) {
        const float4 m = reinterpret_cast<const float4*>(w)[q];
        a = make_float4(m.x > 0.f ? a.x : 0.f, m.y > 0.f ? a.y : 0.f, m.z > 0.f ? a.z : 0.f, m.w > 0.f ? a.w : 0.f);
      }
      float4 r = make_float4(k0 * a.x + k2, k0 * a.y + k2, k0 * a.z + k2, k0 * a.w + k2);
      if (USE_V) {
        const float4 b = reinterpret_cast<const float4*>(v)[q];
        r.x += k1 * b.x;
        r.y += k1 * b.y;
        r.z += k1 * b.z;
        r.w += k1 * b.w;
      }
      reinterpret_cast<float4*>(out)[q] = make_float4(relu(r.x), relu(r.y), relu(r.z), relu(r.w));
    }
  } else {
    for (unsigned i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
      const unsigned c = (i / HW) % C;
      const float ui = MASK && !(w[i] > 0.f) ? 0.f : u[i];
      float r = coef[3 * c] * ui + coef[3 * c + 2];
      if (USE_V) r += coef[3 * c + 1] * v[i];
      out[i] = relu(r);
    }
  }
}

template <bool USE_V, bool RELU, bool MASK>
void launch_apply(const float* u, const float* v, const float* w, const float* coef, const BnGeom& g, float* out) {
  const int64_t n = g.N * g.C * g.HW;
  auto a16 = [](const float* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; };
  const bool v4 = g.HW % 4 == 0 && a16(u) && a16(out) && (!USE_V || a16(v)) && (!MASK || a16(w));
  const unsigned C = static_cast<unsigned>(g.C), HW = static_cast<unsigned>(g.HW), nn = static_cast<unsigned>(n);
  if (v4)
    apply<USE_V, true, RELU, MASK><<<grid_1d(n / 4, kBlock), kBlock, 0, cuda_stream()>>>(u, v, w, coef, C, HW, nn, out);
  else
    apply<USE_V, false, RELU, MASK><<<grid_1d(n, kBlock), kBlock, 0, cuda_stream()>>>(u, v, w, coef, C, HW, nn, out);
  GSN_CUDA_CHECK_LAUNCH();
}

void check_size(const BnGeom& g) {
  GSN_CHECK(g.N * g.C * g.HW < (int64_t{1} << 31), "batch_norm (CUDA): tensors of 2^31 or more elements");
}
}  // namespace

void batch_norm_forward(const float* x, const float* gamma, const float* beta, const BnGeom& g, bool training,
                        float momentum, float eps, float* y, float* save_mean, float* save_invstd, float* running_mean,
                        float* running_var, bool relu) {
  check_size(g);
  if (g.C == 0) return;
  Tensor coef = Tensor::empty(Shape{g.C * 3}, DType::F32, Device::CUDA);
  if (g.N * g.HW == 0) {
    // An empty batch in evaluation (training needs values; the caller checks): nothing to
    // normalise, but the saved statistics are still the running ones, as in the reference.
    finalize_forward<<<static_cast<unsigned>(ceil_div(g.C, 128)), 128, 0, cuda_stream()>>>(
        nullptr, 0, static_cast<int>(g.C), 0, 0.0, x, gamma, beta, false, momentum, eps, running_mean, running_var,
        save_mean, save_invstd, coef.data<float>());
    GSN_CUDA_CHECK_LAUNCH();
    return;
  }
  const Split sp = split_of(g);
  GSN_CHECK(g.C <= kMaxGridY, "batch_norm_forward (CUDA): ", g.C, " channels, more than the grid's y limit ", kMaxGridY);
  Tensor partial = Tensor::empty(Shape{g.C * sp.S * 2}, DType::F32, Device::CUDA);
  const unsigned C = static_cast<unsigned>(g.C), HW = static_cast<unsigned>(g.HW);
  const unsigned M = static_cast<unsigned>(g.per_channel());
  if (training) {
    const unsigned len = static_cast<unsigned>(sp.len);
    if (g.HW % 4 == 0 && aligned16(x))
      stats_partial<true><<<dim3(sp.S, C), kBlock, 0, cuda_stream()>>>(x, C, HW, M, len, partial.data<float>());
    else
      stats_partial<false><<<dim3(sp.S, C), kBlock, 0, cuda_stream()>>>(x, C, HW, M, len, partial.data<float>());
    GSN_CUDA_CHECK_LAUNCH();
  }
  finalize_forward<<<static_cast<unsigned>(ceil_div(g.C, 128)), 128, 0, cuda_stream()>>>(
      partial.data<float>(), sp.S, static_cast<int>(g.C), HW, static_cast<double>(M), x, gamma, beta, training,
      momentum, eps, running_mean, running_var, save_mean, save_invstd, coef.data<float>());
  GSN_CUDA_CHECK_LAUNCH();
  if (relu)
    launch_apply<false, true, false>(x, nullptr, nullptr, coef.data<float>(), g, y);
  else
    launch_apply<false, false, false>(x, nullptr, nullptr, coef.data<float>(), g, y);
}

void batch_norm_backward(const float* x, const float* gy, const float* gamma, const float* save_mean,
                         const float* save_invstd, const BnGeom& g, bool training, float* gx, float* ggamma,
                         float* gbeta, const float* relu_y) {
  check_size(g);
  if (g.C == 0) return;
  if (g.N * g.HW == 0) {  // an empty batch: no gx to write; the parameter gradients are sums over nothing
    GSN_CUDA_CHECK(cudaMemsetAsync(ggamma, 0, sizeof(float) * static_cast<size_t>(g.C), cuda_stream()));
    GSN_CUDA_CHECK(cudaMemsetAsync(gbeta, 0, sizeof(float) * static_cast<size_t>(g.C), cuda_stream()));
    return;
  }
  const Split sp = split_of(g);
  GSN_CHECK(g.C <= kMaxGridY, "batch_norm_backward (CUDA): ", g.C, " channels, more than the grid's y limit ", kMaxGridY);
  Tensor partial = Tensor::empty(Shape{g.C * sp.S * 2}, DType::F32, Device::CUDA);
  Tensor coef = Tensor::empty(Shape{g.C * 3}, DType::F32, Device::CUDA);
  const unsigned C = static_cast<unsigned>(g.C), HW = static_cast<unsigned>(g.HW);
  const unsigned M = static_cast<unsigned>(g.per_channel());
  const unsigned len = static_cast<unsigned>(sp.len);
  const bool v4 = g.HW % 4 == 0 && aligned16(x) && aligned16(gy) && aligned16(relu_y);
  const dim3 grid(sp.S, C);
  float* part = partial.data<float>();
  if (relu_y && v4)
    grad_partial<true, true><<<grid, kBlock, 0, cuda_stream()>>>(x, gy, relu_y, save_mean, C, HW, M, len, part);
  else if (relu_y)
    grad_partial<true, false><<<grid, kBlock, 0, cuda_stream()>>>(x, gy, relu_y, save_mean, C, HW, M, len, part);
  else if (v4)
    grad_partial<false, true><<<grid, kBlock, 0, cuda_stream()>>>(x, gy, nullptr, save_mean, C, HW, M, len, part);
  else
    grad_partial<false, false><<<grid, kBlock, 0, cuda_stream()>>>(x, gy, nullptr, save_mean, C, HW, M, len, part);
  GSN_CUDA_CHECK_LAUNCH();
  finalize_backward<<<static_cast<unsigned>(ceil_div(g.C, 128)), 128, 0, cuda_stream()>>>(
      partial.data<float>(), sp.S, static_cast<int>(g.C), static_cast<double>(M), gamma, save_mean, save_invstd,
      training, ggamma, gbeta, coef.data<float>());
  GSN_CUDA_CHECK_LAUNCH();
  const float* cf = coef.data<float>();
  if (training && relu_y)
    launch_apply<true, false, true>(gy, x, relu_y, cf, g, gx);
  else if (training)
    launch_apply<true, false, false>(gy, x, nullptr, cf, g, gx);
  else if (relu_y)
    launch_apply<false, false, true>(gy, nullptr, relu_y, cf, g, gx);
  else
    launch_apply<false, false, false>(gy, nullptr, nullptr, cf, g, gx);
}

}  // namespace gsn::cuda
