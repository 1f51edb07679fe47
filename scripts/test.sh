#!/usr/bin/env bash
# The test command (README.md, .ci/run): set up, build, run the whole suite.
#   1. installs missing Debian packages (scripts/setup.sh; as root)
#   2. builds the default configuration (CUDA too where nvcc exists, so CUDA code that stops
#      compiling fails here) with warnings as errors, and runs every ctest test, the CUDA
#      kernels' CPU emulation (label emu) included
#   3. builds a CPU-only, portable configuration (GSN_CUDA=OFF, GSN_NATIVE=OFF) and runs
#      its unit and e2e tests, so the build without CUDA keeps working and the CPU routes
#      for machines without AVX-512 or AVX2 (im2col conv, Eigen GEMM, padded-copy direct conv)
#      are tested too
# Tests labelled gpu report "Skipped" when no CUDA device answers: skipped, never passed.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${GSN_JOBS:-$(nproc)}

bash scripts/setup.sh

echo "== build: default configuration (GSN_CUDA=AUTO) in build/"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DGSN_WERROR=ON >/dev/null
cmake --build build -j "$jobs"
echo "== test: build/"
(cd build && ctest --output-on-failure -j "$jobs" --timeout 900)

echo "== build: CPU-only, portable configuration (GSN_CUDA=OFF, GSN_NATIVE=OFF) in build-cpu/"
cmake -S . -B build-cpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DGSN_CUDA=OFF -DGSN_NATIVE=OFF -DGSN_WERROR=ON \
  -DGSN_BUILD_BENCH=OFF -DGSN_CUDA_EMU=OFF >/dev/null  # the emulation tests ran in build/ (they need no nvcc)
cmake --build build-cpu -j "$jobs"
echo "== test: build-cpu/ (unit and e2e labels; the SIMD entries, test_core.simd and ops.simd, report Skipped)"
(cd build-cpu && ctest --output-on-failure -j "$jobs" -L "unit|e2e" --timeout 900)
