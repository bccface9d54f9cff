"""NumPy-style indexing (``Tensor.__getitem__``), functional ``setitem``, slicing, gather and
scatter ops.

``t[key]`` is one op, ``GetItem``: the key becomes a hashable template (ints, ``None``,
``Ellipsis``, ``("s", start, stop, step)`` for slices, ``("t", k)`` for the k-th index tensor)
stored as an attr, and index tensors (integer arrays, bool masks, symbolic scalars) become
inputs. The kernel rebuilds the key and lets the array module index, so semantics are
NumPy's, mixtures and all; the gradient scatters-adds into zeros of the input's shape.

Gather and scatter follow TensorFlow instead: negative or out-of-range indices are errors
(NumPy would wrap them around), naming the index and the valid range.

This module imports nothing from ``ops.array_ops`` at import time (array_ops re-exports it).
"""
from __future__ import annotations

import builtins
import functools
from typing import Optional

import numpy as np

from runtime import dtypes as D
from runtime import shapes
from runtime.registry import Spec
from ops import dispatch
from ops import elementwise as E
from ops.declare import NUMERIC, defop
from ops.errors import InvalidArgumentError
from ops.tensor import Tensor, convert_like, convert_to_tensor

INDEX_DTYPES = frozenset({D.int32, D.int64})
_fmt = shapes.fmt
_SLICE = "s"
_TENSOR = "t"
_ALL = (_SLICE, None, None, None)


class InvalidIndexError(InvalidArgumentError, IndexError):
    """An index outside the valid range (both TensorFlow's InvalidArgumentError and IndexError)."""


def _t(x) -> Tensor:
    """Convert an argument; lists holding symbolic tensors are packed with ``stack`` (as TF
    auto-packs them), since their values do not exist while tracing."""
    if type(x) is Tensor:
        return x
    if isinstance(x, (list, tuple)) and _holds_symbolic(x):
        from ops.array_ops import stack
        return stack([_t(v) for v in x])
    return convert_to_tensor(x)


def _holds_symbolic(values) -> bool:
    return any(isinstance(v, Tensor) and v._v is None or
               isinstance(v, (list, tuple)) and _holds_symbolic(v) for v in values)


def int_list(value, what: str, op: str) -> tuple:
    """A list argument (Python data, NumPy array, concrete tensor) as a tuple of ints."""
    if isinstance(value, Tensor):
        value = _concrete(value, what, op)
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),)
    if isinstance(value, np.ndarray):
        value = value.tolist()
    out = []
    for v in value:
        if isinstance(v, Tensor):
            v = _concrete(v, what, op)
        if isinstance(v, np.ndarray) and v.ndim == 0:
            v = v.item()
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{op}: {what} must hold integers, got {v!r} in {value!r:.60}")
        out.append(int(v))
    return tuple(out)


def _concrete(t: Tensor, what: str, op: str):
    if t._v is None:
        raise TypeError(f"{op}: {what} must be known when the function is traced (a Python "
                        "list or a concrete tensor), not a symbolic tensor")
    return t.numpy()


def as_array(out):
    """Indexing a string (object) array down to one element gives the bare Python object;
    ops must return arrays, so wrap it back into a 0-d object array."""
    return out if hasattr(out, "dtype") else np.asarray(out, dtype=object)


def _add_at(xp, z, key, values) -> None:
    """``z[key] += values`` with repeated indices accumulating (``np.add.at``)."""
    if xp is np:
        np.add.at(z, key, values)
    else:
        import cupyx
        cupyx.scatter_add(z, key, values)


# ---- index keys -------------------------------------------------------------------------

def _parse_key(key) -> tuple:
    """A user key -> (hashable template, list of index tensors it refers to)."""
    if not isinstance(key, tuple):
        key = (key,)
    items, dyn = [], []
    for pos, k in enumerate(key):
        if k is None or k is Ellipsis:
            items.append(k)
        elif isinstance(k, builtins.slice):
            start, stop, step = (_bound(v, dyn) for v in (k.start, k.stop, k.step))
            if step == 0:
                raise ValueError("GetItem: slice step cannot be zero")
            items.append((_SLICE, start, stop, step))
        elif isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_)):
            items.append(int(k))
        else:
            t = _index_tensor(k, pos)
            if t._v is not None and t.ndim == 0 and t.dtype.is_integer:
                items.append(int(t))
            else:
                items.append((_TENSOR, len(dyn)))
                dyn.append(t)
    return tuple(items), dyn


