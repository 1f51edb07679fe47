// The direct CPU conv's AVX-512 route for "same" convolutions (stride 1, 2p = k - 1, so
// Ho = H and Wo = W), which is what the spatial-attention conv is ([B,2,h,w] -> [B,1,h,w],
// k = 7, 5, 3, pad k/2). Internal to the direct path (conv_cpu_direct.cpp calls it when
// applies() says so); shapes and semantics: kernels/conv/conv.h.
//
// Why a second route: at 8x8 and 16x16 the calls take 1-20 us, and copying the planes into
// a zero-padded buffer and the outputs back out cost as much as the arithmetic. In a same
// conv, output f = i*W + j of a plane and tap (u, v) read input f + (u-p)*W + (v-p) of the
// same plane: a CONSTANT shift. So 16 consecutive outputs take one tap with one masked
// load straight from x, the mask zeroing the lanes whose input falls in the padding
// (row i+u-p or column j+v-p outside the image) or past the plane. No padded copy, no
// junk outputs, no copy-out. The masks depend only on (16-output block, tap), so they are
// built once per call and shared by every image and channel.
#pragma once
#include "kernels/conv/conv.h"

namespace gsn::cpu::direct_same {

// True when this build has the route (AVX-512F) and g is a same conv (s = 1, 2p = k - 1).
bool applies(const ConvGeom& g);

// y[N,O,H,W] = b + conv(x[N,C,H,W], w[O,C,k,k]); each output sums the bias, then its
// (c, u, v) terms in ascending order. Task: (image, output channel).
void conv2d_forward(const float* x, const float* w, const float* b, const ConvGeom& g, float* y);
// gw[O,C,k,k] = sum over (n, i, j) of gy * shifted x. Task: (o, c, kernel row u), whose k
// weights are summed over the images in order: the result does not depend on threads.
void conv2d_backward_weight(const float* gy, const float* x, const ConvGeom& g, float* gw);

}  // namespace gsn::cpu::direct_same
