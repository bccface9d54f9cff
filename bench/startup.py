"""Start-up cost: ``import autograph`` in a fresh interpreter, beside the other frameworks."""
from __future__ import annotations

from bench.registry import Workload
from bench.timing import import_time

ORDER = 20

WORKLOADS = [
    Workload("import_time", "import <package> in a fresh subprocess", "s", 0.3, {
        "autograph": import_time("autograph"), "numpy": import_time("numpy"),
        "tensorflow": import_time("tensorflow"), "torch": import_time("torch"),
        "jax": import_time("jax")},
        notes={"autograph": "includes importing numpy"}),
]
