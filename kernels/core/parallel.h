// CPU threading for the fast CPU paths (OpenMP underneath).
//
// parallel_for(n, grain, fn) calls fn(begin, end) over [0, n) in chunks of at least
// `grain` items. Reductions must not depend on the thread count (training is
// bit-reproducible on the CPU), so they use reduce_chunks(): fixed-size chunks whose
// partial results are combined in order on one thread, whatever the number of threads.
//
// An exception thrown by fn (or part) on any thread is re-thrown by parallel_for (or
// reduce_chunks) on the calling thread once the loop ends: an exception may not leave an
// OpenMP region, where it would end the process in std::terminate (exit 134, often with
// no message), as one unreadable image in an evaluation did. If several chunks throw, the
// one from the lowest chunk is re-thrown, whatever the thread count; chunks after a throw
// may still run.
#pragma once
#include <cstdint>
#include <exception>
#include <vector>

namespace gsn {

void set_num_threads(int n);  // 0: OpenMP's default (all cores)
int num_threads();

namespace detail {
// Keeps the exception of the lowest-numbered chunk that threw, from any thread.
class FirstError {
 public:
  void record(int64_t chunk, std::exception_ptr e) {
#pragma omp critical(gsn_parallel_first_error)
    if (!error_ || chunk < chunk_) {
      error_ = std::move(e);
      chunk_ = chunk;
    }
  }
  void rethrow() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  std::exception_ptr error_;
  int64_t chunk_ = 0;
};
}  // namespace detail

template <class Fn>
void parallel_for(int64_t n, int64_t grain, Fn fn) {
  if (n <= 0) return;
  if (grain < 1) grain = 1;
  const int64_t chunks = (n + grain - 1) / grain;
  if (chunks == 1) {
    fn(int64_t{0}, n);
    return;
  }
  detail::FirstError error;
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < chunks; ++c) {
    const int64_t b = c * grain;
    const int64_t e = b + grain < n ? b + grain : n;
    try {
      fn(b, e);
    } catch (...) {
      error.record(c, std::current_exception());
    }
  }
  error.rethrow();
}

// The grain that gives each chunk at least min_work units of work when one item costs
// work_per_item units (at least 1 item).
inline int64_t grain_for(int64_t work_per_item, int64_t min_work) {
  const int64_t w = work_per_item > 1 ? work_per_item : 1;
  return min_work / w > 1 ? min_work / w : 1;
}

// Splits [0, n) into chunks of exactly `chunk` items (the last may be shorter), computes
// part(begin, end) for each in parallel and returns the partials in chunk order.
template <class Acc, class Part>
std::vector<Acc> reduce_chunks(int64_t n, int64_t chunk, Part part) {
  const int64_t chunks = n <= 0 ? 0 : (n + chunk - 1) / chunk;
  std::vector<Acc> partial(static_cast<std::size_t>(chunks));
  detail::FirstError error;
#pragma omp parallel for schedule(static) if (chunks > 1)
  for (int64_t c = 0; c < chunks; ++c) {
    const int64_t b = c * chunk;
    const int64_t e = b + chunk < n ? b + chunk : n;
    try {
      partial[static_cast<std::size_t>(c)] = part(b, e);
    } catch (...) {
      error.record(c, std::current_exception());
    }
  }
  error.rethrow();
  return partial;
}

}  // namespace gsn
