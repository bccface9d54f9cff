"""Reductions, scans, arg-extrema, ``top_k``, ``add_n`` and clipping (``ag.math`` and top level).

Every reduction is one op whose attrs are ``axis`` (a sorted tuple of non-negative ints,
normalised when the op is called: ranks are always known) and ``keepdims``. Gradients send the
output gradient back to the input's shape with ``BroadcastReduced``, whose own gradient is a
reduction again, so derivatives of any order stay inside this table.
"""
from __future__ import annotations

import operator
from collections import namedtuple
from typing import Sequence

import numpy as np

from runtime import dtypes as D
from runtime import shapes
from runtime.registry import NOT_DIFFERENTIABLE, Spec
from ops import dispatch
from ops import elementwise as E
from ops.declare import BOOL, FLOAT, INT, NUMERIC, REAL, defop
from ops.errors import InvalidArgumentError
from ops.tensor import Tensor, convert_like, convert_to_tensor

__all__ = [
    "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_all",
    "reduce_any", "reduce_std", "reduce_variance", "reduce_logsumexp", "reduce_euclidean_norm",
    "count_nonzero", "cumsum", "cumprod", "argmax", "argmin", "top_k", "add_n",
    "clip_by_value", "clip_by_norm", "clip_by_global_norm", "norm", "unsorted_segment_sum",
    "segment_sum", "bincount",
]

_execute = dispatch.execute
_SIGNED_INT = frozenset({D.int8, D.int16, D.int32, D.int64})


# ---- axis handling -----------------------------------------------------------------------

_ALL_AXES = [tuple(range(r)) for r in range(33)]


def _axes(axis, rank: int, op: str) -> tuple:
    """``axis`` (None, int, list, array or eager tensor) -> sorted tuple of distinct axes."""
    if axis is None:
        return _ALL_AXES[rank] if rank < 33 else tuple(range(rank))
    if type(axis) is int:
        if -rank <= axis < rank:
            return (axis + rank if axis < 0 else axis,)
        raise _bad_axis(op, axis, rank)
    if isinstance(axis, Tensor):
        if axis._v is None:
            raise TypeError(f"{op}: axis must be known while tracing (a Python int or list), "
                            f"not the symbolic tensor {axis._sym.name!r}")
        axis = axis.numpy()
    flat = np.asarray(axis).reshape(-1).tolist() if not isinstance(axis, (list, tuple)) else axis
    out = []
    for a in flat:
        try:
            if isinstance(a, (bool, np.bool_)):
                raise TypeError
            a = operator.index(a)  # ints, NumPy ints, integer tensors
        except TypeError:
            raise TypeError(f"{op}: axis must hold integers, got {axis!r}") from None
        if not -rank <= a < rank:
            raise _bad_axis(op, a, rank)
        a = a + rank if a < 0 else a
        if a in out:
            raise InvalidArgumentError(f"{op}: axis {list(flat)} contains dimension {a} twice",
                                       op)
        out.append(a)
    return tuple(sorted(out))


def _one_axis(axis, rank: int, op: str) -> int:
    if isinstance(axis, Tensor):
        axis = axis.numpy()
    if isinstance(axis, (np.ndarray, np.generic)) and np.ndim(axis) == 0:
        axis = axis.item()
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{op}: axis must be a single integer, got {axis!r}")
    if not -rank <= axis < rank:
        raise _bad_axis(op, axis, rank)
    return int(axis) % rank


def _bad_axis(op: str, axis, rank: int) -> InvalidArgumentError:
    return InvalidArgumentError(f"{op}: axis {axis} is out of range for a tensor of rank {rank} "
                                f"(valid: {-rank} to {rank - 1})", op)


def _reduced_shape(shape: Sequence, axis: tuple, keepdims: bool) -> tuple:
    if keepdims:
        return tuple(1 if i in axis else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axis)


def _count(shape: Sequence, axis: tuple) -> int:
    n = 1
    for a in axis:
        n *= shape[a]
    return n


def _input(x, allowed: frozenset, op: str) -> Tensor:
    if type(x) is not Tensor:
        x = convert_to_tensor(x)
    if x.dtype not in allowed:
        names = ", ".join(sorted(d.name for d in allowed))
        raise TypeError(f"{op} does not accept {x.dtype.name} tensors (it accepts {names}); "
                        "use ag.cast to convert")
    return x


# ---- kernels -----------------------------------------------------------------------------

# Kernels call array methods (``x.sum``): they reach C directly on NumPy and CuPy alike,
# and a full reduction passes ``axis=None``, NumPy's fastest path.