def _bound(v, dyn: list):
    """A slice bound: None, an int, or a reference to a (symbolic) scalar index tensor."""
    if v is None:
        return None
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return int(v)
    t = _t(getattr(v, "_read_for_op", lambda: v)())
    if t.ndim != 0 or not t.dtype.is_integer:
        raise TypeError(f"GetItem: slice indices must be integers or scalar int tensors, got "
                        f"{t.dtype.name}{_fmt(t.shape)}")
    if t._v is not None:
        return int(t)
    dyn.append(t)
    return (_TENSOR, len(dyn) - 1)


def _index_tensor(k, pos: int) -> Tensor:
    read = getattr(k, "_read_for_op", None)
    if read is not None:
        k = read()
    if not isinstance(k, (Tensor, list, tuple, np.ndarray, bool, np.bool_)):
        raise TypeError(f"GetItem: item {pos} of the key is a {type(k).__name__}; valid indices "
                        "are ints, slices, Ellipsis, None/ag.newaxis, bool masks and integer "
                        "tensors, arrays or lists")
    t = k if isinstance(k, Tensor) else convert_to_tensor(k)
    if t.dtype.is_floating and t.shape.num_elements() == 0:  # [] means "no indices"
        t = E.cast(t, D.int32)
    if not (t.dtype.is_integer or t.dtype is D.bool_):
        raise TypeError(f"GetItem: index arrays must be integer or bool, got {t.dtype.name} "
                        f"(item {pos} of the key)")
    return t


@functools.lru_cache(maxsize=4096)
def _static_key(key: tuple) -> tuple:
    return tuple(builtins.slice(*k[1:]) if type(k) is tuple else k for k in key)


def _resolve(key: tuple, dyn: tuple, expand_bools: bool = False) -> tuple:
    """The template plus index arrays -> a key NumPy/CuPy understand."""
    if not dyn:
        return _static_key(key)
    out = []
    for k in key:
        if type(k) is not tuple:
            out.append(k)
        elif k[0] == _TENSOR:
            a = dyn[k[1]]
            if expand_bools and a.dtype.kind == "b" and a.ndim:
                out.extend(a.nonzero())
            else:
                out.append(a)
        else:
            out.append(builtins.slice(*(int(dyn[v[1]]) if type(v) is tuple else v
                                        for v in k[1:])))
    return tuple(out)


def _slice_len(d: Optional[int], k: tuple) -> Optional[int]:
    if d is None or any(type(v) is tuple for v in k[1:]):
        return None
    return len(range(*builtins.slice(*k[1:]).indices(d)))


def _index_shape(op: str, shape: tuple, key: tuple, dyn: tuple) -> tuple:
    """Result shape of ``x[key]`` under NumPy's rules, with ``None`` for unknown dims."""
    rank = len(shape)

    def consumed(k):
        if k is None or k is Ellipsis:
            return 0
        if type(k) is tuple and k[0] == _TENSOR and dyn[k[1]].dtype is D.bool_:
            return len(dyn[k[1]].shape)
        return 1

    n_ellipsis = sum(k is Ellipsis for k in key)
    if n_ellipsis > 1:
        raise IndexError(f"{op}: an index can only have a single ellipsis ('...')")
    used = sum(consumed(k) for k in key)
    if used > rank:
        raise IndexError(f"{op}: too many indices: the key indexes {used} dims but the tensor "
                         f"has rank {rank} (shape {_fmt(shape)})")
    fill = (_ALL,) * (rank - used)
    if n_ellipsis:
        i = next(i for i, k in enumerate(key) if k is Ellipsis)
        key = key[:i] + fill + key[i + 1:]
    else:
        key = key + fill
    advanced = any(type(k) is tuple and k[0] == _TENSOR for k in key)
    out, adv_shapes, adv_pos = [], [], []
    axis = 0
    for k in key:
        if k is None:
            out.append(1)
            continue
        if type(k) is int:
            d = shape[axis]
            if d is not None and not -d <= k < d:
                raise IndexError(f"{op}: index {k} is out of bounds for axis {axis} with size "
                                 f"{d}")
            if advanced:
                adv_shapes.append(())
                adv_pos.append(len(out))
            axis += 1
            continue
        if k[0] == _SLICE:
            out.append(_slice_len(shape[axis], k))
            axis += 1
            continue
        s = dyn[k[1]]
        if s.dtype is D.bool_:
            n = len(s.shape)
            part = shape[axis:axis + n]
            if any(m is not None and d is not None and m != d for m, d in zip(s.shape, part)):
                raise IndexError(f"{op}: a bool mask of shape {_fmt(s.shape)} does not match "
                                 f"dims {axis}..{axis + n - 1} of shape {_fmt(shape)}")
            adv_shapes.append((0,) if shapes.num_elements(s.shape) == 0 else (None,))
            axis += n
        else:
            adv_shapes.append(tuple(s.shape))
            axis += 1
        adv_pos.append(len(out))
    if not advanced:
        return tuple(out)
    joined = ()
    for s in adv_shapes:
        b = shapes.broadcast(joined, s)
        if b is None:
            listed = ", ".join(_fmt(s) for s in adv_shapes)
            raise IndexError(f"{op}: index arrays of shapes {listed} cannot be broadcast "
                             "together")
        joined = b
    at = adv_pos[0] if len(set(adv_pos)) == 1 else 0  # NumPy moves split groups to the front
    return tuple(out[:at]) + joined + tuple(out[at:])


