// The CUDA emulation: enough of the CUDA language and runtime for g++ to compile the real
// kernels/*/*.cu and losses/*.cu (rewritten by transform.cmake) and run them on the CPU.
// It is a test of the kernels' logic, not a GPU: see README.md for what it cannot show.
//
// A launch `k<<<grid, block, smem, stream>>>(args)` (rewritten to
// `k << emu::Cfg(...) >> emu::kernel_args(args)`) runs every block of the grid, one block
// after another, in a shuffled order (seeded: the same order on every run). A block runs
//   threaded  when the kernel reaches __syncthreads or a warp intrinsic (transform.cmake
//             decides from the .cu text): one std::thread per CUDA thread (a pool of
//             persistent workers), a block barrier and warp exchanges that check every
//             thread of the block / lane of the warp arrives at the same call site;
//   serially  otherwise: its threads one after another on the launching thread, in a
//             shuffled order (fast; a barrier reached there is an error).
// Failures name the kernel, its launch site (the .cu line), the block and the thread, and
// end the process (threads stuck at a barrier cannot be unwound):
//   __syncthreads reached by part of a block, at different lines, or after some threads
//   returned; a shuffle that not every lane of the warp reaches, or at different lines;
//   more than 48 KB of shared memory; a block still running after 60 s.
// Launch configurations outside CUDA's limits (grid.y/z <= 65535, <= 1024 threads per
// block, ...) do not run: cudaGetLastError() returns cudaErrorInvalidConfiguration as on a
// GPU, and take_problems() lists them for the drivers.
// Shared memory starts as NaN in every block (0xFF bytes), device memory
// (emu_backend.cpp) as NaN too, so a read of something nobody wrote shows up.
// EMU_PROFILE=1 in the environment prints the time and blocks per kernel at exit.
#pragma once
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

// ------------------------------------------------------------------ the CUDA language
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __align__(n) alignas(n)

struct dim3 {
  unsigned x, y, z;
  constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
using uint3 = dim3;
inline thread_local dim3 threadIdx, blockIdx;  // per CUDA thread (each runs on its own OS thread or in turn)
inline dim3 blockDim, gridDim;                 // per launch (one launch at a time)
constexpr int warpSize = 32;

struct alignas(16) float4 {
  float x, y, z, w;
};
struct alignas(8) float2 {
  float x, y;
};
inline float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }
inline float2 make_float2(float x, float y) { return {x, y}; }
template <class T> inline T __ldg(const T* p) { return *p; }

// Device math that is not in <cmath>. The fast-math intrinsics get the exact functions:
// the GPU's __expf error (2 + 1.16 |x| ulp) is not modelled.
inline float rsqrtf(float x) { return 1.f / std::sqrt(x); }
inline float __expf(float x) { return std::exp(x); }
inline float __logf(float x) { return std::log(x); }
inline float __fdividef(float a, float b) { return a / b; }
// Round-to-nearest products and sums that nvcc never fuses into an FMA. The generated
// files are compiled with -ffp-contract=off, so g++ fuses nothing anyway.
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __saturatef(float x) { return x < 0.f ? 0.f : (x > 1.f ? 1.f : x); }
template <class A, class B, class = std::enable_if_t<std::is_arithmetic_v<A> && std::is_arithmetic_v<B>>>
constexpr std::common_type_t<A, B> min(A a, B b) {
  using T = std::common_type_t<A, B>;
  return static_cast<T>(b) < static_cast<T>(a) ? static_cast<T>(b) : static_cast<T>(a);
}
template <class A, class B, class = std::enable_if_t<std::is_arithmetic_v<A> && std::is_arithmetic_v<B>>>
constexpr std::common_type_t<A, B> max(A a, B b) {
  using T = std::common_type_t<A, B>;
  return static_cast<T>(a) < static_cast<T>(b) ? static_cast<T>(b) : static_cast<T>(a);
}

