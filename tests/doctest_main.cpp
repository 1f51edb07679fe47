// The main of every plain doctest binary. Shared test helpers live in tests/test_util.h.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
