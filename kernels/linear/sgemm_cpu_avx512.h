// A register-blocked AVX-512 SGEMM for the conv's forward product (CPU):
//
//   C[M,N] = A[M,K] B[K,N]      row-major, no transposes; accumulate: C += A B
//   A: lda >= K, B: ldb >= N, C: ldc >= N (floats)
//
// Shape of the work: the conv's weights times a tile of im2col, M = output channels
// (16-64 in GSN), N = the tile's columns (~200-1000), K = C*k*k (27-2592). Eigen's GEBP
// packs both operands for every such product and reached 66-85 GFLOP/s per core on these
// shapes; this kernel reads B in place and reaches 100-116 (1.25-1.55x, measured on the
// 2-core Zen 4 machine, 2026-11-29).
//
// Decomposition: C is cut into micro-tiles of 8 rows x 48 columns (24 zmm accumulators;
// a last, narrower panel uses 12 x 32 or 24 x 16 tiles so no FMA works on masked lanes).
// For each k, the micro-tile loads 48 contiguous floats of B's row k (3 zmm; masked at
// the right edge) and broadcasts A[r][k] for its 8 rows: 24 FMAs per 3 loads + 8
// broadcasts. Panels of 48 columns go left to right, micro-tiles top to bottom inside
// a panel, so the panel [K, 48] of B is reused from L1/L2 by every row block. Rows that
// do not fill 8 use a micro-tile of 1..7 rows.
// Each C element is one accumulator (started from C when accumulating) summed over k in order: the result depends only on
// the shapes, never on threads (callers run it on one thread per tile).
//
// The micro-tile and panel loop live in sgemm_avx512_tile.h, shared with the implicit-GEMM
// conv (kernels/conv/conv_cpu_implicit.h), which feeds them shifted input planes as B.
// Only compiled in when the compiler targets AVX-512F (GSN_NATIVE on an AVX-512 machine);
// otherwise sgemm_nn_avx512_available() is false and callers use Eigen.
#pragma once
#include <cstdint>

namespace gsn::cpu {

bool sgemm_nn_avx512_available();
void sgemm_nn_avx512(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb,
                     float* C, int64_t ldc, bool accumulate = false);

}  // namespace gsn::cpu
