// CUDA conv2d: forward, backward-data, backward-weight, bias gradient (shapes in conv.h).
//
// Versions (all deterministic, no atomics; each output element is summed by one thread
// in a fixed order, or, where v2-v5 split K, by one thread per fixed K chunk, the chunks
// then added in order):
//   v1  direct: one thread per output element, loops over the whole reduction; its
//       bwd-weight is one block per weight element, reducing over N*Ho*Wo in a tree.
//   v2  implicit GEMM with shared-memory tiles: 16x16 output tile per 256-thread block,
//       BK = 16, one output per thread. No im2col buffer: the tile loaders compute the
//       input address of every GEMM element on the fly (decoded once per K row / column).
//   v3  as v2, register-blocked: 64x64 tile per block, each thread a 4x4 micro-tile
//       (outputs strided by 16 so stores and shared-memory reads stay coalesced).
//   v4  as v3 with a 128x128 tile, BK = 8 and 8x8 micro-tiles (still 256 threads; each
//       thread's rows and columns are two runs of 4, 64 apart, read from shared memory as
//       float4; its final stores, once per tile, are the less coalesced for it): per k a warp needs 6 shared-memory wavefronts for 64 FMA instructions
//       where v3 needs 8 for 16, so shared-memory bandwidth, which bounds v3 near half
//       the FMA peak, stops being the limit (see igemm); and a 128x128 tile
//       shares each K step's decode and barriers over 4x the outputs. For M >= 128 only:
//       below that the tile's rows are mostly padding (the paper preset's layers are
//       64-196 wide, the tiny preset's 16-64). Its bwd-weight loads the B tile (im2col(x)^T)
//       along K, the pixels, instead of along the columns (see igemm).
//   v5  v4 software-pipelined (igemm_pipelined): double-buffered smem tiles and K rows,
//       the next step's global loads in flight while the current step's products run,
//       one barrier per K step instead of three; the same products in the same order as
//       v4, so the same bits. It replaced v4 in the pick once timed on an H200: 1.37-1.67x
//       faster on the forward and bwd-data of every layer with M >= 128, about even
//       (0.97-1.07x) on bwd-weight.
// The three passes as GEMMs (P = N*Ho*Wo):
//   forward      M = O, N = P,       K = C*k*k   A = w [O, Ckk],      B = im2col(x) [Ckk, P]
//   bwd-data     M = C, N = N*H*W,   K = O*k*k   A = w^T (gathered),  B = gy taps [Okk, NHW]
//                (the gather form: gx[n,c,h,w] reads gy[n,o,(h+p-u)/s,(w+p-v)/s] where the
//                division is exact and in range; no col2im, no scatter)
//   bwd-weight   M = O, N = C*k*k,   K = P       A = gy [O, P],       B = im2col(x)^T [P, Ckk]
// Split-K (run_igemm), any pass whose output tiles number fewer than 512 blocks (always
// the bwd-weight; the forward and bwd-data of small late layers): K is cut into fixed
// chunks (a function of the shape only), each writes its own partial [M, N], and
// finish_split adds the partials in chunk order and stores them (layout, bias).
// The launcher's pick (version 0), by shape, as timed on an H200 (2026-11-29,
// docs/kernels.md): v1 for M <= 4 (the 2->1 attention conv), v2 for M < 32, v3 for
// M < 128, else v5. Below M = 128 that run has no single better rule: v3 was the fastest
// (or within 12%) on every forward and bwd-weight pass, and v5 won some bwd-data passes by
// 8-28% (tiny block 2, the fusion convs) but lost others by 10-16% (tiny block 1).
#include <algorithm>
#include <cstdlib>

#include "kernels/conv/conv.h"
#include "kernels/core/cuda_check.cuh"

