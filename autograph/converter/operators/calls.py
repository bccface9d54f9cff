"""``converted_call``: every call in converted code.

User functions (and methods, callable objects, ``functools.partial``) are converted once
(cached) and their converted code is called; builtins with tensor-aware versions use those
(``range``, ``len``, ...); everything else runs as written: builtins, NumPy, the standard
library, installed packages, this project's own packages, functions marked with
``ag.do_not_convert``, ``ag.function`` objects (they convert themselves), classes.
"""
from __future__ import annotations

import functools
import inspect
import sys
import types
import warnings

from autograph.converter.errors import ConversionError
from autograph.converter.operators import data_structures, py_builtins

_FunctionType = types.FunctionType
_MethodType = types.MethodType

# Packages never converted (besides the standard library and installed packages).
LIBRARY_PACKAGES = frozenset({"autograph", "ops", "runtime", "numpy", "builtins", "gast",
                              "astunparse", "scipy", "cupy", "pytest", "_pytest",
                              "hypothesis"}) | frozenset(getattr(sys, "stdlib_module_names", ()))

_CONVERT, _DIRECT = 1, 2
_decisions: dict = {}     # code object -> _CONVERT or _DIRECT
_overloads: dict = dict(py_builtins.OVERLOADS)
_conversion = None
_warned: set = set()


def _init_overloads() -> None:
    from ops import array_ops
    _overloads[array_ops.stack] = data_structures.stack


_init_overloads()


def is_library(module_name, filename: str = "") -> bool:
    root = (module_name or "").partition(".")[0]
    if root in LIBRARY_PACKAGES:
        return True
    return "site-packages" in filename or "dist-packages" in filename


def _decide(f) -> int:
    code = f.__code__
    if code.co_filename.startswith("<autograph"):
        return _DIRECT          # already converted (a function nested in converted code)
    if code.co_flags & (inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR):
        return _DIRECT          # generators run as plain Python
    if is_library(f.__globals__.get("__name__"), code.co_filename):
        return _DIRECT
    return _CONVERT


def function_target(f):
    """What to call for the Python function ``f``: its converted version, an overload, or
    ``f`` itself."""
    overload = _overloads.get(f)
    if overload is not None:
        return overload
    code = f.__code__
    decision = _decisions.get(code)
    if decision is None:
        decision = _decisions[code] = _decide(f)
    if decision is _DIRECT or getattr(f, "__ag_do_not_convert__", False):
        return f
    global _conversion
    if _conversion is None:
        from autograph.converter import conversion
        _conversion = conversion
    try:
        return _conversion.convert_function(f)
    except ConversionError as e:
        if "source code is not available" not in str(e):
            raise
        _decisions[code] = _DIRECT
        if code not in _warned:
            _warned.add(code)
            warnings.warn(f"{e}; it is called as written (its Python control flow will not "
                          "become graph ops)", stacklevel=3)
        return f


def converted_call(f, args, kwargs=None):
    """Call ``f(*args, **kwargs)`` from converted code."""
    if kwargs is None:
        kwargs = {}
    t = type(f)
    if t is _FunctionType:
        return function_target(f)(*args, **kwargs)
    if t is _MethodType:
        func = f.__func__
        if type(func) is _FunctionType:
            return function_target(func)(f.__self__, *args, **kwargs)
        return f(*args, **kwargs)
    try:
        overload = _overloads.get(f)
    except TypeError:           # an unhashable callable
        overload = None
    if overload is not None:
        return overload(*args, **kwargs)
    if t is functools.partial:
        return converted_call(f.func, f.args + tuple(args), {**f.keywords, **kwargs})
    if isinstance(f, type):
        return f(*args, **kwargs)
    call = getattr(t, "__call__", None)
    if type(call) is _FunctionType:
        return function_target(call)(f, *args, **kwargs)
    return f(*args, **kwargs)
