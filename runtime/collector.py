"""Pausing Python's cyclic garbage collector around bursts of allocation.

Converting and tracing a function allocate many short-lived objects (AST nodes, graph nodes,
symbolic tensors); the young-generation collections they trigger scan them again and again
and find little, about a tenth of the time of a cold ``@function`` call. The collector is
paused for the burst and runs normally afterwards: nothing is leaked, only collected later.
"""
from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def paused():
    """Disable the cyclic collector inside the block (nesting is fine); the previous state is
    restored on exit, also when the block raises."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
