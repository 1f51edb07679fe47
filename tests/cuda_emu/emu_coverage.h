// Coverage of the emulated .cu files: every kernel of a file must have run at least once
// in its driver's suite.
//
//   GSN_EMU_COVERAGE("pool", "kernels/pool/pool.cu");   (at namespace scope in the driver)
//
// The check runs in emu_main.cpp after doctest has run every selected case, not as a
// test case of its own: a case would rely on running after the suite's other cases, which
// holds only for doctest's default order (not under --order-by=rand). A run narrowed to
// some cases (-tc, -sc, -sf, --first/--last, ...) runs only part of a suite, so there the
// check is skipped, with a note.
#pragma once
#include <string>
#include <vector>

namespace gsn::emu_test {

struct CoverageRule {
  std::string suite;  // the driver's TEST_SUITE
  std::string file;   // the .cu whose kernels that suite must all launch
};

inline std::vector<CoverageRule>& coverage_rules() {
  static std::vector<CoverageRule> rules;
  return rules;
}

inline bool register_coverage(const char* suite, const char* file) {
  coverage_rules().push_back({suite, file});
  return true;
}

}  // namespace gsn::emu_test

#define GSN_EMU_COVERAGE_CAT2(a, b) a##b
#define GSN_EMU_COVERAGE_CAT(a, b) GSN_EMU_COVERAGE_CAT2(a, b)
#define GSN_EMU_COVERAGE(suite, file)                                                                  \
  [[maybe_unused]] static const bool GSN_EMU_COVERAGE_CAT(gsn_emu_coverage_, __LINE__) = \
      ::gsn::emu_test::register_coverage(suite, file)