// ------------------------------------------------- the runtime and cuBLAS types used
typedef struct CUstream_st* cudaStream_t;
enum cudaError_t {
  cudaSuccess = 0,
  cudaErrorInvalidValue = 1,
  cudaErrorInvalidConfiguration = 9,
};
enum cudaMemcpyKind {
  cudaMemcpyHostToHost = 0,
  cudaMemcpyHostToDevice = 1,
  cudaMemcpyDeviceToHost = 2,
  cudaMemcpyDeviceToDevice = 3,
  cudaMemcpyDefault = 4,
};
enum cudaDeviceAttr { cudaDevAttrMaxThreadsPerBlock = 1, cudaDevAttrMultiProcessorCount = 16 };
typedef struct cublasContext* cublasHandle_t;
enum cublasStatus_t { CUBLAS_STATUS_SUCCESS = 0 };
inline const char* cublasGetStatusName(cublasStatus_t) { return "CUBLAS_STATUS_NOT_EMULATED"; }
inline const char* cublasGetStatusString(cublasStatus_t) { return "cuBLAS is not emulated"; }

namespace emu {
inline cudaError_t g_last_error = cudaSuccess;  // sticky until cudaGetLastError(), as in CUDA
inline std::string g_last_message;
// The device the launchers ask about: an H100/H200's 132 SMs, so shape heuristics that
// depend on the SM count (sgemm's version pick) choose as they would there.
constexpr int kSmCount = 132;
}  // namespace emu

inline cudaError_t cudaGetLastError() { return std::exchange(emu::g_last_error, cudaSuccess); }
inline cudaError_t cudaPeekAtLastError() { return emu::g_last_error; }
inline const char* cudaGetErrorName(cudaError_t e) {
  return e == cudaSuccess ? "cudaSuccess" : e == cudaErrorInvalidConfiguration ? "cudaErrorInvalidConfiguration"
                                                                                 : "cudaErrorInvalidValue";
}
inline const char* cudaGetErrorString(cudaError_t e) {
  return e == cudaSuccess ? "no error" : emu::g_last_message.c_str();
}
// Device memory is host memory (emu_backend.cpp); everything is synchronous.
inline cudaError_t cudaMemsetAsync(void* p, int v, std::size_t n, cudaStream_t = nullptr) {
  if (n) std::memset(p, v, n);
  return cudaSuccess;
}
inline cudaError_t cudaMemset(void* p, int v, std::size_t n) { return cudaMemsetAsync(p, v, n); }
inline cudaError_t cudaMemcpyAsync(void* d, const void* s, std::size_t n, cudaMemcpyKind, cudaStream_t = nullptr) {
  if (n) std::memmove(d, s, n);
  return cudaSuccess;
}
inline cudaError_t cudaMemcpy(void* d, const void* s, std::size_t n, cudaMemcpyKind k) {
  return cudaMemcpyAsync(d, s, n, k);
}
inline cudaError_t cudaStreamSynchronize(cudaStream_t) { return cudaSuccess; }
#ifndef GSN_EMU_FAKE_DEVICE  // fake_device.h's can report an injected device fault
inline cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }
#endif
inline cudaError_t cudaGetDevice(int* d) {
  *d = 0;
  return cudaSuccess;
}
inline cudaError_t cudaDeviceGetAttribute(int* v, cudaDeviceAttr a, int) {
  *v = a == cudaDevAttrMultiProcessorCount ? emu::kSmCount : 1024;
  return cudaSuccess;
}

