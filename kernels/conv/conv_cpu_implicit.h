// The CPU conv's implicit-GEMM route for the forward of 3x3 "same" convolutions (stride 1,
// pad 1: every conv of GSN but the attention convs, and the backward-data of those that
// run as forward convs). Internal to conv_cpu.cpp; shapes and semantics: conv.h.
//
// Why: the im2col route copies K = 9C rows of every output tile into a scratch matrix and
// the GEMM reads them back; that copy was ~9% of a tiny training step. In a same conv,
// output f = i*W + j of a plane and tap (u, v) reads input f + (u-1)*W + (v-1) of the same
// plane: a CONSTANT shift. So row (c, u, v) of the im2col matrix is the plane x[n,c]
// itself, shifted, with the lanes whose input lies in the padding (or past the plane)
// masked to zero. The SIMD micro-tile (kernels/linear/sgemm_simd_tile.h) reads those
// rows in place: y[n] [O, H*W] = W [O, 9C] col(x[n]), col never formed, y written in place
// (no gather/scatter of multi-image tiles either).
//
// Bits: every output is the same chain of FMAs (+0, then k = 0..9C-1 in order, then + bias)
// as on the im2col route, so both routes give identical results (tested).
#pragma once
#include "kernels/conv/conv.h"

namespace gsn::cpu::implicit {

// True when this build has the route (AVX-512F or AVX2+FMA) and g is a 3x3 conv with
// s = 1, p = 1.
bool applies(const ConvGeom& g);

// y[N,O,H,W] = conv(x[N,C,H,W], w[O,C,3,3]) + b (b may be nullptr). Task: one image's band
// of 384 output pixels (8 panels of 48 on AVX-512, 24 of 16 on AVX2) (more where O*9C is small, so a task is >= 2^20 MACs),
// all O channels.
void conv2d_forward(const float* x, const float* w, const float* b, const ConvGeom& g, float* y);

}  // namespace gsn::cpu::implicit

namespace gsn::cpu {
// The route this one replaces (im2col tiles + GEMM; conv_cpu.cpp), for any geometry: what
// conv2d_forward runs where implicit::applies() is false, callable on its own so a test
// can check that both routes give the same bits.
void conv2d_forward_im2col(const float* x, const float* w, const float* b, const ConvGeom& g, float* y);
// Likewise for backward-weight: the im2col route, without the padded-copy route of 3x3 same
// convs (conv_cpu_padded_weight.h) nor the direct route of O <= 4.
void conv2d_backward_weight_im2col(const float* gy, const float* x, const ConvGeom& g, float* gw);
}  // namespace gsn::cpu
