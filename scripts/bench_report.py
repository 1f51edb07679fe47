#!/usr/bin/env python3
"""Tables from a Google Benchmark JSON file (gsn_bench --benchmark_out=FILE).

Benchmarks are named "<op>/<shape>/<impl>" (bench/bench_util.h). For each "<op>/<shape>"
group this prints one row per impl: the time per call, the throughput counter (GFLOP/s
or GB/s) and the ratio of the baseline's time to this impl's time (the baseline is the
entry whose counters have baseline=1, e.g. cuBLAS; > 1 means faster than the baseline).
Repetition aggregates (mean/median/stddev) are used when present: the median is shown.

Several files (one per benchmark process) are read as one run. A file cut short (the
process killed by a timeout before Google Benchmark closed its JSON) keeps its complete
entries, with a note on stderr; --merged-out writes everything read as one JSON file.

--targets prints, instead of the tables, where the CUDA kernels stand against the three
GPU targets of docs/kernels.md: conv2d >= 0.7x cuDNN (its fastest algorithm, and its
fastest GEMM-type one), folded CDC >= 1.3x cuDNN's two-conv CDC, memory-bound kernels
>= 0.6x a device copy of the same bytes.

usage: scripts/bench_report.py RESULTS.json [MORE.json ...] [--filter SUBSTRING] [--merged-out FILE] [--targets]
exit status: 0 ok, 1 malformed or unreadable file, 2 bad arguments.
"""
import argparse
import json
import math
import sys
from collections import OrderedDict

TIME_SCALE = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


class Malformed(Exception):
    pass


def fmt_time(seconds):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return "%.3g %s" % (seconds / scale, unit)
    return "%.3g ns" % (seconds / 1e-9)


def recover_truncated(text):
    """The longest prefix of a cut-short benchmark file that closes as valid JSON, or None.

    Google Benchmark writes the context, then '"benchmarks": [', then one object per run;
    a killed process leaves the array (and maybe its last object) unfinished. Try closing
    the array after each of the last complete objects, newest first."""
    start = text.find('"benchmarks"')
    if start < 0:
        return None
    ends = [i for i in range(len(text) - 1, start, -1) if text[i] == "}"][:400]
    for i in ends:
        try:
            return json.loads(text[: i + 1] + "\n]\n}")
        except json.JSONDecodeError:
            continue
    try:
        return json.loads(text[: text.index("[", start) + 1] + "]}")  # not one run finished
    except (ValueError, json.JSONDecodeError):
        return None


def load(path):
    try:
        with open(path, "r", encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise Malformed("cannot read %s: %s" % (path, e))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        data = recover_truncated(text)
        if data is None:
            raise Malformed("%s is not JSON: %s" % (path, e))
        print("note: %s was cut short (its process was stopped); %d complete benchmarks kept"
              % (path, len(data.get("benchmarks", []))), file=sys.stderr)
    if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list):
        raise Malformed("%s has no 'benchmarks' list (is it a --benchmark_out file?)" % path)
    return data


def entries(data, substring):
    """(group, impl, seconds, throughput label, throughput, is_baseline, label) per benchmark."""
    rows = OrderedDict()
    for i, b in enumerate(data["benchmarks"]):
        if not isinstance(b, dict) or "name" not in b:
            raise Malformed("benchmark #%d has no name" % i)
        if b.get("error_occurred"):
            print("note: %s reported an error: %s" % (b["name"], b.get("error_message", "")), file=sys.stderr)
            continue
        run_type = b.get("run_type", "iteration")
        agg = b.get("aggregate_name")
        if run_type == "aggregate" and agg != "median":
            continue
        name = b.get("run_name", b["name"])
        if substring and substring not in name:
            continue
        parts = name.split("/")
        if len(parts) < 3:
            raise Malformed("benchmark name %r is not <op>/<shape>/<impl>" % name)
        # Google Benchmark may append "/manual_time", "/min_time:0.100", "/real_time".
        while len(parts) > 3 and (":" in parts[-1] or parts[-1] in ("manual_time", "real_time")):
            parts.pop()
        group, impl = "/".join(parts[:-1]), parts[-1]
        try:
            t = float(b["real_time"]) * TIME_SCALE[b.get("time_unit", "ns")]
        except (KeyError, TypeError, ValueError):
            raise Malformed("benchmark %r has no usable real_time/time_unit" % name)
        tput_name, tput = None, None
        for key in ("GFLOP/s", "GB/s"):
            if key in b:
                try:
                    tput_name, tput = key, float(b[key])
                except (TypeError, ValueError):
                    raise Malformed("benchmark %r: counter %s is not a number" % (name, key))
                break
        base = False
        if "baseline" in b:
            try:
                base = float(b["baseline"]) == 1.0
            except (TypeError, ValueError):
                raise Malformed("benchmark %r: counter baseline is not a number" % name)
        key = (group, impl)
        # With repetitions and no aggregates keep the first; the median replaces iterations.
        if key in rows and run_type != "aggregate":
            continue
        rows[key] = (group, impl, t, tput_name, tput, base, b.get("label", ""))
    return list(rows.values())


