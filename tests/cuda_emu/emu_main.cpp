// The main of the emulation binaries: doctest_main.cpp's, then the coverage rules
// (emu_coverage.h) of the suites this run selected: a kernel that no case launched fails
// the run (exit 1) with its name.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <fnmatch.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tests/cuda_emu/emu_coverage.h"
#include "tests/cuda_emu/emu_cuda.h"
#include "tests/test_util.h"

namespace {

// The value of a doctest option in argv (all spellings: -ts=, --test-suite=, with the
// optional dt- prefix), split at commas.
std::vector<std::string> option_values(int argc, char** argv, const char* short_name, const char* long_name) {
  std::vector<std::string> out;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    for (const char* dash : {"--dt-", "-dt-", "--", "-"}) {
      if (a.rfind(dash, 0) != 0) continue;
      const std::string rest = a.substr(std::strlen(dash));
      for (const char* name : {short_name, long_name}) {
        const std::string prefix = std::string(name) + "=";
        if (rest.rfind(prefix, 0) != 0) continue;
        std::string list = rest.substr(prefix.size());
        for (size_t start = 0;;) {
          const size_t comma = list.find(',', start);
          out.push_back(list.substr(start, comma - start));
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
      }
      break;
    }
  }
  return out;
}

bool any_match(const std::vector<std::string>& patterns, const std::string& s) {
  for (const std::string& p : patterns)
    if (fnmatch(p.c_str(), s.c_str(), FNM_CASEFOLD) == 0) return true;
  return false;
}

// Did this run run whole suites? Options that select single cases or parts of the list
// (or only list or print) leave suites half run.
bool runs_whole_suites(int argc, char** argv) {
  const char* partial[][2] = {{"tc", "test-case"},       {"tce", "test-case-exclude"}, {"sf", "source-file"},
                              {"sfe", "source-file-exclude"}, {"sc", "subcase"},          {"sce", "subcase-exclude"},
                              {"f", "first"},            {"l", "last"}};
  for (const auto& o : partial)
    if (!option_values(argc, argv, o[0], o[1]).empty()) return false;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int rc = context.run();
  if (context.shouldExit() || rc != 0) return rc;
  if (!runs_whole_suites(argc, argv)) {
    std::printf("coverage (every kernel of a .cu ran): not checked, this run selected single cases\n");
  } else {
    const std::vector<std::string> suites = option_values(argc, argv, "ts", "test-suite");
    const std::vector<std::string> excluded = option_values(argc, argv, "tse", "test-suite-exclude");
    int failures = 0;
    for (const gsn::emu_test::CoverageRule& rule : gsn::emu_test::coverage_rules()) {
      if ((!suites.empty() && !any_match(suites, rule.suite)) || any_match(excluded, rule.suite)) continue;
      const std::vector<std::string> missing = emu::unlaunched(rule.file);
      std::string list;
      for (const std::string& k : missing) list += " " + k;
      if (missing.empty()) {
        std::printf("coverage: every kernel of %s ran (suite %s)\n", rule.file.c_str(), rule.suite.c_str());
      } else {
        std::fprintf(stderr, "coverage FAILED: %s: kernels no case of suite %s launched:%s\n", rule.file.c_str(),
                     rule.suite.c_str(), list.c_str());
        ++failures;
      }
    }
    if (failures) return 1;
  }
  return gsn::test::skipped() ? 77 : 0;
}