def _check_dyn(op: str, dyn: tuple) -> None:
    for i, s in enumerate(dyn):
        if not (s.dtype.is_integer or s.dtype is D.bool_):
            raise TypeError(f"{op}: index tensor {i} must be integer or bool, got "
                            f"{s.dtype.name}")


# ---- GetItem, its gradient, SetItem -----------------------------------------------------

def _getitem_infer(x: Spec, *dyn: Spec, key: tuple) -> Spec:
    _check_dyn("GetItem", dyn)
    return Spec(x.dtype, _index_shape("GetItem", x.shape, key, dyn))


def _getitem_grad(op, dy):
    x, *dyn = op.inputs
    dx = dispatch.execute(_GETITEM_GRAD, (dy, x, *dyn), op.attrs)
    return [dx] + [None] * len(dyn)


def _getitem_grad_kernel(xp, dy, x, *dyn, key):
    z = xp.zeros(x.shape, dtype=dy.dtype)
    if dyn:
        _add_at(xp, z, _resolve(key, dyn, expand_bools=True), dy)
    else:
        z[_static_key(key)] = dy
    return z


def _getitem_grad_grad(op, ddx):
    dy, x, *dyn = op.inputs
    return [dispatch.execute(_GETITEM, (ddx, *dyn), op.attrs), None] + [None] * len(dyn)


_GETITEM = defop("GetItem", lambda xp, x, *dyn, key: as_array(x[_resolve(key, dyn)]),
                 _getitem_infer,
                 _getitem_grad)
_GETITEM_GRAD = defop("GetItemGrad", _getitem_grad_kernel,
                      lambda dy, x, *dyn, key: Spec(dy.dtype, x.shape), _getitem_grad_grad)


def getitem(tensor, key) -> Tensor:
    """``tensor[key]`` with NumPy's semantics (installed as ``Tensor.__getitem__``)."""
    x = tensor if type(tensor) is Tensor else _t(tensor)
    items, dyn = _parse_key(key)
    return dispatch.execute(_GETITEM, (x, *dyn), {"key": items})


def _setitem_kernel(xp, x, value, *dyn, key):
    out = xp.array(x, copy=True)
    out[_resolve(key, dyn)] = value
    return out


def _setitem_infer(x: Spec, value: Spec, *dyn: Spec, key: tuple) -> Spec:
    if value.dtype is not x.dtype:
        raise TypeError(f"SetItem: the value has dtype {value.dtype.name} but the tensor has "
                        f"{x.dtype.name}; use ag.cast")
    _check_dyn("SetItem", dyn)
    target = _index_shape("SetItem", x.shape, key, dyn)
    vshape = value.shape
    lead = len(vshape) - len(target)
    if lead > 0 and any(d not in (1, None) for d in vshape[:lead]) or shapes.broadcast(
            target, vshape[max(lead, 0):]) is None or any(
            v not in (1, None) and t is not None and v != t
            for v, t in zip(vshape[::-1], target[::-1])):
        raise ValueError(f"SetItem: cannot assign a value of shape {_fmt(vshape)} to a "
                         f"selection of shape {_fmt(target)}")
    return x


