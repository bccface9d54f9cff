"""Execution state shared by every op call.

``state.slow`` is the one flag the eager hot path checks: it is true while any
GradientTape records, a graph is being traced or a hook is installed, and then ops take the
general path. Whoever changes ``tapes``, ``graph`` or ``hooks`` calls ``refresh()``.
"""
from __future__ import annotations


class _State:
    __slots__ = ("slow", "tapes", "graph", "name_scopes", "hooks")

    def __init__(self):
        self.slow = False
        self.tapes: list = []        # active GradientTapes, innermost last
        self.graph = None            # graph being traced (set by the tracer), else None
        self.name_scopes: list = []  # names pushed by ag.name_scope
        # Callables hook(op, inputs, attrs, outputs) run after every eager op
        # (enable_check_numerics, the profiler).
        self.hooks: list = []

    def refresh(self) -> None:
        self.slow = bool(self.tapes) or self.graph is not None or bool(self.hooks)


state = _State()
