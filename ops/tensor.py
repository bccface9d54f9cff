"""The one ``Tensor`` type, and conversion of Python and NumPy data into tensors.

An eager tensor holds a backend array in ``_v`` (a NumPy or CuPy array, or a NumPy scalar
for 0-d results). A symbolic tensor, made while tracing, has ``_v = None`` and refers to
its graph value through ``_sym``. Operator overloads are installed by ``ops.overloads``.
"""
from __future__ import annotations

import numbers

import numpy as np

from runtime import backends
from runtime.dtypes import DType, as_dtype, from_numpy
from runtime import dtypes
from runtime.shapes import TensorShape


class Tensor:
    __slots__ = ("_v", "dtype", "_sym", "__weakref__")
    # NumPy defers binary operators to us when a tensor is the right operand.
    __array_priority__ = 100

    def __init__(self, *args, **kwargs):
        raise TypeError("tensors are made by ops: use ag.constant(value) or ag.convert_to_tensor")

    # ---- values -----------------------------------------------------------------------
    def numpy(self):
        """The value as a NumPy array (a NumPy scalar for 0-d; ``bytes`` for string scalars)."""
        v = self._value()
        if isinstance(v, np.ndarray):
            return v[()] if v.ndim == 0 else v.copy()
        return v

    def _value(self):
        if self._v is None:
            raise _symbolic_value_error(self)
        return backends.to_numpy(self._v)

    def __array__(self, dtype=None, copy=None):
        v = np.asarray(self._value())
        if dtype is not None and v.dtype != dtype:
            return v.astype(dtype)
        return v.copy() if copy else v

    @property
    def shape(self) -> TensorShape:
        if self._v is None:
            return TensorShape(self._sym.shape)
        return TensorShape(self._v.shape)

    def get_shape(self) -> TensorShape:
        return self.shape

    @property
    def ndim(self) -> int:
        return len(self._v.shape) if self._v is not None else len(self._sym.shape)

    @property
    def device(self) -> str:
        if self._v is None:
            return self._sym.device
        return backends.device_of(self._v)

    def ref(self) -> "TensorRef":
        """A hashable reference (tensors are unhashable because ``==`` is elementwise)."""
        return TensorRef(self)

    experimental_ref = ref

    def __hash__(self):
        raise TypeError("Tensor is unhashable; use tensor.ref() as the key instead")

    # ---- Python protocols ---------------------------------------------------------------
    def __len__(self) -> int:
        shape = self.shape
        if not shape:
            raise TypeError("len() is not defined for a scalar (rank-0) tensor")
        if shape[0] is None:
            raise TypeError("len() of a tensor whose first dimension is unknown while tracing; "
                            "use ag.shape(t)[0]")
        return shape[0]

    def __iter__(self):
        shape = self.shape
        if not shape:
            raise TypeError("cannot iterate over a scalar (rank-0) tensor")
        if shape[0] is None:
            raise TypeError("cannot iterate over a tensor whose first dimension is unknown "
                            "while tracing; use ag.range(ag.shape(t)[0]) or ag.unstack")
        return (self[i] for i in range(shape[0]))

    def _scalar(self, what: str):
        v = self._value()
        if np.size(v) != 1:
            raise ValueError(f"{what}() of a tensor with shape {self.shape} is ambiguous; "
                             "only tensors with one element convert to Python scalars "
                             "(use ag.reduce_any / ag.reduce_all for truth values)")
        return np.asarray(v).reshape(()).item()

    def __bool__(self) -> bool:
        return bool(self._scalar("bool"))

    def __int__(self) -> int:
        return int(self._scalar("int"))

    def __float__(self) -> float:
        return float(self._scalar("float"))

    def __complex__(self) -> complex:
        return complex(self._scalar("complex"))

    def __index__(self) -> int:
        if not self.dtype.is_integer:
            raise TypeError(f"only integer tensors can be used as an index, not {self.dtype.name}")
        if self._v is None:
            raise TypeError(
                f"cannot use the graph tensor '{self._sym.name}' as a Python index (a list or "
                "tuple subscript, range(), ...) while tracing a function: its value exists only "
                "when the graph runs. Read from a tensor instead (ag.stack(items)[i] or "
                "ag.gather), and write with ag.tensor_scatter_nd_update or an ag.TensorArray")
        return int(self._scalar("index"))

    def __format__(self, spec: str) -> str:
        if not spec:
            return str(self)
        return format(np.asarray(self._value()).reshape(()).item() if self.ndim == 0
                      else self._value(), spec)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return _rebuild, (self.numpy(), self.dtype.name)

    # ---- printing -----------------------------------------------------------------------
    def __repr__(self) -> str:
        if self._v is None:
            return f"<tf.Tensor '{self._sym.name}' shape={self.shape} dtype={self.dtype.name}>"
        return f"<tf.Tensor: shape={self.shape}, dtype={self.dtype.name}, " \
               f"numpy={numpy_text(self._value(), True)}>"

    def __str__(self) -> str:
        if self._v is None:
            return repr(self)
        return f"tf.Tensor({numpy_text(self._value(), False)}, shape={self.shape}, " \
               f"dtype={self.dtype.name})"