def _full(x, axis):
    return None if len(axis) == x.ndim else axis


def _sum_kernel(xp, x, axis, keepdims):
    return x.sum(axis=_full(x, axis), dtype=x.dtype, keepdims=keepdims)


def _prod_kernel(xp, x, axis, keepdims):
    return x.prod(axis=_full(x, axis), dtype=x.dtype, keepdims=keepdims)


def _mean_kernel(xp, x, axis, keepdims):
    n = _count(x.shape, axis)
    if x.dtype.kind in "iu":
        # TensorFlow divides integer sums with C semantics: the quotient truncates toward 0.
        s = x.sum(axis=_full(x, axis), dtype=x.dtype, keepdims=keepdims)
        if n == 0:
            return xp.zeros_like(s)
        q = s // n
        return (q + ((s % n != 0) & (s < 0))).astype(x.dtype)
    if n == 0:
        return xp.full(_reduced_shape(x.shape, axis, keepdims), np.nan, x.dtype)
    # float16 accumulates in float32, as NumPy's mean and TensorFlow do.
    acc = np.float32 if x.dtype == np.float16 else x.dtype
    return (x.sum(axis=_full(x, axis), dtype=acc, keepdims=keepdims) / n).astype(x.dtype,
                                                                              copy=False)


def _extreme_kernel(pick: str, lowest: bool):
    """max/min; an empty reduction gives the identity (-inf / lowest int for max), as TF."""
    def kernel(xp, x, axis, keepdims):
        if x.size == 0:
            if x.dtype.kind == "f":
                fill = -np.inf if lowest else np.inf
            else:
                info = np.iinfo(x.dtype)
                fill = info.min if lowest else info.max
            return xp.full(_reduced_shape(x.shape, axis, keepdims), fill, x.dtype)
        return getattr(x, pick)(axis=_full(x, axis), keepdims=keepdims)
    return kernel


def _logsumexp_kernel(xp, x, axis, keepdims):
    if x.size == 0:
        return xp.full(_reduced_shape(x.shape, axis, keepdims), -np.inf, x.dtype)
    m = xp.max(x, axis=axis, keepdims=True)
    m = xp.where(xp.isfinite(m), m, xp.zeros_like(m))  # all -inf or an inf: don't subtract it
    with np.errstate(divide="ignore"):
        out = xp.log(xp.sum(xp.exp(x - m), axis=axis, keepdims=True)) + m
    if not keepdims:
        out = out.reshape(_reduced_shape(x.shape, axis, False))
    return out.astype(x.dtype, copy=False)


def _euclidean_kernel(xp, x, axis, keepdims):
    if x.dtype.kind in "iu":  # TF computes integer norms in the integer type (truncated)
        sq = xp.sum(xp.square(x.astype(np.float64)), axis=axis, keepdims=keepdims)
        return xp.sqrt(sq).astype(x.dtype)
    return xp.sqrt(xp.sum(x * x, axis=axis, keepdims=keepdims)).astype(x.dtype, copy=False)


def _reduce_infer(op: str, allowed: frozenset):
    def infer(x: Spec, axis: tuple, keepdims: bool) -> Spec:
        if x.dtype not in allowed:
            raise TypeError(f"{op} does not accept {x.dtype.name} tensors")
        for a in axis:
            if a >= len(x.shape):
                raise _bad_axis(op, a, len(x.shape))
        return Spec(x.dtype, _reduced_shape(x.shape, axis, keepdims))
    return infer


# ---- gradients ---------------------------------------------------------------------------

def broadcast_reduced(dy: Tensor, like: Tensor, axis: tuple, keepdims: bool = False,
                      mean: bool = False) -> Tensor:
    """Send a gradient of a reduction over ``axis`` back to ``like``'s shape (divided by the
    number of reduced elements when ``mean``). Also inserts size-1 axes for linalg gradients."""
    return _execute(_BROADCAST_REDUCED, (dy, like),
                    {"axis": axis, "keepdims": keepdims, "mean": mean})


def _broadcast_reduced_kernel(xp, dy, like, axis, keepdims, mean):
    shape = like.shape
    if not keepdims:
        dy = xp.reshape(dy, _reduced_shape(shape, axis, True))
    n = _count(shape, axis)
    if mean and n:
        dy = dy / n
    return xp.broadcast_to(dy, shape)


def _broadcast_reduced_grad(op, g):
    a = op.attrs
    back = _MEAN if a["mean"] else _SUM
    return [_execute(back, (g,), {"axis": a["axis"], "keepdims": a["keepdims"]}), None]


