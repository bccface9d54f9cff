"""The oracle of converter tests: plain Python running the same function.

``check(fn, *args)`` runs ``fn`` as written (eagerly, values as given) and converted inside
``ag.function`` (traced: tensor arguments become symbolic), then compares results (as NumPy
values), what each printed, and the type of the exception if one was raised.
"""
from __future__ import annotations

import contextlib
import io

import numpy as np

import autograph as ag
from autograph.converter import public


def converted(fn):
    """``fn`` converted and traced by ``ag.function`` (works whether or not ``ag.function``
    converts by itself)."""
    return ag.function(public.convert(fn), autograph=False)


def _run(fn, args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            return ("ok", fn(*args)), out.getvalue()
        except Exception as e:  # noqa: BLE001 - the oracle compares exception types
            return ("error", e), out.getvalue()


def _as_numpy(x):
    if isinstance(x, (list, tuple)):
        return [_as_numpy(v) for v in x]
    if isinstance(x, dict):
        return {k: _as_numpy(v) for k, v in x.items()}
    if isinstance(x, (ag.Tensor, ag.Variable)):
        return np.asarray(x.numpy())
    return x


def _same(a, b) -> bool:
    a, b = _as_numpy(a), _as_numpy(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if a is None or b is None:
        return a is None and b is None
    try:
        return bool(np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                                rtol=1e-6, atol=1e-6, equal_nan=True))
    except (TypeError, ValueError):
        return a == b


def check(fn, *args, stdout: bool = True, expect_error=None):
    """``fn(*args)`` converted under ``ag.function`` matches ``fn(*args)`` run in Python, on
    the first call (which walks the traced graph) and the second (its generated plan)."""
    (kind, want), want_out = _run(fn, args)
    staged = converted(fn)
    (got_kind, got), got_out = _run(staged, args)
    if expect_error is not None:
        assert kind == "error" and isinstance(want, expect_error), f"Python gave {want!r}"
    if kind == "error":
        assert got_kind == "error", f"Python raised {want!r}, converted returned {got!r}"
        assert isinstance(got, type(want)), f"Python raised {want!r}, converted raised {got!r}"
        return got
    if got_kind == "error":
        raise got
    assert _same(got, want), f"converted gave {_as_numpy(got)!r}, Python {_as_numpy(want)!r}"
    (again_kind, again), _ = _run(staged, args)
    if again_kind == "error":
        raise again
    assert _same(again, want), f"converted gave {_as_numpy(again)!r} on the second call, " \
        f"Python {_as_numpy(want)!r}"
    if stdout:
        assert got_out == want_out, f"converted printed {got_out!r}, Python {want_out!r}"
    return got


def check_eager(fn, *args):
    """Converted code run without tracing (Python and eager values only) matches ``fn``."""
    (kind, want), want_out = _run(fn, args)
    (got_kind, got), got_out = _run(public.convert(fn), args)
    assert kind == got_kind, f"Python: {want!r}, converted: {got!r}"
    if kind == "error":
        assert isinstance(got, type(want))
        return
    assert _same(got, want)
    assert got_out == want_out


def t(value, dtype=None):
    return ag.constant(value, dtype=dtype)


def op_names(graph) -> list:
    """Names of the ops of ``graph`` and of its sub-graphs (cond branches, loop bodies)."""
    names = []
    for n in graph.nodes:
        names.append(n.op.name)
        for g in n.subgraphs:
            names.extend(op_names(g))
    return names
