"""Shape and layout ops: reshape, squeeze, transpose, concat, stack, split, tile, pad, ...

Every op is declared once with ``defop``; the wrappers convert arguments into hashable attrs
(tuples of ints, normalised axes) so graphs can store them. Shape arguments may be Python
data, concrete tensors, or (while tracing) symbolic int tensors: the latter select a
"dynamic" twin of the op that takes the shape as an input. Gather, scatter, slicing and
``Tensor.__getitem__`` live in ``ops.indexing`` and are re-exported here.
"""
from __future__ import annotations

import builtins
from typing import NamedTuple, Optional, Sequence

import numpy as np

from runtime import dtypes as D
from runtime import shapes
from runtime.registry import Spec
from ops import dispatch
from ops import elementwise as E
from ops.declare import defop
from ops.indexing import (  # noqa: F401  (re-exported: ``ag.gather`` etc.)
    INDEX_DTYPES, _t, as_array, boolean_mask, gather, gather_nd, int_list, scatter_nd, slice, strided_slice,
    tensor_scatter_nd_add, tensor_scatter_nd_sub, tensor_scatter_nd_update, where,
)
from ops.tensor import Tensor, convert_like, convert_to_tensor
from ops.tensor_array import TensorArray

__all__ = [
    "reshape", "squeeze", "expand_dims", "transpose", "concat", "stack", "unstack", "split",
    "tile", "pad", "reverse", "broadcast_to", "broadcast_static_shape",
    "broadcast_dynamic_shape", "one_hot", "shape", "shape_n", "rank", "size", "identity_n",
    "where", "gather", "gather_nd", "boolean_mask", "slice", "strided_slice", "scatter_nd",
    "tensor_scatter_nd_update", "tensor_scatter_nd_add", "tensor_scatter_nd_sub",
]

_fmt = shapes.fmt


def _axis(axis, rank: int, op: str) -> int:
    """A Python or concrete-tensor axis, normalised to ``[0, rank)``."""
    return shapes.normalize_axis(int(axis), rank, op)


# ---- shapes as values -------------------------------------------------------------------

def shape_of(x: Tensor):
    """``x``'s shape as gradients pass it on: a tuple when fully known, else ``ag.shape(x)``."""
    s = tuple(x.shape)
    return s if None not in s else shape(x)


def dims_of(x: Tensor) -> list:
    """``x``'s dims as a list: ints where known, scalar int32 tensors where not."""
    s = tuple(x.shape)
    if None not in s:
        return list(s)
    dyn = shape(x)
    return [d if d is not None else dyn[i] for i, d in enumerate(s)]


class _DynamicShape(NamedTuple):
    tensor: Tensor
    known: Optional[tuple]


def _shape_arg(value, op: str):
    """A shape argument as a tuple of ints, or (while tracing) ``(int tensor, known)`` where
    ``known`` holds the entries given as Python ints (``None`` for the symbolic ones)."""
    if isinstance(value, Tensor) and value._v is None:
        if value.dtype not in INDEX_DTYPES or value.ndim != 1:
            raise TypeError(f"{op}: the shape must be a 1-D int32/int64 tensor, got "
                            f"{value.dtype.name}{_fmt(value.shape)}")
        return _DynamicShape(value, None)
    if isinstance(value, (list, tuple)) and any(
            isinstance(d, Tensor) and d._v is None for d in value):
        parts = [_t(d) for d in value]
        known = tuple(None if t._v is None else int(t) for t in parts)
        return _DynamicShape(stack([t if t.dtype is D.int32 else E.cast(t, D.int32)
                                    for t in parts]), known)
    return int_list(value, "shape", op)


def _dynamic_dims(op: str, shape: Spec, known) -> tuple:
    """Output dims of an op whose shape is a tensor: the Python-int entries are known."""
    if shape.dtype not in INDEX_DTYPES or len(shape.shape) != 1 or shape.shape[0] is None:
        raise ValueError(f"{op}: the shape tensor must be 1-D int32/int64 of known length, got "
                         f"{shape.dtype.name}{_fmt(shape.shape)}")
    if known is None:
        return (None,) * shape.shape[0]
    return tuple(None if k is None or k < 0 else k for k in known)


# ---- reshape ----------------------------------------------------------------------------

