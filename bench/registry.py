"""The workload registry: every module in ``bench/`` that defines ``WORKLOADS`` contributes.

A ``Workload`` names one measured task and maps each implementation ("autograph", "numpy",
"tensorflow", "torch", "jax") to a ``measure(quick) -> Measurement`` callable. Adding a
workload family means adding a module with a ``WORKLOADS`` list; nothing else changes.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Callable, Optional

# Implementations in table order; frameworks other than autograph/numpy are optional.
IMPLEMENTATIONS = ("autograph", "numpy", "tensorflow", "torch", "jax")


@dataclass(frozen=True)
class Measurement:
    """Seconds per call (or per import), or bytes for memory workloads (unit ``"MiB"``): the
    median and best of ``runs`` repetitions."""

    median: float
    best: float
    runs: int
    note: str = ""


class Skipped(Exception):
    """An implementation cannot run here (framework not installed, op not available yet)."""


@dataclass(frozen=True)
class Workload:
    name: str
    description: str
    unit: str                      # how the table shows figures: "us", "ms", "s" or "MiB"
    target: Optional[float]        # the autograph goal, in ``unit`` (None: no goal)
    impls: dict = field(default_factory=dict)   # implementation -> measure(quick)
    notes: dict = field(default_factory=dict)   # implementation -> what it measures, if unusual


def discover() -> list[Workload]:
    """Every workload of every ``bench`` module that defines ``WORKLOADS``.

    Modules are ordered by their ``ORDER`` (default 100), then by name.
    """
    import bench
    modules = []
    for info in pkgutil.iter_modules(bench.__path__):
        if info.name.startswith("_") or info.name in ("run", "registry", "timing"):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        modules.append((getattr(module, "ORDER", 100), info.name, module))
    found: list[Workload] = []
    for _, _, module in sorted(modules, key=lambda m: m[:2]):
        found.extend(getattr(module, "WORKLOADS", ()))
    names = [w.name for w in found]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"workload names must be unique: {sorted(duplicates)}")
    return found


MeasureFn = Callable[[bool], Measurement]
