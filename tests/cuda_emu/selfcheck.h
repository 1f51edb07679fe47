// The emulator's own test kernels (selfcheck.cu, built only through transform.cmake).
// test_shim.cpp checks the emulated semantics with the first group; cuda_emu_selfcheck
// runs one of the broken kernels, which must end with the emulator's message for it.
#pragma once
#include <string>

namespace gsn::emu_selfcheck {

constexpr int kShuffleBlock = 64;  // two warps
constexpr int kShuffleOps = 8;     // results per thread of shuffles(): see selfcheck.cu
// out[op * 64 + t]: thread t's result of each warp intrinsic, for v = 100 * warp + lane.
void shuffles(int* out);
// out[0] = sum of x[0..255] by a shared-memory tree; out[1] = 1 when a shared element
// read before any write was NaN; out[2] = the sum of dynamic shared memory written by all.
void shared_memory(const float* x, float* out);
// blocks x 256 threads: count += 1, sum += 0.5, max = max(global thread id) with atomics.
void atomics(int blocks, int* count, float* sum, int* max);
// A grid of 70000 rows (over the 65535 limit): the launch must be refused.
void launch_over_limit(float* out);

// Runs the broken kernel for `rule` (see CMakeLists.txt); false when there is none.
bool break_rule(const std::string& rule);

}  // namespace gsn::emu_selfcheck