// -------------------------------------------------------------------- the machinery
namespace emu {

constexpr std::size_t kSharedLimit = 48 * 1024;  // static + dynamic shared memory per block
constexpr auto kWatchdog = std::chrono::seconds(60);
constexpr unsigned kFullMask = 0xffffffffu;

struct Site {
  const char* file = "?";
  int line = 0;
  bool operator!=(const Site& o) const { return line != o.line || std::strcmp(file, o.file) != 0; }
};

struct LaunchInfo {
  const char* kernel = "";
  Site at;
  dim3 grid, block;
};
inline LaunchInfo g_launch;  // the launch running now
inline thread_local bool t_in_kernel = false;
inline thread_local unsigned t_tid = 0;  // linear thread index within the block

// printf into a std::string (messages are built this way, not with operator+, which
// trips GCC 12's -Wrestrict false positive at -O3).
[[gnu::format(printf, 1, 2)]] inline std::string fmt(const char* f, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return buf;
}
inline std::string str(dim3 d) { return fmt("(%u,%u,%u)", d.x, d.y, d.z); }
inline std::string str(const Site& s) { return fmt("%s:%d", s.file, s.line); }

// A kernel broke a rule: say where, then end the process (other CUDA threads may be stuck
// at a barrier, so nothing can be unwound).
[[noreturn]] inline void fail(const std::string& what) {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  std::fprintf(stderr, "\ncuda_emu FAILURE in kernel %s (launched at %s): %s\n", g_launch.kernel,
               str(g_launch.at).c_str(), what.c_str());
  if (t_in_kernel)
    std::fprintf(stderr, "  at block %s thread %s of grid %s x block %s\n", str(blockIdx).c_str(),
                 str(threadIdx).c_str(), str(g_launch.grid).c_str(), str(g_launch.block).c_str());
  std::fflush(stderr);
  std::_Exit(1);
}

// ---- bookkeeping the drivers read
struct Registry {
  std::mutex mu;
  std::map<std::string, long> launches;                   // "batch_norm.cu:apply" -> launches that ran
  std::map<std::string, std::vector<std::string>> files;  // "batch_norm.cu" -> its kernels
  std::vector<std::string> problems;                      // launch errors since the last take
  std::map<std::string, std::pair<double, long>> time;    // kernel -> seconds, blocks (EMU_PROFILE)
  // EMU_PROFILE=1: where the emulation's time goes, for sizing the drivers' shapes.
  ~Registry() {
    if (!std::getenv("EMU_PROFILE")) return;
    for (const auto& [k, t] : time)
      std::fprintf(stderr, "cuda_emu: %-48s %7.3f s %7ld blocks\n", k.c_str(), t.first, t.second);
  }
};
inline std::string base_name(const std::string& path) { return path.substr(path.find_last_of('/') + 1); }
inline Registry& registry() {
  static Registry r;  // destroyed after main(); the worker threads never touch it
  return r;
}
// The transform appends one of these to each generated file: the kernels it defines.
struct KernelList {
  KernelList(const char* file, std::vector<std::string> kernels) {
    std::lock_guard<std::mutex> lock(registry().mu);
    registry().files[base_name(file)] = std::move(kernels);
  }
};
// Kernels of `file` that no launch has run yet (drivers check their file is covered).
inline std::vector<std::string> unlaunched(const std::string& file) {
  std::lock_guard<std::mutex> lock(registry().mu);
  std::vector<std::string> out;
  auto it = registry().files.find(base_name(file));
  if (it == registry().files.end()) return {fmt("(no kernels registered for %s)", file.c_str())};
  for (const std::string& k : it->second)
    if (registry().launches[fmt("%s:%s", base_name(file).c_str(), k.c_str())] == 0) out.push_back(k);
  return out;
}
// How many launches of `kernel` in `file` have run (a driver checks which kernel a
// launcher chose).
inline long launches(const std::string& file, const std::string& kernel) {
  std::lock_guard<std::mutex> lock(registry().mu);
  return registry().launches[fmt("%s:%s", base_name(file).c_str(), kernel.c_str())];
}
// The .cu files linked in ("batch_norm.cu", ...).
inline std::vector<std::string> kernel_files() {
  std::lock_guard<std::mutex> lock(registry().mu);
  std::vector<std::string> out;
  for (const auto& f : registry().files) out.push_back(f.first);
  return out;
}
inline std::vector<std::string> take_problems() {
  std::lock_guard<std::mutex> lock(registry().mu);
  return std::exchange(registry().problems, {});
}

// ---- scheduling knobs
inline uint64_t g_seed = 1, g_launch_count = 0;
// Restarts the block/thread order sequence: a case gets the same schedule whatever ran before.
inline void reset_schedule(uint64_t seed) {
  g_seed = seed;
  g_launch_count = 0;
}
// At most this many blocks from grid_1d (0: no cap), so grid-stride loops go round.
inline unsigned g_grid_cap = 0;

// ---- one block's shared state: barrier, warp exchanges, shared memory
enum class WarpOp { Idx, Up, Down, Xor, Ballot, Sync };

class Block {
 public:
  Block(unsigned nt, bool threaded, std::size_t dyn_smem)
      : nt_(nt), threaded_(threaded), dyn_bytes_(dyn_smem), warps_(new Warp[(nt + 31) / 32]) {
    for (unsigned w = 0; w < (nt + 31) / 32; ++w) warps_[w].lanes = std::min(32u, nt - 32 * w);
  }
  ~Block() {
    for (Smem& s : smem_) std::free(s.p);
  }
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;

