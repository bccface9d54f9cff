"""Builtins whose meaning must change for staged tensors; ``converted_call`` routes calls of
the real builtins here. Everything else (and these, with Python values or eager tensors)
behaves as in Python. ``print`` is not here on purpose: it stays Python's, running while
the function is traced (``ag.print`` prints when the graph runs). Neither are ``int``,
``float`` and ``bool``: on a staged tensor they cannot give a Python value, and the error
they raise (suggesting ag.cast, ag.print) beats silently returning a tensor.
"""
from __future__ import annotations

import builtins

from ops import elementwise as E
from ops.tensor import Tensor
from ops.tensor_array import TensorArray
from autograph.converter.operators import dispatch
from autograph.converter.operators.loops import StagedEnumerate, StagedZip


def _any_staged(values) -> bool:
    return builtins.any(dispatch.is_staged(v) for v in values)


def range_(*args):
    """``range`` with tensor bounds is ``ag.range``, which a ``for`` iterates as a graph loop."""
    if _any_staged(args):
        from ops.creation import range as tensor_range
        return tensor_range(*[dispatch.as_tensor(a) for a in args])
    return builtins.range(*args)


def len_(x):
    if isinstance(x, TensorArray):
        return x.size()
    if dispatch.is_staged(x):
        x = dispatch.as_tensor(x)
        if x.ndim == 0:
            raise TypeError(f"len() of a scalar tensor (at {dispatch.where()})")
        if x.shape[0] is None:
            from ops.array_ops import shape
            return shape(x)[0]
        return x.shape[0]
    return builtins.len(x)


def enumerate_(iterable, start=0):
    if dispatch.is_staged(iterable) or isinstance(iterable, (StagedZip, StagedEnumerate)):
        return StagedEnumerate(iterable, start)
    return builtins.enumerate(iterable, start)


def zip_(*iterables, **kwargs):
    if _any_staged(iterables) and builtins.all(
            isinstance(x, (Tensor, StagedZip, StagedEnumerate)) or hasattr(x, "_read_for_op")
            for x in iterables) and not kwargs:
        return StagedZip(iterables)
    return builtins.zip(*iterables, **kwargs)


def abs_(x):
    if isinstance(x, Tensor) or hasattr(x, "_read_for_op"):
        return E.abs(x)
    return builtins.abs(x)


def _extremum(python_fn, pairwise, reduce_name, args, kwargs):
    if kwargs or not args:
        return python_fn(*args, **kwargs)
    if len(args) == 1 and dispatch.is_staged(args[0]):
        from ops import reductions
        return getattr(reductions, reduce_name)(dispatch.as_tensor(args[0]))
    if len(args) > 1 and _any_staged(args):
        result = args[0]
        for a in args[1:]:
            result = pairwise(result, a)
        return result
    return python_fn(*args, **kwargs)


def min_(*args, **kwargs):
    return _extremum(builtins.min, E.minimum, "reduce_min", args, kwargs)


def max_(*args, **kwargs):
    return _extremum(builtins.max, E.maximum, "reduce_max", args, kwargs)


OVERLOADS = {
    builtins.range: range_, builtins.len: len_, builtins.enumerate: enumerate_,
    builtins.zip: zip_, builtins.abs: abs_, builtins.min: min_, builtins.max: max_,
}
