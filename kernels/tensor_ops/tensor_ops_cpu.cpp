// Fast CPU concat / split / batch-slice backward: each (batch row, part) is one contiguous
// block of C_j*H*W values on both sides, so the ops are memcpy's, threaded over blocks.
#include <cstring>
#include <vector>

#include "kernels/core/parallel.h"
#include "kernels/tensor_ops/tensor_ops.h"

namespace gsn::cpu {

namespace {
// Calls fn(n, j, off_j) for every (batch row n, part j), in parallel.
template <class Fn> void for_blocks(const int64_t* ch, int k, int64_t N, int64_t hw, Fn fn) {
  std::vector<int64_t> off(static_cast<std::size_t>(k) + 1, 0);
  for (int j = 0; j < k; ++j) off[static_cast<std::size_t>(j) + 1] = off[static_cast<std::size_t>(j)] + ch[j];
  const int64_t avg = off[static_cast<std::size_t>(k)] * hw / (k > 0 ? k : 1);
  const int64_t grain = avg >= 16384 ? 1 : 16384 / (avg > 0 ? avg : 1);
  parallel_for(N * k, grain, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) fn(t / k, static_cast<int>(t % k), off[static_cast<std::size_t>(t % k)], off[static_cast<std::size_t>(k)]);
  });
}
}  // namespace

void concat_channels(const float* const* xs, const int64_t* ch, int k, int64_t N, int64_t hw, float* y) {
  for_blocks(ch, k, N, hw, [&](int64_t n, int j, int64_t off, int64_t total) {
    std::memcpy(y + (n * total + off) * hw, xs[j] + n * ch[j] * hw, sizeof(float) * static_cast<std::size_t>(ch[j] * hw));
  });
}

void split_channels(const float* y, const int64_t* ch, int k, int64_t N, int64_t hw, float* const* xs) {
  for_blocks(ch, k, N, hw, [&](int64_t n, int j, int64_t off, int64_t total) {
    std::memcpy(xs[j] + n * ch[j] * hw, y + (n * total + off) * hw, sizeof(float) * static_cast<std::size_t>(ch[j] * hw));
  });
}

void slice_batch_backward(const float* gy, int64_t row, int64_t N, int64_t begin, int64_t end, float* gx) {
  const int64_t grain = row >= 16384 ? 1 : 16384 / (row > 0 ? row : 1);
  parallel_for(N, grain, [&](int64_t b, int64_t e) {
    for (int64_t n = b; n < e; ++n) {
      float* dst = gx + n * row;
      const std::size_t bytes = sizeof(float) * static_cast<std::size_t>(row);
      if (n >= begin && n < end)
        std::memcpy(dst, gy + (n - begin) * row, bytes);
      else
        std::memset(dst, 0, bytes);
    }
  });
}

}  // namespace gsn::cpu
