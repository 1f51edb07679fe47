#!/usr/bin/env bash
# The data tests under AddressSanitizer and UndefinedBehaviorSanitizer: the image
# decoders meet truncated and corrupted files there, and the loader's threads join and
# hand exceptions across; both must be clean of memory errors, leaks and UB.
#
#   scripts/asan-data.sh [build-dir [doctest options...]]   (default: build-asan-data)
# JOBS limits the parallel compile (default 2).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build-asan-data}"
jobs="${JOBS:-2}"

mkdir -p "$build"
cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=Debug -DGSN_SANITIZE=address,undefined \
  -DGSN_CUDA=OFF -DGSN_BUILD_BENCH=OFF > "$build/configure.log" 2>&1 ||
  { cat "$build/configure.log"; exit 1; }
ninja -C "$build" -j "$jobs" test_data

# halt_on_error: an UB report fails the run instead of scrolling past.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"
rc=0
"$build/tests/test_data" "${@:2}" || rc=$?
case $rc in
  0) echo "asan-data: test_data passed under address,undefined" ;;
  77) echo "asan-data: test_data passed under address,undefined; some cases SKIPPED (see above)" ;;
  *) exit "$rc" ;;
esac