namespace gsn::cuda {

namespace {

// The sum of v over a block of NT threads (a power of two) in a fixed shared-memory tree,
// the same order on every run; thread 0 gets the total. Every thread must call it.
// (Here and not in a shared header: the CUDA emulation finds a kernel's barriers only
// in its own .cu file, tests/cuda_emu/transform.cmake.)
template <int NT> __device__ float block_tree_sum(float v) {
  __shared__ float buf[NT];
  buf[threadIdx.x] = v;
  __syncthreads();
  for (int stride = NT / 2; stride > 0; stride >>= 1) {
    if (static_cast<int>(threadIdx.x) < stride) buf[threadIdx.x] += buf[threadIdx.x + stride];
    __syncthreads();
  }
  return buf[0];
}

// ------------------------------------------------------------------ v1: direct kernels
__global__ void fwd_direct(const float* __restrict__ x, const float* __restrict__ w, const float* __restrict__ b,
                           ConvGeom g, float* __restrict__ y) {
  const int64_t total = g.N * g.O * g.Ho * g.Wo;
  GSN_GRID_STRIDE(idx, total) {
    const int64_t j = idx % g.Wo, i = (idx / g.Wo) % g.Ho, o = (idx / (g.Wo * g.Ho)) % g.O, n = idx / (g.Wo * g.Ho * g.O);
    float acc = b ? b[o] : 0.f;
    for (int64_t c = 0; c < g.C; ++c)
      for (int64_t u = 0; u < g.k; ++u) {
        const int64_t h = i * g.s - g.p + u;
        if (h < 0 || h >= g.H) continue;
        for (int64_t v = 0; v < g.k; ++v) {
          const int64_t ww = j * g.s - g.p + v;
          if (ww < 0 || ww >= g.W) continue;
          acc += w[((o * g.C + c) * g.k + u) * g.k + v] * x[((n * g.C + c) * g.H + h) * g.W + ww];
        }
      }
    y[idx] = acc;
  }
}

// UNIT_STRIDE (every GSN conv): the taps' stride tests and divisions drop out of the
// k*k loop (at k = 7, 49 64-bit divisions and remainders per output otherwise).
template <bool UNIT_STRIDE>
__global__ void bwd_data_direct(const float* __restrict__ gy, const float* __restrict__ w, ConvGeom g,
                                float* __restrict__ gx) {
  const int64_t total = g.N * g.C * g.H * g.W;
  const int64_t s = UNIT_STRIDE ? 1 : g.s;
  GSN_GRID_STRIDE(idx, total) {
    const int64_t ww = idx % g.W, h = (idx / g.W) % g.H, c = (idx / (g.W * g.H)) % g.C, n = idx / (g.W * g.H * g.C);
    float acc = 0.f;
    for (int64_t o = 0; o < g.O; ++o)
      for (int64_t u = 0; u < g.k; ++u) {
        const int64_t ti = h + g.p - u;
        if (ti < 0 || (!UNIT_STRIDE && ti % s != 0) || ti / s >= g.Ho) continue;
        for (int64_t v = 0; v < g.k; ++v) {
          const int64_t tj = ww + g.p - v;
          if (tj < 0 || (!UNIT_STRIDE && tj % s != 0) || tj / s >= g.Wo) continue;
          acc += w[((o * g.C + c) * g.k + u) * g.k + v] * gy[((n * g.O + o) * g.Ho + ti / s) * g.Wo + tj / s];
        }
      }
    gx[idx] = acc;
  }
}

// v1's bwd-weight: one block per weight element (o, c, u, v), its threads striding over
// the N*Ho*Wo products in a fixed order (consecutive threads on consecutive output pixels:
// gy's and x's reads run along rows), then a fixed shared-memory tree. The attention convs
// (O = 1, C = 2, k = 7, 5, 3) have 98-18 weights, each a sum of N*Ho*Wo products (10^5 to
// 10^6): one thread per weight ran the whole step on 18-98 threads, and the tiled versions
// compute a 16- or 64-row tile for their single row. 32-bit indices (checked by the
// launcher).
constexpr int kReduceBlock = 256;
__global__ void __launch_bounds__(kReduceBlock) bwd_weight_reduce(const float* __restrict__ gy,
                                                                  const float* __restrict__ x, ConvGeom g,
                                                                  float* __restrict__ gw) {
  const unsigned idx = blockIdx.x, k = static_cast<unsigned>(g.k);
  const unsigned v = idx % k, u = (idx / k) % k, c = (idx / (k * k)) % static_cast<unsigned>(g.C),
                 o = idx / (k * k * static_cast<unsigned>(g.C));
  const unsigned Wo = static_cast<unsigned>(g.Wo), hw = static_cast<unsigned>(g.Ho) * Wo;
  const unsigned P = static_cast<unsigned>(g.N) * hw, O = static_cast<unsigned>(g.O), C = static_cast<unsigned>(g.C);
  const int H = static_cast<int>(g.H), W = static_cast<int>(g.W), s = static_cast<int>(g.s), pad = static_cast<int>(g.p);
  float acc = 0.f;
  for (unsigned q = threadIdx.x; q < P; q += kReduceBlock) {
    const unsigned n = q / hw, pix = q - n * hw, i = pix / Wo, j = pix - i * Wo;
    const int64_t h = static_cast<int64_t>(i) * s - pad + u, ww = static_cast<int64_t>(j) * s - pad + v;
    if (h >= 0 && h < H && ww >= 0 && ww < W)
      acc += gy[static_cast<size_t>(n * O + o) * hw + pix] * x[(static_cast<size_t>(n * C + c) * H + h) * W + ww];
  }
  const float total = block_tree_sum<kReduceBlock>(acc);
  if (threadIdx.x == 0) gw[idx] = total;
}

// ---------------------------------------------- v2, v3, v4: implicit GEMM, smem tiles
// A problem describes its GEMM through:
//   Row row(kk, valid)   the decoded K index kk (computed once per K step, kept in smem)
//   Col col(n)           the decoded column n of B and C (computed once per thread)
//   a(m, Row), b(Row, Col)   the GEMM operands (0 outside the tensors / the padding)
//   store(m, n, value)   writes the final C[m, n] (the output's layout, the bias)
//   partial, chunk       split-K: when partial is set, split z of the grid sums K range
//                        [z*chunk, (z+1)*chunk) into partial[z, m, n] and finish_split
//                        adds the splits in order, then calls store (run_igemm)

struct FwdProb {
  const float* x;
  const float* w;
  const float* bias;
  float* y;
  ConvGeom g;
  int64_t M, N, K;
  struct Row {
    int64_t kk, off;  // off = c*H*W + u*W + v
    int u, v;
    bool valid;
  };
  struct Col {
    int64_t base;  // n*C*H*W + h0*W + w0
    int h0, w0;
    bool valid;
  };
  __device__ Row row(int64_t kk, bool valid) const {
    Row r{kk, 0, 0, 0, valid};
    if (valid) {
      const int64_t kk2 = g.k * g.k, c = kk / kk2, t = kk % kk2;
      r.u = static_cast<int>(t / g.k);
      r.v = static_cast<int>(t % g.k);
      r.off = (c * g.H + r.u) * g.W + r.v;
    }
    return r;
  }
  __device__ Col col(int64_t n) const {
    Col c{0, 0, 0, n < N};
    if (c.valid) {
      const int64_t hw = g.Ho * g.Wo, img = n / hw, pix = n % hw;
      c.h0 = static_cast<int>((pix / g.Wo) * g.s - g.p);
      c.w0 = static_cast<int>((pix % g.Wo) * g.s - g.p);
      c.base = img * g.C * g.H * g.W + static_cast<int64_t>(c.h0) * g.W + c.w0;
    }
    return c;
  }
  __device__ float a(int64_t m, const Row& r) const { return (r.valid && m < M) ? w[m * K + r.kk] : 0.f; }
  __device__ float b(const Row& r, const Col& c) const {
    const int h = c.h0 + r.u, ww = c.w0 + r.v;
    return (r.valid && c.valid && h >= 0 && h < g.H && ww >= 0 && ww < g.W) ? x[c.base + r.off] : 0.f;
  }
  __device__ void store(int64_t m, int64_t n, float v) const {
    const int64_t hw = g.Ho * g.Wo;
    y[((n / hw) * g.O + m) * hw + n % hw] = v + (bias ? bias[m] : 0.f);
  }
  float* partial = nullptr;
  int64_t chunk = 0;
};

struct BwdDataProb {
  const float* gy;
  const float* w;
  float* gx;
  ConvGeom g;
  int64_t M, N, K;  // M = C, N = N*H*W, K = O*k*k
  struct Row {
    int64_t off, wo;  // off = o*Ho*Wo; wo = o*C*k*k + u*k + v
    int u, v;
    bool valid;
  };
  struct Col {
    int64_t base;  // n*O*Ho*Wo
    int th, tw;    // h + p, w + p
    bool valid;
  };
  __device__ Row row(int64_t kk, bool valid) const {
    Row r{0, 0, 0, 0, valid};
    if (valid) {
      const int64_t kk2 = g.k * g.k, o = kk / kk2, t = kk % kk2;
      r.u = static_cast<int>(t / g.k);
      r.v = static_cast<int>(t % g.k);
      r.off = o * g.Ho * g.Wo;
      r.wo = o * g.C * kk2 + t;
    }
    return r;
  }
  __device__ Col col(int64_t n) const {
    Col c{0, 0, 0, n < N};
    if (c.valid) {
      const int64_t hw = g.H * g.W, img = n / hw, pix = n % hw;
      c.th = static_cast<int>(pix / g.W + g.p);
      c.tw = static_cast<int>(pix % g.W + g.p);
      c.base = img * g.O * g.Ho * g.Wo;
    }
    return c;
  }
  __device__ float a(int64_t m, const Row& r) const { return (r.valid && m < M) ? w[r.wo + m * g.k * g.k] : 0.f; }
  __device__ float b(const Row& r, const Col& c) const {
    if (!(r.valid && c.valid)) return 0.f;
    int ti = c.th - r.u, tj = c.tw - r.v;
    if (ti < 0 || tj < 0) return 0.f;
    if (g.s != 1) {
      if (ti % g.s != 0 || tj % g.s != 0) return 0.f;
      ti /= static_cast<int>(g.s);
      tj /= static_cast<int>(g.s);
    }
    return (ti < g.Ho && tj < g.Wo) ? gy[c.base + r.off + static_cast<int64_t>(ti) * g.Wo + tj] : 0.f;
  }
  __device__ void store(int64_t m, int64_t n, float v) const {
    const int64_t hw = g.H * g.W;
    gx[((n / hw) * g.C + m) * hw + n % hw] = v;
  }
  float* partial = nullptr;
  int64_t chunk = 0;
};

struct BwdWeightProb {
  const float* gy;
  const float* x;
  float* gw;
  ConvGeom g;
  int64_t M, N, K;  // M = O, N = C*k*k, K = N*Ho*Wo
  struct Row {
    int64_t gyoff, xbase;  // n*O*Ho*Wo + i*Wo + j;  n*C*H*W + h0*W + w0
    int h0, w0;
    bool valid;
  };
  struct Col {
    int64_t off;  // c*H*W + u*W + v
    int u, v;
    bool valid;
  };
  __device__ Row row(int64_t kk, bool valid) const {
    Row r{0, 0, 0, 0, valid};
    if (valid) {
      const int64_t hw = g.Ho * g.Wo, img = kk / hw, pix = kk % hw, i = pix / g.Wo, j = pix % g.Wo;
      r.h0 = static_cast<int>(i * g.s - g.p);
      r.w0 = static_cast<int>(j * g.s - g.p);
      r.gyoff = img * g.O * hw + pix;
      r.xbase = img * g.C * g.H * g.W + static_cast<int64_t>(r.h0) * g.W + r.w0;
    }
    return r;
  }
  __device__ Col col(int64_t n) const {
    Col c{0, 0, 0, n < N};
    if (c.valid) {
      const int64_t kk2 = g.k * g.k, ch = n / kk2, t = n % kk2;
      c.u = static_cast<int>(t / g.k);
      c.v = static_cast<int>(t % g.k);
      c.off = (ch * g.H + c.u) * g.W + c.v;
    }
    return c;
  }
  __device__ float a(int64_t m, const Row& r) const {
    return (r.valid && m < M) ? gy[r.gyoff + m * g.Ho * g.Wo] : 0.f;
  }
  __device__ float b(const Row& r, const Col& c) const {
    const int h = r.h0 + c.u, ww = r.w0 + c.v;
    return (r.valid && c.valid && h >= 0 && h < g.H && ww >= 0 && ww < g.W) ? x[r.xbase + c.off] : 0.f;
  }
  __device__ void store(int64_t m, int64_t n, float v) const { gw[m * N + n] = v; }
  float* partial = nullptr;
  int64_t chunk = 0;
};

// The K range split `split` sums, and where its sums go (see the interface above).
template <class Prob> __device__ void k_range(const Prob& pr, int split, int64_t& b0, int64_t& b1) {
  b0 = pr.partial ? split * pr.chunk : 0;
  b1 = pr.partial && b0 + pr.chunk < pr.K ? b0 + pr.chunk : pr.K;
}
template <class Prob> __device__ void store_out(const Prob& pr, int64_t m, int64_t n, float v, int split) {
  if (pr.partial)
    pr.partial[(split * pr.M + m) * pr.N + n] = v;
  else
    pr.store(m, n, v);
}

// One block computes a BM x BN tile of C = A B over its K range, in steps of BK:
//   1. BK threads decode the step's K indices into smem (Row);
//   2. all threads load the A tile (transposed, As[kk][m]) and the B tile (Bs[kk][n]);
//      B_ALONG_K false: thread t loads column t % BN of B (rows t / BN + q*BSTEP),
//      consecutive threads on consecutive columns, coalesced where B's columns are
//      contiguous (forward and bwd-data: the columns are pixels);
//      B_ALONG_K true: thread t loads K row t % BK of columns t / BK + q*CSTEP,
//      consecutive threads on consecutive K rows, coalesced where those are contiguous
//      (bwd-weight: K is pixels, while its columns (c, u, v) are taps 1, W or H*W apart,
//      so a warp on consecutive columns touches ~11 cache lines and uses a few bytes of
//      each); Bs rows are then padded by 4 floats so the BK rows a warp stores fall in
//      different banks. Either way a thread's Cols are decoded once per block;
//   3. each thread accumulates its TM x TN outputs from smem: rows tm + i*BM/TM and
//      columns tn + j*BN/TN (scalar shared-memory reads, each warp-wide read a single
//      wavefront however few distinct addresses it has), or, for 8x8 micro-tiles (VEC),
//      rows tm*4 + {0..3} and BM/2 + tm*4 + {0..3}, columns likewise: 4 float4 reads per
//      k instead of 16 scalar ones. Per k a warp then needs 6 shared-memory wavefronts
//      for its 64 FMA instructions (16 issue cycles) where the scalar form needs 16:
//      the SM's one wavefront per cycle stops being the bound.
// igemm (v2-v4) runs the three in turn, with a barrier after each; igemm_pipelined (v5)
// overlaps step k's products with step k+1's loads. Each step's pieces are below, shared
// by both, so the two add every product in the same order and give the same bits.
template <int BM_, int BN_, int BK_, int TM_, int TN_, bool B_ALONG_K_> struct Tiling {
  static constexpr int BM = BM_, BN = BN_, BK = BK_, TM = TM_, TN = TN_;
  static constexpr bool B_ALONG_K = B_ALONG_K_;
  static constexpr int NT = (BM / TM) * (BN / TN);
  static constexpr int BSTEP = NT / BN, ASTEP = NT / BK, CSTEP = NT / BK;
  static constexpr int BCOLS = B_ALONG_K ? BN / CSTEP : 1, BPAD = B_ALONG_K ? 4 : 0;
  // A is stored column-wise: a warp writes BK k rows x 32/BK consecutive m, at bank
  // (kk * (BM + APAD) + m) mod 32. With rows a multiple of 32 long all k rows share banks
  // (16-way conflicts at BK = 16, 8-way at 8); a pad of 32/BK floats per row puts the warp's
  // 32 stores in 32 different banks. The products' reads of As are broadcasts either way.
  static constexpr int APAD = 32 / BK;
  static constexpr int AROW = BM + APAD, BROW = BN + BPAD;  // smem row lengths
  static constexpr int NA = BM / ASTEP;                     // A values a thread loads per step
  static constexpr int NB = B_ALONG_K ? BCOLS : BK / BSTEP;  // B values
  static constexpr bool VEC = TM == 8 && TN == 8;
  static_assert(NT % BN == 0 && NT % BK == 0 && BK % BSTEP == 0 && BM % ASTEP == 0, "tile shape");
  static_assert(!B_ALONG_K || BN % CSTEP == 0, "tile shape");
  static_assert(32 % BK == 0, "BK divides a warp");
  static_assert(!VEC || (AROW % 4 == 0 && BROW % 4 == 0 && BM % 8 == 0 && BN % 8 == 0),
                "VEC reads float4 rows: row lengths and halves multiples of 4 floats");
};

// Step 2's element slots: the q-th A value thread tid loads goes to As[kk][m], the q-th
// B value to Bs[r][c], read through the thread's Col cols[bq].
struct ASlot {
  int kk, m;
};
struct BSlot {
  int r, c, bq;
};
template <class T> __device__ ASlot a_slot(int tid, int q) { return {tid % T::BK, tid / T::BK + q * T::ASTEP}; }
template <class T> __device__ BSlot b_slot(int tid, int q) {
  if constexpr (T::B_ALONG_K) return {tid % T::BK, tid / T::BK + q * T::CSTEP, q};
  else return {tid / T::BN + q * T::BSTEP, tid % T::BN, 0};
}

// Step 2 as igemm does it: each value from global memory straight into its smem slot.
template <class T, class Prob>
__device__ void load_step(const Prob& pr, const typename Prob::Row* rows, const typename Prob::Col (&cols)[T::BCOLS],
                          int64_t m0, int tid, float (*As)[T::AROW], float (*Bs)[T::BROW]) {
#pragma unroll
  for (int q = 0; q < T::NA; ++q) {
    const ASlot s = a_slot<T>(tid, q);
    As[s.kk][s.m] = pr.a(m0 + s.m, rows[s.kk]);
  }
#pragma unroll
  for (int q = 0; q < T::NB; ++q) {
    const BSlot s = b_slot<T>(tid, q);
    Bs[s.r][s.c] = pr.b(rows[s.r], cols[s.bq]);
  }
}

// Step 2 split in two for igemm_pipelined: the global loads into registers ...
template <class T, class Prob>
__device__ void fetch_step(const Prob& pr, const typename Prob::Row* rows, const typename Prob::Col (&cols)[T::BCOLS],
                           int64_t m0, int tid, float (&ra)[T::NA], float (&rb)[T::NB]) {
#pragma unroll
  for (int q = 0; q < T::NA; ++q) {
    const ASlot s = a_slot<T>(tid, q);
    ra[q] = pr.a(m0 + s.m, rows[s.kk]);
  }
#pragma unroll
  for (int q = 0; q < T::NB; ++q) {
    const BSlot s = b_slot<T>(tid, q);
    rb[q] = pr.b(rows[s.r], cols[s.bq]);
  }
}

// ... and, a step's products later, the registers into the smem slots.
template <class T>
__device__ void put_step(float (*As)[T::AROW], float (*Bs)[T::BROW], int tid, const float (&ra)[T::NA],
                         const float (&rb)[T::NB]) {
#pragma unroll
  for (int q = 0; q < T::NA; ++q) {
    const ASlot s = a_slot<T>(tid, q);
    As[s.kk][s.m] = ra[q];
  }
#pragma unroll
  for (int q = 0; q < T::NB; ++q) {
    const BSlot s = b_slot<T>(tid, q);
    Bs[s.r][s.c] = rb[q];
  }
}

// Step 3: the thread's TM x TN products of the step, k in order.
template <class T>
__device__ void multiply_step(const float (*As)[T::AROW], const float (*Bs)[T::BROW], int tm, int tn,
                              float (&acc)[T::TM][T::TN]) {
#pragma unroll
  for (int kk = 0; kk < T::BK; ++kk) {
    float av[T::TM], bv[T::TN];
    if constexpr (T::VEC) {
      const float4 a0 = *reinterpret_cast<const float4*>(&As[kk][tm * 4]);
      const float4 a1 = *reinterpret_cast<const float4*>(&As[kk][T::BM / 2 + tm * 4]);
      const float4 b0 = *reinterpret_cast<const float4*>(&Bs[kk][tn * 4]);
      const float4 b1 = *reinterpret_cast<const float4*>(&Bs[kk][T::BN / 2 + tn * 4]);
      av[0] = a0.x, av[1] = a0.y, av[2] = a0.z, av[3] = a0.w, av[4] = a1.x, av[5] = a1.y, av[6] = a1.z, av[7] = a1.w;
      bv[0] = b0.x, bv[1] = b0.y, bv[2] = b0.z, bv[3] = b0.w, bv[4] = b1.x, bv[5] = b1.y, bv[6] = b1.z, bv[7] = b1.w;
    } else {
#pragma unroll
      for (int i = 0; i < T::TM; ++i) av[i] = As[kk][tm + i * (T::BM / T::TM)];
#pragma unroll
      for (int j = 0; j < T::TN; ++j) bv[j] = Bs[kk][tn + j * (T::BN / T::TN)];
    }
#pragma unroll
    for (int i = 0; i < T::TM; ++i)
#pragma unroll
      for (int j = 0; j < T::TN; ++j) acc[i][j] = fmaf(av[i], bv[j], acc[i][j]);
  }
}

// The thread's outputs, once its K range is done.
template <class T, class Prob>
__device__ void store_tile(const Prob& pr, const float (&acc)[T::TM][T::TN], int64_t m0, int64_t n0, int tm, int tn,
                           int split) {
#pragma unroll
  for (int i = 0; i < T::TM; ++i)
#pragma unroll
    for (int j = 0; j < T::TN; ++j) {
      const int mi = T::VEC ? (i < 4 ? tm * 4 + i : T::BM / 2 + tm * 4 + i - 4) : tm + i * (T::BM / T::TM);
      const int nj = T::VEC ? (j < 4 ? tn * 4 + j : T::BN / 2 + tn * 4 + j - 4) : tn + j * (T::BN / T::TN);
      const int64_t m = m0 + mi, n = n0 + nj;
      if (m < pr.M && n < pr.N) store_out(pr, m, n, acc[i][j], split);
    }
}

// A thread's setup, the same in igemm and igemm_pipelined: its index, its split (grid z)
// and K range, its micro-tile's position (tm, tn), its tile's corner (m0, n0), its B
// columns, decoded once per block (cols[q] is column n0 + bcol + q*CSTEP), and its
// accumulators at zero. (Out-parameters into the kernels' plain locals, not a struct
// holding them: a struct cost v4 up to 14 registers, over the 128 that two blocks per
// SM allow.)
template <class T, class Prob>
__device__ void begin_block(const Prob& pr, int& tid, int& split, int& tm, int& tn, int64_t& m0, int64_t& n0,
                            int64_t& kb, int64_t& ke, typename Prob::Col (&cols)[T::BCOLS],
                            float (&acc)[T::TM][T::TN]) {
  tid = static_cast<int>(threadIdx.x);
  split = static_cast<int>(blockIdx.z);
  tm = tid / (T::BN / T::TN);
  tn = tid % (T::BN / T::TN);
  m0 = static_cast<int64_t>(blockIdx.y) * T::BM;
  n0 = static_cast<int64_t>(blockIdx.x) * T::BN;
  k_range(pr, split, kb, ke);
  const int bcol = T::B_ALONG_K ? tid / T::BK : tid % T::BN;
#pragma unroll
  for (int q = 0; q < T::BCOLS; ++q) cols[q] = pr.col(n0 + bcol + q * T::CSTEP);
#pragma unroll
  for (int i = 0; i < T::TM; ++i)
#pragma unroll
    for (int j = 0; j < T::TN; ++j) acc[i][j] = 0.f;
}

// v2-v4: decode, load, multiply, a barrier after each.
template <int BM, int BN, int BK, int TM, int TN, bool B_ALONG_K, class Prob>
__global__ void __launch_bounds__((BM / TM) * (BN / TN)) igemm(Prob pr) {
  using T = Tiling<BM, BN, BK, TM, TN, B_ALONG_K>;
  __shared__ __align__(16) float As[BK][T::AROW];
  __shared__ __align__(16) float Bs[BK][T::BROW];
  __shared__ typename Prob::Row rows[BK];
  int tid, split, tm, tn;
  int64_t m0, n0, kb, ke;
  typename Prob::Col cols[T::BCOLS];
  float acc[TM][TN];
  begin_block<T>(pr, tid, split, tm, tn, m0, n0, kb, ke, cols, acc);
  for (int64_t k0 = kb; k0 < ke; k0 += BK) {
    if (tid < BK) rows[tid] = pr.row(k0 + tid, k0 + tid < ke);
    __syncthreads();
    load_step<T>(pr, rows, cols, m0, tid, As, Bs);
    __syncthreads();
    multiply_step<T>(As, Bs, tm, tn, acc);
    __syncthreads();
  }
  store_tile<T>(pr, acc, m0, n0, tm, tn, split);
}

// One K step of igemm_pipelined, from stage S. At its start stage S holds step k0's tiles
// and rows[S ^ 1] step k0 + BK's K rows; nobody reads rows[S] any more (step k0's loads were
// issued a step ago) or stage S ^ 1 (last read by step k0 - BK's products, before the
// last barrier).
template <class T, int S, class Prob>
__device__ void pipelined_step(const Prob& pr, float (*As)[T::BK][T::AROW], float (*Bs)[T::BK][T::BROW],
                               typename Prob::Row (*rows)[T::BK], const typename Prob::Col (&cols)[T::BCOLS],
                               int64_t m0, int tid, int tm, int tn, int64_t k0, int64_t ke,
                               float (&acc)[T::TM][T::TN]) {
  const bool more = k0 + T::BK < ke;  // the same for the whole block
  float ra[T::NA], rb[T::NB];
  if (more) fetch_step<T>(pr, rows[S ^ 1], cols, m0, tid, ra, rb);  // in flight during the products
  multiply_step<T>(As[S], Bs[S], tm, tn, acc);
  if (more) {
    put_step<T>(As[S ^ 1], Bs[S ^ 1], tid, ra, rb);
    const int64_t k2 = k0 + 2 * T::BK;
    if (tid < T::BK) rows[S][tid] = pr.row(k2 + tid, k2 + tid < ke);
  }
}

// v5: v4 software-pipelined. The tiles and the decoded K rows are double-buffered: while
// a block multiplies step k from one smem stage, its threads' loads of step k+1 (issued
// before the products, consumed after them) are in flight into registers, and the BK
// decoding threads decode step k+2's rows; the registers then go to the other stage. One
// barrier per step where igemm has three, and a load's latency is hidden behind a step's
// BK*TM*TN FMAs (v4's block waits out each load at a barrier, with only the SM's other
// block to run meanwhile).
// Registers (sm_90, ptxas -v): the forward and bwd-data fit v4's 128, so two 256-thread
// blocks per SM as v4 (__launch_bounds__ min 2; the ptxas spill guard, cmake/
// GsnWarnings.cmake, fails the build if that ever costs spills). The bwd-weight (B along
// K: four decoded columns of 5 registers each per thread) spills 80-120 bytes at 128, so
// it is left to take 167: one block per SM, 8 warps to v4's 16. Whether its pipelining
// pays for that is for the GPU benchmark to say (docs/kernels.md).
template <int BM, int BN, int BK, int TM, int TN, bool B_ALONG_K, class Prob>
__global__ void __launch_bounds__((BM / TM) * (BN / TN), B_ALONG_K ? 1 : 2) igemm_pipelined(Prob pr) {
  using T = Tiling<BM, BN, BK, TM, TN, B_ALONG_K>;
  __shared__ __align__(16) float As[2][BK][T::AROW];
  __shared__ __align__(16) float Bs[2][BK][T::BROW];
  __shared__ typename Prob::Row rows[2][BK];
  int tid, split, tm, tn;
  int64_t m0, n0, kb, ke;
  typename Prob::Col cols[T::BCOLS];
  float acc[TM][TN];
  begin_block<T>(pr, tid, split, tm, tn, m0, n0, kb, ke, cols, acc);
  // Prologue: stage 0 holds the first step, rows[1] the second step's K rows.
  if (tid < BK) rows[0][tid] = pr.row(kb + tid, kb + tid < ke);
  __syncthreads();
  load_step<T>(pr, rows[0], cols, m0, tid, As[0], Bs[0]);
  if (tid < BK) rows[1][tid] = pr.row(kb + BK + tid, kb + BK + tid < ke);
  __syncthreads();
  // Two steps per trip, so each step's stages are compile-time (no stage index held in
  // registers); a K range of an odd number of steps leaves by the break.
  for (int64_t k0 = kb; k0 < ke; k0 += 2 * BK) {
    pipelined_step<T, 0>(pr, As, Bs, rows, cols, m0, tid, tm, tn, k0, ke, acc);
    __syncthreads();
    if (k0 + BK >= ke) break;
    pipelined_step<T, 1>(pr, As, Bs, rows, cols, m0, tid, tm, tn, k0 + BK, ke, acc);
    __syncthreads();
  }
  store_tile<T>(pr, acc, m0, n0, tm, tn, split);
}

template <int BM, int BN, int BK, int TM, int TN, bool B_ALONG_K, bool PIPELINED, class Prob>
void launch_igemm(const Prob& pr, int splits) {
  constexpr int NT = Tiling<BM, BN, BK, TM, TN, B_ALONG_K>::NT;  // the kernels' __launch_bounds__
  GSN_CHECK(ceil_div(pr.M, BM) <= kMaxGridY && splits <= kMaxGridY, "conv (CUDA): ", pr.M, " GEMM rows or ", splits,
            " splits exceed the grid's y/z limit ", kMaxGridY);
  const dim3 grid(static_cast<unsigned>(ceil_div(pr.N, BN)), static_cast<unsigned>(ceil_div(pr.M, BM)),
                  static_cast<unsigned>(splits));
  if constexpr (PIPELINED)
    igemm_pipelined<BM, BN, BK, TM, TN, B_ALONG_K, Prob><<<grid, NT, 0, cuda_stream()>>>(pr);
  else
    igemm<BM, BN, BK, TM, TN, B_ALONG_K, Prob><<<grid, NT, 0, cuda_stream()>>>(pr);
  GSN_CUDA_CHECK_LAUNCH();
}

// C[m, n] = sum_{z < splits} partial[z, m, n], z in order, stored through the problem.
template <class Prob> __global__ void finish_split(Prob pr, int splits) {
  const int64_t mn = pr.M * pr.N;
  GSN_GRID_STRIDE(i, mn) {
    float acc = pr.partial[i];
    for (int z = 1; z < splits; ++z) acc += pr.partial[z * mn + i];
    pr.store(i / pr.N, i % pr.N, acc);
  }
}

// Split-K where the output tiles alone would leave a large GPU mostly idle: the
// bwd-weight's few, long tiles (K = N*Ho*Wo), and the forward and bwd-data of the tiny
// preset's 8x8 fusion layers (16 tiles, K up to 2592). Enough blocks for a large GPU (a
// fixed target, not a device query, so the chunking and hence the bits depend on the
// shape only), chunks a multiple of BK and at least 4 steps long; no split where the
// tiles already number the target or K is under 8 steps.
struct SplitPlan {
  int64_t splits, chunk;
};
SplitPlan split_plan(int64_t tiles, int64_t K, int BK) {
  constexpr int64_t kTargetBlocks = 512;
  if (tiles >= kTargetBlocks || K < 8 * BK) return {1, K};
  const int64_t want = std::min<int64_t>(ceil_div(kTargetBlocks, tiles), ceil_div(K, 4 * BK));
  const int64_t chunk = ceil_div(ceil_div(K, want), BK) * BK;
  return {ceil_div(K, chunk), chunk};
}

template <int BM, int BN, int BK, int TM, int TN, bool B_ALONG_K = false, bool PIPELINED = false, class Prob>
void run_igemm(Prob pr) {
  const SplitPlan sp = split_plan(ceil_div(pr.M, BM) * ceil_div(pr.N, BN), pr.K, BK);
  if (sp.splits == 1) {
    launch_igemm<BM, BN, BK, TM, TN, B_ALONG_K, PIPELINED>(pr, 1);
    return;
  }
  // Freed when this returns, while the kernels may still run: the caching allocator
  // hands it out again only to work queued after them on the same stream.
  Tensor partial = Tensor::empty(Shape{sp.splits, pr.M, pr.N}, DType::F32, Device::CUDA);
  pr.partial = partial.data<float>();
  pr.chunk = sp.chunk;
  launch_igemm<BM, BN, BK, TM, TN, B_ALONG_K, PIPELINED>(pr, static_cast<int>(sp.splits));
  finish_split<Prob><<<grid_1d(pr.M * pr.N, 256), 256, 0, cuda_stream()>>>(pr, static_cast<int>(sp.splits));
  GSN_CUDA_CHECK_LAUNCH();
}

// gb[o] = sum_{n, q} gy[n, o, q]: one block per channel, a fixed tree in shared memory.
constexpr int kBiasBlock = 256;
__global__ void bias_grad(const float* __restrict__ gy, int64_t N, int64_t O, int64_t hw, float* __restrict__ gb) {
  const int64_t o = blockIdx.x;
  float acc = 0.f;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t q = threadIdx.x; q < hw; q += kBiasBlock) acc += gy[(n * O + o) * hw + q];
  const float total = block_tree_sum<kBiasBlock>(acc);
  if (threadIdx.x == 0) gb[o] = total;
}

// GSN_CUDA_CONV_VERSION=v (1..kConvVersions) in the environment makes the pick (version
// 0) take v for every conv: a whole training step, the op harness or a compute-sanitizer
// run on one version (scripts/gpu-check.sh runs racecheck over v5 so). Read per call, so
// a test can set it.
int forced_version() {
  const char* e = std::getenv("GSN_CUDA_CONV_VERSION");
  if (!e || !*e) return 0;
  char* end = nullptr;
  const long v = std::strtol(e, &end, 10);
  GSN_CHECK(*end == '\0' && v >= 1 && v <= kConvVersions, "GSN_CUDA_CONV_VERSION=", e,
            ": not a conv kernel version (1..", kConvVersions, ")");
  return static_cast<int>(v);
}

// version 0: by shape (M is the GEMM's row count: O, or C for bwd-data), unless
// GSN_CUDA_CONV_VERSION names one.
int pick(int version, int64_t M) {
  if (version == 0) version = forced_version();
  if (version != 0) {
    GSN_CHECK(version >= 1 && version <= kConvVersions, "conv2d (CUDA): no kernel version ", version);
    return version;
  }
  return M <= 4 ? 1 : M < 32 ? 2 : M < 128 ? 3 : 5;
}

constexpr int kDirectBlock = 256;
}  // namespace