_BROADCAST_REDUCED = defop(
    "BroadcastReduced", _broadcast_reduced_kernel,
    lambda dy, like, axis, keepdims, mean: Spec(dy.dtype, like.shape), _broadcast_reduced_grad)


def _back(op, dy, mean=False):
    return broadcast_reduced(dy, op.inputs[0], op.attrs["axis"], op.attrs["keepdims"], mean)


def _extreme_grad(op, dy):
    # Every position equal to the extreme shares the gradient equally (TensorFlow's rule).
    x, y = op.inputs[0], op.outputs[0]
    mask = E.cast(E.equal(x, _back(op, y)), x.dtype)
    count = _execute(_SUM, (mask,), op.attrs)
    return [mask * _back(op, dy / count)]


def _others_product(z: Tensor, axis: int) -> Tensor:
    """Product of all other entries along ``axis`` (no division, so zeros are fine)."""
    return cumprod(z, axis, exclusive=True) * cumprod(z, axis, exclusive=True, reverse=True)


def _prod_grad(op, dy):
    # Reduce one axis at a time: z_0 = x, z_i = prod(z_{i-1}, axis_i, keepdims) and go back.
    x = op.inputs[0]
    axes = op.attrs["axis"]
    if not axes:
        return [dy]
    stages = [x]
    for a in axes[:-1]:
        stages.append(_execute(_PROD, (stages[-1],), {"axis": (a,), "keepdims": True}))
    g = broadcast_reduced(dy, stages[-1], axes, op.attrs["keepdims"])
    for a, z in zip(reversed(axes), reversed(stages)):
        g = E.broadcast_like(g, z) * _others_product(z, a)
    return [g]


def _logsumexp_grad(op, dy):
    x = op.inputs[0]
    return [_back(op, dy) * E.exp(x - _back(op, op.outputs[0]))]


def _euclidean_grad(op, dy):
    x = op.inputs[0]
    return [_back(op, dy) * E.divide_no_nan(x, _back(op, op.outputs[0]))]


# name, public wrapper name, kernel, dtypes, gradient
_REDUCTIONS = [
    ("Sum", "reduce_sum", _sum_kernel, NUMERIC, lambda op, dy: [_back(op, dy)]),
    ("Mean", "reduce_mean", _mean_kernel, NUMERIC, lambda op, dy: [_back(op, dy, mean=True)]),
    ("Max", "reduce_max", _extreme_kernel("max", True), REAL, _extreme_grad),
    ("Min", "reduce_min", _extreme_kernel("min", False), REAL, _extreme_grad),
    ("Prod", "reduce_prod", _prod_kernel, NUMERIC, _prod_grad),
    ("All", "reduce_all", lambda xp, x, axis, keepdims: x.all(axis=_full(x, axis),
                                                                keepdims=keepdims),
     BOOL, NOT_DIFFERENTIABLE),
    ("Any", "reduce_any", lambda xp, x, axis, keepdims: x.any(axis=_full(x, axis),
                                                                keepdims=keepdims),
     BOOL, NOT_DIFFERENTIABLE),
    ("LogSumExp", "reduce_logsumexp", _logsumexp_kernel, FLOAT, _logsumexp_grad),
    ("EuclideanNorm", "reduce_euclidean_norm", _euclidean_kernel, FLOAT | _SIGNED_INT,
     _euclidean_grad),
]


