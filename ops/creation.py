"""Creation ops: ``zeros``, ``ones``, ``fill``, ``range``, ``linspace``, ``eye``, ``meshgrid``.

A shape given as Python data or an eager tensor becomes the static ``shape`` attr, so a traced
graph knows its output shape. A shape known only when the graph runs (``ag.shape(x)`` while
tracing) travels as an extra int32 ``dims`` input; the attr then keeps ``None`` for the dims it
cannot know. Ops with no array input create on the current device (``ag.device``), unless the
executor hands them CuPy.
"""
from __future__ import annotations

import builtins
import math
import numbers
import operator
from typing import Optional

import numpy as np

from runtime import backends, shapes
from runtime import dtypes as D
from runtime.registry import NOT_DIFFERENTIABLE, Spec
from ops import dispatch
from ops.declare import FLOAT, INT, defop
from ops.tensor import Tensor, constant, convert_to_tensor

__all__ = ["zeros", "ones", "fill", "range", "linspace", "lin_space", "eye", "meshgrid"]


# ---- shapes as arguments ----------------------------------------------------------------

def creation_xp(xp):
    """Array module for an op without array inputs: CuPy if the executor runs on the GPU,
    otherwise the device chosen by ``ag.device``."""
    return xp if xp is not np else backends.current_xp()


def checked(op, inputs: tuple, attrs: Optional[dict] = None) -> Tensor:
    """Run ``op`` after its infer rule has vetted the inputs: a NumPy kernel would otherwise
    broadcast or cast its way past wrong shapes and dtypes without a word."""
    attrs = {} if attrs is None else attrs
    dispatch.infer_outputs(op, inputs, attrs)
    return dispatch.execute(op, inputs, attrs)


def _is_symbolic(t) -> bool:
    return isinstance(t, Tensor) and t._v is None


def _dim(d, op: str, shape) -> int:
    try:
        n = operator.index(d)
    except TypeError:
        raise TypeError(f"{op}: shape {shape!r} must hold integers, got {d!r} of type "
                        f"{type(d).__name__}") from None
    if n < 0:
        raise ValueError(f"{op}: shape {shape!r} has a negative dimension {n}")
    return n


def shape_arg(shape, op: str) -> tuple:
    """``(static_shape, dims)`` for a user's ``shape`` argument.

    ``static_shape`` is a tuple of ints with ``None`` where the size is known only at run time;
    ``dims`` is an int32 tensor holding the whole shape in that case, else ``None``.
    """
    if isinstance(shape, Tensor) and not _is_symbolic(shape):
        shape = np.asarray(shape.numpy())
    if isinstance(shape, np.ndarray):
        if shape.ndim > 1 or shape.dtype.kind not in "iu":
            raise TypeError(f"{op}: shape must be a 1-D integer tensor or a list of ints, got a "
                            f"{shape.dtype} array of shape {shape.shape}")
        shape = shape.reshape(-1).tolist()
    if isinstance(shape, Tensor):  # symbolic: the whole shape is a run-time value
        if shape.dtype not in INT or len(shape.shape) != 1 or shape.shape[0] is None:
            raise TypeError(f"{op}: a shape computed while tracing must be a 1-D integer tensor "
                            f"of known length, got {shape.dtype.name}{list(shape.shape)}")
        from ops.elementwise import cast
        return (None,) * shape.shape[0], cast(shape, D.int32)
    if isinstance(shape, numbers.Integral):
        return (_dim(shape, op, shape),), None
    if not isinstance(shape, (list, tuple)):
        raise TypeError(f"{op}: shape must be a list/tuple of ints or a 1-D integer tensor, "
                        f"got {type(shape).__name__}")
    static, dynamic = [], False
    for d in shape:
        if d is None:
            raise ValueError(f"{op}: shape {list(shape)} has an unknown (None) dimension; "
                             "give every size (ag.shape(x) gives the run-time shape)")
        if _is_symbolic(d):
            static.append(None)
            dynamic = True
        else:
            static.append(_dim(d.numpy() if isinstance(d, Tensor) else d, op, list(shape)))
    if not dynamic:
        return tuple(static), None
    from ops import array_ops
    from ops.elementwise import cast
    parts = [cast(d, D.int32) if isinstance(d, Tensor) else constant(d, D.int32) for d in shape]
    return tuple(static), array_ops.stack(parts)