void conv2d_forward(const float* x, const float* w, const float* b, const ConvGeom& g, float* y, int version) {
  const int64_t P = g.N * g.Ho * g.Wo;
  if (P * g.O == 0) return;
  FwdProb pr{x, w, b, y, g, g.O, P, g.C * g.k * g.k};
  switch (pick(version, g.O)) {
    case 1:
      fwd_direct<<<grid_1d(P * g.O, kDirectBlock), kDirectBlock, 0, cuda_stream()>>>(x, w, b, g, y);
      GSN_CUDA_CHECK_LAUNCH();
      break;
    case 2: run_igemm<16, 16, 16, 1, 1>(pr); break;
    case 3: run_igemm<64, 64, 16, 4, 4>(pr); break;
    case 4: run_igemm<128, 128, 8, 8, 8>(pr); break;
    default: run_igemm<128, 128, 8, 8, 8, false, true>(pr); break;
  }
}

void conv2d_backward_data(const float* gy, const float* w, const ConvGeom& g, float* gx, int version) {
  const int64_t NHW = g.N * g.H * g.W;
  if (NHW * g.C == 0) return;
  BwdDataProb pr{gy, w, gx, g, g.C, NHW, g.O * g.k * g.k};
  switch (pick(version, g.C)) {
    case 1:
      if (g.s == 1)
        bwd_data_direct<true><<<grid_1d(NHW * g.C, kDirectBlock), kDirectBlock, 0, cuda_stream()>>>(gy, w, g, gx);
      else
        bwd_data_direct<false><<<grid_1d(NHW * g.C, kDirectBlock), kDirectBlock, 0, cuda_stream()>>>(gy, w, g, gx);
      GSN_CUDA_CHECK_LAUNCH();
      break;
    case 2: run_igemm<16, 16, 16, 1, 1>(pr); break;
    case 3: run_igemm<64, 64, 16, 4, 4>(pr); break;
    case 4: run_igemm<128, 128, 8, 8, 8>(pr); break;
    default: run_igemm<128, 128, 8, 8, 8, false, true>(pr); break;
  }
}


