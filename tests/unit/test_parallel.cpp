// kernels/core/parallel.h: an exception thrown inside a parallel loop reaches the caller
// (an exception leaving an OpenMP region ends the process in std::terminate).
#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>
#include <string>

#include "kernels/core/parallel.h"

using namespace gsn;

TEST_CASE("parallel_for re-throws a chunk's exception on the calling thread, the lowest chunk's") {
  for (int threads : {1, 2, 4}) {
    CAPTURE(threads);
    set_num_threads(threads);
    std::atomic<int64_t> done{0};
    try {
      parallel_for(100, 10, [&](int64_t b, int64_t e) {
        if (b == 30 || b == 70) throw std::runtime_error("chunk at " + std::to_string(b));
        done += e - b;
      });
      FAIL("no exception reached the caller");
    } catch (const std::runtime_error& e) {
      CHECK(std::string(e.what()) == "chunk at 30");
    }
    CHECK(done.load() <= 80);  // the other chunks may or may not have run
    // The loop still works afterwards, and a loop without a throw throws nothing.
    done = 0;
    parallel_for(100, 10, [&](int64_t b, int64_t e) { done += e - b; });
    CHECK(done.load() == 100);
  }
  set_num_threads(0);
}

TEST_CASE("reduce_chunks re-throws a chunk's exception, and otherwise returns the partials in order") {
  set_num_threads(2);
  CHECK_THROWS_WITH(reduce_chunks<int64_t>(50, 10,
                                           [](int64_t b, int64_t) -> int64_t {
                                             if (b == 20) throw std::runtime_error("bad chunk");
                                             return b;
                                           }),
                    "bad chunk");
  const auto parts = reduce_chunks<int64_t>(50, 10, [](int64_t b, int64_t e) { return e - b + b; });
  REQUIRE(parts.size() == 5);
  for (std::size_t i = 0; i < parts.size(); ++i) CHECK(parts[i] == static_cast<int64_t>(10 * i + 10));
  set_num_threads(0);
}