def _setitem_grad(op, dy):
    x, value, *dyn = op.inputs
    picked = dispatch.execute(_GETITEM, (dy, *dyn), op.attrs)
    dx = dispatch.execute(_SETITEM, (dy, E.zeros_like(picked), *dyn), op.attrs)
    return [dx, _sum_to(picked, value)] + [None] * len(dyn)


def _sum_to(g: Tensor, value: Tensor) -> Tensor:
    """Sum ``g`` down to ``value``'s shape, which broadcast to it (perhaps with extra 1s)."""
    lead = value.ndim - g.ndim
    if lead > 0:
        from ops.array_ops import dims_of, reshape
        g = reshape(g, [1] * lead + dims_of(g))
    return E.unbroadcast(g, value)


_SETITEM = defop("SetItem", _setitem_kernel, _setitem_infer, _setitem_grad)


def setitem(tensor, key, value) -> Tensor:
    """A copy of ``tensor`` with ``tensor[key] = value`` applied (NumPy semantics; ``value``
    broadcasts). Differentiable in both ``tensor`` and ``value``; ``Variable`` slices use it
    for ``v[1, :].assign(...)``."""
    x = _t(tensor)
    items, dyn = _parse_key(key)
    read = getattr(value, "_read_for_op", None)
    v = read() if read is not None else value
    v = v if isinstance(v, Tensor) else convert_like(v, x.dtype, "SetItem")
    if v.dtype is not x.dtype:
        raise TypeError(f"SetItem: the value has dtype {v.dtype.name} but the tensor has "
                        f"{x.dtype.name}; use ag.cast(value, ag.{x.dtype.name})")
    return dispatch.execute(_SETITEM, (x, v, *dyn), {"key": items})


Tensor.__getitem__ = getitem


# ---- slice, strided_slice ---------------------------------------------------------------

def slice(input_, begin, size, name=None) -> Tensor:  # noqa: A001  (TensorFlow's name)
    """The block starting at ``begin`` with extent ``size`` (-1: to the end), ``tf.slice``."""
    x = _t(input_)
    begin = int_list(begin, "begin", "Slice")
    size = int_list(size, "size", "Slice")
    shape = tuple(x.shape)
    if not len(begin) == len(size) == len(shape):
        raise ValueError(f"Slice: begin {list(begin)} and size {list(size)} need one entry per "
                         f"dim of shape {_fmt(shape)}")
    key = []
    for i, (b, s, d) in enumerate(zip(begin, size, shape)):
        end = d if s == -1 else b + s
        if b < 0 or s < -1 or (d is not None and (end is None or end > d)):
            raise InvalidIndexError(f"Slice: begin[{i}] = {b} and size[{i}] = {s} do not fit "
                                    f"in dim {i} of shape {_fmt(shape)}", "Slice")
        key.append(builtins.slice(b, None if s == -1 else b + s))
    return getitem(x, tuple(key))


def strided_slice(input_, begin, end, strides=None, begin_mask: int = 0, end_mask: int = 0,
                  ellipsis_mask: int = 0, new_axis_mask: int = 0, shrink_axis_mask: int = 0,
                  var=None, name=None) -> Tensor:
    """``tf.strided_slice``: the masks turn entries into ``:``, ``...``, ``newaxis`` or a
    single index; the result is ``input_[key]`` for the key they describe."""
    begin = int_list(begin, "begin", "StridedSlice")
    end = int_list(end, "end", "StridedSlice")
    strides = (1,) * len(begin) if strides is None else int_list(strides, "strides",
                                                                 "StridedSlice")
    if not len(begin) == len(end) == len(strides):
        raise ValueError(f"StridedSlice: begin, end and strides must have one length, got "
                         f"{len(begin)}, {len(end)} and {len(strides)}")
    key = []
    for i, (b, e, s) in enumerate(zip(begin, end, strides)):
        bit = 1 << i
        if ellipsis_mask & bit:
            key.append(Ellipsis)
        elif new_axis_mask & bit:
            key.append(None)
        elif shrink_axis_mask & bit:
            key.append(b)
        else:
            key.append(builtins.slice(None if begin_mask & bit else b,
                                      None if end_mask & bit else e, s))
    return getitem(input_, tuple(key))


# ---- gather -----------------------------------------------------------------------------

