"""Dataset elements: nested tuples, namedtuples and dicts whose leaves are eager tensors.

tf.data treats a Python list as a value, not as a structure: ``from_tensor_slices([[1, 2],
[3, 4]])`` slices one 2x2 tensor, and a list returned by a ``map`` function becomes a tuple.
``normalize`` applies those rules once, where data enters a pipeline; after it every element
is a structure of tuples and dicts that ``runtime.nest`` flattens and packs.

The row and stacking helpers work on the tensors' backend arrays directly: a pipeline moves
data, it does not differentiate through it, so it skips the op dispatcher (and its tape and
trace bookkeeping).
"""
from __future__ import annotations

import threading

import numpy as np

from runtime import backends, nest
from runtime import dtypes as D
from ops.tensor import Tensor, convert_for_op, wrap
from ops.tensor_spec import TensorSpec


def is_structure(x) -> bool:
    """Tuples (namedtuples included) and dicts nest; everything else is a leaf."""
    return isinstance(x, (tuple, dict))


def normalize(value, what: str, lists_are_tuples: bool = False, symbolic: bool = False):
    """``value`` with every leaf converted to an eager tensor (or, with ``symbolic``, to any
    tensor: the state of a reduce traced into a graph).

    Lists are values (converted to one tensor) as in tf.data; with ``lists_are_tuples`` (a
    ``map`` function's result) a top-level or nested list becomes a tuple instead.
    """
    def inner(v):
        return normalize(v, what, lists_are_tuples, symbolic)
    if isinstance(value, dict):
        items = [(k, inner(v)) for k, v in value.items()]
        return dict(items) if type(value) is dict else type(value)(items)
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*[inner(v) for v in value])
    if isinstance(value, tuple) or (lists_are_tuples and isinstance(value, list)):
        return tuple(inner(v) for v in value)
    if value is None:
        raise TypeError(f"{what}: None is not a valid dataset component; use a tensor, a NumPy "
                        "array, a Python number or a nested tuple/dict of them")
    t = convert_for_op(value, what)
    if t._v is None and not symbolic:
        raise symbolic_error(what)
    return t


PREFETCH_THREAD = "ag.data.prefetch"


def symbolic_error(what: str) -> Exception:
    """The error for a symbolic tensor where a dataset needs a concrete value."""
    if threading.current_thread().name == PREFETCH_THREAD:
        return RuntimeError(
            f"{what}: the input pipeline made a symbolic tensor in the prefetch thread because "
            "the main thread was tracing a function at the same time (the op state is shared "
            "between threads); iterate this dataset outside traced code or drop prefetch")
    return TypeError(f"{what}: got a symbolic tensor (one made while tracing an ag.function); "
                     "a dataset holds concrete values, so build it outside the function or "
                     "from concrete data")


def leaves(element) -> list:
    return nest.flatten(element)


def pack(structure, flat: list):
    return nest.pack_sequence_as(structure, flat)


def spec_of(element):
    """The ``TensorSpec`` structure describing one element."""
    return nest.map_structure(lambda t: TensorSpec(tuple(t.shape), t.dtype), element)


def specs_compatible(a, b, shapes: bool = True) -> bool:
    """Same nesting and, leaf by leaf, the same dtype and rank (and with ``shapes``,
    compatible dims)."""
    try:
        nest.assert_same_structure(a, b, check_types=False)
    except (ValueError, TypeError):
        return False
    return all(x.dtype is y.dtype and len(x.shape) == len(y.shape)
               and (not shapes or x.shape.is_compatible_with(tuple(y.shape)))
               for x, y in zip(leaves(a), leaves(b)))


def flatten_up_to(structure, value, what: str, arg: str) -> list:
    """The parts of ``value`` at the leaf positions of ``structure`` (in ``leaves`` order);
    a list may stand for a tuple. What sits at a leaf position is taken whole, so a shape
    like ``[None, 3]`` is one part."""
    out: list = []

    def walk(s, v):
        if isinstance(s, dict):
            if not isinstance(v, dict) or set(v) != set(s):
                raise TypeError(f"{what}: {arg} {v!r} does not match the element structure "
                                f"{nest._describe(structure)}")
            for k in sorted(s):
                walk(s[k], v[k])
        elif isinstance(s, tuple):
            if not isinstance(v, (tuple, list)) or len(v) != len(s):
                raise TypeError(f"{what}: {arg} {v!r} does not match the element structure "
                                f"{nest._describe(structure)}")
            for x, y in zip(s, v):
                walk(x, y)
        else:
            out.append(v)

    walk(structure, value)
    return out


