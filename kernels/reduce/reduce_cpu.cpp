// Fast CPU reductions: fixed 16384-element chunks summed in parallel (in double, so the
// result matches the reference to a few ulps), partials combined in chunk order.
#include "kernels/core/parallel.h"
#include "kernels/reduce/reduce.h"

namespace gsn::cpu {

void sum_all(const float* x, int64_t n, float scale, float* y) {
  auto partial = reduce_chunks<double>(n, 16384, [&](int64_t b, int64_t e) {
    double acc = 0.0;
#pragma omp simd reduction(+ : acc)
    for (int64_t i = b; i < e; ++i) acc += static_cast<double>(x[i]);
    return acc;
  });
  double total = 0.0;
  for (double p : partial) total += p;
  y[0] = static_cast<float>(total * static_cast<double>(scale));
}

void expand_scalar(const float* g, float scale, float* out, int64_t n) {
  const float v = scale * g[0];
  parallel_for(n, 65536, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = v;
  });
}

}  // namespace gsn::cpu
