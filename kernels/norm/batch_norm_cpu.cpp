// Fast CPU BatchNorm2d: threads over channels (a channel's statistics are one thread's
// fixed-order sum, so results do not depend on the thread count); inside a channel the
// N planes of HW contiguous values are vectorised loops. Forward: a sum pass, a centred
// sum-of-squares pass (sums in double, two-pass like the reference), then y = a*x + b
// with a = gamma*invstd, b = beta - mean*a. Backward: one pass for sum(gy) and
// sum(gy*x), then gx = A*gy + B*x + D with per-channel constants. The fused ReLU is a
// max in the forward's output loop and, in the backward, gy masked by y > 0 as it is read
// (both passes), so the masked gradient is never stored.
#include <algorithm>
#include <cmath>

#include "kernels/core/parallel.h"
#include "kernels/norm/batch_norm.h"

namespace gsn::cpu {

void batch_norm_forward(const float* x, const float* gamma, const float* beta, const BnGeom& g, bool training,
                        float momentum, float eps, float* y, float* save_mean, float* save_invstd, float* running_mean,
                        float* running_var, bool relu) {
  const double M = static_cast<double>(g.per_channel());
  parallel_for(g.C, 1, [&](int64_t cb, int64_t ce) {
    for (int64_t c = cb; c < ce; ++c) {
      double mean, invstd;
      if (training) {
        double s = 0.0;
        for (int64_t n = 0; n < g.N; ++n) {
          const float* xp = x + (n * g.C + c) * g.HW;
#pragma omp simd reduction(+ : s)
          for (int64_t i = 0; i < g.HW; ++i) s += static_cast<double>(xp[i]);
        }
        mean = s / M;
        double ss = 0.0;
        for (int64_t n = 0; n < g.N; ++n) {
          const float* xp = x + (n * g.C + c) * g.HW;
#pragma omp simd reduction(+ : ss)
          for (int64_t i = 0; i < g.HW; ++i) {
            const double d = static_cast<double>(xp[i]) - mean;
            ss += d * d;
          }
        }
        const double var = ss / M;
        invstd = 1.0 / std::sqrt(var + static_cast<double>(eps));
        const double m = static_cast<double>(momentum);
        running_mean[c] = static_cast<float>((1.0 - m) * static_cast<double>(running_mean[c]) + m * mean);
        running_var[c] = static_cast<float>((1.0 - m) * static_cast<double>(running_var[c]) + m * var * M / (M - 1.0));
      } else {
        mean = static_cast<double>(running_mean[c]);
        invstd = 1.0 / std::sqrt(static_cast<double>(running_var[c]) + static_cast<double>(eps));
      }
      save_mean[c] = static_cast<float>(mean);
      save_invstd[c] = static_cast<float>(invstd);
      const float a = static_cast<float>(static_cast<double>(gamma[c]) * invstd);
      const float b = static_cast<float>(static_cast<double>(beta[c]) - mean * static_cast<double>(gamma[c]) * invstd);
      for (int64_t n = 0; n < g.N; ++n) {
        const float* xp = x + (n * g.C + c) * g.HW;
        float* yp = y + (n * g.C + c) * g.HW;
        if (relu) {
#pragma omp simd
          for (int64_t i = 0; i < g.HW; ++i) {
            const float z = a * xp[i] + b;
            yp[i] = z > 0.f ? z : 0.f;
          }
        } else {
#pragma omp simd
          for (int64_t i = 0; i < g.HW; ++i) yp[i] = a * xp[i] + b;
        }
      }
    }
  });
}

namespace {
constexpr int64_t kStage = 1024;  // floats of masked gradient staged on the stack

// MASK: the fused ReLU's backward, gy read as (relu_y > 0 ? gy : 0).
template <bool MASK>
void backward_impl(const float* x, const float* gy, const float* gamma, const float* save_mean,
                   const float* save_invstd, const BnGeom& g, bool training, float* gx, float* ggamma, float* gbeta,
                   const float* relu_y) {
  const double M = static_cast<double>(g.per_channel());
  parallel_for(g.C, 1, [&](int64_t cb, int64_t ce) {
    for (int64_t c = cb; c < ce; ++c) {
      const double invstd = static_cast<double>(save_invstd[c]);
      const float meanf = save_mean[c];
      double sg = 0.0, sgx = 0.0;  // sum gy, sum gy * (x - mean)
      for (int64_t n = 0; n < g.N; ++n) {
        const int64_t off = (n * g.C + c) * g.HW;
        const float *xp = x + off, *gp = gy + off;
        if (!MASK) {
#pragma omp simd reduction(+ : sg, sgx)
          for (int64_t i = 0; i < g.HW; ++i) {
            sg += static_cast<double>(gp[i]);
            sgx += static_cast<double>(gp[i]) * static_cast<double>(xp[i] - meanf);
          }
          continue;
        }
        // Masked: stage the masked gy in a small buffer first. GCC does not vectorise a
        // double-precision reduction over a select, and the scalar loop was 5x slower.
        const float* yp = relu_y + off;
        alignas(64) float staged[kStage];
        for (int64_t i0 = 0; i0 < g.HW; i0 += kStage) {
          const int64_t len = std::min<int64_t>(kStage, g.HW - i0);
#pragma omp simd
          for (int64_t i = 0; i < len; ++i) staged[i] = yp[i0 + i] > 0.f ? gp[i0 + i] : 0.f;
#pragma omp simd reduction(+ : sg, sgx)
          for (int64_t i = 0; i < len; ++i) {
            sg += static_cast<double>(staged[i]);
            sgx += static_cast<double>(staged[i]) * static_cast<double>(xp[i0 + i] - meanf);
          }
        }
      }
      const double gb = sg, gg = sgx * invstd;
      gbeta[c] = static_cast<float>(gb);
      ggamma[c] = static_cast<float>(gg);
      // gx = A*gy + B*(x - mean) + D
      const double A = static_cast<double>(gamma[c]) * invstd;
      const double B = training ? -A * invstd * gg / M : 0.0;
      const double D = training ? -A * gb / M : 0.0;
      const float Af = static_cast<float>(A), Bf = static_cast<float>(B), Df = static_cast<float>(D);
      for (int64_t n = 0; n < g.N; ++n) {
        const int64_t off = (n * g.C + c) * g.HW;
        const float *xp = x + off, *gp = gy + off, *yp = MASK ? relu_y + off : nullptr;
        float* op = gx + off;
#pragma omp simd
        for (int64_t i = 0; i < g.HW; ++i) {
          const float gi = MASK ? (yp[i] > 0.f ? gp[i] : 0.f) : gp[i];
          op[i] = Af * gi + Bf * (xp[i] - meanf) + Df;
        }
      }
    }
  });
}
}  // namespace

void batch_norm_backward(const float* x, const float* gy, const float* gamma, const float* save_mean,
                         const float* save_invstd, const BnGeom& g, bool training, float* gx, float* ggamma,
                         float* gbeta, const float* relu_y) {
  if (relu_y)
    backward_impl<true>(x, gy, gamma, save_mean, save_invstd, g, training, gx, ggamma, gbeta, relu_y);
  else
    backward_impl<false>(x, gy, gamma, save_mean, save_invstd, g, training, gx, ggamma, gbeta, nullptr);
}

}  // namespace gsn::cpu