def numpy_text(value, is_repr: bool) -> str:
    """A value as TensorFlow prints it inside a tensor's repr/str: NumPy's text, on its own
    line when it spans several (``numpy=1.23``, ``numpy=array([1., 2.], dtype=float32)``)."""
    value = np.asarray(value)
    if value.ndim == 0:
        item = value[()]
        text = repr(item) if isinstance(item, bytes) else str(item)
    else:
        text = repr(value) if is_repr else str(value)
    return "\n" + text if "\n" in text else text


class TensorRef:
    """Hashable wrapper around a tensor, compared by identity (``Tensor.ref()``)."""

    __slots__ = ("_t",)

    def __init__(self, t):
        self._t = t

    def deref(self):
        return self._t

    def __hash__(self):
        return id(self._t)

    def __eq__(self, other):
        return isinstance(other, TensorRef) and other._t is self._t


def _symbolic_value_error(t) -> TypeError:
    return TypeError(
        f"cannot read the value of symbolic tensor '{t._sym.name}' while tracing a function: "
        "its value exists only when the graph runs. Use ag.print to show it at run time, or "
        "ag.run_functions_eagerly(True) to debug with real values")


def _rebuild(value, dtype_name):
    return constant(value, dtype=dtype_name)


_new = object.__new__


def wrap(array, dtype: DType | None = None) -> Tensor:
    """Make an eager tensor from a backend array (no copy)."""
    t = _new(Tensor)
    t._v = array
    t.dtype = from_numpy(array.dtype) if dtype is None else dtype
    t._sym = None
    return t


# ---- conversion -------------------------------------------------------------------------
#
# Conversion happens in two steps. ``_to_array`` turns Python or NumPy data into a NumPy array
# that holds the values exactly (Python floats as float64, ints as int64/uint64, strings as
# an object array of bytes) and names the dtype TensorFlow would give it by default.
# ``_cast_exact`` then moves the array to the dtype wanted, refusing what TensorFlow refuses:
# floats never become ints, bools only bools, and integers must fit their new dtype.

# Which source kinds may become which target kinds without losing meaning.
_KIND_OK = {"b": "b", "i": "iufc", "u": "iufc", "f": "fc", "c": "c", "O": "O"}
_INT64 = np.iinfo(np.int64)
_UINT64 = np.iinfo(np.uint64)


def _python_dtype(value) -> DType:
    """Default dtype of Python data: float -> float32, int -> int32 (int64 if it needs it)."""
    if isinstance(value, bool):
        return dtypes.bool_
    if isinstance(value, numbers.Integral):
        return dtypes.int32 if -2**31 <= value < 2**31 else dtypes.int64
    if isinstance(value, numbers.Real):
        return dtypes.float32
    if isinstance(value, numbers.Complex):
        return dtypes.complex128
    if isinstance(value, (str, bytes)):
        return dtypes.string
    raise TypeError(f"cannot convert {value!r} of type {type(value).__name__} to a tensor")


def _int_array(value: int, op: str) -> np.ndarray:
    """A Python int as an exact 0-d array (uint64 above int64's range)."""
    if _INT64.min <= value <= _INT64.max:
        return np.asarray(value, np.int64)
    if 0 <= value <= _UINT64.max:
        return np.asarray(value, np.uint64)
    raise TypeError(f"{op}: the integer {value} is too large for any integer dtype "
                    "(int64 and uint64 are the widest)")


def _scalar_array(value, op: str):
    """Python scalar -> (exact array, default dtype)."""
    if isinstance(value, bool):
        return np.asarray(value), dtypes.bool_
    if isinstance(value, numbers.Integral):
        value = int(value)
        return _int_array(value, op), _python_dtype(value)
    if isinstance(value, numbers.Real):
        return np.asarray(float(value), np.float64), dtypes.float32
    if isinstance(value, numbers.Complex):
        return np.asarray(complex(value), np.complex128), dtypes.complex128
    if isinstance(value, (str, bytes)):
        return np.asarray(_encode(value), dtype=object), dtypes.string
    raise TypeError(f"{op}: cannot convert {_short(value)} of type {type(value).__name__} to a "
                    "tensor; convert it to int or float first")


