// CUDA optimizer steps and gradient norm.
//
// Version 2 (the default): ONE launch over all parameters, in the style of apex's
// multi_tensor_apply. The host cuts every tensor into kOptimChunk-element chunks and writes
// a table to the device: the tensors' pointers and sizes (TensorDesc), then one
// (tensor, chunk) pair per chunk (ChunkDesc). Block b reads chunk b's descriptor and
// updates its <= 4096 elements, 256 threads x 4 elements per round, all four loads of a
// round issued before the math (memory-level parallelism). The table depends only on the
// pointers and sizes, which stay the same from step to step, so it is cached (the last
// four tables per thread and kind of launch) and uploaded again only when it changes; a
// step (two calls: parameters with and without weight decay) is then two launches and no
// host-device traffic at all. The gradient scale (clip coefficient) is read
// from device memory inside the kernel: no host sync.
//
// Version 1 (the baseline in bench/ops_losses.cu): one launch per tensor, a grid-stride
// loop of the same formulas. With GSN's ~70 tensors (many of them BN vectors of 16-196
// elements), that is ~70 launches of mostly idle grids.
//
// grad_norm: two launches, no atomics: each block writes the sum of squares of its chunk,
// in double (as the reference and the CPU path: a float sum overflows once |g| > ~1.8e19
// or a chunk's sum passes FLT_MAX), to partial[chunk] (a fixed shared-memory tree), then
// one block sums the partials in double, in chunk order, and writes the norm and the
// clip coefficient.
#include <cstring>
#include <vector>

#include "kernels/core/backend.h"
#include "kernels/core/cuda_check.cuh"
#include "kernels/optim/optim_math.h"

namespace gsn::cuda {

namespace {
constexpr int kBlock = 256;
constexpr int kUnroll = 4;
static_assert(kOptimChunk % (kBlock * kUnroll) == 0, "a chunk is whole rounds of the block");

struct TensorDesc {
  float* p;
  const float* g;
  float* m;
  float* v;
  int64_t n;
};
struct ChunkDesc {
  int32_t tensor;
  int32_t chunk;  // the chunk's index within its tensor: elements [chunk*kOptimChunk, ...)
};

// The device copies of the last few tables a call site uploaded (a training step makes two
// calls with different tables, the parameters with and without weight decay, so one entry
// would be uploaded again at every call). Never freed: a few KB per thread that launches
// steps, kept until the process ends (freeing it from a thread_local destructor could run
// after the CUDA runtime is torn down).
class TableCache {
 public:
  // Returns device pointers to the tensor and chunk tables for `slots`, and the chunk count.
  void upload(const std::vector<ParamSlot<float>>& slots, const TensorDesc** tensors, const ChunkDesc** chunks,
              int64_t* count) {
    host_.clear();
    const std::size_t nt = slots.size();
    std::vector<ChunkDesc> cd;
    for (std::size_t t = 0; t < nt; ++t) {
      const int64_t nc = ceil_div(slots[t].n, kOptimChunk);
      GSN_CHECK(nc < (int64_t{1} << 31), "optimizer: tensor ", t, " is too large for the chunk table");
      for (int64_t c = 0; c < nc; ++c) cd.push_back({static_cast<int32_t>(t), static_cast<int32_t>(c)});
    }
    const std::size_t tbytes = nt * sizeof(TensorDesc), cbytes = cd.size() * sizeof(ChunkDesc);
    host_.resize(tbytes + cbytes);
    for (std::size_t t = 0; t < nt; ++t) {
      TensorDesc d{slots[t].p, slots[t].g, slots[t].m, slots[t].v, slots[t].n};
      std::memcpy(host_.data() + t * sizeof(TensorDesc), &d, sizeof d);
    }
    if (cbytes) std::memcpy(host_.data() + tbytes, cd.data(), cbytes);
    ++clock_;
    Entry* e = nullptr;
    for (Entry& x : entries_)
      if (x.uploaded == host_) e = &x;
    if (!e) {  // upload into the least recently used entry
      e = &entries_[0];
      for (Entry& x : entries_)
        if (x.last_use < e->last_use) e = &x;
      if (e->bytes < host_.size()) {
        // Forget the old block before allocating: if cuda_malloc throws, the cache must
        // not keep a pointer to freed memory (and free it again on the next grow).
        if (e->dev) cuda_free(e->dev, e->bytes);
        e->dev = nullptr;
        e->bytes = 0;
        e->dev = cuda_malloc(host_.size());
        e->bytes = host_.size();
      }
      // Its old table is gone from here on, whether or not the copy below succeeds.
      e->uploaded.clear();
      // Stream-ordered: kernels still reading the entry's old table finish first. The
      // source is pageable, and CUDA only says the driver *may* stage such a copy before
      // returning (where the GPU reads host memory directly, as with HMM or ATS, it need
      // not), so wait for it: host_ is rewritten by the next upload. Tables change only
      // when the parameter set does, so this sync is rare.
      GSN_CUDA_CHECK(cudaMemcpyAsync(e->dev, host_.data(), host_.size(), cudaMemcpyHostToDevice, cuda_stream()));
      GSN_CUDA_CHECK(cudaStreamSynchronize(cuda_stream()));
      e->uploaded = host_;
    }
    e->last_use = clock_;
    *tensors = static_cast<const TensorDesc*>(e->dev);
    *chunks = reinterpret_cast<const ChunkDesc*>(static_cast<const unsigned char*>(e->dev) + tbytes);
    *count = static_cast<int64_t>(cd.size());
  }