def _check_range(xp, indices, limit: int, what: str) -> None:
    """TensorFlow refuses indices outside ``[0, limit)``; NumPy would wrap negatives."""
    if indices.size == 0:
        return
    bad = (indices < 0) | (indices >= limit)
    if bad.any():
        pos = tuple(int(i) for i in xp.argwhere(bad)[0])
        raise InvalidIndexError(f"indices{list(pos)} = {int(indices[pos])} is not in "
                                f"[0, {limit}) ({what})")


def _batched(xp, a, indices, axis: int, batch_dims: int):
    """View ``a`` so that a batched gather is ``transpose(view[key], perm)`` reshaped to
    ``out_shape``; ``key`` pairs each batch row with its own indices."""
    b = batch_dims
    rows = int(np.prod(a.shape[:b], dtype=np.int64))
    ax = axis - b + 1
    view = xp.moveaxis(a.reshape((rows,) + a.shape[b:]), ax, 1)  # (B, A, mid..., rest...)
    idx = indices.reshape((rows,) + indices.shape[b:])
    n_i, n_mid = idx.ndim - 1, ax - 1
    n_rest = view.ndim - 2 - n_mid
    key = (xp.arange(rows).reshape((rows,) + (1,) * n_i), idx)   # view[key]: (B, I, mid, rest)
    perm = ((0,) + tuple(range(1 + n_i, 1 + n_i + n_mid)) + tuple(range(1, 1 + n_i))
            + tuple(range(1 + n_i + n_mid, 1 + n_i + n_mid + n_rest)))
    out_shape = a.shape[:axis] + indices.shape[b:] + a.shape[axis + 1:]
    return view, key, perm, out_shape


def _gather_kernel(xp, params, indices, axis, batch_dims):
    if params.shape[:batch_dims] != indices.shape[:batch_dims]:
        raise ValueError("batch dims differ")
    _check_range(xp, indices, params.shape[axis],
                 f"axis {axis} of params with shape {list(params.shape)}")
    if batch_dims == 0:
        return as_array(xp.take(params, indices, axis=axis))
    view, key, perm, out_shape = _batched(xp, params, indices, axis, batch_dims)
    return xp.transpose(view[key], perm).reshape(out_shape)


def _gather_infer(params: Spec, indices: Spec, axis: int, batch_dims: int) -> Spec:
    if indices.dtype not in INDEX_DTYPES:
        raise TypeError(f"GatherV2: indices must be int32 or int64, got {indices.dtype.name}")
    p, i = params.shape, indices.shape
    if not 0 <= axis < len(p):
        raise IndexError(f"GatherV2: axis {axis} is out of range for params of rank {len(p)}")
    if not 0 <= batch_dims <= min(axis, len(i)):
        raise ValueError(f"GatherV2: batch_dims={batch_dims} must be at most axis={axis} and "
                         f"the rank of indices ({len(i)})")
    for k in range(batch_dims):
        if p[k] is not None and i[k] is not None and p[k] != i[k]:
            raise ValueError(f"GatherV2: batch dim {k} differs: params {_fmt(p)} vs indices "
                             f"{_fmt(i)}")
    return Spec(params.dtype, p[:axis] + i[batch_dims:] + p[axis + 1:])


def _gather_grad(op, dy):
    params, indices = op.inputs
    return [dispatch.execute(_GATHER_GRAD, (dy, params, indices), op.attrs), None]


def _gather_grad_kernel(xp, dy, params, indices, axis, batch_dims):
    z = xp.zeros(params.shape, dtype=dy.dtype)
    if batch_dims == 0:
        _add_at(xp, z, (builtins.slice(None),) * axis + (indices,), dy)
        return z
    view, key, perm, _ = _batched(xp, z, indices, axis, batch_dims)
    rows = view.shape[0]
    _add_at(xp, view, key, xp.transpose(dy.reshape((rows,) + dy.shape[batch_dims:]),
                                        tuple(np.argsort(perm).tolist())))
    return z


_GATHER = defop("GatherV2", _gather_kernel, _gather_infer, _gather_grad)
_GATHER_GRAD = defop(
    "GatherGrad", _gather_grad_kernel,
    lambda dy, params, indices, axis, batch_dims: Spec(dy.dtype, params.shape),
    lambda op, ddp: [dispatch.execute(_GATHER, (ddp, op.inputs[2]), op.attrs), None, None])


def _indices(indices, op: str) -> Tensor:
    t = _t(indices)
    if t.dtype.is_floating and t.shape.num_elements() == 0:
        t = E.cast(t, D.int32)
    if t.dtype not in INDEX_DTYPES:
        raise TypeError(f"{op}: indices must be int32 or int64, got {t.dtype.name}")
    return t


