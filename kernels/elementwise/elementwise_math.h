// The scalar formulas of the elementwise ops, shared by the reference, the CPU path and
// the CUDA kernels (host and device), so the three differ only in how they loop.
#pragma once
#include <cmath>

#include "kernels/elementwise/elementwise.h"

#ifdef __CUDACC__
#define GSN_HD __host__ __device__ __forceinline__
#else
#define GSN_HD inline
#endif

namespace gsn {

template <class T> GSN_HD T sigmoid_of(T x) {
  // Split at 0 so exp never overflows: for x < 0, exp(x) is in (0, 1].
  if (x >= T(0)) return T(1) / (T(1) + exp(-x));
  const T e = exp(x);
  return e / (T(1) + e);
}

template <class T> GSN_HD T binary_of(BinaryOp op, T a, T b) {
  switch (op) {
    case BinaryOp::Add: return a + b;
    case BinaryOp::Sub: return a - b;
    case BinaryOp::Mul: return a * b;
    case BinaryOp::ReluBackward: return a > T(0) ? b : T(0);            // a = x, b = gy
    case BinaryOp::SigmoidBackward: return b * a * (T(1) - a);          // a = y, b = gy
  }
  return T(0);
}

template <class T> GSN_HD T unary_of(UnaryOp op, T x, T s) {
  switch (op) {
    case UnaryOp::Scale: return s * x;
    case UnaryOp::Relu: return x > T(0) ? x : T(0);
    case UnaryOp::Sigmoid: return sigmoid_of(x);
  }
  return T(0);
}

}  // namespace gsn
