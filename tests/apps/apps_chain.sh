#!/usr/bin/env bash
# The apps chained as a user runs them, on a few tiny images (ctest apps.chain, label e2e):
# gsn-synth writes pairs, gsn-train trains a few steps, gsn-score scores a pair and a list
# (CSV and JSON), gsn-eval --run evaluates the run again, --checkpoint alone on the same
# split, and --predictions on a set of files; every exit code and every output
# is checked. Then what a user can hit with real files: a fresh run into the used folder is
# refused (exit 2), and a diverging run stops with exit 3 and leaves no checkpoint.
#   apps_chain.sh BIN_DIR
set -euo pipefail
bin=${1:?usage: apps_chain.sh BIN_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "apps_chain: $*" >&2; exit 1; }

"$bin/gsn-synth" --out "$work/pairs" --refs 2 --size 32 --seed 3 --types jpeg,gaussian_blur --levels 1,5 >/dev/null
[ "$(wc -l <"$work/pairs/pairs.csv")" -eq 9 ] || fail "pairs.csv should hold a header and 8 pairs"
# A second set into the same folder would mix with the first: refused (exit 2) unless
# --overwrite, which replaces the old set's files and leaves none of them behind.
"$bin/gsn-synth" --out "$work/pairs2" --refs 2 --size 16 --types jpeg --levels 1 >/dev/null
rc=0; "$bin/gsn-synth" --out "$work/pairs2" --refs 1 --size 16 --types jpeg --levels 1 >/dev/null 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "gsn-synth into a folder holding a set exited $rc, not 2"
"$bin/gsn-synth" --out "$work/pairs2" --refs 1 --size 16 --types jpeg --levels 1 --overwrite >/dev/null
[ "$(ls "$work/pairs2" | wc -l)" -eq 3 ] || fail "gsn-synth --overwrite left the old set's files: $(ls "$work/pairs2")"
# A pairs.csv gsn-synth did not write is somebody's data set: --overwrite removes nothing.
mkdir -p "$work/own" && cp "$work/pairs/ref-0.png" "$work/own/mine.png" && printf 'ref,dist,score\nmine.png,mine.png,1\n' >"$work/own/pairs.csv"
rc=0; "$bin/gsn-synth" --out "$work/own" --refs 1 --size 16 --types jpeg --levels 1 --overwrite >/dev/null 2>&1 || rc=$?
[ $rc -ne 0 ] && [ -f "$work/own/mine.png" ] || fail "gsn-synth --overwrite touched a set it did not write (exit $rc)"

opts=(--synth-refs 8 --synth-size 32 --crop 32 --batch 4 --steps 3 --workers 1 --no-baselines --out "$work/run")
"$bin/gsn-train" "${opts[@]}" --eval-every 3 >/dev/null 2>&1 || fail "gsn-train exited $?"
for f in options.json split.txt log.csv eval.csv last.safetensors report.html; do
  [ -s "$work/run/$f" ] || fail "the run wrote no $f"
done

# With no validation part the run validates on its training pairs, and eval.csv says so.
"$bin/gsn-train" --synth-refs 8 --synth-size 32 --crop 32 --batch 4 --steps 3 --workers 1 --no-baselines \
  --out "$work/run-noval" --val-fraction 0 --eval-every 3 >/dev/null 2>&1 \
  || fail "gsn-train --val-fraction 0 exited $?"
grep -q '^3,train,GSN,' "$work/run-noval/eval.csv" && ! grep -q ',val,' "$work/run-noval/eval.csv" \
  || fail "eval.csv of a run without validation pairs should name its rows train: $(cat "$work/run-noval/eval.csv")"

ckpt="$work/run/last.safetensors"
out=$("$bin/gsn-score" --checkpoint "$ckpt" --ref "$work/pairs/ref-0.png" --dist "$work/pairs/ref-0_jpeg_5.png" 2>/dev/null)
[[ $out =~ ^score\ -?[0-9] ]] || fail "gsn-score printed '$out'"
"$bin/gsn-score" --checkpoint "$ckpt" --list "$work/pairs/pairs.csv" --output "$work/scores.csv" 2>/dev/null
[ "$(wc -l <"$work/scores.csv")" -eq 9 ] || fail "scores.csv should hold a header and 8 scores"
"$bin/gsn-score" --checkpoint "$ckpt" --list "$work/pairs/pairs.csv" --output "$work/scores.json" --format json 2>/dev/null
[ "$(grep -c '"score"' "$work/scores.json")" -eq 8 ] || fail "scores.json should hold 8 scores"
# A list with a header in another order, and one pair that cannot be scored (a missing
# file): the others are scored and written, that one is named by its line, exit 1.
{ printf 'Dist,Ref\n'; printf '%s,%s\n' ref-0_jpeg_5.png ref-0.png missing.png ref-0.png ref-1_jpeg_1.png ref-1.png; } \
  >"$work/pairs/mixed.csv"