def gather(params, indices, validate_indices=None, axis=None, batch_dims: int = 0,
           name=None) -> Tensor:
    """Slices of ``params`` along ``axis`` at ``indices`` (``tf.gather``); the first
    ``batch_dims`` dims of both are batch dims. Indices must lie in ``[0, dim)``."""
    p = _t(params)
    idx = _indices(indices, "GatherV2")
    batch_dims = int(batch_dims)
    if batch_dims < 0:
        batch_dims += idx.ndim
    axis = batch_dims if axis is None else int(axis)
    if p.ndim == 0:
        raise ValueError("GatherV2: params must have rank >= 1, got a scalar")
    axis = shapes.normalize_axis(axis, p.ndim, "GatherV2")
    return dispatch.execute(_GATHER, (p, idx), {"axis": axis, "batch_dims": batch_dims})


# ---- gather_nd and scatter --------------------------------------------------------------

def _nd_key(xp, shape: tuple, indices, batch_dims: int) -> tuple:
    """Index arrays addressing ``shape`` at each row of ``indices[..., K]`` (after batch dims)."""
    lead = indices.shape[:-1]
    key = []
    for j in range(batch_dims):
        grid = [1] * len(lead)
        grid[j] = shape[j]
        key.append(xp.broadcast_to(xp.arange(shape[j]).reshape(grid), lead))
    key += [indices[..., k] for k in range(indices.shape[-1])]
    return tuple(key)


def _check_nd(xp, indices, shape: tuple, batch_dims: int) -> None:
    depth = indices.shape[-1]
    if indices.size == 0 or depth == 0:
        return
    limits = xp.asarray(shape[batch_dims:batch_dims + depth], dtype=indices.dtype)
    bad = ((indices < 0) | (indices >= limits)).any(axis=-1)
    if bad.any():
        pos = tuple(int(i) for i in xp.argwhere(bad)[0])
        raise InvalidIndexError(f"indices{list(pos)} = {indices[pos].tolist()} does not index "
                                f"into shape {list(shape)}")


def _nd_infer(op: str, shape: tuple, indices: Spec, batch_dims: int) -> tuple:
    """Shape of the slices ``gather_nd`` picks: ``indices.shape[:-1] + shape[b + K:]``."""
    if indices.dtype not in INDEX_DTYPES:
        raise TypeError(f"{op}: indices must be int32 or int64, got {indices.dtype.name}")
    i = indices.shape
    if len(i) < 1:
        raise ValueError(f"{op}: indices must have rank >= 1 (the last dim holds coordinates), "
                         "got a scalar")
    depth = i[-1]
    if depth is None:
        raise ValueError(f"{op}: the last dim of indices {_fmt(i)} must be known")
    if batch_dims + depth > len(shape) or batch_dims > len(i) - 1:
        raise ValueError(f"{op}: indices of shape {_fmt(i)} address {depth} dims after "
                         f"{batch_dims} batch dims, but the tensor has shape {_fmt(shape)}")
    for k in range(batch_dims):
        if shape[k] is not None and i[k] is not None and shape[k] != i[k]:
            raise ValueError(f"{op}: batch dim {k} differs: {_fmt(shape)} vs indices {_fmt(i)}")
    return tuple(i[:-1]) + tuple(shape[batch_dims + depth:])


def _gather_nd_kernel(xp, params, indices, batch_dims):
    if params.shape[:batch_dims] != indices.shape[:batch_dims] or \
            batch_dims + indices.shape[-1] > params.ndim:
        raise ValueError("shapes do not match")
    _check_nd(xp, indices, params.shape, batch_dims)
    return as_array(params[_nd_key(xp, params.shape, indices, batch_dims)])


def _gather_nd_grad_kernel(xp, dy, params, indices, batch_dims):
    z = xp.zeros(params.shape, dtype=dy.dtype)
    _add_at(xp, z, _nd_key(xp, params.shape, indices, batch_dims), dy)
    return z


_GATHER_ND = defop(
    "GatherNd", _gather_nd_kernel,
    lambda p, i, batch_dims: Spec(p.dtype, _nd_infer("GatherNd", p.shape, i, batch_dims)),
    lambda op, dy: [dispatch.execute(_GATHER_ND_GRAD, (dy, *op.inputs), op.attrs), None])