  // __syncthreads()
  void sync(Site at) {
    if (!threaded_) serial_barrier("__syncthreads", at);
    std::unique_lock<std::mutex> lock(mu_);
    if (exited_)
      fail(fmt("__syncthreads at %s reached after %u thread(s) of the block returned: they never arrive (a hang or "
               "undefined behaviour on a GPU)",
               str(at).c_str(), exited_));
    if (arrived_ == 0)
      bar_site_ = at;
    else if (bar_site_ != at)
      fail(fmt("threads of one block wait at different __syncthreads: %s and %s (a divergent barrier)",
               str(bar_site_).c_str(), str(at).c_str()));
    const uint64_t gen = bar_gen_.load();
    if (++arrived_ == nt_) {
      arrived_ = 0;
      waiting_ -= nt_ - 1;
      bar_gen_.fetch_add(1);
      bar_gen_.notify_all();
      return;
    }
    ++waiting_;
    check_progress();
    lock.unlock();
    bar_gen_.wait(gen);
  }

  // Every warp-level intrinsic: lane t_tid % 32 contributes `bits` and `arg`; the result is
  // what the op gives this lane. Only full warps and full masks are emulated.
  uint64_t warp_op(WarpOp op, unsigned mask, uint64_t bits, int arg, int width, Site at) {
    if (!threaded_) serial_barrier("a warp intrinsic", at);
    std::unique_lock<std::mutex> lock(mu_);
    Warp& w = warps_[t_tid / 32];
    const unsigned lane = t_tid % 32;
    if (w.lanes != 32)
      fail(fmt("warp intrinsic at %s in a warp of %u threads (the block size is no multiple of 32): the full mask "
               "names lanes that do not exist",
               str(at).c_str(), w.lanes));
    if (mask != kFullMask)
      fail(fmt("warp intrinsic at %s with mask %#x: only full-warp masks are emulated", str(at).c_str(), mask));
    if (width < 1 || width > 32 || (width & (width - 1)))
      fail(fmt("warp intrinsic at %s with width %d", str(at).c_str(), width));
    if (w.exited)
      fail(fmt("warp intrinsic at %s after %u lane(s) of the warp returned: a full mask needs every lane",
               str(at).c_str(), w.exited));
    if (w.arrived == 0) {
      w.site = at;
      w.op = op;
      w.width = width;
    } else if (w.site != at || w.op != op || w.width != width) {
      fail(fmt("lanes of warp %u at different warp intrinsics: %s and %s", t_tid / 32, str(w.site).c_str(),
               str(at).c_str()));
    }
    w.in[lane] = bits;
    w.arg[lane] = arg;
    const uint64_t gen = w.gen.load();
    if (++w.arrived == 32) {
      w.exchange();
      w.arrived = 0;
      waiting_ -= 31;
      w.gen.fetch_add(1);
      w.gen.notify_all();
      return w.out[lane];
    }
    ++waiting_;
    check_progress();
    lock.unlock();
    w.gen.wait(gen);
    return w.out[lane];  // no new exchange can complete before this lane arrives again
  }

  // The storage of one __shared__ declaration (`tag` is unique to it), NaN on first use.
  void* shared(const void* tag, std::size_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const Smem& s : smem_)
      if (s.tag == tag) return s.p;
    return add_smem(tag, bytes, "static");
  }
  void* dynamic_shared() {
    std::lock_guard<std::mutex> lock(mu_);
    for (const Smem& s : smem_)
      if (s.tag == &dyn_bytes_) return s.p;
    return add_smem(&dyn_bytes_, dyn_bytes_, "dynamic");
  }