def most_specific_common(a, b):
    """The spec structure both ``a`` and ``b`` fit: dims that differ become None."""
    return nest.map_structure(
        lambda x, y: TensorSpec(tuple(p if p == q else None for p, q in zip(x.shape, y.shape)),
                                x.dtype), a, b, check_types=False)


# ---- rows and batches of backend arrays ------------------------------------------------------

def first_dim(t: Tensor):
    shape = t._v.shape
    return shape[0] if len(shape) else None


def row(t: Tensor, i: int) -> Tensor:
    """``t[i]`` along the first axis, sharing memory with ``t`` (tensors are immutable)."""
    v = t._v
    r = v[i]
    if t.dtype is D.string and v.ndim == 1:
        r = np.array(r, dtype=object)  # string scalars stay 0-d object arrays
    return wrap(r, t.dtype)


def rows(t: Tensor, start: int, stop: int) -> Tensor:
    """``t[start:stop]``, sharing memory with ``t``."""
    return wrap(t._v[start:stop], t.dtype)


def stack(tensors: list, what: str, component: int = 0) -> Tensor:
    """Stack same-shaped tensors along a new first axis (the batching kernel)."""
    first = tensors[0]
    for k, t in enumerate(tensors):
        if t.dtype is not first.dtype:
            raise TypeError(f"{what}: component {component} has dtype {first.dtype.name} in the "
                            f"first element but {t.dtype.name} in element {k}")
    xp = backends.array_module(first._v)
    try:
        arr = xp.stack([xp.asarray(t._v) for t in tensors])
    except ValueError:
        shapes = [tuple(t.shape) for t in tensors]
        k = next(k for k, s in enumerate(shapes) if s != shapes[0])
        raise ValueError(f"{what}: cannot batch tensors with different shapes in component "
                         f"{component}: the first element has shape {list(shapes[0])} and "
                         f"element {k} has shape {list(shapes[k])}; use padded_batch, or "
                         "make the shapes equal in map") from None
    return wrap(arr, first.dtype)


def pad_stack(tensors: list, shape: tuple, value, what: str, component: int = 0) -> Tensor:
    """Stack tensors after padding each at the end of every axis to ``shape``."""
    first = tensors[0]
    xp = backends.array_module(first._v)
    out = xp.full((len(tensors),) + tuple(shape), value, dtype=first.dtype.np)
    for k, t in enumerate(tensors):
        if t.dtype is not first.dtype:
            raise TypeError(f"{what}: component {component} has dtype {first.dtype.name} in the "
                            f"first element but {t.dtype.name} in element {k}")
        s = tuple(t.shape)
        if len(s) != len(shape) or any(a > b for a, b in zip(s, shape)):
            raise ValueError(f"{what}: element {k} of component {component} has shape "
                             f"{list(s)}, which does not fit the padded shape {list(shape)}")
        out[(k,) + tuple(slice(0, n) for n in s)] = t._v
    return wrap(out, first.dtype)


def leaf_paths(structure) -> list:
    """A readable path per leaf, in ``leaves`` order: ``['[0]', "['label']"]`` (``''`` for a
    lone tensor)."""
    out: list = []

    def walk(x, path):
        if isinstance(x, dict):
            for k in sorted(x):
                walk(x[k], f"{path}[{k!r}]")
        elif isinstance(x, tuple):
            for i, v in enumerate(x):
                walk(v, f"{path}[{i}]")
        else:
            out.append(path)

    walk(structure, "")
    return out


def make_packer(structure):
    """A fast ``flat -> element`` for one structure (a lone tensor and a flat tuple are the
    common cases and skip the general nest walk)."""
    if not is_structure(structure):
        return lambda flat: flat[0]
    if type(structure) is tuple and not any(is_structure(x) for x in structure):
        return tuple
    return lambda flat: nest.pack_sequence_as(structure, flat)
