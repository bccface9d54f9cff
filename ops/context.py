"""Execution state shared by every op call.

``state.slow`` is the one flag the eager hot path checks: it is true while any
GradientTape records or a graph is being traced, and then ops take the general path.
"""
from __future__ import annotations


class _State:
    __slots__ = ("slow", "tapes", "graph", "name_scopes")

    def __init__(self):
        self.slow = False
        self.tapes: list = []        # active GradientTapes, innermost last
        self.graph = None            # graph being traced (set by the tracer), else None
        self.name_scopes: list = []  # names pushed by ag.name_scope

    def refresh(self) -> None:
        self.slow = bool(self.tapes) or self.graph is not None


state = _State()
