"""Timing helpers shared by the workload modules."""
from __future__ import annotations

import importlib.util
import os
import statistics
import subprocess
import sys
import timeit
from pathlib import Path
from typing import Callable

from bench.registry import Measurement, MeasureFn, Skipped

REPO_ROOT = Path(__file__).resolve().parent.parent


def require(module: str) -> None:
    """Raise Skipped unless ``module`` is importable (checked without importing it)."""
    if importlib.util.find_spec(module) is None:
        raise Skipped(f"{module} not installed")


def per_call(setup: Callable[[], Callable[[], object]]) -> MeasureFn:
    """A measure function timing the zero-argument callable that ``setup()`` returns.

    ``timeit`` picks a loop count that runs at least 0.2 s (0.02 s with ``--quick``); the
    loop is repeated 7 times (3 quick) and the per-call median and best are reported.
    """
    def measure(quick: bool) -> Measurement:
        fn = setup()
        fn()  # warm up: first-call caches, lazy imports
        timer = timeit.Timer(fn)
        number = _loop_count(timer, 0.02 if quick else 0.2)
        times = [t / number for t in timer.repeat(repeat=3 if quick else 7, number=number)]
        return Measurement(statistics.median(times), min(times), len(times))
    return measure


def _loop_count(timer: timeit.Timer, min_seconds: float) -> int:
    number = 1
    while True:
        if timer.timeit(number) >= min_seconds:
            return number
        number *= 10 if number < 1000 else 2


def import_time(module: str, check: str | None = None) -> MeasureFn:
    """A measure function for ``import module`` in a fresh interpreter (repo root as cwd).

    Only the import statement is timed (inside the child), not interpreter start-up. Bytecode
    is cached (in ``bench/results/pycache``) and an untimed first run fills the cache, so the
    figure is what users see, even where ``PYTHONDONTWRITEBYTECODE`` is set.
    """
    code = ("import time; t = time.perf_counter(); import {m}; "
            "print(time.perf_counter() - t)").format(m=module)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(REPO_ROOT / "bench" / "results" / "pycache")

    def measure(quick: bool) -> Measurement:
        require(check or module)
        times = []
        for run in range(1 + (3 if quick else 9)):
            done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=env,
                                  capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"import {module} failed: {done.stderr.strip()[-300:]}")
            if run:  # run 0 only warms the bytecode cache
                times.append(float(done.stdout.strip().splitlines()[-1]))
        return Measurement(statistics.median(times), min(times), len(times))
    return measure