  // A thread returned from the kernel.
  void exit_thread() {
    if (!threaded_) return;
    std::lock_guard<std::mutex> lock(mu_);
    ++exited_;
    Warp& w = warps_[t_tid / 32];
    ++w.exited;
    if (arrived_)
      fail(fmt("a thread returned while %u thread(s) wait at __syncthreads %s: they wait forever (a hang or "
               "undefined behaviour on a GPU)",
               arrived_, str(bar_site_).c_str()));
    if (w.arrived)
      fail(fmt("lane %u returned while other lanes of its warp wait at %s: a full-mask warp intrinsic needs every lane",
               t_tid % 32, str(w.site).c_str()));
    if (waiting_) check_progress();
  }

  // For the watchdog's message.
  std::string state() {
    std::lock_guard<std::mutex> lock(mu_);
    return fmt("%u running, %u at __syncthreads %s, %u at warp intrinsics, %u returned", nt_ - waiting_ - exited_,
               arrived_, arrived_ ? str(bar_site_).c_str() : "", waiting_ - arrived_, exited_);
  }

 private:
  struct Warp {
    unsigned lanes = 32, arrived = 0, exited = 0;
    Site site;
    WarpOp op = WarpOp::Sync;
    int width = 32;
    uint64_t in[32] = {}, out[32] = {};
    int arg[32] = {};
    std::atomic<uint64_t> gen{0};
    // CUDA's rules for the source lane (the programming guide's __shfl_*_sync section):
    // a source outside the lane's width-segment (up, down) or in a later segment (xor)
    // gives the lane its own value.
    void exchange() {
      unsigned ballot = 0;
      for (unsigned l = 0; l < 32; ++l) ballot |= (in[l] != 0 ? 1u : 0u) << l;
      for (unsigned l = 0; l < 32; ++l) {
        const int w = width, seg = static_cast<int>(l) / w * w, a = arg[l], me = static_cast<int>(l);
        int src = me;
        switch (op) {
          case WarpOp::Idx: src = seg + ((a % w) + w) % w; break;
          case WarpOp::Up: src = me - seg >= a ? me - a : me; break;
          case WarpOp::Down: src = me - seg + a < w ? me + a : me; break;
          case WarpOp::Xor: src = (me ^ a) < seg + w ? (me ^ a) : me; break;
          case WarpOp::Ballot: out[l] = ballot; continue;
          case WarpOp::Sync: out[l] = 0; continue;
        }
        out[l] = in[src & 31];
      }
    }
  };
  struct Smem {
    const void* tag;
    std::size_t bytes;
    void* p;
  };

  void* add_smem(const void* tag, std::size_t bytes, const char* kind) {
    smem_bytes_ += bytes;
    if (smem_bytes_ + (tag == &dyn_bytes_ ? 0 : dyn_bytes_) > kSharedLimit)
      fail(fmt("%s shared memory brings the block to %zu bytes (dynamic %zu): over the 48 KB limit", kind, smem_bytes_,
               dyn_bytes_));
    const std::size_t rounded = (std::max<std::size_t>(bytes, 1) + 63) / 64 * 64;
    void* p = std::aligned_alloc(64, rounded);
    std::memset(p, 0xFF, rounded);  // NaN as float and double
    smem_.push_back({tag, bytes, p});
    return p;
  }
  // Every non-returned thread waits and the last arrival completed nothing: no thread can
  // ever release them.
  void check_progress() {
    if (waiting_ + exited_ == nt_)
      fail(fmt("deadlock: every thread of the block waits (%u at __syncthreads %s, %u at warp intrinsics) or has "
               "returned (%u)",
               arrived_, arrived_ ? str(bar_site_).c_str() : "", waiting_ - arrived_, exited_));
  }
  [[noreturn]] void serial_barrier(const char* what, Site at) {
    fail(fmt("%s at %s in a kernel run serially: its .cu file never names __syncthreads or a warp intrinsic (one "
             "from a header?); make transform.cmake see it",
             what, str(at).c_str()));
  }