_GATHER_ND_GRAD = defop(
    "GatherNdGrad", _gather_nd_grad_kernel,
    lambda dy, p, i, batch_dims: Spec(dy.dtype, p.shape),
    lambda op, dd: [dispatch.execute(_GATHER_ND, (dd, op.inputs[2]), op.attrs), None, None])


def gather_nd(params, indices, batch_dims: int = 0, name=None) -> Tensor:
    """Slices of ``params`` at the coordinates in the last dim of ``indices`` (``tf.gather_nd``)."""
    p = _t(params)
    idx = _indices(indices, "GatherNd")
    return dispatch.execute(_GATHER_ND, (p, idx), {"batch_dims": int(batch_dims)})


def _scatter_infer(op: str, shape: tuple, indices: Spec, updates: Spec) -> None:
    want = _nd_infer(op, shape, indices, 0)
    if len(want) != len(updates.shape) or not shapes.TensorShape(want).is_compatible_with(
            updates.shape):
        raise ValueError(f"{op}: updates has shape {_fmt(updates.shape)} but indices of shape "
                         f"{_fmt(indices.shape)} into shape {_fmt(shape)} need updates of "
                         f"shape {_fmt(want)}")


def _scatter_key(xp, shape, indices, updates):
    if updates.shape != indices.shape[:-1] + tuple(shape[indices.shape[-1]:]):
        raise ValueError("updates shape does not match")  # NumPy would broadcast them
    _check_nd(xp, indices, tuple(shape), 0)
    return _nd_key(xp, tuple(shape), indices, 0)


def _scatter_nd_kernel(xp, indices, updates, shape):
    z = xp.zeros(shape, dtype=updates.dtype)
    _add_at(xp, z, _scatter_key(xp, shape, indices, updates), updates)
    return z


def _scatter_nd_infer(indices: Spec, updates: Spec, shape: tuple) -> Spec:
    if updates.dtype not in NUMERIC:
        raise TypeError(f"ScatterNd: updates must be numeric, got {updates.dtype.name}")
    _scatter_infer("ScatterNd", shape, indices, updates)
    return Spec(updates.dtype, shape)


def _tensor_scatter_kernel(add: bool):
    def kernel(xp, tensor, indices, updates):
        out = xp.array(tensor, copy=True)
        key = _scatter_key(xp, tensor.shape, indices, updates)
        if add:
            _add_at(xp, out, key, updates)
        else:
            out[key] = updates
        return out
    return kernel


def _tensor_scatter_infer(op: str, allowed: frozenset):
    def infer(tensor: Spec, indices: Spec, updates: Spec) -> Spec:
        if updates.dtype is not tensor.dtype or tensor.dtype not in allowed:
            raise TypeError(f"{op}: tensor ({tensor.dtype.name}) and updates "
                            f"({updates.dtype.name}) must share one supported dtype")
        _scatter_infer(op, tensor.shape, indices, updates)
        return tensor
    return infer


def _tensor_scatter_update_grad(op, dy):
    _, indices, _ = op.inputs
    picked = gather_nd(dy, indices)
    return [tensor_scatter_nd_update(dy, indices, E.zeros_like(picked)), None, picked]


_SCATTER_ND = defop("ScatterNd", _scatter_nd_kernel, _scatter_nd_infer,
                    lambda op, dy: [None, gather_nd(dy, op.inputs[0])])
_TENSOR_SCATTER_UPDATE = defop(
    "TensorScatterUpdate", _tensor_scatter_kernel(add=False),
    _tensor_scatter_infer("TensorScatterUpdate", NUMERIC | {D.bool_, D.string}),
    _tensor_scatter_update_grad)
_TENSOR_SCATTER_ADD = defop(
    "TensorScatterAdd", _tensor_scatter_kernel(add=True),
    _tensor_scatter_infer("TensorScatterAdd", NUMERIC),
    lambda op, dy: [dy, None, gather_nd(dy, op.inputs[1])])


def scatter_nd(indices, updates, shape, name=None) -> Tensor:
    """Zeros of ``shape`` with ``updates`` added at ``indices`` (duplicates add up)."""
    idx = _indices(indices, "ScatterNd")
    upd = _t(updates)
    if upd.dtype not in NUMERIC:  # NumPy would scatter bools with "or"
        raise TypeError(f"ScatterNd: updates must be numeric, got {upd.dtype.name}")
    return dispatch.execute(_SCATTER_ND, (idx, upd),
                            {"shape": int_list(shape, "shape", "ScatterNd")})