def _string_array(arr: np.ndarray) -> np.ndarray:
    """A NumPy 'U'/'S' array as an object array of bytes (how string tensors are held)."""
    flat = np.empty(arr.size, dtype=object)
    flat[:] = [_encode(s) for s in arr.reshape(-1).tolist()]
    return flat.reshape(arr.shape)


def _numpy_array(value, op: str):
    """NumPy data -> (array, its dtype). Strings become object arrays of bytes."""
    arr = np.asarray(value)
    kind = arr.dtype.kind
    if kind in "SU":
        return _string_array(arr), dtypes.string
    if kind == "O":
        flat = arr.reshape(-1).tolist()
        if all(isinstance(s, (str, bytes)) for s in flat):
            return _string_array(arr), dtypes.string
        raise TypeError(f"{op}: cannot convert a NumPy object array {_short(value)} to a tensor; "
                        "only arrays of numbers, bools or strings convert")
    try:
        return arr, from_numpy(arr.dtype)
    except TypeError:
        raise TypeError(f"{op}: NumPy dtype {arr.dtype} has no tensor equivalent; convert the "
                        "array to a numeric dtype first") from None


def _to_array(value, op: str):
    """Python/NumPy data -> (exact NumPy array, default dtype, was it Python data?)."""
    if isinstance(value, (np.ndarray, np.generic)):
        arr, dt = _numpy_array(value, op)
        return arr, dt, False
    if isinstance(value, (numbers.Number, str, bytes)):
        arr, dt = _scalar_array(value, op)
        return arr, dt, True
    if isinstance(value, range):
        value = list(value)
    if isinstance(value, (list, tuple)):
        return _nested_to_array(value, op)
    if isinstance(value, Tensor):
        return np.asarray(value._value()), value.dtype, False
    if hasattr(value, "__array__"):
        arr, dt = _numpy_array(np.asarray(value), op)
        return arr, dt, False
    raise TypeError(f"{op}: cannot convert {_short(value)} of type {type(value).__name__} "
                    "to a tensor")


def _nested_to_array(value, op: str):
    """Nested lists/tuples of scalars (or tensors) -> (exact array, default dtype, True)."""
    shape = _nested_shape(value)
    leaves, tensor_dtypes = _flatten_checked(value, shape, op)
    if not leaves:
        return np.zeros(shape, np.float32), dtypes.float32, True
    strings = [isinstance(x, (str, bytes)) for x in leaves]
    if all(strings):
        arr = np.empty(len(leaves), dtype=object)
        arr[:] = [_encode(x) for x in leaves]
        return arr.reshape(shape), dtypes.string, True
    if any(strings):
        raise TypeError(f"{op}: cannot convert {_short(value)} to a tensor: it mixes strings "
                        "with numbers; a tensor holds one dtype")
    bad = next((x for x in leaves if not isinstance(
        x, (numbers.Complex, np.ndarray, np.generic))), _MISSING)
    if bad is not _MISSING:
        raise TypeError(f"{op}: cannot convert {_short(value)} to a tensor: it holds "
                        f"{_short(bad)} of type {type(bad).__name__}; elements must be numbers, "
                        "bools or strings")
    bools = [isinstance(x, (bool, np.bool_)) for x in leaves]
    if any(bools) and not all(bools):
        raise TypeError(f"{op}: cannot convert {_short(value)} to a tensor: it mixes bools with "
                        "numbers; a tensor holds one dtype")
    if all(isinstance(x, numbers.Integral) and not b for x, b in zip(leaves, bools)):
        big = [int(x) for x in leaves if not _INT64.min <= int(x) <= _INT64.max]
        for x in big:
            _int_array(x, op)  # raises for ints beyond uint64
        arr = np.array(leaves, dtype=np.uint64 if big else np.int64)
    else:
        try:
            arr = np.array(leaves)
        except ValueError:  # arrays of different shapes among the leaves
            arr = None
        if arr is None or arr.dtype.kind == "O":
            raise ValueError(f"{op}: cannot convert {_short(value)} to a tensor: its elements "
                             "have different shapes")
    inner = arr.shape[1:]  # tensors or arrays nested as leaves add their own dims
    if any(np.shape(x) != inner for x in leaves):
        raise ValueError(f"{op}: cannot convert {_short(value)} to a tensor: its elements have "
                         "different shapes")
    arr = arr.reshape(shape + inner)
    kind = arr.dtype.kind
    if len(tensor_dtypes) == 1:
        dt = tensor_dtypes.pop()  # [tensor, 2.0] takes the tensor's dtype, as in TensorFlow
    elif kind == "f":
        dt = dtypes.float32
    elif kind in "iu":
        dt = dtypes.int32 if (arr.min() >= -2**31 and arr.max() < 2**31) else dtypes.int64
    elif kind == "c":
        dt = dtypes.complex128
    else:
        dt = from_numpy(arr.dtype)
    return arr, dt, True