  std::mutex mu_;
  const unsigned nt_;
  const bool threaded_;
  const std::size_t dyn_bytes_;
  unsigned exited_ = 0, waiting_ = 0, arrived_ = 0;
  Site bar_site_;
  std::atomic<uint64_t> bar_gen_{0};
  std::unique_ptr<Warp[]> warps_;
  std::vector<Smem> smem_;
  std::size_t smem_bytes_ = 0;
};
inline thread_local Block* t_block = nullptr;

// ---- the worker pool: one OS thread per CUDA thread of the largest block seen
class Pool {
 public:
  static Pool& get() {
    static Pool* p = new Pool;  // never destroyed: its threads wait until the process ends
    return *p;
  }
  // Runs job(t) for t < n, each on its own thread; returns when all have returned. A block
  // still running after the watchdog period fails with `state()`.
  void run(unsigned n, const std::function<void(unsigned)>& job, const std::function<std::string()>& state) {
    while (workers_.size() < n) add_worker();
    job_ = &job;
    {
      std::lock_guard<std::mutex> lock(done_mu_);
      remaining_ = n;
    }
    for (unsigned t = 0; t < n; ++t) {
      workers_[t]->go.fetch_add(1);
      workers_[t]->go.notify_one();
    }
    std::unique_lock<std::mutex> lock(done_mu_);
    if (!done_cv_.wait_for(lock, kWatchdog, [&] { return remaining_ == 0; }))
      fail(fmt("the block has not finished after %lld s: %s (an endless loop, or threads waiting on each other)",
               static_cast<long long>(kWatchdog.count()), state().c_str()));
  }

 private:
  struct Worker {
    std::atomic<uint64_t> go{0};
  };
  void add_worker() {
    const unsigned id = static_cast<unsigned>(workers_.size());
    workers_.push_back(std::make_unique<Worker>());
    Worker* w = workers_.back().get();
    std::thread([this, w, id] {
      uint64_t seen = 0;
      for (;;) {
        w->go.wait(seen);
        seen = w->go.load();
        (*job_)(id);
        std::lock_guard<std::mutex> lock(done_mu_);
        if (--remaining_ == 0) done_cv_.notify_one();
      }
    }).detach();
  }
  std::vector<std::unique_ptr<Worker>> workers_;
  const std::function<void(unsigned)>* job_ = nullptr;
  std::mutex done_mu_;
  std::condition_variable done_cv_;
  unsigned remaining_ = 0;
};

// ---- a launch
struct Cfg {
  const char* name;
  bool threaded;
  dim3 grid, block;
  std::size_t smem;
  Site at;
  // file/line default to the caller's: the .cu line of the launch (the generated files
  // carry #line directives).
  Cfg(const char* name_, bool threaded_, dim3 grid_, dim3 block_, std::size_t smem_ = 0, cudaStream_t = nullptr,
      const char* file = __builtin_FILE(), int line = __builtin_LINE())
      : name(name_), threaded(threaded_), grid(grid_), block(block_), smem(smem_), at{file, line} {}
};

inline void launch_error(const Cfg& c, const char* why) {
  const std::string msg = fmt("%s launched at %s with grid %s block %s smem %zu: %s", c.name, str(c.at).c_str(),
                              str(c.grid).c_str(), str(c.block).c_str(), c.smem, why);
  std::fprintf(stderr, "cuda_emu: launch refused: %s\n", msg.c_str());
  g_last_error = cudaErrorInvalidConfiguration;
  g_last_message = msg;
  std::lock_guard<std::mutex> lock(registry().mu);
  registry().problems.push_back(msg);
}

// The launch limits of every current GPU (compute capability 7.0 to 9.0).
inline bool launch_ok(const Cfg& c) {
  const dim3 g = c.grid, b = c.block;
  const uint64_t nt = uint64_t{b.x} * b.y * b.z, nb = uint64_t{g.x} * g.y * g.z;
  const char* why = nullptr;
  if (nb == 0 || nt == 0)
    why = "a zero grid or block dimension";
  else if (g.x > 2147483647u || g.y > 65535 || g.z > 65535)
    why = "over the grid limits (grid.x <= 2^31-1, grid.y and grid.z <= 65535)";
  else if (b.x > 1024 || b.y > 1024 || b.z > 64 || nt > 1024)
    why = "over the block limits (block.x, block.y <= 1024, block.z <= 64, at most 1024 threads)";
  else if (c.smem > kSharedLimit)
    why = "more than 48 KB of dynamic shared memory";
  if (why) {
    launch_error(c, why);
    return false;
  }
  if (nb * nt > (uint64_t{1} << 26))
    fail(fmt("a grid of %llu threads is too large for the emulation: use smaller shapes",
             static_cast<unsigned long long>(nb * nt)));
  return true;
}