def _tensor_scatter(op, tensor, indices, updates) -> Tensor:
    x = _t(tensor)
    idx = _indices(indices, op.name)
    upd = updates if isinstance(updates, Tensor) else convert_like(updates, x.dtype, op.name)
    op.infer(*(dispatch.spec_of(t) for t in (x, idx, upd)))  # NumPy would cast the updates
    return dispatch.execute(op, (x, idx, upd))


def tensor_scatter_nd_update(tensor, indices, updates, name=None) -> Tensor:
    """A copy of ``tensor`` with the slices at ``indices`` replaced by ``updates``."""
    return _tensor_scatter(_TENSOR_SCATTER_UPDATE, tensor, indices, updates)


def tensor_scatter_nd_add(tensor, indices, updates, name=None) -> Tensor:
    """A copy of ``tensor`` with ``updates`` added at ``indices`` (duplicates add up)."""
    return _tensor_scatter(_TENSOR_SCATTER_ADD, tensor, indices, updates)


def tensor_scatter_nd_sub(tensor, indices, updates, name=None) -> Tensor:
    """A copy of ``tensor`` with ``updates`` subtracted at ``indices``."""
    x = _t(tensor)
    upd = updates if isinstance(updates, Tensor) else convert_like(updates, x.dtype,
                                                                    "TensorScatterSub")
    return _tensor_scatter(_TENSOR_SCATTER_ADD, x, indices, E.negative(upd))


# ---- boolean_mask -----------------------------------------------------------------------

def boolean_mask(tensor, mask, axis=None, name=None) -> Tensor:
    """The entries (or slices, along ``axis``) of ``tensor`` where ``mask`` is true, flattened
    into one dim: ``tensor.shape[:axis] + [N] + tensor.shape[axis + mask.ndim:]``.

    Built from reshape, ``where`` and ``gather``, as TensorFlow does, so it differentiates and
    traces through those ops."""
    from ops import array_ops as A
    x = _t(tensor)
    m = _t(mask)
    if m.dtype is not D.bool_:
        raise TypeError(f"boolean_mask: mask must be bool, got {m.dtype.name}")
    k = m.ndim
    axis = 0 if axis is None else int(axis)
    axis = axis + x.ndim if axis < 0 else axis
    if k == 0:
        raise ValueError("boolean_mask: mask must have rank >= 1, got a scalar")
    if not 0 <= axis or axis + k > x.ndim or not shapes.TensorShape(
            x.shape[axis:axis + k]).is_compatible_with(m.shape):
        raise ValueError(f"boolean_mask: mask of shape {_fmt(m.shape)} does not match dims "
                         f"{axis}..{axis + k - 1} of the tensor, whose shape is "
                         f"{_fmt(x.shape)}")
    dims = A.dims_of(x)
    masked = dims[axis:axis + k]
    count = 1
    for d in masked:
        count = count * d
    flat = A.reshape(x, dims[:axis] + [count] + dims[axis + k:])
    picks = A.reshape(where(A.reshape(m, [-1])), [-1])
    return gather(flat, picks, axis=axis)


# ---- where ------------------------------------------------------------------------------

def _where_infer(c: Spec) -> Spec:
    if c.dtype not in NUMERIC | {D.bool_}:
        raise TypeError(f"Where: the condition must be bool or numeric, got {c.dtype.name}")
    return Spec(D.int64, (None, len(c.shape)))


_WHERE = defop("Where", lambda xp, c: xp.argwhere(c).astype(np.int64), _where_infer)


def where(condition, x=None, y=None, name=None) -> Tensor:
    """With only ``condition``: int64 coordinates ``[N, rank]`` of its true entries.
    With ``x`` and ``y``: elementwise ``x if condition else y``, all three broadcast."""
    c = _t(condition)
    if x is None and y is None:
        return dispatch.execute(_WHERE, (c,))
    if x is None or y is None:
        raise ValueError("where: give both x and y, or neither")
    if c.dtype is not D.bool_:
        raise TypeError(f"where: the condition must be a bool tensor, got {c.dtype.name}")
    from ops.array_ops import _same_dtype
    x, y = _same_dtype([x, y], "where")
    return E.where_(c, x, y)