 private:
  struct Entry {
    std::vector<unsigned char> uploaded;
    void* dev = nullptr;
    std::size_t bytes = 0;
    uint64_t last_use = 0;
  };
  std::vector<unsigned char> host_;
  Entry entries_[4];
  uint64_t clock_ = 0;
};
struct AdamOp {
  AdamCoef<float> c;
  __device__ void operator()(float& p, float g, float& m, float& v) const { adam_update(p, g, m, v, c); }
};
struct SgdOp {
  SgdCoef<float> c;
  __device__ void operator()(float& p, float g, float& m, float&) const { sgd_update(p, g, &m, c); }
};
struct SgdNoMomentumOp {
  SgdCoef<float> c;
  __device__ void operator()(float& p, float g, float&, float&) const { sgd_update(p, g, static_cast<float*>(nullptr), c); }
};

// Version 2: one block per chunk of the table.
template <class Op>
__global__ void __launch_bounds__(kBlock) multi_tensor_kernel(const TensorDesc* __restrict__ tensors,
                                                              const ChunkDesc* __restrict__ chunks, Op op,
                                                              const float* __restrict__ grad_scale) {
  const ChunkDesc cd = chunks[blockIdx.x];
  const TensorDesc t = tensors[cd.tensor];
  const int64_t begin = static_cast<int64_t>(cd.chunk) * kOptimChunk;
  const int64_t end = begin + kOptimChunk < t.n ? begin + kOptimChunk : t.n;
  const float s = grad_scale ? *grad_scale : 1.f;
  float dummy_m = 0.f, dummy_v = 0.f;  // for state a kind does not use
  for (int64_t base = begin; base < end; base += kBlock * kUnroll) {
    float p[kUnroll], g[kUnroll], m[kUnroll], v[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const int64_t i = base + u * kBlock + threadIdx.x;
      if (i < end) {
        p[u] = t.p[i];
        g[u] = t.g[i];
        m[u] = t.m ? t.m[i] : dummy_m;
        v[u] = t.v ? t.v[i] : dummy_v;
      }
    }
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const int64_t i = base + u * kBlock + threadIdx.x;
      if (i < end) {
        op(p[u], s * g[u], m[u], v[u]);
        t.p[i] = p[u];
        if (t.m) t.m[i] = m[u];
        if (t.v) t.v[i] = v[u];
      }
    }
  }
}

// Version 1 (baseline): one tensor per launch, grid-stride.
template <class Op>
__global__ void per_tensor_kernel(float* __restrict__ p, const float* __restrict__ g, float* __restrict__ m,
                                  float* __restrict__ v, int64_t n, Op op, const float* __restrict__ grad_scale) {
  const float s = grad_scale ? *grad_scale : 1.f;
  // The moments go through registers, as in the fused kernel: `op(..., m ? m[i] : dummy)`
  // binds a reference that may name a local variable, which puts it in local memory.
  GSN_GRID_STRIDE(i, n) {
    float mi = m ? m[i] : 0.f, vi = v ? v[i] : 0.f;
    op(p[i], s * g[i], mi, vi);
    if (m) m[i] = mi;
    if (v) v[i] = vi;
  }
}

template <class Op> void launch_fused(TableCache& cache, const std::vector<ParamSlot<float>>& slots, Op op,
                                      const float* grad_scale) {
  const TensorDesc* tensors = nullptr;
  const ChunkDesc* chunks = nullptr;
  int64_t count = 0;
  cache.upload(slots, &tensors, &chunks, &count);
  if (count == 0) return;
  GSN_CHECK(count < (int64_t{1} << 31), "optimizer: too many chunks for one grid");
  multi_tensor_kernel<Op><<<static_cast<unsigned>(count), kBlock, 0, cuda_stream()>>>(tensors, chunks, op, grad_scale);
  GSN_CUDA_CHECK_LAUNCH();
}

template <class Op> void launch_per_tensor(const std::vector<ParamSlot<float>>& slots, Op op, const float* grad_scale) {
  for (const ParamSlot<float>& t : slots) {
    if (t.n == 0) continue;
    per_tensor_kernel<Op><<<grid_1d(t.n, kBlock), kBlock, 0, cuda_stream()>>>(t.p, t.g, t.m, t.v, t.n, op, grad_scale);
    GSN_CUDA_CHECK_LAUNCH();
  }
}

thread_local TableCache t_step_table;
thread_local TableCache t_norm_table;

// ---- grad norm ----
__global__ void __launch_bounds__(kBlock) chunk_sumsq_kernel(const TensorDesc* __restrict__ tensors,
                                                             const ChunkDesc* __restrict__ chunks,
                                                             double* __restrict__ partial) {
  __shared__ double buf[kBlock];
  const ChunkDesc cd = chunks[blockIdx.x];
  const TensorDesc t = tensors[cd.tensor];
  const int64_t begin = static_cast<int64_t>(cd.chunk) * kOptimChunk;
  const int64_t end = begin + kOptimChunk < t.n ? begin + kOptimChunk : t.n;
  double acc = 0.0;
  for (int64_t i = begin + threadIdx.x; i < end; i += kBlock) {
    const double g = t.g[i];
    acc = fma(g, g, acc);
  }
  buf[threadIdx.x] = acc;
  __syncthreads();
  for (int stride = kBlock / 2; stride > 0; stride >>= 1) {
    if (static_cast<int>(threadIdx.x) < stride) buf[threadIdx.x] += buf[threadIdx.x + stride];
    __syncthreads();
  }
  if (threadIdx.x == 0) partial[blockIdx.x] = buf[0];
}

__global__ void __launch_bounds__(kBlock) norm_final_kernel(const double* __restrict__ partial, int64_t count,
                                                            double max_norm, float* __restrict__ norm,
                                                            float* __restrict__ coef) {
  __shared__ double buf[kBlock];
  double acc = 0.0;
  for (int64_t i = threadIdx.x; i < count; i += kBlock) acc += partial[i];
  buf[threadIdx.x] = acc;
  __syncthreads();
  for (int stride = kBlock / 2; stride > 0; stride >>= 1) {
    if (static_cast<int>(threadIdx.x) < stride) buf[threadIdx.x] += buf[threadIdx.x + stride];
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    const double nrm = sqrt(buf[0]);
    norm[0] = static_cast<float>(nrm);
    if (coef) coef[0] = static_cast<float>(clip_coef_of(nrm, max_norm));
  }
}
}  // namespace