def _reshape_infer(x: Spec, shape: tuple) -> Spec:
    if sum(d == -1 for d in shape) > 1 or any(d < -1 for d in shape):
        raise ValueError(f"Reshape: shape {list(shape)} may hold at most one -1 and no other "
                         "negative sizes")
    total = shapes.num_elements(x.shape)
    known = int(np.prod([d for d in shape if d != -1], dtype=np.int64))
    if -1 not in shape:
        if total is not None and total != known:
            raise ValueError(f"Reshape: cannot reshape a tensor with {total} elements (shape "
                             f"{_fmt(x.shape)}) to shape {list(shape)} ({known} elements)")
        return Spec(x.dtype, shape)
    if total is None:
        return Spec(x.dtype, tuple(None if d == -1 else d for d in shape))
    if known == 0 or total % known:
        raise ValueError(f"Reshape: cannot reshape a tensor with {total} elements (shape "
                         f"{_fmt(x.shape)}) to shape {list(shape)}: {total} is not a multiple "
                         f"of {known}, the product of the known sizes")
    return Spec(x.dtype, tuple(total // known if d == -1 else d for d in shape))


def _reshape_dyn_infer(x: Spec, shape: Spec, known) -> Spec:
    return Spec(x.dtype, _dynamic_dims("Reshape", shape, known))


def _reshape_grad(op, dy):
    return [reshape(dy, shape_of(op.inputs[0]))] + [None] * (len(op.inputs) - 1)


_RESHAPE = defop("Reshape", lambda xp, x, shape: xp.reshape(x, shape), _reshape_infer,
                 _reshape_grad)
_RESHAPE_DYN = defop("ReshapeDynamic",
                     lambda xp, x, shape, known: xp.reshape(x, tuple(shape.tolist())),
                     _reshape_dyn_infer, _reshape_grad)


def reshape(tensor, shape, name=None) -> Tensor:
    """Same elements in a new shape; one dim may be -1 and is inferred (``tf.reshape``)."""
    x = _t(tensor)
    target = _shape_arg(shape, "Reshape")
    if isinstance(target, _DynamicShape):
        return dispatch.execute(_RESHAPE_DYN, (x, target.tensor), {"known": target.known})
    return dispatch.execute(_RESHAPE, (x,), {"shape": target})


# ---- squeeze / expand_dims --------------------------------------------------------------

def _squeeze_infer(x: Spec, axis: tuple) -> Spec:
    for a in axis:
        if not 0 <= a < len(x.shape):
            raise IndexError(f"Squeeze: axis {a} is out of range for a tensor of rank "
                             f"{len(x.shape)}")
        if x.shape[a] not in (1, None):
            raise ValueError(f"Squeeze: cannot squeeze axis {a} of shape {_fmt(x.shape)}: its "
                             f"size is {x.shape[a]}, not 1")
    return Spec(x.dtype, tuple(d for i, d in enumerate(x.shape) if i not in axis))


_SQUEEZE = defop("Squeeze", lambda xp, x, axis: xp.squeeze(x, axis=axis), _squeeze_infer,
                 _reshape_grad)


def squeeze(input, axis=None, name=None) -> Tensor:  # noqa: A002  (TensorFlow's name)
    """Remove size-1 dims: those listed in ``axis``, or every dim known to be 1."""
    x = _t(input)
    rank = x.ndim
    if axis is None:
        axes = tuple(i for i, d in enumerate(x.shape) if d == 1)
    else:
        axes = tuple(sorted({_axis(a, rank, "Squeeze") for a in (
            axis if isinstance(axis, (list, tuple)) else [axis])}))
    return dispatch.execute(_SQUEEZE, (x,), {"axis": axes})


def _expand_dims_infer(x: Spec, axis: int) -> Spec:
    if not 0 <= axis <= len(x.shape):
        raise IndexError(f"ExpandDims: axis {axis} is out of range for a tensor of rank "
                         f"{len(x.shape)}")
    return Spec(x.dtype, x.shape[:axis] + (1,) + x.shape[axis:])


_EXPAND_DIMS = defop("ExpandDims", lambda xp, x, axis: xp.expand_dims(x, axis),
                     _expand_dims_infer,
                     lambda op, dy: [squeeze(dy, op.attrs["axis"])])


def expand_dims(input, axis, name=None) -> Tensor:  # noqa: A002
    """Insert a size-1 dim at ``axis`` (``-1`` appends), as ``tf.expand_dims``."""
    x = _t(input)
    rank = x.ndim
    axis = int(axis)
    if not -rank - 1 <= axis <= rank:
        raise IndexError(f"ExpandDims: axis {axis} is out of range [{-rank - 1}, {rank}] for a "
                         f"tensor of rank {rank}")
    return dispatch.execute(_EXPAND_DIMS, (x,), {"axis": axis % (rank + 1)})


# ---- transpose --------------------------------------------------------------------------

def _transpose_kernel(xp, x, perm, conjugate):
    y = xp.transpose(x, perm)
    return xp.conj(y) if conjugate and y.dtype.kind == "c" else y


def _transpose_infer(x: Spec, perm: tuple, conjugate: bool) -> Spec:
    if sorted(perm) != list(range(len(x.shape))):
        raise ValueError(f"Transpose: perm {list(perm)} is not a permutation of the "
                         f"{len(x.shape)} axes of a tensor with shape {_fmt(x.shape)}")
    return Spec(x.dtype, tuple(x.shape[p] for p in perm))


def _transpose_grad(op, dy):
    perm = op.attrs["perm"]
    return [transpose(dy, tuple(np.argsort(perm).tolist()), conjugate=op.attrs["conjugate"])]


_TRANSPOSE = defop("Transpose", _transpose_kernel, _transpose_infer, _transpose_grad)


def transpose(a, perm=None, conjugate: bool = False, name=None) -> Tensor:
    """Permute dims (default: reverse them); ``conjugate`` also conjugates complex values."""
    x = _t(a)
    rank = x.ndim
    perm = tuple(range(rank))[::-1] if perm is None else tuple(
        p % rank if -rank <= p < 0 else p for p in int_list(perm, "perm", "Transpose"))
    return dispatch.execute(_TRANSPOSE, (x,), {"perm": perm, "conjugate": bool(conjugate)})


# ---- concat / stack / unstack / split ---------------------------------------------------

def _same_dtype(values: Sequence, op: str) -> tuple:
    """Convert a list of inputs to one dtype; the error names the argument index."""
    if isinstance(values, Tensor) or not isinstance(values, (list, tuple)) or not values:
        raise ValueError(f"{op}: expected a non-empty list of tensors, got {values!r:.60}")
    first = next((v for v in values if isinstance(v, Tensor)), None)
    first = _t(values[0]) if first is None else first
    out = []
    for i, v in enumerate(values):
        t = convert_like(v, first.dtype, op) if not isinstance(v, Tensor) else v
        if t.dtype is not first.dtype:
            raise TypeError(f"{op}: values[{i}] has dtype {t.dtype.name} but values[0] has "
                            f"{first.dtype.name}; all tensors must share one dtype (use ag.cast)")
        out.append(t)
    return tuple(out)


def _concat_infer(*values: Spec, axis: int) -> Spec:
    first = values[0]
    rank = len(first.shape)
    if rank == 0:
        raise ValueError("ConcatV2: cannot concatenate scalars (values[0] has rank 0); use "
                         "ag.stack")
    if not 0 <= axis < rank:
        raise IndexError(f"ConcatV2: axis {axis} is out of range for tensors of rank {rank}")
    total = 0
    dims = list(first.shape)
    for i, v in enumerate(values):
        if v.dtype is not first.dtype:
            raise TypeError(f"ConcatV2: values[{i}] has dtype {v.dtype.name} but values[0] has "
                            f"{first.dtype.name}")
        if len(v.shape) != rank:
            raise ValueError(f"ConcatV2: values[{i}] has shape {_fmt(v.shape)} but values[0] has "
                             f"{_fmt(first.shape)}: ranks differ ({len(v.shape)} vs {rank})")
        for k, d in enumerate(v.shape):
            if k == axis:
                total = None if d is None or total is None else total + d
            elif d is not None:
                if dims[k] is not None and dims[k] != d:
                    raise ValueError(
                        f"ConcatV2: values[{i}] has shape {_fmt(v.shape)} but values[0] has "
                        f"{_fmt(first.shape)}: dimension {k} differs ({d} vs {dims[k]}); "
                        f"only axis {axis} may differ")
                dims[k] = d
    dims[axis] = total
    return Spec(first.dtype, tuple(dims))


def _concat_grad(op, dy):
    return list(split_like(dy, op.inputs, op.attrs["axis"]))


_CONCAT = defop("ConcatV2", lambda xp, *values, axis: xp.concatenate(values, axis=axis),
                _concat_infer, _concat_grad)


def _split_like_kernel(xp, g, *likes, axis):
    ends = np.cumsum([like.shape[axis] for like in likes])
    return tuple(xp.split(g, ends[:-1].tolist(), axis=axis))


def _split_like_infer(g: Spec, *likes: Spec, axis: int) -> list:
    return [Spec(g.dtype, g.shape[:axis] + (like.shape[axis],) + g.shape[axis + 1:])
            for like in likes]


def _filled(op, dys) -> list:
    """Output gradients of a multi-output op, zeros standing in for the missing ones."""
    return [E.zeros_like(o) if d is None else d for d, o in zip(dys, op.outputs)]


def _split_like_grad(op, *dys):
    return [concat(_filled(op, dys), op.attrs["axis"])] + [None] * (len(op.inputs) - 1)


_SPLIT_LIKE = defop("SplitLike", _split_like_kernel, _split_like_infer, _split_like_grad,
                    multi=True)


def split_like(g: Tensor, likes: Sequence[Tensor], axis: int) -> tuple:
    """Split ``g`` along ``axis`` into pieces as long as each of ``likes`` (concat's gradient)."""
    if len(likes) == 1:
        return (g,)
    return dispatch.execute(_SPLIT_LIKE, (g, *likes), {"axis": axis})


def concat(values, axis, name=None) -> Tensor:
    """Join tensors along an existing ``axis`` (``tf.concat``)."""
    values = _same_dtype(values, "ConcatV2")
    axis = _axis(axis, values[0].ndim, "ConcatV2") if values[0].ndim else int(axis)
    if len(values) == 1:
        return E.identity(values[0])
    return dispatch.execute(_CONCAT, values, {"axis": axis})


def _stack_infer(*values: Spec, axis: int) -> Spec:
    first = values[0]
    for i, v in enumerate(values):
        if v.dtype is not first.dtype:
            raise TypeError(f"Pack: values[{i}] has dtype {v.dtype.name} but values[0] has "
                            f"{first.dtype.name}")
        if len(v.shape) != len(first.shape) or not shapes.TensorShape(v.shape) \
                .is_compatible_with(first.shape):
            raise ValueError(f"Pack: values[{i}] has shape {_fmt(v.shape)} but values[0] has "
                             f"{_fmt(first.shape)}; stacked tensors must have one shape")
    dims = tuple(next((v.shape[k] for v in values if v.shape[k] is not None), None)
                 for k in range(len(first.shape)))
    if not 0 <= axis <= len(dims):
        raise IndexError(f"Pack: axis {axis} is out of range for stacking tensors of rank "
                         f"{len(dims)}")
    return Spec(first.dtype, dims[:axis] + (len(values),) + dims[axis:])


_STACK = defop("Pack", lambda xp, *values, axis: xp.stack(values, axis=axis), _stack_infer,
               lambda op, dy: list(unstack(dy, len(op.inputs), op.attrs["axis"])))


def stack(values, axis: int = 0, name=None) -> Tensor:
    """Stack same-shaped tensors along a new ``axis`` (``tf.stack``)."""
    if isinstance(values, TensorArray):   # a list that became a TensorArray in a graph loop
        return values.stack()
    values = _same_dtype(values, "Pack")
    rank = values[0].ndim
    axis = int(axis)
    if not -rank - 1 <= axis <= rank:
        raise IndexError(f"Pack: axis {axis} is out of range [{-rank - 1}, {rank}] for stacking "
                         f"tensors of rank {rank}")
    return dispatch.execute(_STACK, values, {"axis": axis % (rank + 1)})


def _unstack_kernel(xp, x, num, axis):
    if x.shape[axis] != num:
        raise ValueError(f"num={num} but axis {axis} has size {x.shape[axis]}")
    lead = (builtins.slice(None),) * axis
    return tuple(as_array(x[lead + (i,)]) for i in range(num))


def _unstack_infer(x: Spec, num: int, axis: int) -> list:
    if not 0 <= axis < len(x.shape):
        raise IndexError(f"Unpack: axis {axis} is out of range for a tensor of rank "
                         f"{len(x.shape)}")
    if x.shape[axis] not in (None, num):
        raise ValueError(f"Unpack: num={num} but axis {axis} of shape {_fmt(x.shape)} has size "
                         f"{x.shape[axis]}")
    return [Spec(x.dtype, x.shape[:axis] + x.shape[axis + 1:])] * num


_UNSTACK = defop("Unpack", _unstack_kernel, _unstack_infer,
                 lambda op, *dys: [stack(_filled(op, dys), op.attrs["axis"])], multi=True)


def unstack(value, num: Optional[int] = None, axis: int = 0, name=None) -> list:
    """Split along ``axis`` into a list of tensors with that dim removed (``tf.unstack``)."""
    x = _t(value)
    if x.ndim == 0:
        raise ValueError("Unpack: cannot unstack a scalar (rank-0) tensor")
    axis = _axis(axis, x.ndim, "Unpack")
    if num is None:
        num = x.shape[axis]
        if num is None:
            raise ValueError(f"Unpack: cannot infer num from shape {_fmt(x.shape)} (axis {axis} "
                             "is unknown); pass num")
    return list(dispatch.execute(_UNSTACK, (x,), {"num": int(num), "axis": axis}))


def _split_sizes(dim, sizes, num):
    """Resolve split sizes against a dim (``None`` if unknown); raises ValueError if invalid."""
    if sizes is None:
        if dim is None:
            return (None,) * num
        if num <= 0 or dim % num:
            raise ValueError(f"cannot split a dimension of size {dim} into {num} equal parts")
        return (dim // num,) * num
    if sum(s == -1 for s in sizes) > 1 or any(s < -1 for s in sizes):
        raise ValueError(f"size_splits {list(sizes)} may hold at most one -1 and no other "
                         "negative sizes")
    known = sum(s for s in sizes if s != -1)
    if dim is None:
        return tuple(None if s == -1 else s for s in sizes)
    if -1 in sizes:
        if known > dim:
            raise ValueError(f"size_splits {list(sizes)} add up to more than the dimension "
                             f"size {dim}")
        return tuple(dim - known if s == -1 else s for s in sizes)
    if known != dim:
        raise ValueError(f"size_splits {list(sizes)} add up to {known}, not to the dimension "
                         f"size {dim}")
    return tuple(sizes)


def _split_kernel(xp, x, sizes, num, axis):
    ends = np.cumsum(_split_sizes(x.shape[axis], sizes, num))
    return tuple(xp.split(x, ends[:-1].tolist(), axis=axis))


def _split_infer(x: Spec, sizes, num: int, axis: int) -> list:
    if not 0 <= axis < len(x.shape):
        raise IndexError(f"Split: axis {axis} is out of range for a tensor of rank "
                         f"{len(x.shape)}")
    try:
        resolved = _split_sizes(x.shape[axis], sizes, num)
    except ValueError as e:
        raise ValueError(f"Split: {e} (axis {axis} of shape {_fmt(x.shape)})") from None
    return [Spec(x.dtype, x.shape[:axis] + (s,) + x.shape[axis + 1:]) for s in resolved]


_SPLIT = defop("Split", _split_kernel, _split_infer,
               lambda op, *dys: [concat(_filled(op, dys), op.attrs["axis"])], multi=True)


def split(value, num_or_size_splits, axis: int = 0, num: Optional[int] = None,
          name=None) -> list:
    """Split into ``num_or_size_splits`` equal parts, or parts of the listed sizes (one -1)."""
    x = _t(value)
    if x.ndim == 0:
        raise ValueError("Split: cannot split a scalar (rank-0) tensor")
    axis = _axis(axis, x.ndim, "Split")
    if isinstance(num_or_size_splits, (int, np.integer)) or (
            isinstance(num_or_size_splits, Tensor) and num_or_size_splits.ndim == 0):
        sizes, count = None, int(num_or_size_splits)
    else:
        sizes = int_list(num_or_size_splits, "num_or_size_splits", "Split")
        count = len(sizes)
        if num is not None and int(num) != count:
            raise ValueError(f"Split: num={num} but size_splits has {count} entries")
    outs = dispatch.execute(_SPLIT, (x,), {"sizes": sizes, "num": count, "axis": axis})
    return list(outs)


# ---- tile / pad / reverse ---------------------------------------------------------------

def _tile_kernel(xp, x, multiples):
    if len(multiples) != x.ndim:
        raise ValueError("multiples length differs from rank")
    return xp.tile(x, multiples)


def _tile_infer(x: Spec, multiples: tuple) -> Spec:
    if len(multiples) != len(x.shape):
        raise ValueError(f"Tile: multiples {list(multiples)} must have one entry per dim of the "
                         f"input, whose shape is {_fmt(x.shape)}")
    if any(m < 0 for m in multiples):
        raise ValueError(f"Tile: multiples {list(multiples)} must be non-negative")
    return Spec(x.dtype, tuple(None if d is None else d * m
                               for d, m in zip(x.shape, multiples)))


def _tile_grad(op, dy):
    # Split each tiled dim n*m into (m, n), then sum the copies away: SumLike sums every axis
    # where ``like`` has size 1 and the gradient does not.
    x = op.inputs[0]
    dims = dims_of(x)
    split_shape, like_shape = [], []
    for m, d in zip(op.attrs["multiples"], dims):
        split_shape += [m, d]
        like_shape += [1, d]
    summed = E.sum_like(reshape(dy, split_shape), reshape(x, like_shape))
    return [reshape(summed, shape_of(x))]


_TILE = defop("Tile", _tile_kernel, _tile_infer, _tile_grad)


def tile(input, multiples, name=None) -> Tensor:  # noqa: A002
    """Repeat the tensor ``multiples[i]`` times along dim ``i`` (``tf.tile``)."""
    x = _t(input)
    return dispatch.execute(_TILE, (x,), {"multiples": int_list(multiples, "multiples", "Tile")})


_PAD_MODES = {"CONSTANT": "constant", "REFLECT": "reflect", "SYMMETRIC": "symmetric"}


def _pad_kernel(xp, x, value, paddings):
    if len(paddings) != x.ndim:
        raise ValueError("one padding row per dim")  # NumPy would broadcast the rows
    fill = value.item() if xp is not np else value
    return xp.pad(x, paddings, mode="constant", constant_values=fill)


def _mirror_pad_kernel(xp, x, paddings, mode):
    limit = 1 if mode == "reflect" else 0
    if len(paddings) != x.ndim:
        raise ValueError("one padding row per dim")
    for (lo, hi), d in zip(paddings, x.shape):
        if max(lo, hi) > d - limit:
            raise ValueError("paddings too large")  # NumPy would pad by repeating the mirror
    return xp.pad(x, paddings, mode=mode)


def _check_paddings(op: str, x: Spec, paddings: tuple, mode: str) -> tuple:
    if len(paddings) != len(x.shape):
        raise ValueError(f"{op}: paddings has {len(paddings)} rows but the input has shape "
                         f"{_fmt(x.shape)}; give one [before, after] pair per dim")
    out = []
    for axis, ((lo, hi), d) in enumerate(zip(paddings, x.shape)):
        if lo < 0 or hi < 0:
            raise ValueError(f"{op}: paddings[{axis}] = [{lo}, {hi}] must be non-negative")
        if mode != "constant" and d is not None:
            limit = d - 1 if mode == "reflect" else d
            if max(lo, hi) > limit:
                raise ValueError(f"{op}: paddings[{axis}] = [{lo}, {hi}] is too large for "
                                 f"{mode.upper()} mode on dim {axis} of size {d} (at most "
                                 f"{limit})")
        out.append(None if d is None else d + lo + hi)
    return tuple(out)


def _pad_infer(x: Spec, value: Spec, paddings: tuple) -> Spec:
    if value.dtype is not x.dtype or value.shape != ():
        raise TypeError(f"Pad: constant_values must be a scalar of the input's dtype "
                        f"{x.dtype.name}, got {value.dtype.name}{_fmt(value.shape)}")
    return Spec(x.dtype, _check_paddings("Pad", x, paddings, "constant"))


def _mirror_pad_infer(x: Spec, paddings: tuple, mode: str) -> Spec:
    return Spec(x.dtype, _check_paddings("MirrorPad", x, paddings, mode))


def _pad_grad(op, dy):
    from ops.indexing import getitem
    key = tuple(builtins.slice(lo, -hi if hi else None) for lo, hi in op.attrs["paddings"])
    return [getitem(dy, key), None]


def _mirror_pad_grad_kernel(xp, g, paddings, mode):
    """Fold the mirrored borders back onto the values they copy (the adjoint of MirrorPad).

    REFLECT copies ``x[1:lo+1]`` reversed to the left border, SYMMETRIC ``x[0:lo]``."""
    shift = 1 if mode == "reflect" else 0
    for axis, (lo, hi) in enumerate(paddings):
        n = g.shape[axis]

        def part(a, b):
            return (builtins.slice(None),) * axis + (builtins.slice(a, b),)
        core = g[part(lo, n - hi)].copy()
        m = core.shape[axis]
        if lo:
            core[part(shift, shift + lo)] += xp.flip(g[part(0, lo)], axis)
        if hi:
            core[part(m - shift - hi, m - shift)] += xp.flip(g[part(n - hi, n)], axis)
        g = core
    return g


def _mirror_pad_grad_infer(g: Spec, paddings: tuple, mode: str) -> Spec:
    return Spec(g.dtype, tuple(None if d is None else d - lo - hi
                               for d, (lo, hi) in zip(g.shape, paddings)))


_PAD = defop("Pad", _pad_kernel, _pad_infer, _pad_grad)
_MIRROR_PAD = defop(
    "MirrorPad", _mirror_pad_kernel, _mirror_pad_infer,
    lambda op, dy: [dispatch.execute(_MIRROR_PAD_GRAD, (dy,), op.attrs)])
_MIRROR_PAD_GRAD = defop(
    "MirrorPadGrad", _mirror_pad_grad_kernel, _mirror_pad_grad_infer,
    lambda op, dy: [dispatch.execute(_MIRROR_PAD, (dy,), op.attrs)])


def pad(tensor, paddings, mode: str = "CONSTANT", constant_values=0, name=None) -> Tensor:
    """Pad each dim by ``paddings[i] = [before, after]``: with a constant, or mirrored
    (``REFLECT`` excludes the border value, ``SYMMETRIC`` repeats it); mode is case-insensitive."""
    x = _t(tensor)
    key = str(mode).upper()
    if key not in _PAD_MODES:
        raise ValueError(f"Pad: mode must be one of CONSTANT, REFLECT, SYMMETRIC, got {mode!r}")
    rows = np.asarray(paddings.numpy() if isinstance(paddings, Tensor) else paddings)
    if rows.ndim != 2 or rows.shape[1:] != (2,) or (rows.size and rows.dtype.kind not in "iu"):
        raise ValueError(f"Pad: paddings must be an integer [rank, 2] matrix, got "
                         f"{rows.tolist()!r:.60}")
    rows = tuple((int(a), int(b)) for a, b in rows)
    if key != "CONSTANT":
        return dispatch.execute(_MIRROR_PAD, (x,), {"paddings": rows, "mode": _PAD_MODES[key]})
    if type(constant_values) is int and constant_values == 0:  # the default: "zero" of x's dtype
        constant_values = {D.bool_: False, D.string: b""}.get(x.dtype, 0)
    value = constant_values if isinstance(constant_values, Tensor) else \
        convert_like(constant_values, x.dtype, "Pad")
    if value.dtype is not x.dtype:  # NumPy would cast it silently
        raise TypeError(f"Pad: constant_values has dtype {value.dtype.name} but the input has "
                        f"{x.dtype.name}; use ag.cast")
    return dispatch.execute(_PAD, (x, value), {"paddings": rows})


def _reverse_infer(x: Spec, axis: tuple) -> Spec:
    for a in axis:
        if not 0 <= a < len(x.shape):
            raise IndexError(f"ReverseV2: axis {a} is out of range for a tensor of rank "
                             f"{len(x.shape)}")
    return x


_REVERSE = defop("ReverseV2", lambda xp, x, axis: xp.flip(x, axis) if axis else x,
                 _reverse_infer, lambda op, dy: [reverse(dy, op.attrs["axis"])])


def reverse(tensor, axis, name=None) -> Tensor:
    """Reverse the order of elements along each dim in ``axis`` (``tf.reverse``)."""
    x = _t(tensor)
    axes = tuple(sorted({_axis(a, x.ndim, "ReverseV2")
                         for a in int_list(axis, "axis", "ReverseV2")}))
    return dispatch.execute(_REVERSE, (x,), {"axis": axes})


# ---- broadcasting -----------------------------------------------------------------------

def _broadcast_to_infer(x: Spec, shape: tuple) -> Spec:
    got = shapes.broadcast(x.shape, shape)
    if got is None or len(x.shape) > len(shape) or any(
            d == 1 and g is not None and g != 1 for d, g in zip(shape, got)):
        raise ValueError(f"BroadcastTo: cannot broadcast a tensor with shape {_fmt(x.shape)} "
                         f"to shape {_fmt(shape)}")
    return Spec(x.dtype, tuple(shape))


def _broadcast_to_dyn_infer(x: Spec, shape: Spec, known) -> Spec:
    dims = list(_dynamic_dims("BroadcastTo", shape, known))
    if len(x.shape) > len(dims):
        raise ValueError(f"BroadcastTo: cannot broadcast a tensor with shape {_fmt(x.shape)} "
                         f"to {len(dims)} dims")
    for i, d in enumerate(x.shape[::-1]):  # a dim other than 1 passes through unchanged
        if d is not None and d != 1:
            dims[-1 - i] = d
    return Spec(x.dtype, tuple(dims))


def _broadcast_to_grad(op, dy):
    return [E.sum_like(dy, op.inputs[0])] + [None] * (len(op.inputs) - 1)


_BROADCAST_TO = defop("BroadcastTo", lambda xp, x, shape: xp.broadcast_to(x, shape),
                      _broadcast_to_infer, _broadcast_to_grad)
_BROADCAST_TO_DYN = defop(
    "BroadcastToDynamic",
    lambda xp, x, shape, known: xp.broadcast_to(x, tuple(shape.tolist())),
    _broadcast_to_dyn_infer, _broadcast_to_grad)


def broadcast_to(input, shape, name=None) -> Tensor:  # noqa: A002
    """Broadcast ``input`` to ``shape`` with NumPy's rules (``tf.broadcast_to``)."""
    x = _t(input)
    target = _shape_arg(shape, "BroadcastTo")
    if isinstance(target, _DynamicShape):
        return dispatch.execute(_BROADCAST_TO_DYN, (x, target.tensor), {"known": target.known})
    return dispatch.execute(_BROADCAST_TO, (x,), {"shape": target})


def broadcast_static_shape(shape_x, shape_y) -> shapes.TensorShape:
    """The broadcast of two static shapes (``TensorShape``); ValueError if incompatible."""
    got = shapes.broadcast(tuple(shape_x), tuple(shape_y))
    if got is None:
        raise ValueError(f"broadcast_static_shape: shapes {_fmt(tuple(shape_x))} and "
                         f"{_fmt(tuple(shape_y))} are not broadcast-compatible")
    return shapes.TensorShape(got)


def _broadcast_args_kernel(xp, a, b):
    try:
        out = np.broadcast_shapes(tuple(a.tolist()), tuple(b.tolist()))
    except ValueError:
        raise ValueError(f"shapes {a.tolist()} and {b.tolist()} are not broadcast-compatible") \
            from None
    return xp.asarray(out, dtype=a.dtype)


def _broadcast_args_infer(a: Spec, b: Spec) -> Spec:
    if a.dtype is not b.dtype or a.dtype not in INDEX_DTYPES:
        raise TypeError(f"BroadcastArgs: shapes must be int32 or int64 tensors of one dtype, "
                        f"got {a.dtype.name} and {b.dtype.name}")
    if len(a.shape) != 1 or len(b.shape) != 1:
        raise ValueError(f"BroadcastArgs: shapes must be 1-D, got {_fmt(a.shape)} and "
                         f"{_fmt(b.shape)}")
    n = None if a.shape[0] is None or b.shape[0] is None else max(a.shape[0], b.shape[0])
    return Spec(a.dtype, (n,))


_BROADCAST_ARGS = defop("BroadcastArgs", _broadcast_args_kernel, _broadcast_args_infer)


def broadcast_dynamic_shape(shape_x, shape_y) -> Tensor:
    """The broadcast of two shape tensors, as an int tensor (``tf.broadcast_dynamic_shape``)."""
    a = _t(shape_x)
    b = _t(shape_y) if isinstance(shape_y, Tensor) else convert_to_tensor(shape_y, a.dtype)
    return dispatch.execute(_BROADCAST_ARGS, (a, b))


# ---- shape, rank, size ------------------------------------------------------------------

def _out_type(out_type) -> D.DType:
    dt = D.as_dtype(out_type)
    if dt not in INDEX_DTYPES:
        raise TypeError(f"out_type must be int32 or int64, got {dt.name}")
    return dt


_SHAPE = defop("Shape", lambda xp, x, out_type: xp.asarray(x.shape, dtype=out_type.np),
               lambda x, out_type: Spec(out_type, (len(x.shape),)))
_SIZE = defop("Size", lambda xp, x, out_type: xp.asarray(x.size, dtype=out_type.np),
              lambda x, out_type: Spec(out_type, ()))
_RANK = defop("Rank", lambda xp, x: xp.asarray(x.ndim, dtype=np.int32),
              lambda x: Spec(D.int32, ()))


def shape(input, out_type=D.int32, name=None) -> Tensor:  # noqa: A002
    """The shape as a 1-D int tensor (``tf.shape``; ``t.shape`` is the static TensorShape)."""
    return dispatch.execute(_SHAPE, (_t(input),), {"out_type": _out_type(out_type)})


def shape_n(input, out_type=D.int32, name=None) -> list:  # noqa: A002
    """``[ag.shape(t) for t in input]``."""
    return [shape(t, out_type) for t in input]


def size(input, out_type=D.int32, name=None) -> Tensor:  # noqa: A002
    """The number of elements as a 0-d int tensor."""
    return dispatch.execute(_SIZE, (_t(input),), {"out_type": _out_type(out_type)})


def rank(input, name=None) -> Tensor:  # noqa: A002
    """The number of dims as a 0-d int32 tensor (NumPy's ``ndim``)."""
    return dispatch.execute(_RANK, (_t(input),))


def identity_n(input, name=None) -> list:  # noqa: A002
    """``identity`` of each tensor in a list."""
    return [E.identity(t) for t in input]


# ---- one_hot ---------------------------------------------------------------------

def _one_hot_kernel(xp, indices, depth, on_value, off_value, axis, dtype):
    hot = xp.expand_dims(indices, -1) == xp.arange(depth, dtype=indices.dtype)
    out = xp.where(hot, xp.asarray(on_value, dtype.np), xp.asarray(off_value, dtype.np))
    return out if axis == -1 else xp.moveaxis(out, -1, axis)


def _one_hot_infer(indices: Spec, depth: int, on_value, off_value, axis: int,
                   dtype: D.DType) -> Spec:
    if not indices.dtype.is_integer:
        raise TypeError(f"OneHot: indices must be integers, got {indices.dtype.name}")
    if depth < 0:
        raise ValueError(f"OneHot: depth must be non-negative, got {depth}")
    rank = len(indices.shape)
    if not -1 <= axis <= rank:
        raise IndexError(f"OneHot: axis {axis} is out of range [-1, {rank}] for indices of "
                         f"rank {rank}")
    pos = rank if axis == -1 else axis
    return Spec(dtype, indices.shape[:pos] + (depth,) + indices.shape[pos:])


_ONE_HOT = defop("OneHot", _one_hot_kernel, _one_hot_infer)


def _scalar_attr(value, what: str):
    """A Python scalar from a number or a concrete 0-d tensor; also returns its dtype if typed."""
    if isinstance(value, Tensor):
        if value._v is None or value.ndim != 0:
            raise TypeError(f"OneHot: {what} must be a Python number or a concrete scalar tensor")
        return value.numpy().item(), value.dtype
    return value, None


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None,
            name=None) -> Tensor:
    """One-hot vectors along a new ``axis`` (default last); out-of-range indices give all-off
    rows. The dtype comes from ``dtype``, else from typed on/off values, else float32."""
    idx = _t(indices)
    if not idx.dtype.is_integer:
        raise TypeError(f"OneHot: indices must be integers, got {idx.dtype.name}")
    on, on_dt = _scalar_attr(1 if on_value is None else on_value, "on_value")
    off, off_dt = _scalar_attr(0 if off_value is None else off_value, "off_value")
    if on_dt is not None and off_dt is not None and on_dt is not off_dt:
        raise TypeError(f"OneHot: on_value is {on_dt.name} but off_value is {off_dt.name}")
    typed = on_dt or off_dt
    out = D.as_dtype(dtype) if dtype is not None else typed or (
        D.float32 if on_value is None or isinstance(on, float) else D.int32)
    if dtype is not None and typed is not None and typed is not out:
        raise TypeError(f"OneHot: dtype {out.name} differs from the on/off values' dtype "
                        f"{typed.name}")
    attrs = {"depth": int(depth), "on_value": on, "off_value": off,
             "axis": -1 if axis is None else int(axis), "dtype": out}
    return dispatch.execute(_ONE_HOT, (idx,), attrs)