rc=0; "$bin/gsn-score" --checkpoint "$ckpt" --list "$work/pairs/mixed.csv" --output "$work/mixed.csv" 2>"$work/mixed.err" || rc=$?
[ $rc -eq 1 ] || fail "a list with an unreadable pair exited $rc, not 1"
grep -q "mixed.csv:3: not scored" "$work/mixed.err" || fail "the unreadable pair was not named by its line: $(cat "$work/mixed.err")"
[ "$(grep -cE ',[0-9.-]+$' "$work/mixed.csv")" -eq 2 ] || fail "the two good pairs were not scored: $(cat "$work/mixed.csv")"
grep -q "missing.png,$" "$work/mixed.csv" || fail "the unreadable pair should have an empty score"
# An output path that would replace the checkpoint is refused before anything is written.
sum=$(cksum <"$ckpt")
rc=0; "$bin/gsn-score" --checkpoint "$ckpt" --list "$work/pairs/pairs.csv" --output "$ckpt" 2>/dev/null || rc=$?
[ $rc -eq 1 ] && [ "$(cksum <"$ckpt")" = "$sum" ] || fail "--output onto the checkpoint was not refused (exit $rc)"

"$bin/gsn-eval" --run "$work/run" --part all --no-baselines >"$work/eval.txt" 2>/dev/null || fail "gsn-eval --run exited $?"
grep -q "^  GSN " "$work/eval.txt" || fail "gsn-eval printed no GSN row"
# The checkpoint on a set of files (gsn-synth's, read as a CSV set): per-pair predictions
# name both files of each pair, so a reader can find them again.
"$bin/gsn-eval" --checkpoint "$ckpt" --data csv --root "$work/pairs" --labels pairs.csv --part all --no-baselines \
  --predictions "$work/pred.csv" >/dev/null 2>&1 || fail "gsn-eval --predictions exited $?"
[ "$(wc -l <"$work/pred.csv")" -eq 9 ] || fail "pred.csv should hold a header and 8 pairs"
IFS=, read -r pref pdist _ <<<"$(sed -n 2p "$work/pred.csv")"
[ -f "$pref" ] && [ -f "$pdist" ] || fail "pred.csv's ref and dist are not the pair's files: '$pref', '$pdist'"
# A checkpoint alone is evaluated on the data and split it was trained with (its metadata),
# so its test part is the run's: the same row as --run gives.
"$bin/gsn-eval" --run "$work/run" --no-baselines 2>/dev/null | grep "^  GSN  " >"$work/eval_run.txt" || fail "gsn-eval --run (test part) failed"
"$bin/gsn-eval" --checkpoint "$ckpt" --no-baselines 2>/dev/null | grep "^  GSN  " >"$work/eval_ckpt.txt" || fail "gsn-eval --checkpoint failed"
# Another seed draws another split, whose test part holds training references: said.
"$bin/gsn-eval" --checkpoint "$ckpt" --synth-refs 8 --synth-size 32 --seed 99 --no-baselines >/dev/null 2>"$work/leak.err" \
  || fail "gsn-eval with another seed failed: $(cat "$work/leak.err")"
grep -q "were in the training part" "$work/leak.err" || fail "gsn-eval did not warn that its test part held training references"
cmp -s "$work/eval_run.txt" "$work/eval_ckpt.txt" || fail "gsn-eval --checkpoint alone did not evaluate the run's test part: $(cat "$work/eval_ckpt.txt") vs $(cat "$work/eval_run.txt")"

rc=0; "$bin/gsn-train" "${opts[@]}" >/dev/null 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "a fresh run into a used --out exited $rc, not 2"

rc=0; "$bin/gsn-train" "${opts[@]}" --lr 1e30 --clip 0 --warmup 0 --eval-every 1 --overwrite >/dev/null 2>&1 || rc=$?
[ $rc -eq 3 ] || fail "a diverging run exited $rc, not 3"
[ ! -e "$work/run/last.safetensors" ] || fail "a diverged run left a checkpoint"
echo "apps_chain: synth, train, score (pair, CSV, JSON), eval --run and the refusals all as expected"