inline void run_launch(const Cfg& c, const std::function<void()>& body) {
  if (!launch_ok(c)) return;
  g_launch = LaunchInfo{c.name, c.at, c.grid, c.block};
  gridDim = c.grid;
  blockDim = c.block;
  {
    std::lock_guard<std::mutex> lock(registry().mu);
    ++registry().launches[fmt("%s:%s", base_name(c.at.file).c_str(), c.name)];
  }
  const unsigned nt = c.block.x * c.block.y * c.block.z;
  const auto start = std::chrono::steady_clock::now();
  std::vector<dim3> order;
  for (unsigned z = 0; z < c.grid.z; ++z)
    for (unsigned y = 0; y < c.grid.y; ++y)
      for (unsigned x = 0; x < c.grid.x; ++x) order.emplace_back(x, y, z);
  std::mt19937_64 rng(g_seed * 0x9E3779B97F4A7C15ull + g_launch_count++);
  std::shuffle(order.begin(), order.end(), rng);
  std::vector<unsigned> perm(nt);
  for (unsigned t = 0; t < nt; ++t) perm[t] = t;

  for (const dim3& bi : order) {
    Block block(nt, c.threaded, c.smem);
    auto thread_body = [&](unsigned t) {
      t_block = &block;
      t_tid = t;
      t_in_kernel = true;
      blockIdx = bi;
      threadIdx = dim3(t % c.block.x, (t / c.block.x) % c.block.y, t / (c.block.x * c.block.y));
      try {
        body();
      } catch (const std::exception& e) {
        fail(fmt("exception thrown in device code: %s", e.what()));
      }
      block.exit_thread();
      t_in_kernel = false;
      t_block = nullptr;
    };
    if (c.threaded) {
      Pool::get().run(nt, thread_body, [&] { return block.state(); });
    } else {
      std::shuffle(perm.begin(), perm.end(), rng);
      for (unsigned t : perm) thread_body(t);
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::lock_guard<std::mutex> lock(registry().mu);
  auto& t = registry().time[fmt("%s (%u threads, %s)", c.name, nt, c.threaded ? "threaded" : "serial")];
  t.first += seconds;
  t.second += static_cast<long>(order.size());
}

template <class... P> struct Launch {
  void (*kernel)(P...);
  Cfg cfg;
};
template <class... P> Launch<P...> operator<<(void (*kernel)(P...), const Cfg& cfg) { return {kernel, cfg}; }
template <class... A> std::tuple<std::decay_t<A>...> kernel_args(A&&... a) { return {std::forward<A>(a)...}; }
// The arguments convert to the kernel's parameter types as in a call; every CUDA thread
// gets its own copies of the parameters (the kernel may modify them).
template <class... P, class... A> void operator>>(const Launch<P...>& l, std::tuple<A...>&& a) {
  static_assert(sizeof...(P) == sizeof...(A), "kernel launched with the wrong number of arguments");
  const std::tuple<P...> params = std::apply([](auto&... v) { return std::tuple<P...>(v...); }, a);
  run_launch(l.cfg, [&] { std::apply(l.kernel, params); });
}

// ---- device-side entry points of the macros below
inline Block& block_or_fail(const char* what) {
  if (!t_block) fail(fmt("%s called outside a kernel", what));
  return *t_block;
}
template <class T> T warp_op(WarpOp op, unsigned mask, T v, int arg, int width, Site at) {
  static_assert(sizeof(T) <= 8 && std::is_trivially_copyable_v<T>, "warp intrinsics move at most 8 bytes");
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof(T));
  bits = block_or_fail("a warp intrinsic").warp_op(op, mask, bits, arg, width, at);
  T r;
  std::memcpy(&r, &bits, sizeof(T));
  return r;
}
}  // namespace emu