def runtime_shape(dims) -> tuple:
    """The shape held by a ``dims`` array (on any device)."""
    values = tuple(int(d) for d in backends.to_numpy(dims).reshape(-1))
    if any(d < 0 for d in values):
        raise ValueError(f"shape {list(values)} has a negative dimension")
    return values


def check_dims(op: str, dims: Optional[Spec], shape: tuple) -> None:
    """Infer-rule check of an optional ``dims`` input against the static shape attr."""
    if dims is None:
        return
    if dims.dtype not in INT or len(dims.shape) != 1:
        raise TypeError(f"{op}: dims must be a 1-D integer tensor, got "
                        f"{dims.dtype.name}{shapes.fmt(dims.shape)}")
    if dims.shape[0] is not None and dims.shape[0] != len(shape):
        raise ValueError(f"{op}: dims has {dims.shape[0]} entries but the shape attr "
                         f"{shapes.fmt(shape)} has {len(shape)}")


# ---- Fill: zeros, ones, fill ------------------------------------------------------------

def _fill_kernel(xp, value, dims=None, *, shape):
    if dims is not None:
        shape = runtime_shape(dims)
    return xp.broadcast_to(value, shape).copy()


def _fill_infer(value: Spec, dims: Optional[Spec] = None, *, shape) -> Spec:
    if len(value.shape) != 0:
        raise ValueError(f"Fill: value must be a scalar, got shape {shapes.fmt(value.shape)}")
    check_dims("Fill", dims, shape)
    return Spec(value.dtype, shape)


def _fill_grad(op, dy):
    from ops import reductions
    return [reductions.reduce_sum(dy)] + [None] * (len(op.inputs) - 1)


_FILL = defop("Fill", _fill_kernel, _fill_infer, _fill_grad)


def fill(dims, value, name=None) -> Tensor:
    """A tensor of shape ``dims`` filled with the scalar ``value`` (dtype of ``value``)."""
    value = convert_to_tensor(value)
    static, dyn = shape_arg(dims, "fill")
    inputs = (value,) if dyn is None else (value, dyn)
    return checked(_FILL, inputs, {"shape": static})


def _filled(shape, dtype, one: bool, op: str) -> Tensor:
    dtype = D.as_dtype(dtype)
    if dtype is D.string:
        if one:
            raise TypeError("ones: there is no 'one' of dtype string")
        value = constant(b"", D.string)
    else:
        value = constant(np.ones((), dtype.np) if one else np.zeros((), dtype.np))
    static, dyn = shape_arg(shape, op)
    inputs = (value,) if dyn is None else (value, dyn)
    return dispatch.execute(_FILL, inputs, {"shape": static})


def zeros(shape, dtype=D.float32, name=None) -> Tensor:
    """A tensor of ``shape`` with every element zero (``dtype`` defaults to float32)."""
    return _filled(shape, dtype, False, "zeros")


def ones(shape, dtype=D.float32, name=None) -> Tensor:
    """A tensor of ``shape`` with every element one (``dtype`` defaults to float32)."""
    return _filled(shape, dtype, True, "ones")


# ---- Range ------------------------------------------------------------------------------

