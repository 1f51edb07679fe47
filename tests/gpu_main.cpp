// The main of the gpu-labelled doctest binaries (CUDA kernels against cuBLAS / cuDNN).
// Without a device it prints SKIPPED and exits 77, which ctest reports as "Skipped".
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

#include "kernels/core/backend.h"

int main(int argc, char** argv) {
  if (!gsn::cuda_available()) {
    std::printf("SKIPPED: gpu baseline tests not run: %s\n", gsn::cuda_status().c_str());
    return 77;
  }
  doctest::Context ctx(argc, argv);
  return ctx.run();
}
