// Hand-written SGEMM: C = alpha op(A) op(B) + beta C on row-major float matrices
// (kernels/linear/linear.h has the exact contract). The versions stay side by side, each
// a step from the one before, in the manner of llm.c; tests/gpu/test_sgemm.cu checks every
// version and every transpose combination against cuBLAS, and bench/ops_linear.cu times
// them all.
//
//   v1  naive: one thread per C element, 16x16 threads per block. Each thread walks its
//       row of op(A) and column of op(B) in global memory, so every operand element is
//       fetched K-fold (through L1/L2); threadIdx.x runs along a row of C so C and a
//       non-transposed B are accessed coalesced.
//   v2  shared-memory tiles: a 32x32 block of threads computes a 32x32 tile of C; per step
//       of 32 along K the block stages a 32x32 tile of op(A) and of op(B) in shared memory
//       (each global element read once per block instead of once per thread: 32x less
//       traffic). The loads are arranged so that consecutive threads read consecutive
//       addresses in all four layouts; a transposed tile is written through a padded
//       [32][33] array so the transposing store has no bank conflicts.
//   v3  register blocking: a 128x128 tile of C per block of 256 threads, each thread an
//       8x8 micro-tile held in registers; K advances by BK = 8. The op(A) tile is stored
//       transposed in shared memory (As[k][i]) so that both operands of the outer product
//       are read as float4 rows: per k step a thread reads 8 + 8 floats from shared memory
//       and does 64 FMAs (v2: 2 reads per FMA). Global loads are float4 when the tile is
//       whole and the operand is 16-byte aligned with a row stride divisible by 4, scalar
//       with bounds checks (zero fill) otherwise, so any M, N, K works (1 and primes too).
//       C is written with float4 stores under the same conditions.
//   v4  v3 with a 64x64 tile and 4x4 micro-tiles (still 256 threads): 4x as many blocks
//       for the same C, so mid-sized problems (the GSN head, the late conv layers) still
//       fill the SMs; less reuse per shared-memory read (16 FMAs per 8 floats).
//
// Every version sums k in order for each C element in one thread (no split-K, no
// atomics): the result is the same bits on every run. The tile loops over M use a
// grid-stride on blockIdx.y, so M may exceed 65535 tiles' worth of rows.
// gemm() picks a version from the shape (gemm_pick_version), a heuristic: on an H200
// (2026-11-29, docs/kernels.md) v4 beat its choice of v3 on the stem-like shapes by
// 1.16-1.48x, but no GSN layer calls those through this GEMM, so it was left as it is.
// Known weak spot: C small and K huge (a weight-gradient GEMM such as 48 x 288 with K = 131072) gives a handful of
// blocks that each loop over all of K, far behind cuBLAS, which splits K. Training never
// runs such a GEMM here (the conv passes use conv.cu, which splits K in fixed chunks);
// the sgemm benchmark's dw rows are expected to lose until a split-K version exists.
#include <climits>
#include <cstdint>

#include "kernels/core/cuda_check.cuh"
#include "kernels/linear/linear.h"

