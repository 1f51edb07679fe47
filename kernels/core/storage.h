// Storage: one block of memory on one device, shared by the tensors that view it.
//
// Debug guards (set_debug_guards(true), used by the op harness): every block then gets a
// guard band before and after it filled with a known byte pattern, and its contents start
// as NaN. check_guards() finds kernels that write outside their output, and the NaN
// start finds kernels that forget to write part of it.
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "kernels/core/dtype.h"

namespace gsn {

class Storage {
 public:
  Storage(std::size_t bytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  std::size_t bytes() const { return bytes_; }
  Device device() const { return device_; }

  bool has_guards() const { return guard_bytes_ > 0; }
  // Throws gsn::Error naming `what` when a guard byte was overwritten.
  void check_guards(const char* what) const;

  static constexpr std::size_t kGuardBytes = 256;
  static constexpr unsigned char kGuardByte = 0xA5;

 private:
  void* base_ = nullptr;  // what the allocator returned
  void* data_ = nullptr;  // base_ + guard_bytes_
  std::size_t bytes_ = 0;
  std::size_t guard_bytes_ = 0;
  Device device_;
};

void set_debug_guards(bool on);
bool debug_guards();
// Guard damage found when a guarded block was freed (a destructor cannot throw): the op
// harness takes and clears this list after every case, so scratch buffers are covered too.
std::vector<std::string> take_guard_violations();

// Bytes of CPU tensor memory in use now and at most since start (or reset).
std::size_t cpu_bytes_in_use();
std::size_t cpu_peak_bytes();
void cpu_reset_peak();

}  // namespace gsn
