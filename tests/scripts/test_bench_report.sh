#!/usr/bin/env bash
# scripts/bench_report.py on a small Google Benchmark file made here: the ratio tables, the
# GPU targets' summary (--targets), a file cut short by a killed process, and a file that
# is not a benchmark file. Usage: test_bench_report.sh REPO_ROOT
set -uo pipefail
root=${1:?usage: test_bench_report.sh REPO_ROOT}
report="$root/scripts/bench_report.py"
command -v python3 >/dev/null || { echo "python3 not found: skipped"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
expect() {  # expect WHAT TEXT FILE: FILE holds TEXT
  if grep -qF -- "$2" "$3"; then echo "ok   $1"; else echo "FAIL $1: no '$2' in:"; cat "$3"; fail=1; fi
}
bench() {  # bench NAME US [baseline]: one manual-time entry in microseconds
  printf '{"name": "%s/manual_time", "run_type": "iteration", "real_time": %s, "time_unit": "us"%s},\n' \
    "$1" "$2" "${3:+, \"baseline\": 1}"
}
{
  echo '{"context": {}, "benchmarks": ['
  bench conv2d_fwd/paper.b1.c1/cudnn 100 baseline
  bench conv2d_fwd/paper.b1.c1/cudnn_gemm 200
  bench conv2d_fwd/paper.b1.c1/gsn_cuda 250
  bench conv2d_fwd/paper.b2.c1/cudnn 10 baseline
  bench conv2d_fwd/paper.b2.c1/cudnn_gemm 10
  bench conv2d_fwd/paper.b2.c1/gsn_cuda 5
  bench cdc_fwd/paper.stem/cudnn_twoconv 30 baseline
  bench cdc_fwd/paper.stem/gsn_cuda_folded 20
  bench gate_bwd/paper.l1/gsn_cuda 40
  bench gate_bwd/paper.l1/copy 10 baseline
  bench gate_fwd/paper.l1/gsn_cuda 10
  printf '{"name": "gate_fwd/paper.l1/copy/manual_time", "run_type": "iteration", "real_time": 9, "time_unit": "us", "baseline": 1}\n'
  echo ']}'
} >"$dir/run.json"

python3 "$report" "$dir/run.json" >"$dir/tables.txt" 2>&1 || { echo "FAIL tables: exit $?"; fail=1; }
expect "tables: a group and its baseline" "conv2d_fwd/paper.b1.c1" "$dir/tables.txt"
expect "tables: ours against cuDNN (100 / 250 us)" "0.40x" "$dir/tables.txt"

python3 "$report" "$dir/run.json" --targets >"$dir/targets.txt" 2>&1 || { echo "FAIL targets: exit $?"; fail=1; }
# conv vs cuDNN's fastest: 0.4x and 2x -> 1 of 2 at >= 0.7, geometric mean sqrt(0.8) = 0.89
expect "targets: conv vs the fastest" "(its fastest algorithm), paper: 1 of 2 at >= 0.7x; geometric mean 0.89x; lowest 0.40x (conv2d_fwd/paper.b1.c1)" "$dir/targets.txt"
# vs GEMM-only: 0.8x and 2x -> 2 of 2
expect "targets: conv vs GEMM-only" "(its fastest GEMM-type algorithm), paper: 2 of 2 at >= 0.7x" "$dir/targets.txt"
expect "targets: folded CDC (30 / 20 us)" "folded CDC vs cuDNN two-conv CDC: 1 of 1 at >= 1.3x; geometric mean 1.50x" "$dir/targets.txt"
expect "targets: memory-bound (10/40 and 9/10)" "memory-bound kernels vs a device copy: 1 of 2 at >= 0.6x" "$dir/targets.txt"
expect "targets: the misses named" "below 0.6x: gate_bwd/paper.l1 0.25x" "$dir/targets.txt"

# A process killed mid-run leaves its JSON unclosed: the complete entries are kept.
head -c "$(( $(wc -c <"$dir/run.json") - 60 ))" "$dir/run.json" >"$dir/cut.json"
python3 "$report" "$dir/cut.json" >"$dir/cut.txt" 2>&1 || { echo "FAIL cut short: exit $?"; fail=1; }
expect "cut short: noted" "was cut short" "$dir/cut.txt"
expect "cut short: earlier entries kept" "conv2d_fwd/paper.b2.c1" "$dir/cut.txt"

echo '{"not": "a benchmark file"}' >"$dir/bad.json"
python3 "$report" "$dir/bad.json" >"$dir/bad.txt" 2>&1
rc=$?
if [ $rc -eq 1 ]; then echo "ok   not a benchmark file: exit 1"; else echo "FAIL not a benchmark file: exit $rc"; fail=1; fi
expect "not a benchmark file: says why" "has no 'benchmarks' list" "$dir/bad.txt"
exit $fail