_MISSING = object()


def _encode(s):
    return s.encode("utf-8") if isinstance(s, str) else s


def _flatten_checked(value, shape, op):
    """Leaves of nested lists in order, raising a clear ValueError for ragged nesting.

    Tensors and variables among the leaves are read; their dtypes are returned too.
    """
    out = []
    tensor_dtypes = set()

    def walk(v, depth):
        if isinstance(v, (list, tuple)):
            if depth >= len(shape) or len(v) != shape[depth]:
                raise ValueError(f"{op}: cannot convert a ragged nested list to a tensor: "
                                 f"{_short(value)} has rows of different lengths; pad them "
                                 "to one length")
            for x in v:
                walk(x, depth + 1)
        else:
            if depth != len(shape):
                raise ValueError(f"{op}: cannot convert a ragged nested list to a tensor: "
                                 f"{_short(value)} mixes scalars and lists at one level")
            read = getattr(v, "_read_for_op", None)
            if read is not None:
                v = read()
            if isinstance(v, Tensor):
                tensor_dtypes.add(v.dtype)
                v = v.numpy()
            out.append(v)

    walk(value, 0)
    return out, tensor_dtypes


def _nested_shape(value) -> tuple:
    shape = []
    while isinstance(value, (list, tuple)):
        shape.append(len(value))
        if not value:
            break
        value = value[0]
    return tuple(shape)


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _cast_exact(arr: np.ndarray, dst: DType, from_python: bool, op: str) -> np.ndarray:
    """Move exact data to ``dst`` if TensorFlow would: no float->int, and ints must fit."""
    src_kind = arr.dtype.kind
    if arr.dtype == dst.np:
        return arr
    if arr.size == 0 and from_python:   # `[]` has no element type of its own
        return arr.astype(dst.np)
    if dst.kind not in _KIND_OK.get(src_kind, ""):
        src = "string" if src_kind == "O" else arr.dtype.name
        what = "Python value" if from_python else f"{src} array"
        raise TypeError(f"{op}: cannot convert {what} {_short(_as_list(arr))} to dtype "
                        f"{dst.name}; use ag.cast to convert explicitly")
    if dst.kind in "iu" and src_kind in "iu" and arr.size:
        lo, hi = _int_range(dst.np)
        if arr.ndim == 0:
            low = high = int(arr)
        else:
            low, high = int(arr.min()), int(arr.max())
        if low < lo or high > hi:
            bad = low if low < lo else high
            raise TypeError(f"{op}: value {bad} does not fit in {dst.name} (its range is "
                            f"{lo} to {hi})")
    if src_kind in "fc" and dst.np.itemsize < arr.dtype.itemsize:
        with np.errstate(over="ignore"):  # 1e300 becomes inf in float32, as in TensorFlow
            return arr.astype(dst.np)
    return arr.astype(dst.np)


_int_ranges: dict = {}


def _int_range(np_dtype) -> tuple:
    """(min, max) of an integer dtype (``np.iinfo`` builds an object per call)."""
    found = _int_ranges.get(np_dtype)
    if found is None:
        info = np.iinfo(np_dtype)
        found = _int_ranges[np_dtype] = (int(info.min), int(info.max))
    return found


def _as_list(arr: np.ndarray):
    return arr.tolist()


def constant(value, dtype=None, shape=None, name=None) -> Tensor:
    """A tensor holding ``value`` (like ``tf.constant``); ``shape`` broadcasts a scalar
    or reshapes data with the same number of elements."""
    if isinstance(value, Tensor):
        t = value
        if dtype is not None and as_dtype(dtype) is not t.dtype:
            raise TypeError(f"constant: the value is a {t.dtype.name} tensor but dtype "
                            f"{as_dtype(dtype).name} was asked for; use ag.cast(x, "
                            f"ag.{as_dtype(dtype).name})")
    else:
        t = _from_data(value, None if dtype is None else as_dtype(dtype), "constant")
    if shape is not None:
        shape = tuple(int(d) for d in shape)
        n = int(np.prod(shape))
        v = t._v
        if v.size == n:
            t = wrap(v.reshape(shape), t.dtype)
        elif v.size == 1:
            xp = backends.array_module(v)
            t = wrap(xp.broadcast_to(v.reshape(()), shape).copy(), t.dtype)
        else:
            raise TypeError(f"constant: value has {v.size} elements, which cannot fill shape "
                            f"{list(shape)} ({n} elements)")
    return t


