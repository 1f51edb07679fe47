// The main of every plain doctest binary. Shared test helpers live in tests/test_util.h.
// A run in which a case called test::skip() and nothing failed exits 77: ctest reports it
// as Skipped (SKIP_RETURN_CODE, tests/CMakeLists.txt), not as Passed.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "tests/test_util.h"

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int rc = context.run();
  if (context.shouldExit() || rc != 0) return rc;
  return gsn::test::skipped() ? 77 : 0;
}
