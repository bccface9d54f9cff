"""Execution state shared by every op call.

``state.slow`` is the one flag the eager hot path checks: it is true while any thread has a
GradientTape recording or a graph being traced, or a hook is installed; then ops take the
general path. Whoever changes ``tapes``, ``graph`` or ``hooks`` calls ``refresh()``.

The graph being traced, the open tapes and the name scopes belong to the thread that opened
them (as TensorFlow's eager context is per thread), so a ``tf.data`` prefetch thread running
``map`` never adds ops to a function the main thread is tracing. ``slow`` stays one shared
flag: other threads merely take the general path while some thread traces.
"""
from __future__ import annotations

import threading


class _PerThread(threading.local):
    def __init__(self):
        self.graph = None            # graph being traced (set by the tracer), else None
        self.tapes: list = []        # active GradientTapes, innermost last
        self.name_scopes: list = []  # names pushed by ag.name_scope


class _State:
    __slots__ = ("slow", "hooks", "_local", "_busy")

    def __init__(self):
        self.slow = False
        # Callables hook(op, inputs, attrs, outputs) run after every eager op
        # (enable_check_numerics, the profiler).
        self.hooks: list = []
        self._local = _PerThread()
        self._busy: set = set()      # ids of threads with a graph or a tape active

    @property
    def graph(self):
        return self._local.graph

    @graph.setter
    def graph(self, value) -> None:
        self._local.graph = value

    @property
    def tapes(self) -> list:
        return self._local.tapes

    @tapes.setter
    def tapes(self, value: list) -> None:
        self._local.tapes = value

    @property
    def name_scopes(self) -> list:
        return self._local.name_scopes

    @name_scopes.setter
    def name_scopes(self, value: list) -> None:
        self._local.name_scopes = value

    def refresh(self) -> None:
        local, me = self._local, threading.get_ident()
        if local.graph is not None or local.tapes:
            self._busy.add(me)
        else:
            self._busy.discard(me)
        self.slow = bool(self._busy) or bool(self.hooks)


state = _State()
