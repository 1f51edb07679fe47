#!/usr/bin/env python3
"""Tables from a Google Benchmark JSON file (gsn_bench --benchmark_out=FILE).

Benchmarks are named "<op>/<shape>/<impl>" (bench/bench_util.h). For each "<op>/<shape>"
group this prints one row per impl: the time per call, the throughput counter (GFLOP/s
or GB/s) and the ratio of the baseline's time to this impl's time (the baseline is the
entry whose counters have baseline=1, e.g. cuBLAS; > 1 means faster than the baseline).
Repetition aggregates (mean/median/stddev) are used when present: the median is shown.

usage: scripts/bench_report.py RESULTS.json [--filter SUBSTRING]
exit status: 0 ok, 1 malformed or unreadable file, 2 bad arguments.
"""
import argparse
import json
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


def load(path):
    try:
        with open(path, "r", encoding="utf-8") as f:
            data = json.load(f)
    except OSError as e:
        raise Malformed("cannot read %s: %s" % (path, e))
    except json.JSONDecodeError as e:
        raise Malformed("%s is not JSON: %s" % (path, e))
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


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("json")
    p.add_argument("--filter", default="", help="only benchmarks whose name contains this")
    try:
        args = p.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    try:
        data = load(args.json)
        rows = entries(data, args.filter)
    except Malformed as e:
        print("bench_report: %s" % e, file=sys.stderr)
        return 1
    if not rows:
        print("bench_report: no benchmarks%s in %s" % (" matching %r" % args.filter if args.filter else "", args.json),
              file=sys.stderr)
        return 1 if not data["benchmarks"] else 0
    report(rows, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
