// Fast CPU CDC pieces (float32). The weight kernels touch O*C*9 floats (at most ~1.4 MB
// at the paper preset), far less than the conv they feed; sub_scaled is one pass.
#include <algorithm>

#include "kernels/conv/cdc.h"
#include "kernels/core/parallel.h"

namespace gsn::cpu {

void cdc_fold_weight(const float* w, int64_t OC, float theta, float* wf) {
  // A straight copy (vectorised), then the centre taps: the per-plane sums are 9 scalar
  // adds each, so the copy is kept out of that loop. Chunks of 1024 planes: the fusion
  // layer's 2048 planes already use both threads.
  parallel_for(OC, 1024, [&](int64_t b, int64_t e) {
    std::copy(w + b * 9, w + e * 9, wf + b * 9);
    for (int64_t oc = b; oc < e; ++oc) {
      const float* src = w + oc * 9;
      float s = 0.f;
      for (int t = 0; t < 9; ++t) s += src[t];
      wf[oc * 9 + 4] = src[4] - theta * s;
    }
  });
}

void cdc_sum_taps(const float* w, int64_t OC, float* s) {
  parallel_for(OC, 4096, [&](int64_t b, int64_t e) {
    for (int64_t oc = b; oc < e; ++oc) {
      float acc = 0.f;
      for (int t = 0; t < 9; ++t) acc += w[oc * 9 + t];
      s[oc] = acc;
    }
  });
}

void cdc_unfold_grad(const float* G, const float* H, int64_t h_stride, int64_t OC, float theta, float* gw) {
  parallel_for(OC, 4096, [&](int64_t b, int64_t e) {
    for (int64_t oc = b; oc < e; ++oc) {
      const float h = theta * H[oc * h_stride];  // read before the writes: gw may alias G
      for (int t = 0; t < 9; ++t) gw[oc * 9 + t] = G[oc * 9 + t] - h;
    }
  });
}

void cdc_sub_scaled(const float* a, const float* b, float theta, float* y, int64_t n) {
  parallel_for(n, 1 << 16, [&](int64_t lo, int64_t hi) {
#pragma omp simd
    for (int64_t i = lo; i < hi; ++i) y[i] = a[i] - theta * b[i];
  });
}

}  // namespace gsn::cpu