def report(rows, out):
    groups = OrderedDict()
    for r in rows:
        groups.setdefault(r[0], []).append(r)
    for group, rs in groups.items():
        bases = [r for r in rs if r[5]]
        base_t = bases[0][2] if bases else None
        label = next((r[6] for r in rs if r[6]), "")
        out.write("%s%s\n" % (group, ("   (" + label + ")") if label else ""))
        tput_name = next((r[3] for r in rs if r[3]), "throughput")
        out.write("  %-12s %12s %12s %10s\n" % ("impl", "time", tput_name, "vs base"))
        for _, impl, t, _, tput, is_base, _ in rs:
            ratio = "-" if base_t is None else ("%.2fx" % (base_t / t) if t > 0 else "inf")
            out.write("  %-12s %12s %12s %10s%s\n" % (impl, fmt_time(t), "-" if tput is None else "%.2f" % tput,
                                                     ratio, "  (baseline)" if is_base else ""))
        out.write("\n")


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def ratio_line(name, ratios, target):
    """One target's line: how many of the ratios reach it, their geometric mean and range."""
    if not ratios:
        return "  %s: no benchmarks\n" % name
    vals = [r for _, r in ratios]
    lo, hi = min(ratios, key=lambda x: x[1]), max(ratios, key=lambda x: x[1])
    return "  %s: %d of %d at >= %.2gx; geometric mean %.2fx; lowest %.2fx (%s), highest %.2fx (%s)\n" % (
        name, sum(v >= target for v in vals), len(vals), target, geomean(vals), lo[1], lo[0], hi[1], hi[0])


def targets(rows, out):
    times = OrderedDict()
    for group, impl, t, *_ in rows:
        if t > 0:
            times.setdefault(group, {})[impl] = t
    conv = {}  # (preset, baseline) -> [(group, baseline time / ours)]
    cdc, memory = [], []
    for group, impls in times.items():
        op, shape = group.split("/", 1)
        ours = impls.get("gsn_cuda")
        if op in ("conv2d_fwd", "conv2d_bwd_data", "conv2d_bwd_weight") and ours:
            preset = shape.split(".")[0]
            for base in ("cudnn", "cudnn_gemm"):
                if base in impls:
                    conv.setdefault((preset, base), []).append((group, impls[base] / ours))
        elif op in ("cdc_fwd", "cdc_bwd") and "gsn_cuda_folded" in impls and "cudnn_twoconv" in impls:
            cdc.append((group, impls["cudnn_twoconv"] / impls["gsn_cuda_folded"]))
        elif ours and "copy" in impls:
            memory.append((group, impls["copy"] / ours))
    out.write("GPU targets (ratios are the baseline's time over ours: > 1 means ours is faster)\n")
    for (preset, base), ratios in sorted(conv.items()):
        what = "its fastest algorithm" if base == "cudnn" else "its fastest GEMM-type algorithm"
        out.write(ratio_line("conv2d vs cuDNN (%s), %s" % (what, preset), ratios, 0.7))
    out.write(ratio_line("folded CDC vs cuDNN two-conv CDC", cdc, 1.3))
    out.write(ratio_line("memory-bound kernels vs a device copy", memory, 0.6))
    below = sorted((r, g) for g, r in memory if r < 0.6)
    if below:
        out.write("    below 0.6x: %s\n" % ", ".join("%s %.2fx" % (g, r) for r, g in below))


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("json", nargs="+")
    p.add_argument("--filter", default="", help="only benchmarks whose name contains this")
    p.add_argument("--merged-out", default="", help="write all files' benchmarks here as one JSON file")
    p.add_argument("--targets", action="store_true", help="the GPU targets' summary instead of the tables")
    try:
        args = p.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    try:
        parts = [load(path) for path in args.json]
        data = {"context": parts[0].get("context", {}), "benchmarks": [b for d in parts for b in d["benchmarks"]]}
        rows = entries(data, args.filter)
    except Malformed as e:
        print("bench_report: %s" % e, file=sys.stderr)
        return 1
    if args.merged_out:
        try:
            with open(args.merged_out, "w", encoding="utf-8") as f:
                json.dump(data, f, indent=1)
        except OSError as e:
            print("bench_report: cannot write %s: %s" % (args.merged_out, e), file=sys.stderr)
            return 1
    if not rows:
        print("bench_report: no benchmarks%s in %s" % (" matching %r" % args.filter if args.filter else "",
                                                    ", ".join(args.json)), file=sys.stderr)
        return 1 if not data["benchmarks"] else 0
    if args.targets:
        targets(rows, sys.stdout)
    else:
        report(rows, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
