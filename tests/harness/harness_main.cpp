// The op harness driver. One binary, one check per run:
//   op_harness --check=cpu|grad|gpu [--filter=SUBSTRING] [doctest options]
// ctest runs it three times (labels unit, grad, gpu). Without a CUDA device the gpu run
// prints SKIPPED and exits 77, which ctest reports as "Skipped", never as passed.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/core/backend.h"
#include "tests/harness/op_harness.h"
#include "tests/test_util.h"

namespace {
std::string g_check;
std::string g_filter;
}  // namespace

const std::string& gsn::test::harness_check() { return g_check; }

TEST_CASE("op harness") {
  using namespace gsn::test;
  int run = 0, failed = 0;
  for (const OpCase& c : all_cases()) {
    if (!g_filter.empty() && c.name.find(g_filter) == std::string::npos) continue;
    std::string report = g_check == "cpu" ? check_cpu(c) : g_check == "grad" ? check_grad(c) : check_gpu(c);
    ++run;
    failed += !report.empty();
    std::printf("%-4s %-5s %s\n", report.empty() ? "ok" : "FAIL", g_check.c_str(), c.name.c_str());
    CHECK_MESSAGE(report.empty(), g_check << " check of '" << c.name << "' failed:\n" << report);
  }
  std::printf("op harness (%s): %d cases, %d failed\n", g_check.c_str(), run, failed);
  CHECK_MESSAGE(run > 0, "no op case matched the filter '" << g_filter << "'");
}

int main(int argc, char** argv) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--check=", 8) == 0)
      g_check = argv[i] + 8;
    else if (std::strncmp(argv[i], "--filter=", 9) == 0)
      g_filter = argv[i] + 9;
    else
      rest.push_back(argv[i]);
  }
  if (g_check != "cpu" && g_check != "grad" && g_check != "gpu") {
    std::fprintf(stderr, "usage: %s --check=cpu|grad|gpu [--filter=SUBSTRING] [doctest options]\n", argv[0]);
    return 2;
  }
  if (g_check == "gpu" && !gsn::cuda_available()) {
    std::printf("SKIPPED: gpu checks not run: %s\n", gsn::cuda_status().c_str());
    return 77;
  }
  // The hand-written cases beside the table run once, not three times (op_harness.h).
  std::string only = g_check == "cpu" ? "" : g_check == "gpu" ? "-tc=op harness,*on every path" : "-tc=op harness";
  if (!only.empty()) rest.push_back(only.data());
  doctest::Context ctx(static_cast<int>(rest.size()), rest.data());
  const int rc = ctx.run();
  if (ctx.shouldExit() || rc != 0) return rc;
  return gsn::test::skipped() ? 77 : 0;  // a case that could not run here: Skipped, not Passed
}
