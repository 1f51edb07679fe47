// Prefetcher: runs make(0), make(1), ... on background threads and hands the results out
// in order, keeping at most `depth` of them made ahead of the consumer.
//
// Item k is always make(k), whichever thread made it and whenever: a caller whose make()
// derives everything from k (and a seed) gets the same sequence for any number of
// threads. An exception thrown by make(k) is re-thrown, unchanged, by the next() that
// would have returned item k, and by every next() after it. The destructor stops and
// joins the threads (a make() already running finishes first).
#pragma once
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace gsn::data {

template <class Item>
class Prefetcher {
 public:
  using Make = std::function<Item(int64_t)>;
  static constexpr int64_t kUnbounded = -1;

  // count: how many items (kUnbounded: no end). workers 0: make() runs inside next().
  Prefetcher(Make make, int64_t count, int workers, int depth)
      : make_(std::move(make)), count_(count), depth_(depth < 1 ? 1 : depth) {
    for (int w = 0; w < workers; ++w) threads_.emplace_back([this] { work(); });
  }
  ~Prefetcher() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    can_claim_.notify_all();
    for (std::thread& t : threads_) t.join();
  }
  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;

  // The next item, or nothing after the last one.
  std::optional<Item> next() {
    if (threads_.empty()) {
      if (failure_) std::rethrow_exception(failure_);
      if (done(next_out_)) return std::nullopt;
      try {
        return make_(next_out_++);
      } catch (...) {
        failure_ = std::current_exception();
        throw;
      }
    }
    std::unique_lock<std::mutex> lock(mutex_);
    if (failure_) std::rethrow_exception(failure_);
    if (done(next_out_)) return std::nullopt;
    ready_changed_.wait(lock, [&] { return ready_.count(next_out_) > 0; });
    Slot slot = std::move(ready_.at(next_out_));
    ready_.erase(next_out_++);
    can_claim_.notify_one();
    if (slot.error) {
      failure_ = slot.error;
      std::rethrow_exception(failure_);
    }
    return std::move(slot.item);
  }

 private:
  struct Slot {
    std::optional<Item> item;
    std::exception_ptr error;
  };

  bool done(int64_t k) const { return count_ != kUnbounded && k >= count_; }

  void work() {
    while (true) {
      int64_t k;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        can_claim_.wait(lock, [&] { return stopping_ || done(next_claim_) || next_claim_ < next_out_ + depth_; });
        if (stopping_ || done(next_claim_)) return;
        k = next_claim_++;
      }
      Slot slot;
      try {
        slot.item = make_(k);
      } catch (...) {
        slot.error = std::current_exception();
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ready_.emplace(k, std::move(slot));
      }
      ready_changed_.notify_all();
    }
  }

  const Make make_;
  const int64_t count_;
  const int64_t depth_;
  std::mutex mutex_;
  std::condition_variable can_claim_;      // a worker may claim the next item
  std::condition_variable ready_changed_;  // an item was made
  std::map<int64_t, Slot> ready_;
  int64_t next_claim_ = 0;  // the next item a worker will make
  int64_t next_out_ = 0;    // the next item next() returns
  bool stopping_ = false;
  std::exception_ptr failure_;  // sticky: once an item failed, every later next() throws it
  std::vector<std::thread> threads_;  // last: started after everything they use exists
};

}  // namespace gsn::data
