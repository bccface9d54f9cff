"""Higher-order ops over the first axis: ``foldl``, ``foldr``, ``map_fn``, ``scan``.

Each is a ``while_loop`` over an index that reads ``elems[i]`` and, for ``map_fn``/``scan``,
writes results into ``TensorArray``s, so they run eagerly, trace into one ``While`` node and
differentiate through it.
"""
from __future__ import annotations

from typing import Callable

from runtime import nest
from runtime import dtypes as D
from ops.control_flow import while_loop
from ops.tensor import convert_to_tensor
from ops.tensor_array import TensorArray

__all__ = ["foldl", "foldr", "map_fn", "scan"]


def _prepare(elems, op: str):
    flat = [convert_to_tensor(e) for e in nest.flatten(elems)]
    if not flat:
        raise ValueError(f"{op}: elems must contain at least one tensor")
    for i, t in enumerate(flat):
        if t.ndim == 0:
            raise ValueError(f"{op}: elems[{i}] is a scalar; elems must have a first axis to "
                             "iterate over")
    return flat, _length(flat[0])


def _length(t):
    from ops import array_ops
    n = t.shape[0]
    return n if n is not None else array_ops.shape(t)[0]


def _elem(elems, flat, i):
    return nest.pack_sequence_as(elems, [t[i] for t in flat])


def _start(elems, initializer, reverse: bool, op: str):
    """Common set-up of folds and scans: the flat elements, their count, the element order,
    the first accumulator (``elems[first]`` without an initializer) and the first index."""
    flat, n = _prepare(elems, op)
    index = (lambda k: n - 1 - k) if reverse else (lambda k: k)
    if initializer is None:
        return flat, n, index, _elem(elems, flat, index(0)), 1
    return flat, n, index, initializer, 0


def _fold(fn, elems, initializer, reverse: bool, op: str):
    flat, n, index, acc, start = _start(elems, initializer, reverse, op)

    def body(k, acc):
        return k + 1, fn(acc, _elem(elems, flat, index(k)))

    _, acc = while_loop(lambda k, acc: k < n, body, [convert_to_tensor(start), acc])
    return acc


def foldl(fn: Callable, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """``fn(...fn(fn(initializer, elems[0]), elems[1])..., elems[n-1])``."""
    return _fold(fn, elems, initializer, False, "foldl")


def foldr(fn: Callable, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """Like ``foldl`` from the last element to the first."""
    return _fold(fn, elems, initializer, True, "foldr")


def _signature_dtypes(signature, elems_flat, elems):
    if signature is None:
        return elems, [t.dtype for t in elems_flat]
    flat = nest.flatten(signature)
    dtypes = [getattr(s, "dtype", None) or D.as_dtype(s) for s in flat]
    return signature, dtypes


def map_fn(fn: Callable, elems, dtype=None, parallel_iterations=None, back_prop=True,
           swap_memory=False, infer_shape=True, name=None, fn_output_signature=None):
    """``stack([fn(elems[i]) for i in range(n)])``; the output structure and dtypes are
    ``fn_output_signature`` (or ``dtype``), by default those of ``elems``."""
    flat, n = _prepare(elems, "map_fn")
    signature = fn_output_signature or dtype
    structure, dtypes = _signature_dtypes(signature, flat, elems)
    shapes = [tuple(s.shape) if hasattr(s, "shape") else None
              for s in nest.flatten(signature)] if signature is not None else [None] * len(dtypes)
    arrays = [TensorArray(d, size=0, dynamic_size=True, element_shape=shape)
              for d, shape in zip(dtypes, shapes)]

    def body(i, arrays):
        out = nest.flatten(fn(_elem(elems, flat, i)))
        if len(out) != len(arrays):
            raise TypeError(f"map_fn: fn returned {len(out)} tensors but the output signature "
                            f"has {len(arrays)}; pass fn_output_signature=")
        return i + 1, [ta.write(i, _cast_to(o, ta.dtype)) for ta, o in zip(arrays, out)]

    _, arrays = while_loop(lambda i, arrays: i < n, body, [convert_to_tensor(0), arrays])
    results = [ta.stack() if ta._buffer is not None or signature is not None
               else _empty_like_rows(ta.dtype, t) for ta, t in zip(arrays, flat)]
    return nest.pack_sequence_as(structure, results) if nest.is_nested(structure) else results[0]


def _empty_like_rows(dtype, elems):
    """The result of mapping over zero elements: assumed shaped like the elements' rows."""
    from ops.creation import zeros
    return zeros([0] + [d or 0 for d in elems.shape[1:]], dtype=dtype)


def _cast_to(value, dtype):
    value = convert_to_tensor(value)
    if value.dtype is not dtype:
        raise TypeError(f"map_fn: fn returned {value.dtype.name} where the output signature "
                        f"says {dtype.name}; pass fn_output_signature= or cast")
    return value


def scan(fn: Callable, elems, initializer=None, parallel_iterations=10, back_prop=True,
         swap_memory=False, infer_shape=True, reverse=False, name=None):
    """Every intermediate accumulator of ``foldl`` (``foldr`` with ``reverse=True``), stacked."""
    flat, n, index, acc, start = _start(elems, initializer, reverse, "scan")
    acc_flat = [convert_to_tensor(a) for a in nest.flatten(acc)]
    acc = nest.pack_sequence_as(acc, acc_flat)
    arrays = [TensorArray(a.dtype, size=0, dynamic_size=True) for a in acc_flat]
    if initializer is None:
        arrays = [ta.write(0, a) for ta, a in zip(arrays, acc_flat)]

    def body(k, acc, arrays):
        new = fn(acc, _elem(elems, flat, index(k)))
        new_flat = [convert_to_tensor(x) for x in nest.flatten(new)]
        return k + 1, nest.pack_sequence_as(acc, new_flat), \
            [ta.write(k, x) for ta, x in zip(arrays, new_flat)]

    _, _, arrays = while_loop(lambda k, acc, arrays: k < n, body,
                              [convert_to_tensor(start), acc, arrays])
    results = [ta.stack() for ta in arrays]
    if reverse:
        from ops import array_ops
        results = [array_ops.reverse(r, [0]) for r in results]
    return nest.pack_sequence_as(acc, results) if nest.is_nested(acc) else results[0]
