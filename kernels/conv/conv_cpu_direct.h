// Direct (no im2col, no GEMM) CPU conv2d for layers with very few output channels: the
// spatial-attention conv [B,2,h,w] -> [B,1,h,w] (k = 7, 5, 3). Its GEMM would be a GEMV
// (M = O = 1) over an im2col matrix k*k times larger than x, so im2col costs more than the
// arithmetic; sweeping shifted rows of x instead reads x about once: all images of a call
// are stacked in one zero-padded buffer and each tap is one flat sweep over it
// (conv_cpu_direct.cpp). Stride 1, any padding.
// Shapes and semantics: kernels/conv/conv.h. Internal to the CPU conv (conv_cpu.cpp
// dispatches here when use_direct() says so).
#pragma once
#include "kernels/conv/conv.h"

namespace gsn::cpu::direct {

bool use_direct(const ConvGeom& g);  // stride 1 and O <= 4

// Work (multiply-adds) per parallel chunk in both direct routes: below this, threads cost
// more than they save.
constexpr int64_t kMinTaskMacs = 1 << 15;

// y[N,O,Ho,Wo]; each y element sums its (c,u,v) terms in ascending order (as the
// reference), starting from the bias.
void conv2d_forward(const float* x, const float* w, const float* b, const ConvGeom& g, float* y);
// gx[N,C,H,W]; each gx element sums its (o,u,v) terms in ascending order.
void conv2d_backward_data(const float* gy, const float* w, const ConvGeom& g, float* gx);
// gw[O,C,k,k]; each weight a dot product over (n, i, j) in fixed chunks, added in order
// (the result does not depend on the thread count).
void conv2d_backward_weight(const float* gy, const float* x, const ConvGeom& g, float* gw);

}  // namespace gsn::cpu::direct
