// The emulator itself (emu_cuda.h), on the selfcheck.cu kernels: warp intrinsics follow
// CUDA's lane rules, shared memory is per block and starts as NaN, dynamic shared memory
// works, atomics are atomic across the threads of a block and the blocks of a grid, and a
// launch over CUDA's limits is refused the way CUDA refuses it. And every emulated .cu
// file has its driver test_<name>.cpp.
#include "tests/cuda_emu/emu_check.h"
#include "tests/cuda_emu/emu_coverage.h"
#include "tests/cuda_emu/selfcheck.h"

namespace {
using namespace gsn;
using namespace gsn::emu_test;
namespace sc = gsn::emu_selfcheck;

// What each shuffle of shuffle_kernel gives lane `lane` of warp `warp` (the CUDA
// programming guide's rules, written out independently of emu_cuda.h).
int expected(int op, int warp, int lane) {
  auto v = [&](int l) { return 100 * warp + l; };
  switch (op) {
    case 0: return v(lane ^ 1);
    case 1: return lane + 3 < 32 ? v(lane + 3) : v(lane);
    case 2: return lane >= 2 ? v(lane - 2) : v(lane);
    case 3: return v((lane * 7) % 32);
    case 4: return v(lane);                             // lane ^ 8 is in the next group of 8 or earlier: see below
    case 5: return lane % 16 + 5 < 16 ? v(lane + 5) : v(lane);
    case 6: return static_cast<int>(0x49249249u);       // lanes 0, 3, 6, ..., 30
    default: return 1;
  }
}

// The coverage check itself: a suite with no cases, so none of pool.cu's kernels runs in
// it; ctest's emu.coverage_detects_unlaunched expects this rule to fail, naming them.
GSN_EMU_COVERAGE("coverage_selftest", "kernels/pool/pool.cu");

TEST_SUITE("shim") {
  TEST_CASE("warp intrinsics follow CUDA's lane rules") {
    CaseScope scope("shuffles");
    DevBuf out(sc::kShuffleOps * sc::kShuffleBlock);
    sc::shuffles(reinterpret_cast<int*>(out.data()));
    const int* r = reinterpret_cast<const int*>(out.data());
    for (int op = 0; op < sc::kShuffleOps; ++op)
      for (int t = 0; t < sc::kShuffleBlock; ++t) {
        const int warp = t / 32, lane = t % 32;
        int want = expected(op, warp, lane);
        // xor 8 at width 8: the source lane ^ 8 is in an earlier group for lanes 8..15 and
        // 24..31 (allowed) and in a later one for lanes 0..7 and 16..23 (own value).
        if (op == 4 && (lane / 8) % 2 == 1) want = 100 * warp + (lane ^ 8);
        INFO("op " << op << " thread " << t);
        CHECK(r[op * sc::kShuffleBlock + t] == want);
      }
  }

  TEST_CASE("shared memory: a tree reduction, NaN before the first write, dynamic shared memory") {
    CaseScope scope("shared memory");
    const std::vector<float> x = draw(256, -1.0, 1.0, 7);
    DevBuf dx(x), out(3);
    sc::shared_memory(dx.data(), out.data());
    double sum = 0.0;
    for (float v : x) sum += v;
    CHECK(std::fabs(out.data()[0] - sum) < 1e-4);
    CHECK(out.data()[1] == 1.f);
    CHECK(out.data()[2] == 256.f);
  }

  TEST_CASE("atomics across threads and blocks") {
    CaseScope scope("atomics");
    DevBuf count(1), sum(1), mx(1);
    std::memset(count.data(), 0, 4);
    std::memset(mx.data(), 0, 4);
    sum.data()[0] = 0.f;
    sc::atomics(3, reinterpret_cast<int*>(count.data()), sum.data(), reinterpret_cast<int*>(mx.data()));
    CHECK(*reinterpret_cast<int*>(count.data()) == 768);
    CHECK(sum.data()[0] == 384.f);
    CHECK(*reinterpret_cast<int*>(mx.data()) == 767);
  }

  TEST_CASE("every emulated .cu file has a driver") {
    const std::string drivers = std::string(",") + GSN_EMU_DRIVERS + ",";
    for (const std::string& file : emu::kernel_files()) {
      if (file == "selfcheck.cu") continue;
      const std::string stem = file.substr(0, file.size() - 3);
      CHECK_MESSAGE(drivers.find("," + stem + ",") != std::string::npos,
                    file << " is emulated but has no driver: write tests/cuda_emu/test_" << stem
                         << ".cpp (tests/cuda_emu/README.md)");
    }
  }

  TEST_CASE("every emulated .cu file has a coverage rule in its driver") {
    for (const std::string& file : emu::kernel_files()) {
      if (file == "selfcheck.cu" || file == "backend_cuda.cu") continue;  // backend_cuda.cu: its own binary
      const std::string stem = file.substr(0, file.size() - 3);
      bool covered = false;
      for (const CoverageRule& rule : coverage_rules())
        covered = covered || (rule.suite == stem && emu::base_name(rule.file) == file);
      CHECK_MESSAGE(covered, file << " has no GSN_EMU_COVERAGE(\"" << stem << "\", ...) in tests/cuda_emu/test_" << stem
                                  << ".cpp");
    }
  }

  TEST_CASE("a launch over the grid limit is refused with CUDA's error") {
    DevBuf out(1);
    emu::take_problems();
    CHECK_THROWS_WITH(sc::launch_over_limit(out.data()), doctest::Contains("cudaErrorInvalidConfiguration"));
    CHECK(emu::take_problems().size() == 1);
    CHECK(std::isnan(out.data()[0]));  // nothing ran
  }
}
}  // namespace