void adam_step(const std::vector<ParamSlot<float>>& slots, const AdamParams& hp, const float* grad_scale) {
  launch_fused(t_step_table, slots, AdamOp{adam_coef<float>(hp)}, grad_scale);
}

void sgd_step(const std::vector<ParamSlot<float>>& slots, const SgdParams& hp, const float* grad_scale) {
  const SgdCoef<float> c = sgd_coef<float>(hp);
  if (c.momentum)
    launch_fused(t_step_table, slots, SgdOp{c}, grad_scale);
  else
    launch_fused(t_step_table, slots, SgdNoMomentumOp{c}, grad_scale);
}

void adam_step_per_tensor(const std::vector<ParamSlot<float>>& slots, const AdamParams& hp, const float* grad_scale) {
  launch_per_tensor(slots, AdamOp{adam_coef<float>(hp)}, grad_scale);
}

void sgd_step_per_tensor(const std::vector<ParamSlot<float>>& slots, const SgdParams& hp, const float* grad_scale) {
  const SgdCoef<float> c = sgd_coef<float>(hp);
  if (c.momentum)
    launch_per_tensor(slots, SgdOp{c}, grad_scale);
  else
    launch_per_tensor(slots, SgdNoMomentumOp{c}, grad_scale);
}

void grad_norm(const std::vector<ParamSlot<float>>& slots, double max_norm, float* norm, float* coef) {
  const TensorDesc* tensors = nullptr;
  const ChunkDesc* chunks = nullptr;
  int64_t count = 0;
  t_norm_table.upload(slots, &tensors, &chunks, &count);
  // One double per chunk; CUDA tensors are float32, so two floats each (cuda_malloc's
  // blocks are 256-byte aligned).
  Tensor partial = Tensor::empty(Shape{2 * (count > 0 ? count : 1)}, DType::F32, Device::CUDA);
  double* part = reinterpret_cast<double*>(partial.data<float>());
  if (count > 0) {
    chunk_sumsq_kernel<<<static_cast<unsigned>(count), kBlock, 0, cuda_stream()>>>(tensors, chunks, part);
    GSN_CUDA_CHECK_LAUNCH();
  }
  norm_final_kernel<<<1, kBlock, 0, cuda_stream()>>>(part, count, max_norm, norm, coef);
  GSN_CUDA_CHECK_LAUNCH();
}

}  // namespace gsn::cuda
