// Tap shifts and edge masks of a "same" conv (stride 1, 2p = k - 1, so Ho = H, Wo = W) read
// as flat blocks of 16 outputs, shared by the two CPU routes that load x in place with
// AVX-512 masked loads: the direct route (conv_cpu_direct_same.cpp) and the implicit-GEMM
// route (conv_cpu_implicit.cpp). Plain integers: no AVX-512 needed to build the tables.
//
// Output f = i*W + j of a plane takes tap (u, v) from input f + shift[u*k + v], shift =
// (u-p)*W + (v-p): a constant for the whole plane. The tap's mask for a block keeps the
// lanes whose input row i+u-p and column j+v-p lie inside the image; the rest (padding,
// or before / past the plane) read as 0 and are never touched.
#pragma once
#include <cstdint>

namespace gsn::cpu::same_conv {

constexpr int64_t kMaxK = 7;  // the largest kernel the routes take

// shift[u*k + v] for u, v < k.
inline void tap_shifts(int64_t W, int64_t k, int64_t* shift) {
  const int64_t p = (k - 1) / 2;
  for (int64_t u = 0; u < k; ++u)
    for (int64_t v = 0; v < k; ++v) shift[u * k + v] = (u - p) * W + (v - p);
}

// out[(u*k + v) * stride] = the lanes of outputs [f0, f0 + 16) of an H x W plane (f0 < H*W;
// the first `lanes` of them exist) whose tap (u, v) input lies inside the image. Per lane
// a row test per u and a column test per v (2k, no division: (i, j) advance with the
// lane), then the k*k tap masks as their ANDs. k <= kMaxK.
inline void tap_masks(int64_t H, int64_t W, int64_t k, int64_t f0, int64_t lanes, uint16_t* out, int64_t stride) {
  const int64_t p = (k - 1) / 2;
  uint16_t row[kMaxK] = {}, col[kMaxK] = {};
  int64_t i = f0 / W, j = f0 % W;
  for (int64_t l = 0; l < 16 && l < lanes; ++l) {
    const auto bit = static_cast<uint16_t>(1u << l);
    for (int64_t u = 0; u < k; ++u)
      if (i + u - p >= 0 && i + u - p < H) row[u] = static_cast<uint16_t>(row[u] | bit);
    for (int64_t v = 0; v < k; ++v)
      if (j + v - p >= 0 && j + v - p < W) col[v] = static_cast<uint16_t>(col[v] | bit);
    if (++j == W) j = 0, ++i;
  }
  for (int64_t u = 0; u < k; ++u)
    for (int64_t v = 0; v < k; ++v) out[(u * k + v) * stride] = static_cast<uint16_t>(row[u] & col[v]);
}

}  // namespace gsn::cpu::same_conv
