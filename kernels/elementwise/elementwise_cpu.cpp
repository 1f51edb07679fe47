// Fast CPU elementwise ops: the switch is hoisted out of the loop so each loop body is a
// single formula the compiler vectorises, and large tensors are split across threads in
// 64 KiB chunks (small ones stay on one thread: a fork costs more than the work).
#include <cmath>

#include "kernels/core/parallel.h"
#include "kernels/elementwise/elementwise_math.h"

namespace gsn::cpu {

namespace {
constexpr int64_t kGrain = 16384;

template <class F> void run(int64_t n, F f) {
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
#pragma omp simd
    for (int64_t i = b; i < e; ++i) f(i);
  });
}
}  // namespace

void binary(BinaryOp op, const float* a, const float* b, float* y, int64_t n) {
  switch (op) {
    case BinaryOp::Add: run(n, [=](int64_t i) { y[i] = a[i] + b[i]; }); break;
    case BinaryOp::Sub: run(n, [=](int64_t i) { y[i] = a[i] - b[i]; }); break;
    case BinaryOp::Mul: run(n, [=](int64_t i) { y[i] = a[i] * b[i]; }); break;
    case BinaryOp::ReluBackward:  // b loaded unconditionally: a conditional load is not vectorised
      run(n, [=](int64_t i) {
        const float bv = b[i];
        y[i] = a[i] > 0.f ? bv : 0.f;
      });
      break;
    case BinaryOp::SigmoidBackward: run(n, [=](int64_t i) { y[i] = b[i] * a[i] * (1.f - a[i]); }); break;
  }
}

void unary(UnaryOp op, const float* x, float s, float* y, int64_t n) {
  using std::exp;
  switch (op) {
    case UnaryOp::Scale: run(n, [=](int64_t i) { y[i] = s * x[i]; }); break;
    case UnaryOp::Relu: run(n, [=](int64_t i) { y[i] = x[i] > 0.f ? x[i] : 0.f; }); break;
    case UnaryOp::Sigmoid: run(n, [=](int64_t i) { y[i] = sigmoid_of(x[i]); }); break;
  }
}

}  // namespace gsn::cpu
