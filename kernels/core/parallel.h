// CPU threading for the fast CPU paths (OpenMP underneath).
//
// parallel_for(n, grain, fn) calls fn(begin, end) over [0, n) in chunks of at least
// `grain` items. Reductions must not depend on the thread count (training is
// bit-reproducible on the CPU), so they use reduce_chunks(): fixed-size chunks whose
// partial results are combined in order on one thread, whatever the number of threads.
#pragma once
#include <cstdint>
#include <vector>

namespace gsn {

void set_num_threads(int n);  // 0: OpenMP's default (all cores)
int num_threads();

template <class Fn>
void parallel_for(int64_t n, int64_t grain, Fn fn) {
  if (n <= 0) return;
  if (grain < 1) grain = 1;
  const int64_t chunks = (n + grain - 1) / grain;
  if (chunks == 1) {
    fn(int64_t{0}, n);
    return;
  }
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < chunks; ++c) {
    const int64_t b = c * grain;
    const int64_t e = b + grain < n ? b + grain : n;
    fn(b, e);
  }
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
#pragma omp parallel for schedule(static) if (chunks > 1)
  for (int64_t c = 0; c < chunks; ++c) {
    const int64_t b = c * chunk;
    const int64_t e = b + chunk < n ? b + chunk : n;
    partial[static_cast<std::size_t>(c)] = part(b, e);
  }
  return partial;
}

}  // namespace gsn
