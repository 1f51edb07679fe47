// Backward-data of a stride-1 conv written as a forward conv (internal to the CPU conv;
// used by conv_cpu.cpp's "O < C" route and by the direct path):
//   gx = conv(gy, Wt, pad k-1-p),  Wt[c,o,u,v] = w[o,c,k-1-u,k-1-v]
// A pad wider than the kernel (p > k-1) gives a negative pad here; callers that allow it
// crop gy instead.
#pragma once
#include "kernels/conv/conv.h"

namespace gsn::cpu {

// wt [C, O, k, k] = w [O, C, k, k] with channels swapped and taps flipped.
void flip_weights(const float* w, const ConvGeom& g, float* wt);
// The forward geometry that computes g's backward-data: input gy [N,O,Ho,Wo], output
// gx [N,C,H,W], pad k-1-p (stride 1).
ConvGeom backward_data_geom(const ConvGeom& g);

}  // namespace gsn::cpu