def range_size(start, limit, delta) -> int:
    """Number of elements of ``range(start, limit, delta)``; TensorFlow's checks included."""
    if delta == 0:
        raise ValueError(f"Range: delta must not be zero (start={start}, limit={limit})")
    if (delta > 0 and start > limit) or (delta < 0 and start < limit):
        raise ValueError(f"Range: start={start} and limit={limit} do not match the sign of "
                         f"delta={delta}; need start <= limit when delta > 0 and "
                         "start >= limit when delta < 0")
    if isinstance(start, numbers.Integral) and isinstance(limit, numbers.Integral) \
            and isinstance(delta, numbers.Integral):
        return (abs(limit - start) + abs(delta) - 1) // abs(delta)
    return int(math.ceil(abs((limit - start) / delta)))


def _range_kernel(xp, start, limit, delta, size):
    s, l, d = start.item(), limit.item(), delta.item()
    n = range_size(s, l, d)
    return xp.arange(n, dtype=start.dtype) * start.dtype.type(d) + start.dtype.type(s)


def _range_infer(start: Spec, limit: Spec, delta: Spec, size) -> Spec:
    for what, s in (("start", start), ("limit", limit), ("delta", delta)):
        if len(s.shape) != 0:
            raise ValueError(f"Range: {what} must be a scalar, got shape {shapes.fmt(s.shape)}")
        if s.dtype is not start.dtype:
            from ops.errors import dtype_mismatch
            raise dtype_mismatch("Range", start.dtype, s.dtype)
    if start.dtype not in _RANGE_DTYPES:
        raise TypeError(f"Range does not accept {start.dtype.name}; use int32, int64, float32 "
                        "or float64")
    return Spec(start.dtype, (size,))


_RANGE = defop("Range", _range_kernel, _range_infer)
_RANGE_DTYPES = (D.int32, D.int64, D.float32, D.float64)  # also TensorFlow's inference order


def range(start, limit=None, delta=1, dtype=None, name="range") -> Tensor:  # noqa: A001
    """``[start, start + delta, ...]`` up to but excluding ``limit`` (``tf.range``).

    With one argument it counts from 0. Without ``dtype`` the widest argument type wins in
    the order int32 < int64 < float32 < float64, so ``range(5)`` is int32 and
    ``range(0, 1, 0.25)`` is float32.
    """
    if limit is None:
        start, limit = 0, start
    want = None if dtype is None else D.as_dtype(dtype)
    args = [a if isinstance(a, Tensor) else convert_to_tensor(a, dtype=want)
            for a in (start, limit, delta)]
    if want is None:
        for a in args:
            if a.dtype not in _RANGE_DTYPES:
                raise TypeError(f"range: arguments must be int32, int64, float32 or float64, got "
                                f"{a.dtype.name}")
        want = max((a.dtype for a in args), key=_RANGE_DTYPES.index)
    from ops.elementwise import cast
    args = [cast(a, want) for a in args]
    dispatch.infer_outputs(_RANGE, tuple(args), {"size": None})
    size = None
    if not any(_is_symbolic(a) for a in args):
        size = range_size(*(np.asarray(a.numpy()).item() for a in args))
    return dispatch.execute(_RANGE, tuple(args), {"size": size})



# ---- LinSpace ---------------------------------------------------------------------------

def _linspace_kernel(xp, start, stop, num, axis):
    start64 = xp.asarray(start, dtype=xp.float64)
    stop64 = xp.asarray(stop, dtype=xp.float64)
    steps = xp.arange(num, dtype=xp.float64).reshape((num,) + (1,) * start64.ndim)
    out = start64 + (stop64 - start64) * (steps / max(num - 1, 1))
    if num > 1:
        out[-1] = stop64  # the last value is exactly ``stop``, as NumPy and TensorFlow do
    return xp.moveaxis(out.astype(start.dtype), 0, axis)