def _from_data(value, dtype, op: str) -> Tensor:
    """A new tensor on the current device from Python/NumPy data; errors name ``op``."""
    arr, default, from_python = _to_array(value, op)
    target = default if dtype is None else dtype
    converted = _cast_exact(arr, target, from_python, op)
    if converted is value or (converted is arr and not from_python):
        converted = converted.copy()  # never alias the caller's NumPy array
    xp = backends.current_xp()
    if xp is not np:
        return wrap(xp.asarray(converted), target)
    if converted.ndim == 0 and converted.dtype.kind != "O":
        converted = converted[()]   # 0-d values live as NumPy scalars (fast scalar math)
    return wrap(converted, target)


def convert_for_op(value, op: str) -> Tensor:
    """``convert_to_tensor`` for an op's input: conversion errors name the op (``Exp: cannot
    convert a ragged nested list ...``)."""
    if isinstance(value, Tensor):
        return value
    read = getattr(value, "_read_for_op", None)
    if read is not None:  # a Variable
        return read()
    return _from_data(value, None, op)


def cast_checked(t: Tensor, dtype: DType, op: str) -> Tensor:
    if t.dtype is dtype:
        return t
    raise ValueError(f"{op}: tensor conversion requested dtype {dtype.name} for a tensor with "
                     f"dtype {t.dtype.name}; use ag.cast(x, ag.{dtype.name})")


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None) -> Tensor:
    """Turn tensors, variables, NumPy arrays and Python data into a tensor (``tf.convert_to_tensor``)."""
    if isinstance(value, Tensor):
        return value if dtype is None else cast_checked(value, as_dtype(dtype), "convert_to_tensor")
    read = getattr(value, "_read_for_op", None)
    if read is not None:  # a Variable
        t = read()
        return t if dtype is None else cast_checked(t, as_dtype(dtype), "convert_to_tensor")
    if dtype is None and dtype_hint is not None:
        try:
            return constant(value, dtype=dtype_hint)
        except TypeError:
            pass
    return constant(value, dtype=dtype)


def convert_like(value, like: DType, op: str, near=None) -> Tensor:
    """Convert a non-tensor operand to the dtype of the tensor it meets (TF's binary-op rule).

    ``near`` is that tensor: once a GPU is in use, the new operand is placed on its device
    (otherwise on the current ``ag.device``), so ``gpu_tensor * 2.0`` stays on the GPU.
    """
    read = getattr(value, "_read_for_op", None)
    if read is not None:
        value = read()
    if isinstance(value, Tensor):
        if value.dtype is not like:
            # Callers pass either operand here, so the message names no operand order.
            raise TypeError(f"{op}: cannot combine {value.dtype.name} and {like.name} tensors; "
                            f"convert one first, e.g. ag.cast(x, ag.{like.name})")
        return value
    if (like.kind in "fc" and isinstance(value, (float, int)) and not isinstance(value, bool)
            and not backends.gpu_in_use):
        # Fast path for ``x * 2.0``: a Python number meeting a float tensor on the CPU.
        if like.np.itemsize < 8 and not -65504.0 <= value <= 65504.0:
            with np.errstate(over="ignore"):  # too big for float16/32 becomes inf, as in TF
                return wrap(np.asarray(value, like.np)[()], like)
        return wrap(like.np.type(value), like)
    arr, _, from_python = _to_array(value, op)
    arr = _cast_exact(arr, like, from_python, op)
    if backends.gpu_in_use:
        arr = _place_near(arr, near)
    return wrap(arr, like)


def _place_near(arr: np.ndarray, near):
    """Move a fresh NumPy operand to the device of ``near`` (or the current device)."""
    if near is not None and getattr(near, "_v", None) is not None:
        where = backends.device_of(near._v)
        if where == backends.CPU:
            return arr
        kind, index = backends.parse_device(where.rsplit("device:", 1)[1])
        return backends.to_device(arr, kind, index)
    xp = backends.current_xp()
    return arr if xp is np else xp.asarray(arr)