namespace gsn::cuda {

namespace {

// op(A)[i,k] and op(B)[k,j] from row-major storage.
template <bool TA> __device__ __forceinline__ float elem_a(const float* __restrict__ A, int64_t lda, int i, int k) {
  return TA ? A[static_cast<int64_t>(k) * lda + i] : A[static_cast<int64_t>(i) * lda + k];
}
template <bool TB> __device__ __forceinline__ float elem_b(const float* __restrict__ B, int64_t ldb, int k, int j) {
  return TB ? B[static_cast<int64_t>(j) * ldb + k] : B[static_cast<int64_t>(k) * ldb + j];
}
// beta == 0: C is not read (it may hold NaN), as in BLAS.
__device__ __forceinline__ float blend(float alpha, float acc, float beta, float c_old) {
  return beta == 0.f ? alpha * acc : alpha * acc + beta * c_old;
}
__device__ __forceinline__ void store_c(float* __restrict__ C, int64_t ldc, int i, int j, float alpha, float acc,
                                        float beta) {
  float* c = C + static_cast<int64_t>(i) * ldc + j;
  *c = beta == 0.f ? alpha * acc : alpha * acc + beta * *c;
}

// ---- v1: naive -------------------------------------------------------------------------
constexpr int kV1 = 16;

template <bool TA, bool TB>
__global__ void sgemm_v1(int M, int N, int K, float alpha, const float* __restrict__ A, int64_t lda,
                         const float* __restrict__ B, int64_t ldb, float beta, float* __restrict__ C, int64_t ldc) {
  const int j = static_cast<int>(blockIdx.x) * kV1 + static_cast<int>(threadIdx.x);
  if (j >= N) return;
  for (int i = static_cast<int>(blockIdx.y * kV1 + threadIdx.y); i < M; i += static_cast<int>(gridDim.y) * kV1) {
    float acc = 0.f;
    for (int k = 0; k < K; ++k) acc = fmaf(elem_a<TA>(A, lda, i, k), elem_b<TB>(B, ldb, k, j), acc);
    store_c(C, ldc, i, j, alpha, acc, beta);
  }
}

// ---- v2: 32x32 shared-memory tiles -----------------------------------------------------
constexpr int kV2 = 32;

template <bool TA, bool TB>
__global__ void __launch_bounds__(kV2* kV2)
    sgemm_v2(int M, int N, int K, float alpha, const float* __restrict__ A, int64_t lda, const float* __restrict__ B,
             int64_t ldb, float beta, float* __restrict__ C, int64_t ldc) {
  __shared__ float As[kV2][kV2 + 1];  // As[i][k] = op(A)[i0+i, k0+k]
  __shared__ float Bs[kV2][kV2 + 1];  // Bs[k][j] = op(B)[k0+k, j0+j]
  const int tx = static_cast<int>(threadIdx.x), ty = static_cast<int>(threadIdx.y);
  const int j0 = static_cast<int>(blockIdx.x) * kV2;
  const int tiles_m = (M + kV2 - 1) / kV2;
  for (int tm = static_cast<int>(blockIdx.y); tm < tiles_m; tm += static_cast<int>(gridDim.y)) {
    const int i0 = tm * kV2;
    float acc = 0.f;
    for (int k0 = 0; k0 < K; k0 += kV2) {
      // threadIdx.x follows the contiguous index of each stored operand.
      if (!TA) {
        const int i = i0 + ty, k = k0 + tx;
        As[ty][tx] = (i < M && k < K) ? A[static_cast<int64_t>(i) * lda + k] : 0.f;
      } else {
        const int i = i0 + tx, k = k0 + ty;
        As[tx][ty] = (i < M && k < K) ? A[static_cast<int64_t>(k) * lda + i] : 0.f;
      }
      if (!TB) {
        const int k = k0 + ty, j = j0 + tx;
        Bs[ty][tx] = (k < K && j < N) ? B[static_cast<int64_t>(k) * ldb + j] : 0.f;
      } else {
        const int k = k0 + tx, j = j0 + ty;
        Bs[tx][ty] = (k < K && j < N) ? B[static_cast<int64_t>(j) * ldb + k] : 0.f;
      }
      __syncthreads();
#pragma unroll
      for (int kk = 0; kk < kV2; ++kk) acc = fmaf(As[ty][kk], Bs[kk][tx], acc);
      __syncthreads();
    }
    const int i = i0 + ty, j = j0 + tx;
    if (i < M && j < N) store_c(C, ldc, i, j, alpha, acc, beta);
  }
}

// ---- v3 / v4: register-blocked ---------------------------------------------------------

// ceil(n / nt): loop rounds over a tile of n elements with nt threads (a constant, so unrolled).
__host__ __device__ constexpr int rounds(int n, int nt) { return (n + nt - 1) / nt; }

// Stages the BK x BX tile S[k][x] = P(x0+x, k0+k) in shared memory, where the operand
// element (x, k) is stored at P[k*ld + x] (KMajor: rows of the stored matrix run along k)
// or at P[x*ld + k]. Whole tiles of a float4-friendly operand (vec) are read as float4;
// anything else element by element with zero fill outside [0,X) x [0,K).
template <int BX, int BK, int NT, bool KMajor>
__device__ __forceinline__ void load_tile(const float* __restrict__ P, int64_t ld, int X, int K, int x0, int k0,
                                          bool vec, float (*S)[BX], int tid) {
  const bool whole = vec && x0 + BX <= X && k0 + BK <= K;
  if (KMajor) {
    if (whole) {
#pragma unroll
      for (int r = 0; r < rounds(BK * BX / 4, NT); ++r) {
        const int idx = tid + r * NT;
        if (idx >= BK * BX / 4) break;
        const int k = idx / (BX / 4), x = (idx % (BX / 4)) * 4;
        *reinterpret_cast<float4*>(&S[k][x]) =
            __ldg(reinterpret_cast<const float4*>(P + static_cast<int64_t>(k0 + k) * ld + x0 + x));
      }
    } else {
#pragma unroll
      for (int r = 0; r < rounds(BK * BX, NT); ++r) {
        const int idx = tid + r * NT;
        if (idx >= BK * BX) break;
        const int k = idx / BX, x = idx % BX;
        S[k][x] = (x0 + x < X && k0 + k < K) ? P[static_cast<int64_t>(k0 + k) * ld + x0 + x] : 0.f;
      }
    }
  } else {
    if (whole) {
#pragma unroll
      for (int r = 0; r < rounds(BX * BK / 4, NT); ++r) {
        const int idx = tid + r * NT;
        if (idx >= BX * BK / 4) break;
        const int x = idx / (BK / 4), k = (idx % (BK / 4)) * 4;
        const float4 v = __ldg(reinterpret_cast<const float4*>(P + static_cast<int64_t>(x0 + x) * ld + k0 + k));
        S[k][x] = v.x;
        S[k + 1][x] = v.y;
        S[k + 2][x] = v.z;
        S[k + 3][x] = v.w;
      }
    } else {
#pragma unroll
      for (int r = 0; r < rounds(BX * BK, NT); ++r) {
        const int idx = tid + r * NT;
        if (idx >= BX * BK) break;
        const int x = idx / BK, k = idx % BK;
        S[k][x] = (x0 + x < X && k0 + k < K) ? P[static_cast<int64_t>(x0 + x) * ld + k0 + k] : 0.f;
      }
    }
  }
}

template <int BM, int BN, int BK, int TM, int TN, bool TA, bool TB>
__global__ void __launch_bounds__((BM / TM) * (BN / TN))
    sgemm_reg(int M, int N, int K, float alpha, const float* __restrict__ A, int64_t lda, const float* __restrict__ B,
              int64_t ldb, float beta, float* __restrict__ C, int64_t ldc, bool vec_a, bool vec_b, bool vec_c) {
  static_assert(TM % 4 == 0 && TN % 4 == 0 && BK % 4 == 0, "float4 reads of the micro-tile operands");
  constexpr int NT = (BM / TM) * (BN / TN);
  __shared__ __align__(16) float As[BK][BM];  // As[k][i] = op(A)[i0+i, k0+k]: transposed
  __shared__ __align__(16) float Bs[BK][BN];  // Bs[k][j] = op(B)[k0+k, j0+j]
  const int tid = static_cast<int>(threadIdx.x);
  const int tx = tid % (BN / TN), ty = tid / (BN / TN);
  const int j0 = static_cast<int>(blockIdx.x) * BN;
  const int tiles_m = (M + BM - 1) / BM;
  for (int tm = static_cast<int>(blockIdx.y); tm < tiles_m; tm += static_cast<int>(gridDim.y)) {
    const int i0 = tm * BM;
    float acc[TM][TN];
#pragma unroll
    for (int a = 0; a < TM; ++a)
#pragma unroll
      for (int b = 0; b < TN; ++b) acc[a][b] = 0.f;

    for (int k0 = 0; k0 < K; k0 += BK) {
      // op(A)[i,k] lives at A[k*lda+i] when transposed: k-major. op(B)[k,j] lives at
      // B[k*ldb+j] when not transposed: k-major.
      load_tile<BM, BK, NT, TA>(A, lda, M, K, i0, k0, vec_a, As, tid);
      load_tile<BN, BK, NT, !TB>(B, ldb, N, K, j0, k0, vec_b, Bs, tid);
      __syncthreads();
#pragma unroll
      for (int kk = 0; kk < BK; ++kk) {
        float ra[TM], rb[TN];
#pragma unroll
        for (int t = 0; t < TM; t += 4) {
          const float4 v = *reinterpret_cast<const float4*>(&As[kk][ty * TM + t]);
          ra[t] = v.x, ra[t + 1] = v.y, ra[t + 2] = v.z, ra[t + 3] = v.w;
        }
#pragma unroll
        for (int t = 0; t < TN; t += 4) {
          const float4 v = *reinterpret_cast<const float4*>(&Bs[kk][tx * TN + t]);
          rb[t] = v.x, rb[t + 1] = v.y, rb[t + 2] = v.z, rb[t + 3] = v.w;
        }
#pragma unroll
        for (int a = 0; a < TM; ++a)
#pragma unroll
          for (int b = 0; b < TN; ++b) acc[a][b] = fmaf(ra[a], rb[b], acc[a][b]);
      }
      __syncthreads();
    }

#pragma unroll
    for (int a = 0; a < TM; ++a) {
      const int i = i0 + ty * TM + a;
      if (i >= M) break;
      float* crow = C + static_cast<int64_t>(i) * ldc;
#pragma unroll
      for (int b = 0; b < TN; b += 4) {
        const int j = j0 + tx * TN + b;
        if (vec_c && j + 4 <= N) {
          float4* p = reinterpret_cast<float4*>(crow + j);
          float4 v;
          if (beta == 0.f) {
            v = make_float4(0.f, 0.f, 0.f, 0.f);
          } else {
            v = *p;
          }
          v.x = blend(alpha, acc[a][b], beta, v.x);
          v.y = blend(alpha, acc[a][b + 1], beta, v.y);
          v.z = blend(alpha, acc[a][b + 2], beta, v.z);
          v.w = blend(alpha, acc[a][b + 3], beta, v.w);
          *p = v;
        } else {
#pragma unroll
          for (int e = 0; e < 4; ++e)
            if (j + e < N) store_c(C, ldc, i, j + e, alpha, acc[a][b + e], beta);
        }
      }
    }
  }
}

// ---- launchers -------------------------------------------------------------------------

struct Args {
  int M, N, K;
  float alpha;
  const float* A;
  int64_t lda;
  const float* B;
  int64_t ldb;
  float beta;
  float* C;
  int64_t ldc;
};

// The row-of-tiles count goes on grid.y (at most 65535; the kernels stride over the rest).
dim3 grid_for(int M, int N, int bm, int bn) {
  const int64_t gy = ceil_div(M, bm);
  return dim3(static_cast<unsigned>(ceil_div(N, bn)), static_cast<unsigned>(gy < 65535 ? gy : 65535));
}

bool f4_ok(const void* p, int64_t ld) { return reinterpret_cast<uintptr_t>(p) % 16 == 0 && ld % 4 == 0; }

template <int BM, int BN, int TM, int TN, bool TA, bool TB> void launch_reg(const Args& a) {
  constexpr int BK = 8;
  constexpr int NT = (BM / TM) * (BN / TN);
  sgemm_reg<BM, BN, BK, TM, TN, TA, TB><<<grid_for(a.M, a.N, BM, BN), NT, 0, cuda_stream()>>>(
      a.M, a.N, a.K, a.alpha, a.A, a.lda, a.B, a.ldb, a.beta, a.C, a.ldc, f4_ok(a.A, a.lda), f4_ok(a.B, a.ldb),
      f4_ok(a.C, a.ldc));
}

template <bool TA, bool TB> void launch(int version, const Args& a) {
  switch (version) {
    case 1:
      sgemm_v1<TA, TB><<<grid_for(a.M, a.N, kV1, kV1), dim3(kV1, kV1), 0, cuda_stream()>>>(
          a.M, a.N, a.K, a.alpha, a.A, a.lda, a.B, a.ldb, a.beta, a.C, a.ldc);
      break;
    case 2:
      sgemm_v2<TA, TB><<<grid_for(a.M, a.N, kV2, kV2), dim3(kV2, kV2), 0, cuda_stream()>>>(
          a.M, a.N, a.K, a.alpha, a.A, a.lda, a.B, a.ldb, a.beta, a.C, a.ldc);
      break;
    case 3: launch_reg<128, 128, 8, 8, TA, TB>(a); break;
    case 4: launch_reg<64, 64, 4, 4, TA, TB>(a); break;
    default: GSN_THROW("sgemm: no version ", version, " (1..", kGemmVersions, ")");
  }
  GSN_CUDA_CHECK_LAUNCH();
}

int sm_count() {
  static const int n = [] {
    int dev = 0, sms = 0;
    GSN_CUDA_CHECK(cudaGetDevice(&dev));
    GSN_CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
    return sms > 0 ? sms : 1;
  }();
  return n;
}

}  // namespace

int gemm_pick_version(int64_t M, int64_t N, int64_t K) {
  // A heuristic (docs/kernels.md has its H200 timings): the 128x128 tile once it gives
  // every SM at least one block, the 64x64 tile for mid-sized C, the naive kernel for the tiny
  // matrices of the GSN head (a single block; tiling would only add synchronisation).
  if (M * N <= 32 * 32 && K <= 256) return 1;
  if (ceil_div(M, 128) * ceil_div(N, 128) >= sm_count()) return 3;
  return 4;
}

void gemm_version(int version, bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                  const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  GSN_CHECK(M >= 0 && N >= 0 && K >= 0, "sgemm: negative size");
  // int indexing inside the kernels, with headroom: tile origins and k steps run up to a
  // tile (and grid-stride steps up to a grid) past the sizes.
  constexpr int64_t kMaxSize = INT_MAX - (int64_t{1} << 20);
  GSN_CHECK(M <= kMaxSize && N <= kMaxSize && K <= kMaxSize, "sgemm: sizes must fit in int with headroom (M ", M,
            ", N ", N, ", K ", K, ")");
  if (M == 0 || N == 0) return;
  const Args a{static_cast<int>(M), static_cast<int>(N), static_cast<int>(K), alpha, A, lda, B, ldb, beta, C, ldc};
  if (!trans_a && !trans_b) launch<false, false>(version, a);
  if (!trans_a && trans_b) launch<false, true>(version, a);
  if (trans_a && !trans_b) launch<true, false>(version, a);
  if (trans_a && trans_b) launch<true, true>(version, a);
}

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
          const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
  gemm_version(gemm_pick_version(M, N, K), trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

}  // namespace gsn::cuda
