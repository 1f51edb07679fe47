// cuda_emu_selfcheck RULE: runs the selfcheck.cu kernel that breaks RULE. The emulator must
// stop it with its message for the rule (ctest emu.detects.RULE matches that message);
// reaching the end means the rule went unnoticed.
#include <cstdio>
#include <exception>

#include "tests/cuda_emu/selfcheck.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: cuda_emu_selfcheck RULE\n");
    return 2;
  }
  try {
    if (!gsn::emu_selfcheck::break_rule(argv[1])) {
      std::fprintf(stderr, "cuda_emu_selfcheck: no kernel breaks rule '%s'\n", argv[1]);
      return 2;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cuda_emu_selfcheck: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr, "cuda_emu_selfcheck: rule '%s' was broken and the emulator did not notice\n", argv[1]);
  return 1;
}
