// CUDA concat / split / batch-slice backward: pure copies, each element moved once.
//
//   concat_channels  grid.y = part j (up to 8 parts per launch, more in several launches),
//                    grid.x strides part j's N*C_j*H*W elements: element e of x_j lands at
//                    y[(n*Ctot + off_j)*hw + r], n = e / (C_j*hw), r = e % (C_j*hw).
//   split_channels   the same map, read and write swapped.
//   slice_batch_backward  flat over gx: rows [begin, end) copy gy, the others write 0
//                    (one pass, no separate memset).
// Version 1 (this one) uses float4 when every block offset is a multiple of 4 elements
// (hw % 4 == 0, or row % 4 == 0) and the pointers are 16-byte aligned; scalar otherwise.
#include <algorithm>

#include "kernels/core/cuda_check.cuh"
#include "kernels/tensor_ops/tensor_ops.h"

namespace gsn::cuda {

namespace {
constexpr int kBlock = 256;
constexpr int kMaxParts = 8;

struct Parts {
  float* part[kMaxParts];  // x_j (concat: read; split: written)
  unsigned block[kMaxParts];  // C_j * hw / V: one batch row of part j, in units of V floats
  unsigned off[kMaxParts];    // off_j * hw / V
  unsigned count[kMaxParts];  // N * block[j]
};

// V = 4: the unit is float4; V = 1: float.
template <int V> struct Vec;
template <> struct Vec<1> { using T = float; };
template <> struct Vec<4> { using T = float4; };

template <int V, bool CONCAT>
__global__ void copy_parts(Parts p, float* __restrict__ y, unsigned row) {  // row = Ctot*hw / V
  using T = typename Vec<V>::T;
  const unsigned j = blockIdx.y;
  const unsigned block = p.block[j], off = p.off[j], count = p.count[j];
  T* xj = reinterpret_cast<T*>(p.part[j]);
  T* yv = reinterpret_cast<T*>(y);
  for (unsigned e = blockIdx.x * blockDim.x + threadIdx.x; e < count; e += gridDim.x * blockDim.x) {
    const unsigned n = e / block, r = e - n * block;
    const size_t dst = static_cast<size_t>(n) * row + off + r;
    if (CONCAT)
      yv[dst] = xj[e];
    else
      xj[e] = yv[dst];
  }
}

bool aligned16(const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

template <bool CONCAT>
void run_parts(float* const* parts, const int64_t* ch, int k, int64_t N, int64_t hw, float* y) {
  int64_t total = 0;
  for (int j = 0; j < k; ++j) total += ch[j];
  GSN_CHECK(N * total * hw < (int64_t{1} << 31), "concat/split (CUDA): tensors of 2^31 or more elements");
  bool v4 = hw % 4 == 0 && aligned16(y);
  for (int j = 0; j < k; ++j) v4 = v4 && aligned16(parts[j]);
  const int64_t V = v4 ? 4 : 1;
  int64_t off = 0;
  for (int j0 = 0; j0 < k; j0 += kMaxParts) {
    Parts p{};
    const int m = std::min(kMaxParts, k - j0);
    int64_t most = 0;
    for (int j = 0; j < m; ++j) {
      p.part[j] = parts[j0 + j];
      p.block[j] = static_cast<unsigned>(ch[j0 + j] * hw / V);
      p.off[j] = static_cast<unsigned>(off * hw / V);
      p.count[j] = static_cast<unsigned>(N * ch[j0 + j] * hw / V);
      most = std::max<int64_t>(most, p.count[j]);
      off += ch[j0 + j];
    }
    if (most == 0) continue;
    const dim3 grid(grid_1d(most, kBlock), static_cast<unsigned>(m));
    const unsigned row = static_cast<unsigned>(total * hw / V);
    if (v4)
      copy_parts<4, CONCAT><<<grid, kBlock, 0, cuda_stream()>>>(p, y, row);
    else
      copy_parts<1, CONCAT><<<grid, kBlock, 0, cuda_stream()>>>(p, y, row);
    GSN_CUDA_CHECK_LAUNCH();
  }
}

template <int V>
__global__ void slice_bwd(const float* __restrict__ gy, unsigned row, unsigned n, unsigned begin, unsigned end,
                          float* __restrict__ gx) {  // row, n in units of V floats
  using T = typename Vec<V>::T;
  const T* g = reinterpret_cast<const T*>(gy);
  T* o = reinterpret_cast<T*>(gx);
  T zero;
  if constexpr (V == 4) zero = make_float4(0.f, 0.f, 0.f, 0.f); else zero = 0.f;
  for (unsigned e = blockIdx.x * blockDim.x + threadIdx.x; e < n; e += gridDim.x * blockDim.x) {
    const unsigned r = e / row;
    o[e] = (r >= begin && r < end) ? g[e - begin * row] : zero;
  }
}
}  // namespace

void concat_channels(const float* const* xs, const int64_t* ch, int k, int64_t N, int64_t hw, float* y) {
  run_parts<true>(const_cast<float* const*>(xs), ch, k, N, hw, y);  // read only: CONCAT never writes parts
}

void split_channels(const float* y, const int64_t* ch, int k, int64_t N, int64_t hw, float* const* xs) {
  run_parts<false>(xs, ch, k, N, hw, const_cast<float*>(y));  // read only: split never writes y
}

void slice_batch_backward(const float* gy, int64_t row, int64_t N, int64_t begin, int64_t end, float* gx) {
  GSN_CHECK(N * row < (int64_t{1} << 31), "slice_batch_backward (CUDA): tensors of 2^31 or more elements");
  const int64_t n = N * row;
  if (n == 0) return;
  const bool v4 = row % 4 == 0 && aligned16(gy) && aligned16(gx);
  const auto u = [](int64_t v) { return static_cast<unsigned>(v); };
  if (v4)
    slice_bwd<4><<<grid_1d(n / 4, kBlock), kBlock, 0, cuda_stream()>>>(gy, u(row / 4), u(n / 4), u(begin), u(end), gx);
  else
    slice_bwd<1><<<grid_1d(n, kBlock), kBlock, 0, cuda_stream()>>>(gy, u(row), u(n), u(begin), u(end), gx);
  GSN_CUDA_CHECK_LAUNCH();
}

}  // namespace gsn::cuda
