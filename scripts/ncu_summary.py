#!/usr/bin/env python3
"""Where a profiled GPU run spends its time: reads Nsight Compute's CSV export of a run
profiled with the one metric gpu__time_duration.sum (scripts/gpu-check.sh makes it:
ncu -o R --metrics gpu__time_duration.sum APP; ncu --import R.ncu-rep --csv --page raw)
and prints the kernels' total time grouped by kernel, grid and block (one row per layer
shape, in effect), the largest first, and the total by kernel.

  python3 scripts/ncu_summary.py step.csv [--top 40]
"""
import argparse
import csv
import re
import sys
from collections import defaultdict

METRIC = "gpu__time_duration.sum"


def short_name(name):
    """The kernel's name without its parameter list and namespaces, template arguments kept."""
    name = re.sub(r"^void ", "", name)
    depth, cut = 0, len(name)
    for i, ch in enumerate(name):  # cut at the '(' of the parameter list (outside <...>)
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        elif ch == "(" and depth == 0 and not name.startswith("(anonymous", i):
            cut = i
            break
    name = name[:cut]
    return re.sub(r"(gsn::cuda::|\(anonymous namespace\)::|gsn::)", "", name)


def read_rows(path):
    with open(path, newline="") as f:
        lines = [ln for ln in f if not ln.startswith("==")]  # ncu's own messages
    rows = []
    for r in csv.DictReader(lines):
        if "Metric Name" in r:  # the details page: one row per (kernel, metric)
            if r.get("Metric Name") != METRIC:
                continue
            value = r.get("Metric Value", "")
        else:  # the raw page: one row per kernel, a column per metric (row 2: units)
            value = r.get(METRIC, "")
        try:
            ns = float(value.replace(",", ""))
        except ValueError:
            continue
        rows.append((r.get("Kernel Name", "?"), r.get("Grid Size", "?"), r.get("Block Size", "?"), ns))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv")
    ap.add_argument("--top", type=int, default=40)
    args = ap.parse_args()
    rows = read_rows(args.csv)
    if not rows:
        sys.exit(f"{args.csv}: no {METRIC} values (was the run profiled with --metrics {METRIC}?)")
    total = sum(ns for *_, ns in rows)
    by_launch = defaultdict(lambda: [0.0, 0])
    by_kernel = defaultdict(lambda: [0.0, 0])
    for name, grid, block, ns in rows:
        k = short_name(name)
        by_launch[(k, grid, block)][0] += ns
        by_launch[(k, grid, block)][1] += 1
        by_kernel[k][0] += ns
        by_kernel[k][1] += 1
    print(f"{len(rows)} kernels, {total / 1e6:.2f} ms of kernel time")
    print(f"\n| ms | % | launches | kernel | grid | block |\n|---:|---:|---:|---|---|---|")
    for (k, grid, block), (ns, n) in sorted(by_launch.items(), key=lambda kv: -kv[1][0])[: args.top]:
        print(f"| {ns / 1e6:.3f} | {100 * ns / total:.1f} | {n} | {k[:110]} | {grid} | {block} |")
    print(f"\n| ms | % | launches | kernel (all shapes) |\n|---:|---:|---:|---|")
    for k, (ns, n) in sorted(by_kernel.items(), key=lambda kv: -kv[1][0]):
        print(f"| {ns / 1e6:.3f} | {100 * ns / total:.1f} | {n} | {k[:140]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
