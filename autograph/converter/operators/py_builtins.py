"""Builtins whose meaning must change for staged tensors; ``converted_call`` routes calls of
the real builtins here. Everything else (and these, with Python values or eager tensors)
behaves as in Python. ``print`` is not here on purpose: it stays Python's, running while
the function is traced (``ag.print`` prints when the graph runs). ``int``, ``float`` and
``bool`` of a staged tensor cannot give a Python value, so, as in TensorFlow, they become
casts to int32, float32 and bool; ``any``/``all`` of a staged tensor reduce it.
``enumerate``/``zip`` of datasets while tracing are ``Dataset.enumerate``/``Dataset.zip``
(as in TensorFlow), so a ``for`` over them is a graph loop over the pipeline; ``next`` of a
dataset iterator made outside the traced function takes its next element at each call.
"""
from __future__ import annotations

import builtins

from ops import elementwise as E
from ops.context import state
from ops.data.dataset import Dataset
from ops.data.iterator import Iterator
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
    if state.graph is not None and isinstance(iterable, Dataset):
        return iterable.enumerate(start)
    if dispatch.is_staged(iterable) or isinstance(iterable, (StagedZip, StagedEnumerate)):
        return StagedEnumerate(iterable, start)
    return builtins.enumerate(iterable, start)


def zip_(*iterables, **kwargs):
    if state.graph is not None and iterables and not kwargs and \
            builtins.all(isinstance(x, Dataset) for x in iterables):
        return Dataset.zip(iterables)
    if _any_staged(iterables) and builtins.all(
            isinstance(x, (Tensor, StagedZip, StagedEnumerate)) or hasattr(x, "_read_for_op")
            for x in iterables) and not kwargs:
        return StagedZip(iterables)
    return builtins.zip(*iterables, **kwargs)


def next_(iterator, *default):
    if not default and state.graph is not None and isinstance(iterator, Iterator) and \
            not iterator._made_in_trace:
        return iterator.get_next()          # staged: the next element at each call
    return builtins.next(iterator, *default)


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


def _cast(python_type, dtype_name: str):
    def cast(x=0, *args, **kwargs):
        if (args or kwargs) and dispatch.is_staged(x):
            raise NotImplementedError(
                f"{python_type.__name__}() of a graph tensor takes no other arguments "
                f"(at {dispatch.where()}); use ag.strings.to_number for a base")
        if dispatch.is_staged(x):
            from ops.elementwise import cast as tensor_cast
            return tensor_cast(dispatch.as_tensor(x), dtype_name)
        return python_type(x, *args, **kwargs)
    cast.__name__ = f"{python_type.__name__}_"
    cast.__doc__ = f"``{python_type.__name__}`` of a graph tensor is a cast to {dtype_name}."
    return cast


int_ = _cast(builtins.int, "int32")
float_ = _cast(builtins.float, "float32")
bool_ = _cast(builtins.bool, "bool")


def _reduce_all_or_any(python_fn, reduce_name: str):
    def reduce(iterable):
        if dispatch.is_staged(iterable):
            from ops import reductions
            x = dispatch.as_tensor(iterable)
            if x.dtype.name != "bool":
                from ops.elementwise import cast as tensor_cast
                x = tensor_cast(x, "bool")
            return getattr(reductions, reduce_name)(x)
        return python_fn(iterable)
    reduce.__name__ = f"{python_fn.__name__}_"
    return reduce


any_ = _reduce_all_or_any(builtins.any, "reduce_any")
all_ = _reduce_all_or_any(builtins.all, "reduce_all")

OVERLOADS = {
    builtins.range: range_, builtins.len: len_, builtins.enumerate: enumerate_,
    builtins.zip: zip_, builtins.abs: abs_, builtins.min: min_, builtins.max: max_,
    builtins.int: int_, builtins.float: float_, builtins.bool: bool_, builtins.any: any_,
    builtins.all: all_, builtins.next: next_,
}
