// Multi-level fusion of the siamese features.
//
//   siamese_diff_concat(F, B)   F [2B, c, h, w] (rows 0..B-1: reference, B..2B-1: distorted)
//        -> P [B, 3c, h, w],  P[b] = concat(F_r, F_d, F_r - F_d) along channels,
//        F_r = F[b], F_d = F[B + b]
//   siamese_diff_concat_backward(gP, B)
//        gF[b] = gP[b, 0:c] + gP[b, 2c:3c],  gF[B + b] = gP[b, c:2c] - gP[b, 2c:3c]
//   fuse_levels(P1, P2, P3)     P_l [B, C_l, h_l, w_l] -> Y [B, C1 + C2 + C3, h3, w3]
//        Y = concat(adaptive_avg_pool(P1, h3, w3), adaptive_avg_pool(P2, h3, w3), P3)
//        (PyTorch's adaptive bins, see kernels/pool/pool.h; for P3 the bins are single
//        elements, so that part is a copy)
//   fuse_levels_backward(gY, shapes)  each gP_l = adaptive_avg_pool2d_backward of its
//        channel range of gY (for P3: the channel range itself)
//
// CUDA: each op is one kernel, one pass over memory: siamese_diff_concat reads F once and
// writes P once (the unfused form is a slice, a subtraction and a concat: 3 passes);
// fuse_levels computes every output element from its bin (pool and concat in one pass);
// the backward kernels are gathers with no atomics.
#pragma once
#include "kernels/core/tensor.h"

namespace gsn {

Tensor siamese_diff_concat(const Tensor& F, int64_t B);
Tensor siamese_diff_concat_backward(const Tensor& gP, int64_t B);
Tensor fuse_levels(const Tensor& P1, const Tensor& P2, const Tensor& P3);
struct FuseLevelsGrads {
  Tensor g1, g2, g3;
};
FuseLevelsGrads fuse_levels_backward(const Tensor& gY, const Shape& s1, const Shape& s2, const Shape& s3);

// Geometry: B images; level l has C[l] channels of H[l] x W[l]; the output is H[2] x W[2].
struct FuseGeom {
  int64_t B;
  int64_t C[3], H[3], W[3];
  int64_t total_channels() const { return C[0] + C[1] + C[2]; }
};

// Raw implementations; chw = c*h*w of one image of F.
namespace ref {
template <class T> void siamese_diff_concat_forward(const T* F, int64_t B, int64_t chw, T* P);
template <class T> void siamese_diff_concat_backward(const T* gP, int64_t B, int64_t chw, T* gF);
template <class T> void fuse_levels_forward(const FuseGeom& g, const T* p1, const T* p2, const T* p3, T* y);
template <class T> void fuse_levels_backward(const FuseGeom& g, const T* gy, T* g1, T* g2, T* g3);
}  // namespace ref
namespace cpu {
void siamese_diff_concat_forward(const float* F, int64_t B, int64_t chw, float* P);
void siamese_diff_concat_backward(const float* gP, int64_t B, int64_t chw, float* gF);
void fuse_levels_forward(const FuseGeom& g, const float* p1, const float* p2, const float* p3, float* y);
void fuse_levels_backward(const FuseGeom& g, const float* gy, float* g1, float* g2, float* g3);
}  // namespace cpu
namespace cuda {
void siamese_diff_concat_forward(const float* F, int64_t B, int64_t chw, float* P);
void siamese_diff_concat_backward(const float* gP, int64_t B, int64_t chw, float* gF);
void fuse_levels_forward(const FuseGeom& g, const float* p1, const float* p2, const float* p3, float* y);
void fuse_levels_backward(const FuseGeom& g, const float* gy, float* g1, float* g2, float* g3);
}  // namespace cuda

}  // namespace gsn
