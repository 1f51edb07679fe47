// Fast CPU optimizer steps: the tensors are cut into kOptimChunk-element chunks (never
// spanning two tensors), the chunk list is split across threads, and each chunk is one
// vectorised loop of the shared formulas (optim_math.h; Adam open-codes them, see there).
// Small tensors (BN's gamma and beta) are one short chunk each, so one fork covers every
// tensor of the model.
// grad_norm: per-chunk sums of squares in double, combined in chunk order (reduce_chunks),
// so the norm does not depend on the number of threads.
#include <cmath>

#include <Eigen/Core>

#include "kernels/core/parallel.h"
#include "kernels/optim/optim_math.h"

namespace gsn::cpu {

namespace {
struct Chunk {
  int32_t tensor;
  int64_t begin, end;
};

std::vector<Chunk> chunks_of(const std::vector<ParamSlot<float>>& slots) {
  std::vector<Chunk> chunks;
  for (std::size_t t = 0; t < slots.size(); ++t)
    for (int64_t b = 0; b < slots[t].n; b += kOptimChunk)
      chunks.push_back({static_cast<int32_t>(t), b, b + kOptimChunk < slots[t].n ? b + kOptimChunk : slots[t].n});
  return chunks;
}

// Runs body(slot, begin, end) over every chunk, chunks spread over the threads.
template <class Body> void for_chunks(const std::vector<ParamSlot<float>>& slots, Body body) {
  const std::vector<Chunk> chunks = chunks_of(slots);
  // ~4 chunks (16k elements, ~450 KB of Adam traffic) per task: enough to pay for a fork.
  parallel_for(static_cast<int64_t>(chunks.size()), 4, [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e; ++k) {
      const Chunk& c = chunks[static_cast<std::size_t>(k)];
      body(slots[static_cast<std::size_t>(c.tensor)], c.begin, c.end);
    }
  });
}
}  // namespace

void adam_step(const std::vector<ParamSlot<float>>& slots, const AdamParams& hp, const float* grad_scale) {
  const AdamCoef<float> c = adam_coef<float>(hp);
  const float s = grad_scale ? grad_scale[0] : 1.f;
  for_chunks(slots, [&](const ParamSlot<float>& t, int64_t b, int64_t e) {
    // adam_update (optim_math.h), open-coded in the same order of operations, in three
    // vectorised passes over the chunk: with math errno on (the default), GCC will not
    // vectorise a loop that calls sqrt, so the square roots go through Eigen's packet sqrt.
    float* __restrict__ p = t.p + b;
    const float* __restrict__ g = t.g + b;
    float* __restrict__ m = t.m + b;
    float* __restrict__ v = t.v + b;
    const int64_t n = e - b;
    alignas(64) float root[kOptimChunk];
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) {
      float gi = s * g[i];
      if (c.l2) gi = gi + c.wd * p[i];
      if (c.decoupled) p[i] = p[i] * c.decay;
      m[i] = c.beta1 * m[i] + c.one_minus_beta1 * gi;
      v[i] = c.beta2 * v[i] + c.one_minus_beta2 * gi * gi;
    }
    using Arr = Eigen::Array<float, Eigen::Dynamic, 1>;
    Eigen::Map<Arr>(root, n) = Eigen::Map<const Arr>(v, n).sqrt();
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) p[i] = p[i] - c.step_size * (m[i] / (root[i] / c.bc2_sqrt + c.eps));
  });
}

void sgd_step(const std::vector<ParamSlot<float>>& slots, const SgdParams& hp, const float* grad_scale) {
  const SgdCoef<float> c = sgd_coef<float>(hp);
  const float s = grad_scale ? grad_scale[0] : 1.f;
  for_chunks(slots, [&](const ParamSlot<float>& t, int64_t b, int64_t e) {
    float* __restrict__ p = t.p;
    const float* __restrict__ g = t.g;
    float* __restrict__ m = t.m;
    if (c.momentum) {
#pragma omp simd
      for (int64_t i = b; i < e; ++i) sgd_update(p[i], s * g[i], m + i, c);
    } else {
#pragma omp simd
      for (int64_t i = b; i < e; ++i) sgd_update(p[i], s * g[i], static_cast<float*>(nullptr), c);
    }
  });
}

void grad_norm(const std::vector<ParamSlot<float>>& slots, double max_norm, float* norm, float* coef) {
  const std::vector<Chunk> chunks = chunks_of(slots);
  auto partial = reduce_chunks<double>(static_cast<int64_t>(chunks.size()), 1, [&](int64_t k, int64_t) {
    const Chunk& c = chunks[static_cast<std::size_t>(k)];
    const float* g = slots[static_cast<std::size_t>(c.tensor)].g;
    double acc = 0.0;
#pragma omp simd reduction(+ : acc)
    for (int64_t i = c.begin; i < c.end; ++i) acc += static_cast<double>(g[i]) * static_cast<double>(g[i]);
    return acc;
  });
  double total = 0.0;
  for (double p : partial) total += p;
  const double nrm = std::sqrt(total);
  norm[0] = static_cast<float>(nrm);
  if (coef) coef[0] = static_cast<float>(clip_coef_of(nrm, max_norm));
}

}  // namespace gsn::cpu