#define EMU_SITE (::emu::Site{__FILE__, __LINE__})
#define __syncthreads() ::emu::block_or_fail("__syncthreads").sync(EMU_SITE)
#define __syncwarp(...) (void)::emu::warp_op(::emu::WarpOp::Sync, ::emu::kFullMask, 0, 0, 32, EMU_SITE)
#define EMU_SHFL(op, mask, v, arg, ...) \
  ::emu::warp_op(::emu::WarpOp::op, mask, v, arg, EMU_WIDTH(__VA_ARGS__), EMU_SITE)
#define __shfl_sync(mask, v, lane, ...) EMU_SHFL(Idx, mask, v, lane, __VA_ARGS__)
#define __shfl_up_sync(mask, v, d, ...) EMU_SHFL(Up, mask, v, d, __VA_ARGS__)
#define __shfl_down_sync(mask, v, d, ...) EMU_SHFL(Down, mask, v, d, __VA_ARGS__)
#define __shfl_xor_sync(mask, v, m, ...) EMU_SHFL(Xor, mask, v, m, __VA_ARGS__)
#define __ballot_sync(mask, pred) \
  static_cast<unsigned>(::emu::warp_op<uint64_t>(::emu::WarpOp::Ballot, mask, (pred) ? 1 : 0, 0, 32, EMU_SITE))
#define __any_sync(mask, pred) (__ballot_sync(mask, pred) != 0u)
#define __all_sync(mask, pred) (__ballot_sync(mask, pred) == 0xffffffffu)
#define EMU_WIDTH(...) (32 __VA_OPT__(* 0 + (__VA_ARGS__)))

// __shared__ T name[dims];  ->  EMU_SHARED(T, name, [dims]);   (transform.cmake)
#define EMU_SHARED(T, name, dims)        \
  static const char name##_emu_tag = 0; \
  auto& name = *static_cast<T(*) dims>(::emu::block_or_fail("__shared__").shared(&name##_emu_tag, sizeof(T dims)))
// extern __shared__ T name[];  ->  EMU_DYN_SHARED(T, name);
#define EMU_DYN_SHARED(T, name) T* name = static_cast<T*>(::emu::block_or_fail("extern __shared__").dynamic_shared())

// Atomics: std::atomic_ref on the element, so threads of a block (and the serial runs)
// see CUDA's atomicity. Blocks never run concurrently, so this is all a grid needs.
template <class T> inline T atomicAdd(T* p, T v) { return std::atomic_ref<T>(*p).fetch_add(v); }
template <class T> inline T atomicSub(T* p, T v) { return std::atomic_ref<T>(*p).fetch_sub(v); }
template <class T> inline T atomicExch(T* p, T v) { return std::atomic_ref<T>(*p).exchange(v); }
template <class T> inline T atomicCAS(T* p, T expected, T desired) {
  std::atomic_ref<T>(*p).compare_exchange_strong(expected, desired);
  return expected;  // the old value either way
}
template <class T> inline T atomicMax(T* p, T v) {
  std::atomic_ref<T> a(*p);
  T old = a.load();
  while (old < v && !a.compare_exchange_weak(old, v)) {
  }
  return old;
}
template <class T> inline T atomicMin(T* p, T v) {
  std::atomic_ref<T> a(*p);
  T old = a.load();
  while (v < old && !a.compare_exchange_weak(old, v)) {
  }
  return old;
}

// The project's launch helpers (grid_1d, GSN_GRID_STRIDE, GSN_CUDA_CHECK_LAUNCH, ...), on
// the stand-ins above; include/cuda_runtime.h leads back here.
#include "kernels/core/cuda_check.cuh"

namespace emu {
// transform.cmake turns grid_1d( into emu::grid_1d(: the project's grid, capped when a
// driver asks (g_grid_cap), so the grid-stride loops run more than one round.
inline unsigned grid_1d(int64_t n, int block) {
  const unsigned g = gsn::grid_1d(n, block);
  return g_grid_cap && g > g_grid_cap ? g_grid_cap : g;
}
}  // namespace emu
