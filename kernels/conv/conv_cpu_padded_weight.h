// The CPU conv's backward-weight for 3x3 "same" convolutions (stride 1, pad 1: every GSN
// conv but the attention convs) without im2col. Internal to conv_cpu.cpp, which calls it
// per tile of output pixels on its SIMD route; shapes and semantics: conv.h.
//
// Why: the im2col route writes a [9C, cols] block (9 shifted copies of the tile's input)
// for every tile and the GEMM reads it back: memcpy and the im2col loops were ~5.5% of a
// tiny training step (perf, 2026-11-29), all of it in backward-weight once forward and
// backward-data stopped forming im2col (conv_cpu_implicit.h).
//
// How: the tile's input planes are copied once into a zero-bordered layout Xpad[C, L]
// whose rows are W+1 long: one zero column, shared by neighbouring rows (the right pad of
// a row is the left pad of the next), a zero row above and below the tile, and one between
// the images of a multi-image tile. Output pixel (i, j) sits at a padded index f, and its
// tap (u, v) input at f + (u-1)(W+1) + (v-1): a constant shift, the padding already in the
// data, no masks. So row (c, u, v) of the im2col matrix, taken over the padded output
// positions, is channel c's padded plane shifted, read in place, and each tap is one GEMM
// on the SIMD SGEMM (AVX-512F or AVX2+FMA):
//
//   gW^T[c*9 + t, o] (+)= sum_f Xpad[c, f + off_t] * gyT[f, o]       t = 3u + v
//
// gyT [positions, O] is gy transposed into the same padded positions, zero at the padding
// positions (the shared column, the rows between images), whose terms are then exact zeros.
//
// Bits: each gW element is the im2col route's chain of FMAs over the same pixels in the
// same order, with fma(x, 0, acc) = acc interleaved at the padding positions: identical
// results for finite inputs (tested), so the route does not change training's bits.
// Cost per tile: copies C*(rows+2)*(W+1) floats against im2col's 9*C*rows*W, and the GEMMs
// run over (W+1)/W as many positions (plus one row per image in a multi-image tile: 8x8
// fusion layers pay 81/64).
#pragma once
#include <cstdint>

#include "kernels/conv/conv.h"

namespace gsn::cpu::padded_weight {

// True when g is a 3x3 conv with stride 1 and pad 1 (the layout needs Ho = H, Wo = W).
bool applies(const ConvGeom& g);

// Scratch floats accumulate_tile needs for output rows [i0, i1) of images [n0, n1).
int64_t scratch_floats(const ConvGeom& g, int64_t n0, int64_t n1, int64_t i0, int64_t i1);

// partial [9C, O] row-major (gW^T: row c*9 + 3u + v) = (or, accumulate, +=) the tile's
// contribution: output rows [i0, i1) of image n0 (n1 = n0 + 1), or all rows (i0 = 0,
// i1 = H) of images [n0, n1). gy [N, O, H, W], x [N, C, H, W]. Single-threaded; scratch
// holds scratch_floats(...) floats. Needs the SIMD SGEMM (sgemm_nn_simd_available()).
void accumulate_tile(const float* gy, const float* x, const ConvGeom& g, int64_t n0, int64_t n1, int64_t i0,
                     int64_t i1, float* partial, bool accumulate, float* scratch);

}  // namespace gsn::cpu::padded_weight
