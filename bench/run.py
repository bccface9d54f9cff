"""Run the benchmarks, print a table and write JSON.

    python -m bench                      # everything; JSON to bench/results/latest.json
    python bench/run.py --quick          # fewer repetitions (a smoke run)
    python -m bench --filter eager --json /tmp/out.json
    python -m bench --list

Each workload is timed for autograph and, in the same process, for NumPy and (when
installed) TensorFlow, PyTorch and JAX; frameworks that are missing show as skipped.
"""
from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import re
import sys
from pathlib import Path
from typing import Optional

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.registry import IMPLEMENTATIONS, Skipped, Workload, discover  # noqa: E402

DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "latest.json"
# Table units: times from seconds; "MiB" from bytes (memory workloads measure bytes).
_SCALE = {"us": 1e6, "ms": 1e3, "s": 1.0, "MiB": 1 / 2 ** 20}
_RAW = {"MiB": "bytes"}   # the raw figure's unit in the JSON keys; seconds otherwise


def parse_args(argv: Optional[list] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--filter", "-k", action="append", default=[], metavar="REGEX",
                        help="run only workloads whose name matches (repeatable)")
    parser.add_argument("--quick", action="store_true",
                        help="fewer and shorter repetitions (for smoke tests)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, metavar="PATH",
                        help=f"where to write results (default: {DEFAULT_JSON})")
    parser.add_argument("--only", action="append", choices=IMPLEMENTATIONS, default=[],
                        help="time only these implementations (repeatable; default: all)")
    parser.add_argument("--list", action="store_true", help="list the workloads and exit")
    return parser.parse_args(argv)


def select(workloads: list[Workload], patterns: list[str]) -> list[Workload]:
    if not patterns:
        return workloads
    return [w for w in workloads if any(re.search(p, w.name) for p in patterns)]


def run_workload(w: Workload, quick: bool, only: list[str]) -> dict:
    """Measure every implementation of ``w``; failures are recorded, not raised."""
    impls = {}
    for name in IMPLEMENTATIONS:
        measure = w.impls.get(name)
        if measure is None or (only and name not in only):
            continue
        try:
            m = measure(quick)
        except Skipped as why:
            impls[name] = {"status": "skipped", "reason": str(why)}
            continue
        except Exception as e:  # a framework failing must not stop the other timings
            impls[name] = {"status": "error", "error": f"{type(e).__name__}: {e}"}
            continue
        scale, raw = _SCALE[w.unit], _RAW.get(w.unit, "s")
        impls[name] = {"status": "ok", "median": m.median * scale, "best": m.best * scale,
                       "runs": m.runs, f"median_{raw}": m.median, f"best_{raw}": m.best}
    ours = impls.get("autograph", {})
    meets = None
    if w.target is not None and ours.get("status") == "ok":
        meets = ours["median"] <= w.target
    return {"name": w.name, "description": w.description, "unit": w.unit, "target": w.target,
            "meets_target": meets, "impls": impls, "notes": dict(w.notes)}


def _cell(entry: Optional[dict]) -> str:
    if entry is None:
        return "-"
    if entry["status"] == "ok":
        return _num(entry["median"])
    return entry["status"]


def _num(v: float) -> str:
    return f"{v:.3g}" if v < 1000 else f"{v:.0f}"


def table(results: list[dict]) -> str:
    """Results as a fixed-width text table, with a line per skipped or failed timing."""
    header = ["workload", "unit", "autograph", "(best)", "target", "ok?"] + \
        [name for name in IMPLEMENTATIONS if name != "autograph"]
    rows = []
    notes = []
    unmeasured: dict = {}   # (implementation, why) -> workloads
    for r in results:
        ours = r["impls"].get("autograph")
        best = _num(ours["best"]) if ours and ours["status"] == "ok" else ""
        target = f"<= {_num(r['target'])}" if r["target"] is not None else ""
        ok = {True: "yes", False: "NO", None: ""}[r["meets_target"]]
        rows.append([r["name"], r["unit"], _cell(ours), best, target, ok] +
                    [_cell(r["impls"].get(n)) for n in IMPLEMENTATIONS if n != "autograph"])
        for impl, entry in r["impls"].items():
            if entry["status"] != "ok":
                why = f"{entry['status']}: {entry.get('reason') or entry.get('error')}"
                unmeasured.setdefault((impl, why), []).append(r["name"])
        notes += [f"  {r['name']} / {impl}: {note}" for impl, note in r["notes"].items()]
    widths = [max(len(str(row[i])) for row in [header] + rows) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(wd) for c, wd in zip(row, widths)).rstrip()
             for row in [header] + rows]
    lines.insert(1, "  ".join("-" * wd for wd in widths))
    lines.append("times are medians per call (import: per import), memory (MiB) a measured "
                 "peak; targets apply to autograph")
    lines.extend(notes)
    for (impl, why), names in sorted(unmeasured.items()):
        where = "every workload" if len(names) == len(results) else ", ".join(names)
        lines.append(f"  {impl} {why} ({where})")
    return "\n".join(lines)


def environment() -> dict:
    versions = {}
    for dist in ("numpy", "tensorflow", "torch", "jax", "cupy-cuda12x"):
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return {"python": platform.python_version(), "platform": platform.platform(),
            "machine": platform.machine(), "cpu_count": os.cpu_count(), "versions": versions,
            "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}


def main(argv: Optional[list] = None) -> int:
    args = parse_args(argv)
    workloads = select(discover(), args.filter)
    if args.list:
        for w in workloads:
            target = f" (target <= {w.target} {w.unit})" if w.target is not None else ""
            print(f"{w.name}: {w.description}{target}")
        return 0
    if not workloads:
        print(f"no workload matches {args.filter}", file=sys.stderr)
        return 2
    results = []
    for w in workloads:
        print(f"running {w.name} ...", file=sys.stderr, flush=True)
        results.append(run_workload(w, args.quick, args.only))
    print(table(results))
    report = {"environment": environment(), "quick": args.quick, "results": results}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.json.with_suffix(args.json.suffix + ".tmp")
    tmp.write_text(json.dumps(report, indent=2) + "\n")
    os.replace(tmp, args.json)   # atomic: a reader never sees half a file
    print(f"wrote {args.json}")
    failed = any(r["impls"].get("autograph", {}).get("status") == "error" for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