void conv2d_backward_weight(const float* gy, const float* x, const ConvGeom& g, float* gw, int version) {
  const int64_t total = g.O * g.C * g.k * g.k;
  if (total == 0) return;
  if (g.N * g.Ho * g.Wo == 0) {
    GSN_CUDA_CHECK(cudaMemsetAsync(gw, 0, sizeof(float) * static_cast<std::size_t>(total), cuda_stream()));
    return;
  }
  BwdWeightProb pr{gy, x, gw, g, g.O, g.C * g.k * g.k, g.N * g.Ho * g.Wo};
  // v1's bwd-weight indexes in 32 bits: the pick passes larger shapes to v2.
  const bool fits_v1 = g.N * std::max(g.C, g.O) * std::max(g.H * g.W, g.Ho * g.Wo) < (int64_t{1} << 31) &&
                       total < (int64_t{1} << 31);
  int v = pick(version, g.O);
  if (version == 0 && v == 1 && !fits_v1) v = 2;
  switch (v) {
    case 1:
      GSN_CHECK(fits_v1, "conv2d_backward_weight (CUDA v1): tensors of 2^31 or more elements");
      bwd_weight_reduce<<<static_cast<unsigned>(total), kReduceBlock, 0, cuda_stream()>>>(gy, x, g, gw);
      GSN_CUDA_CHECK_LAUNCH();
      break;
    case 2: run_igemm<16, 16, 16, 1, 1>(pr); break;
    case 3: run_igemm<64, 64, 16, 4, 4>(pr); break;
    case 4: run_igemm<128, 128, 8, 8, 8, true>(pr); break;
    default: run_igemm<128, 128, 8, 8, 8, true, true>(pr); break;
  }
}

void conv2d_backward_bias(const float* gy, const ConvGeom& g, float* gb) {
  if (g.O == 0) return;
  bias_grad<<<static_cast<unsigned>(g.O), kBiasBlock, 0, cuda_stream()>>>(gy, g.N, g.O, g.Ho * g.Wo, gb);
  GSN_CUDA_CHECK_LAUNCH();
}

}  // namespace gsn::cuda
