// A register-blocked SIMD SGEMM (AVX-512F or AVX2+FMA, simd_vec.h) for the convs' products
// on the CPU:
//
//   C[M,N] = A[M,K] B[K,N]      row-major, no transposes; accumulate: C += A B
//   A: lda >= K, B: ldb >= N, C: ldc >= N (floats)
//
// Shape of the work: the conv's weights times a tile of im2col, M = output channels
// (16-64 in GSN), N = the tile's columns (~200-1000), K = C*k*k (27-2592). Eigen's GEBP
// packs both operands for every such product and reached 66-85 GFLOP/s per core on these
// shapes; this kernel reads B in place and reaches 100-116 on AVX-512 (1.25-1.55x,
// measured on the 2-core Zen 4 machine, 2026-11-29).
//
// Decomposition: C is cut into micro-tiles of MR rows x kPanelWidth columns (AVX-512:
// 8 x 48, 24 zmm accumulators; AVX2: 6 x 16, 12 ymm accumulators; a last, narrower panel
// uses taller tiles so no FMA works on masked lanes). For each k, the micro-tile loads
// a panel row of B (masked at the right edge) and broadcasts A[r][k] for its rows. Panels
// go left to right, micro-tiles top to bottom inside a panel, so the panel [K, width] of
// B is reused from L1/L2 by every row block.
// Each C element is one accumulator (started from C when accumulating) summed over k in
// order: the result depends only on the shapes, never on threads or on the vector width
// (callers run it on one thread per tile).
//
// The micro-tile and panel loop live in sgemm_simd_tile.h, shared with the implicit-GEMM
// conv (kernels/conv/conv_cpu_implicit.h), which feeds them shifted input planes as B.
// Only compiled in when the compiler targets AVX-512F or AVX2 with FMA (GSN_NATIVE on such
// a machine); otherwise sgemm_nn_simd_available() is false and callers use Eigen.
#pragma once
#include <cstdint>

namespace gsn::cpu {

bool sgemm_nn_simd_available();
// "AVX-512", "AVX2+FMA" or "none": what this build's CPU micro-kernels use (for logs, tests).
const char* sgemm_simd_name();
void sgemm_nn_simd(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb,
                   float* C, int64_t ldc, bool accumulate = false);

}  // namespace gsn::cpu