def _make_reduction(name: str, public: str, kernel, allowed: frozenset, grad):
    op = defop(name, kernel, _reduce_infer(name, allowed), grad)

    def reduce(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
        x = input_tensor
        if type(x) is not Tensor:
            x = convert_to_tensor(x)
        if x.dtype not in allowed:
            _input(x, allowed, public)
        return _execute(op, (x,), {"axis": _axes(axis, x.ndim, public),
                                   "keepdims": bool(keepdims)})

    reduce.__name__ = reduce.__qualname__ = public
    reduce.__doc__ = f"TensorFlow's ``tf.math.{public}``: reduce ``axis`` (None: all axes)."
    return op, reduce


_OPS = {}
_FNS = {}
for _row in _REDUCTIONS:
    _OPS[_row[0]], _FNS[_row[1]] = _make_reduction(*_row)
_SUM, _MEAN, _PROD = _OPS["Sum"], _OPS["Mean"], _OPS["Prod"]

reduce_sum = _FNS["reduce_sum"]
reduce_mean = _FNS["reduce_mean"]
reduce_max = _FNS["reduce_max"]
reduce_min = _FNS["reduce_min"]
reduce_prod = _FNS["reduce_prod"]
reduce_all = _FNS["reduce_all"]
reduce_any = _FNS["reduce_any"]
reduce_logsumexp = _FNS["reduce_logsumexp"]
reduce_euclidean_norm = _FNS["reduce_euclidean_norm"]


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Mean squared deviation from the mean over ``axis`` (floating point only)."""
    x = _input(input_tensor, FLOAT, "reduce_variance")
    axes = _axes(axis, x.ndim, "reduce_variance")
    mean = _execute(_MEAN, (x,), {"axis": axes, "keepdims": True})
    return _execute(_MEAN, (E.square(x - mean),), {"axis": axes, "keepdims": bool(keepdims)})


def reduce_std(input_tensor, axis=None, keepdims=False, name=None) -> Tensor:
    """Standard deviation over ``axis``: ``sqrt(reduce_variance(...))``."""
    return E.sqrt(reduce_variance(input_tensor, axis, keepdims))


def count_nonzero(input, axis=None, keepdims=None, dtype=D.int64,  # noqa: A002
                  name=None) -> Tensor:
    """Number of non-zero (non-False) entries over ``axis``, as ``dtype`` (int64 default)."""
    x = _input(input, NUMERIC | BOOL, "count_nonzero")
    nonzero = E.cast(E.not_equal(x, E.zeros_like(x)), dtype)
    return reduce_sum(nonzero, axis, bool(keepdims))


# ---- scans -------------------------------------------------------------------------------

def _scan_kernel(fn: str, identity: int):
    def kernel(xp, x, axis, exclusive, reverse):
        if reverse:
            x = xp.flip(x, axis)
        out = getattr(xp, fn)(x, axis=axis, dtype=x.dtype)
        if exclusive and x.shape[axis]:
            # Shift by one along ``axis`` and start from the identity.
            first = list(x.shape)
            first[axis] = 1
            head = [slice(None)] * x.ndim
            head[axis] = slice(0, -1)
            out = xp.concatenate([xp.full(first, identity, x.dtype), out[tuple(head)]], axis)
        if reverse:
            out = xp.flip(out, axis)
        return out
    return kernel


def _scan_infer(op: str):
    def infer(x: Spec, axis: int, exclusive: bool, reverse: bool) -> Spec:
        if x.dtype not in NUMERIC:
            raise TypeError(f"{op} does not accept {x.dtype.name} tensors")
        if not 0 <= axis < len(x.shape):
            raise _bad_axis(op, axis, len(x.shape))
        return x
    return infer


def _cumsum_grad(op, dy):
    a = op.attrs
    return [cumsum(dy, a["axis"], a["exclusive"], not a["reverse"])]


def _cumprod_grad(op, dy):
    # TensorFlow's formula; it divides by x, so inputs holding zeros get non-finite gradients.
    a = op.attrs
    x, y = op.inputs[0], op.outputs[0]
    return [cumsum(y * dy, a["axis"], a["exclusive"], not a["reverse"]) / x]


_CUMSUM = defop("Cumsum", _scan_kernel("cumsum", 0), _scan_infer("Cumsum"), _cumsum_grad)
_CUMPROD = defop("Cumprod", _scan_kernel("cumprod", 1), _scan_infer("Cumprod"), _cumprod_grad)


def _scan(op, public: str, x, axis, exclusive, reverse) -> Tensor:
    x = _input(x, NUMERIC, public)
    if x.ndim == 0:
        raise ValueError(f"{public}: the input must have rank >= 1, got a scalar")
    return _execute(op, (x,), {"axis": _one_axis(axis, x.ndim, public),
                               "exclusive": bool(exclusive), "reverse": bool(reverse)})


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """Running sum along ``axis``; ``exclusive`` starts from 0, ``reverse`` runs backwards."""
    return _scan(_CUMSUM, "cumsum", x, axis, exclusive, reverse)


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None) -> Tensor:
    """Running product along ``axis``; ``exclusive`` starts from 1, ``reverse`` runs backwards."""
    return _scan(_CUMPROD, "cumprod", x, axis, exclusive, reverse)


# ---- argmax / argmin ---------------------------------------------------------------------

def _arg_infer(op: str):
    def infer(x: Spec, axis: int, output_type: D.DType) -> Spec:
        if x.dtype not in REAL | BOOL:
            raise TypeError(f"{op} does not accept {x.dtype.name} tensors")
        if not 0 <= axis < len(x.shape):
            raise _bad_axis(op, axis, len(x.shape))
        if x.shape[axis] == 0:
            raise InvalidArgumentError(f"{op}: axis {axis} of shape {shapes.fmt(x.shape)} is "
                                       "empty, so it has no extreme value", op)
        return Spec(output_type, x.shape[:axis] + x.shape[axis + 1:])
    return infer


_ARGMAX = defop("ArgMax", lambda xp, x, axis, output_type:
                xp.argmax(x, axis=axis).astype(output_type.np), _arg_infer("ArgMax"))
_ARGMIN = defop("ArgMin", lambda xp, x, axis, output_type:
                xp.argmin(x, axis=axis).astype(output_type.np), _arg_infer("ArgMin"))


def _arg(op, public, x, axis, output_type) -> Tensor:
    x = _input(x, REAL | BOOL, public)
    output_type = D.as_dtype(output_type)
    if output_type not in INT:
        raise TypeError(f"{public}: output_type must be an integer dtype, got "
                        f"{output_type.name}")
    if x.ndim == 0:
        raise InvalidArgumentError(f"{public}: the input must have rank >= 1, got a scalar",
                                   public)
    axis = 0 if axis is None else _one_axis(axis, x.ndim, public)
    return _execute(op, (x,), {"axis": axis, "output_type": output_type})


def argmax(input, axis=None, output_type=D.int64, name=None) -> Tensor:  # noqa: A002
    """Index of the largest value along ``axis`` (None means 0); the first one on ties."""
    return _arg(_ARGMAX, "argmax", input, axis, output_type)


def argmin(input, axis=None, output_type=D.int64, name=None) -> Tensor:  # noqa: A002
    """Index of the smallest value along ``axis`` (None means 0); the first one on ties."""
    return _arg(_ARGMIN, "argmin", input, axis, output_type)


# ---- top_k -------------------------------------------------------------------------------

TopKV2 = namedtuple("TopKV2", ["values", "indices"])


def _top_k_kernel(xp, x, k, sorted):  # noqa: A002
    n = x.shape[-1]
    if not 0 <= k <= n:
        raise ValueError("k out of range")  # the infer rule words the error
    # Stable ascending sort of the reversed row, read backwards: descending values, and among
    # equal values the lower index first (TensorFlow's order).
    kind = {"kind": "stable"} if xp is np else {}
    order = xp.argsort(x[..., ::-1], axis=-1, **kind)[..., ::-1][..., :k]
    indices = (n - 1) - order
    return xp.take_along_axis(x, indices, axis=-1), indices.astype(np.int32)


def _top_k_infer(x: Spec, k: int, sorted: bool):  # noqa: A002
    if x.dtype not in REAL:
        raise TypeError(f"TopKV2 does not accept {x.dtype.name} tensors")
    if not x.shape:
        raise ValueError("TopKV2: the input must have rank >= 1, got a scalar")
    n = x.shape[-1]
    if k < 0 or (n is not None and k > n):
        raise InvalidArgumentError(f"TopKV2: k = {k} is out of range for a last dimension of "
                                   f"{n} (input shape {shapes.fmt(x.shape)})", "TopKV2")
    shape = x.shape[:-1] + (k,)
    return [Spec(x.dtype, shape), Spec(D.int32, shape)]


def _top_k_grad(op, dvalues, dindices):
    # Scatter dvalues back: compare each index with the positions 0..n-1 of its row. Only
    # elementwise ops and expand_dims, so unknown dims while tracing are fine.
    from ops import array_ops
    x, indices = op.inputs[0], op.outputs[1]
    positions = cumsum(E.ones_like(x, dtype=D.int32), axis=-1, exclusive=True)
    hits = E.equal(array_ops.expand_dims(indices, -1), array_ops.expand_dims(positions, -2))
    spread = E.cast(hits, dvalues.dtype) * array_ops.expand_dims(dvalues, -1)  # [..., k, n]
    return [reduce_sum(spread, axis=-2)]


_TOP_K = defop("TopKV2", _top_k_kernel, _top_k_infer, _top_k_grad, multi=True)


def top_k(input, k=1, sorted=True, index_type=D.int32, name=None) -> TopKV2:  # noqa: A002
    """The ``k`` largest entries of the last axis and their int32 indices, largest first."""
    x = _input(input, REAL, "top_k")
    k = int(k.numpy()) if isinstance(k, Tensor) else int(k)
    values, indices = _execute(_TOP_K, (x,), {"k": k, "sorted": bool(sorted)})
    if D.as_dtype(index_type) is not D.int32:
        indices = E.cast(indices, index_type)
    return TopKV2(values, indices)


# ---- add_n -------------------------------------------------------------------------------

def _add_n_kernel(xp, *xs):
    if len(xs) == 1:
        return xs[0]
    out = xp.add(xs[0], xs[1])
    for x in xs[2:]:
        out = out + x
    return out


def _add_n_infer(*xs: Spec) -> Spec:
    shape = xs[0].shape
    for i, x in enumerate(xs[1:], 1):
        if x.dtype is not xs[0].dtype:
            from ops.errors import dtype_mismatch
            raise dtype_mismatch("AddN", xs[0].dtype, x.dtype)
        if len(x.shape) != len(shape) or any(
                a is not None and b is not None and a != b for a, b in zip(shape, x.shape)):
            raise ValueError(f"AddN: all inputs must have the same shape; input 0 is "
                             f"{shapes.fmt(xs[0].shape)} but input {i} is {shapes.fmt(x.shape)}")
        shape = tuple(a if a is not None else b for a, b in zip(shape, x.shape))
    return Spec(xs[0].dtype, shape)


_ADD_N = defop("AddN", _add_n_kernel, _add_n_infer,
               lambda op, dy: [dy] * len(op.inputs))


def add_n(inputs, name=None) -> Tensor:
    """Elementwise sum of a list of tensors of one shape and dtype."""
    if isinstance(inputs, Tensor) or not isinstance(inputs, (list, tuple)) or not inputs:
        raise ValueError("add_n: inputs must be a non-empty list of tensors")
    xs = dispatch.tensors(list(inputs), "AddN")
    if xs[0].dtype not in NUMERIC:
        _input(xs[0], NUMERIC, "add_n")
    return _execute(_ADD_N, xs)


# ---- clipping ----------------------------------------------------------------------------

def clip_by_value(t, clip_value_min, clip_value_max, name=None) -> Tensor:
    """Clamp ``t`` to ``[clip_value_min, clip_value_max]`` (bounds broadcast to ``t``).

    Built from ``minimum``/``maximum``, so the gradient passes through where ``t`` is inside
    the bounds (ties included) and fuses with neighbouring elementwise ops.
    """
    t = _input(t, REAL, "clip_by_value")
    out = E.maximum(E.minimum(t, clip_value_max), clip_value_min)
    if out.shape.is_fully_defined() and t.shape.is_fully_defined() and out.shape != t.shape:
        raise ValueError(f"clip_by_value: the clip bounds must broadcast to t's shape "
                         f"{shapes.fmt(t.shape)}, but clipping gives {shapes.fmt(out.shape)}")
    return out


def clip_by_norm(t, clip_norm, axes=None, name=None) -> Tensor:
    """Rescale ``t`` so its L2 norm over ``axes`` is at most ``clip_norm``."""
    t = _input(t, FLOAT, "clip_by_norm")
    l2sum = reduce_sum(t * t, axes, keepdims=True)
    positive = E.greater(l2sum, E.zeros_like(l2sum))
    # sqrt only where positive, so the gradient at a zero vector stays finite.
    safe = E.where_(positive, l2sum, E.ones_like(l2sum))
    l2norm = E.where_(positive, E.sqrt(safe), l2sum)
    clip_norm = convert_like(clip_norm, t.dtype, "clip_by_norm")
    return t * clip_norm / E.maximum(l2norm, clip_norm)


def global_norm(t_list, name=None) -> Tensor:
    """``sqrt(sum of squares of every entry of every tensor)``; None entries are skipped."""
    if isinstance(t_list, Tensor) or not isinstance(t_list, (list, tuple)):
        raise TypeError("global_norm: t_list must be a list or tuple of tensors")
    squares = [reduce_sum(E.square(_input(t, FLOAT, "global_norm")))
               for t in t_list if t is not None]
    if not squares:
        return convert_to_tensor(0.0)
    return E.sqrt(add_n(squares))


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """Scale every tensor by ``clip_norm / max(global_norm, clip_norm)``.

    Returns ``(clipped list, global_norm)``; None entries stay None, and an infinite global
    norm makes every entry NaN, as in TensorFlow.
    """
    if isinstance(t_list, Tensor) or not isinstance(t_list, (list, tuple)):
        raise TypeError("clip_by_global_norm: t_list must be a list or tuple of tensors")
    norm = global_norm(t_list) if use_norm is None else convert_to_tensor(use_norm)
    clip = convert_like(clip_norm, norm.dtype, "clip_by_global_norm")
    # (norm - norm) is NaN exactly when the norm is infinite.
    scale = clip / E.maximum(norm, clip) + (norm - norm)
    clipped = []
    for t in t_list:
        if t is not None:
            t = convert_to_tensor(t)
            t = t * E.cast(scale, t.dtype)
        clipped.append(t)
    return clipped, norm


# ---- norms (ag.norm, ag.linalg.norm) -----------------------------------------------------

def _norm_axes(axis, rank: int) -> tuple:
    if axis is None:
        return tuple(range(rank))
    if isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
        return _axes(int(axis), rank, "norm")
    axis = list(axis)
    if len(axis) not in (1, 2):
        raise ValueError(f"norm: 'axis' must be None, an integer, or a tuple of 2 unique "
                         f"integers, got {axis!r}")
    found = tuple(int(a) % rank if -rank <= int(a) < rank else None for a in axis)
    if None in found:
        raise ValueError(f"norm: axis {axis!r} is out of range for a tensor of rank {rank}")
    if len(set(found)) != len(found):
        raise ValueError(f"norm: 'axis' must be a tuple of 2 unique integers, got {axis!r}")
    return found


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None) -> Tensor:  # noqa: A002
    """Vector norm over ``axis`` (None: all entries) or matrix norm over an axis pair.

    ``ord``: 'euclidean' (default), 'fro' (matrices), 1, 2, ``np.inf`` or any p > 0 for vectors.
    """
    x = _input(tensor, FLOAT, "norm")
    keepdims = bool(keepdims)
    axes = _norm_axes(axis, x.ndim)
    matrix = axis is not None and not isinstance(axis, (int, np.integer)) and len(axes) == 2
    if matrix:
        if ord not in ("euclidean", "fro", 1, 2, np.inf):
            raise ValueError(f"norm: 'ord' must be 'euclidean', 'fro', 1, 2 or np.inf for a "
                             f"matrix norm, got {ord!r}")
    elif ord == "fro" or isinstance(ord, str) and ord != "euclidean" or (
            not isinstance(ord, str) and not (isinstance(ord, (int, float)) and ord > 0)):
        raise ValueError(f"norm: 'ord' must be 'euclidean', 1, 2, np.inf or a positive number "
                         f"for a vector norm, got {ord!r}")
    if ord in ("euclidean", "fro") or (ord == 2 and not matrix):
        return reduce_euclidean_norm(x, axes, keepdims)
    magnitude = E.abs(x)
    if matrix and ord in (1, np.inf):
        # 1: largest column sum (sum over rows); inf: largest row sum (sum over columns).
        row, col = axes
        sums = reduce_sum(magnitude, row if ord == 1 else col, keepdims=True)
        return reduce_max(sums, axes, keepdims)
    if matrix:  # ord == 2: the largest singular value
        return _spectral_norm(x, axes, keepdims)
    if ord == 1:
        return reduce_sum(magnitude, axes, keepdims)
    if ord == np.inf:
        return reduce_max(magnitude, axes, keepdims)
    return E.pow(reduce_sum(E.pow(magnitude, ord), axes, keepdims), 1.0 / ord)


def _spectral_norm(x: Tensor, axes: tuple, keepdims: bool) -> Tensor:
    from ops import array_ops
    from ops.linalg import svd
    r = x.ndim
    if sorted(axes) != [r - 2, r - 1]:
        perm = [i for i in range(r) if i not in axes] + list(axes)
        x = array_ops.transpose(x, perm)
    out = reduce_max(svd(x, compute_uv=False), axis=-1)
    if keepdims:
        for a in sorted(axes):
            out = array_ops.expand_dims(out, a)
    return out


# ---- segments ----------------------------------------------------------------------------

def _segment_kernel(xp, data, ids, num_segments):
    if ids.size and int(ids.max()) >= num_segments:
        raise InvalidArgumentError(f"UnsortedSegmentSum: segment id {int(ids.max())} is out of "
                                   f"range for num_segments = {num_segments}",
                                   "UnsortedSegmentSum")
    out = xp.zeros((num_segments,) + data.shape[ids.ndim:], data.dtype)
    keep = ids >= 0  # negative ids are dropped, as in TensorFlow
    ids, data = ids[keep], data[keep]
    if xp is np:
        np.add.at(out, ids, data)
    else:
        import cupyx
        cupyx.scatter_add(out, ids, data)
    return out


def _segment_infer(data: Spec, ids: Spec, num_segments: int) -> Spec:
    if ids.dtype not in INT:
        raise TypeError(f"UnsortedSegmentSum: segment_ids must be integers, got {ids.dtype.name}")
    prefix = data.shape[:len(ids.shape)]
    if len(ids.shape) > len(data.shape) or any(
            a is not None and b is not None and a != b for a, b in zip(prefix, ids.shape)):
        raise ValueError(f"UnsortedSegmentSum: segment_ids shape {shapes.fmt(ids.shape)} must "
                         f"be a prefix of data shape {shapes.fmt(data.shape)}")
    return Spec(data.dtype, (num_segments,) + data.shape[len(ids.shape):])


def _segment_grad(op, dy):
    from ops import array_ops
    ids = op.inputs[1]
    kept = E.greater_equal(ids, E.zeros_like(ids))
    picked = array_ops.gather(dy, E.maximum(ids, E.zeros_like(ids)))
    mask = _expand_last(E.cast(kept, dy.dtype), picked)
    return [picked * mask, None]


def _expand_last(mask: Tensor, like: Tensor) -> Tensor:
    """``mask`` [d0..dk] broadcast along the trailing axes of ``like`` [d0..dk, ...]."""
    axes = tuple(range(mask.ndim, like.ndim))
    return broadcast_reduced(mask, like, axes)


_SEGMENT_SUM = defop("UnsortedSegmentSum", _segment_kernel, _segment_infer, _segment_grad)


def unsorted_segment_sum(data, segment_ids, num_segments, name=None) -> Tensor:
    """``out[s] = sum of data[i] where segment_ids[i] == s``; out has ``num_segments`` rows."""
    data = _input(data, NUMERIC, "unsorted_segment_sum")
    ids = _input(segment_ids, INT, "unsorted_segment_sum")
    n = int(num_segments.numpy()) if isinstance(num_segments, Tensor) else int(num_segments)
    return _execute(_SEGMENT_SUM, (data, ids), {"num_segments": n})


def _concrete_ids(ids: Tensor, op: str) -> np.ndarray:
    if ids._v is None:
        raise TypeError(f"{op}: the output size depends on the values of segment_ids, which "
                        "are unknown while tracing; use unsorted_segment_sum with num_segments")
    return np.asarray(ids.numpy())


def segment_sum(data, segment_ids, name=None) -> Tensor:
    """Sums of ``data`` rows over sorted ``segment_ids``; ``max(id) + 1`` output rows."""
    ids = _input(segment_ids, INT, "segment_sum")
    values = _concrete_ids(ids, "segment_sum")
    if values.ndim != 1:
        raise ValueError(f"segment_sum: segment_ids must be a vector, got shape {values.shape}")
    if values.size and (np.any(np.diff(values) < 0) or values[0] < 0):
        raise InvalidArgumentError("segment_sum: segment_ids must be sorted and non-negative",
                                   "segment_sum")
    n = int(values.max()) + 1 if values.size else 0
    return unsorted_segment_sum(data, ids, n)


def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=D.int32,
             name=None, axis=None, binary_output=False) -> Tensor:
    """Counts of each non-negative integer in ``arr`` (weighted sums with ``weights``)."""
    arr = _input(arr, INT, "bincount")
    values = _concrete_ids(arr, "bincount")
    if values.size and values.min() < 0:
        raise InvalidArgumentError("bincount: arr must be non-negative", "bincount")
    length = int(values.max()) + 1 if values.size else 0
    if minlength is not None:
        length = max(length, int(minlength))
    if maxlength is not None:
        length = min(length, int(maxlength))
    flat = arr if arr.ndim == 1 else convert_to_tensor(values.reshape(-1).astype(arr.dtype.np))
    if maxlength is not None:  # entries past maxlength are dropped (id -1 is skipped)
        flat = E.where_(E.less(flat, convert_like(length, flat.dtype, "bincount")), flat,
                        E.zeros_like(flat) - 1)
    if weights is None:
        w = E.ones_like(flat, dtype=dtype)
    else:
        w = convert_to_tensor(weights)
        if w.ndim != 1:
            w = convert_to_tensor(np.asarray(w.numpy()).reshape(-1))
    if binary_output:
        counts = unsorted_segment_sum(E.ones_like(flat, dtype=D.int32), flat, length)
        return E.cast(E.greater(counts, E.zeros_like(counts)), dtype if weights is None
                      else w.dtype)
    return unsorted_segment_sum(w, flat, length)
