"""The AutoGraph converter: cold convert + trace + first call, ``to_code`` alone, cached.

Each timed call compiles the function's source afresh under a new file name (registered in
``linecache`` the way IPython registers cells), so every call gets a new code object and
misses the converter's caches: what a user pays the first time a function runs.
"""
from __future__ import annotations

import itertools
import linecache
import textwrap

from bench.registry import Workload
from bench.timing import per_call, require

ORDER = 35

SHORT = """
def f(x, n):
    s = x * 0.0
    for i in range(n):
        if s > 10.0:
            break
        s = s + x
    return s
"""  # 6 lines of body

MEDIUM = """
def f(x, n):
    s = x * 0.0
    i = 0
    while i < n:
        if x > 0.0:
            s = s + x * 2.0
        elif x < -1.0:
            s = s - x
        else:
            s = s + 1.0
        i += 1
    return s
"""  # 11 lines

LONG = """
def f(x, n):
    total = x * 0.0
    count = 0
    best = x
    scale = 2.0
    for i in range(n):
        y = x * scale + 1.0
        if y > total:
            total = total + y
            count += 1
        else:
            total = total - y * 0.5
        j = 0
        while j < n:
            if total > 100.0:
                total = total / 2.0
                break
            elif total < -100.0:
                total = total * -0.5
                continue
            j += 1
        if count > 5:
            best = total if total > best else best
        else:
            best = best + 0.0
    if total > 0.0:
        result = total + best
    else:
        result = total - best
    return result
"""  # 29 lines

# the goal for the 29-line function; the shorter ones and to_code must do no worse
TARGET_US = 5000.0
_files = itertools.count()


def _fresh(source: str, namespace: dict):
    """A new function object with a new code object, its source findable by the converter."""
    filename = f"<bench-converter-{next(_files)}>"
    text = textwrap.dedent(source)
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    scope = dict(namespace)
    exec(compile(text, filename, "exec"), scope)
    return scope["f"]


def _first_call_autograph(source: str):
    def setup():
        import autograph as ag
        x, n = ag.constant(1.5), ag.constant(4)
        return lambda: ag.function(_fresh(source, {}))(x, n)
    return setup


def _first_call_tensorflow(source: str):
    def setup():
        require("tensorflow")
        import tensorflow as tf
        x, n = tf.constant(1.5), tf.constant(4)
        return lambda: tf.function(_fresh(source, {}))(x, n)
    return setup


def _to_code_autograph(source: str):
    def setup():
        import autograph as ag
        return lambda: ag.autograph.to_code(_fresh(source, {}))
    return setup


def _to_code_tensorflow(source: str):
    def setup():
        require("tensorflow")
        import tensorflow as tf
        return lambda: tf.autograph.to_code(_fresh(source, {}))
    return setup


def _cached_autograph():
    from autograph.converter import conversion
    f = _fresh(LONG, {})
    conversion.convert_function(f)
    return lambda: conversion.convert_function(f)


def _family(label: str, source: str) -> list[Workload]:
    lines = len(textwrap.dedent(source).strip().splitlines()) - 1
    return [
        Workload(f"convert_first_call_{label}", f"new @function of a {lines}-line function "
                 "with control flow on tensors: convert + trace + first call", "us", TARGET_US,
                 {"autograph": per_call(_first_call_autograph(source)),
                  "tensorflow": per_call(_first_call_tensorflow(source))}),
        Workload(f"to_code_{label}", f"to_code of a new {lines}-line function", "us", TARGET_US,
                 {"autograph": per_call(_to_code_autograph(source)),
                  "tensorflow": per_call(_to_code_tensorflow(source))}),
    ]


WORKLOADS = [
    *_family("6_lines", SHORT),
    *_family("11_lines", MEDIUM),
    *_family("29_lines", LONG),
    Workload("convert_cached", "converting an already converted function again (cache hit)",
             "us", 20.0, {"autograph": per_call(_cached_autograph)}),
]