def _linspace_infer(start: Spec, stop: Spec, num, axis) -> Spec:
    if start.dtype is not stop.dtype:
        from ops.errors import dtype_mismatch
        raise dtype_mismatch("LinSpace", start.dtype, stop.dtype)
    if start.dtype not in FLOAT:
        raise TypeError(f"LinSpace needs float start/stop, got {start.dtype.name}; use floats "
                        "such as 0.0, or ag.cast")
    if len(start.shape) != len(stop.shape) or not all(
            a is None or b is None or a == b for a, b in zip(start.shape, stop.shape)):
        raise ValueError(f"LinSpace: start {shapes.fmt(start.shape)} and stop "
                         f"{shapes.fmt(stop.shape)} must have the same shape")
    merged = tuple(a if a is not None else b for a, b in zip(start.shape, stop.shape))
    axis = shapes.normalize_axis(axis, len(merged) + 1, "LinSpace")
    return Spec(start.dtype, merged[:axis] + (num,) + merged[axis:])


_LINSPACE = defop("LinSpace", _linspace_kernel, _linspace_infer)


def linspace(start, stop, num, name=None, axis=0) -> Tensor:
    """``num`` evenly spaced values from ``start`` to ``stop`` inclusive, along ``axis``."""
    start = convert_to_tensor(start, dtype_hint=D.float32)
    stop = convert_to_tensor(stop, dtype_hint=start.dtype)
    if _is_symbolic(num):
        raise TypeError("linspace: num must be known when the function is traced (a Python "
                        "int or an eager tensor)")
    num = int(num)
    if num <= 0:
        raise ValueError(f"linspace: num must be positive, got {num}")
    return checked(_LINSPACE, (start, stop), {"num": num, "axis": int(axis)})


lin_space = linspace


# ---- Eye --------------------------------------------------------------------------------

def _eye_kernel(xp, num_rows, num_columns, batch_shape, dtype):
    xp = creation_xp(xp)
    eye_ = xp.eye(num_rows, num_columns, dtype=dtype.np)
    if not batch_shape:
        return eye_
    return xp.broadcast_to(eye_, batch_shape + eye_.shape).copy()


def _eye_infer(num_rows, num_columns, batch_shape, dtype) -> Spec:
    return Spec(dtype, tuple(batch_shape) + (num_rows, num_columns))


_EYE = defop("Eye", _eye_kernel, _eye_infer)


def eye(num_rows, num_columns=None, batch_shape=None, dtype=D.float32, name=None) -> Tensor:
    """Identity matrix ``[num_rows, num_columns]`` (square by default), optionally batched."""
    rows = _dim(num_rows.numpy() if isinstance(num_rows, Tensor) else num_rows, "eye", num_rows)
    cols = rows if num_columns is None else _dim(
        num_columns.numpy() if isinstance(num_columns, Tensor) else num_columns, "eye",
        num_columns)
    batch = () if batch_shape is None else shape_arg(batch_shape, "eye")[0]
    if None in batch:
        raise TypeError("eye: batch_shape must be known when the function is traced")
    attrs = {"num_rows": rows, "num_columns": cols, "batch_shape": batch,
             "dtype": D.as_dtype(dtype)}
    return dispatch.execute(_EYE, (), attrs)


# ---- meshgrid (composite) ---------------------------------------------------------------

def meshgrid(*args, **kwargs) -> list:
    """Coordinate grids from 1-D tensors; ``indexing="xy"`` (default) or ``"ij"``."""
    from ops import array_ops
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"meshgrid: unexpected keyword arguments {sorted(kwargs)}")
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    tensors = dispatch.tensors(list(args), "meshgrid") if args else ()
    flat = [array_ops.reshape(t, [-1]) for t in tensors]
    # order[a] is the input that varies along output axis a ("xy" swaps the first two).
    order = list(builtins.range(len(flat)))
    if indexing == "xy" and len(flat) > 1:
        order[0], order[1] = 1, 0
    target = [flat[k].shape[0] if flat[k].shape[0] is not None
              else array_ops.shape(flat[k])[0] for k in order]
    out = []
    for i, t in enumerate(flat):
        view = [1] * len(flat)
        view[order.index(i)] = -1
        out.append(array_ops.broadcast_to(array_ops.reshape(t, view), target))
    return out
