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
            return v.copy()
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
        body = np.array2string(np.asarray(self._value()), separator=", ", prefix="array(") \
            if self.ndim else repr(self._value().item() if hasattr(self._value(), "item") else self._value())
        if self.ndim:
            body = "\n" + repr(np.asarray(self._value()))
        return f"<tf.Tensor: shape={self.shape}, dtype={self.dtype.name}, numpy={body}>"

    def __str__(self) -> str:
        if self._v is None:
            return repr(self)
        return f"tf.Tensor({np.asarray(self._value())}, shape={self.shape}, dtype={self.dtype.name})"


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

# Which source kinds may become which target kinds without losing meaning (TensorFlow's rules:
# ints may become floats, floats never become ints, bools only bools).
_KIND_OK = {"b": "b", "i": "iufc", "u": "iufc", "f": "fc", "c": "c", "O": "O", "S": "O", "U": "O"}


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


def _to_array(value, op: str):
    """Python/NumPy data -> (NumPy array, dtype it came with, was it Python data?)."""
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        arr = np.asarray(value)
        return arr, from_numpy(arr.dtype) if arr.dtype.kind not in "SU" else dtypes.string, False
    if isinstance(value, (bool, numbers.Number, str, bytes)):
        dt = _python_dtype(value)
        return np.asarray(_encode(value) if dt is dtypes.string else value, dtype=dt.np), dt, True
    if isinstance(value, (list, tuple)):
        flat = _flatten_checked(value, op)
        if not flat:
            return np.zeros(_nested_shape(value), np.float32), dtypes.float32, True
        kinds = {type(x) for x in flat}
        if all(issubclass(k, (str, bytes)) for k in kinds):
            arr = np.empty(len(flat), dtype=object)
            arr[:] = [_encode(x) for x in flat]
            return arr.reshape(_nested_shape(value)), dtypes.string, True
        try:
            arr = np.array(value)
        except (ValueError, TypeError) as e:
            raise ValueError(f"{op}: cannot convert {_short(value)} to a tensor: {e}") from None
        if arr.dtype.kind == "O":
            raise TypeError(f"{op}: cannot convert {_short(value)} to a tensor: it mixes "
                            "numbers with non-numeric values")
        if arr.dtype.kind == "f":
            dt = dtypes.float32
        elif arr.dtype.kind in "iu":
            dt = dtypes.int32 if (arr.size == 0 or (arr.min() >= -2**31 and arr.max() < 2**31)) \
                else dtypes.int64
        elif arr.dtype.kind == "c":
            dt = dtypes.complex128
        else:
            dt = from_numpy(arr.dtype)
        return arr, dt, True
    if hasattr(value, "__array__"):
        return _to_array(np.asarray(value), op)
    raise TypeError(f"{op}: cannot convert {_short(value)} of type {type(value).__name__} "
                    "to a tensor")


def _encode(s):
    return s.encode("utf-8") if isinstance(s, str) else s


def _flatten_checked(value, op):
    """Flatten nested lists, raising a clear ValueError for ragged nesting."""
    shape = _nested_shape(value)
    out = []

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
            if isinstance(v, Tensor):
                v = v.numpy()
            out.append(v)

    walk(value, 0)
    return out


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


def _cast_exact(arr: np.ndarray, src: DType, dst: DType, from_python: bool, op: str):
    """Cast data to ``dst`` if TensorFlow would: no float->int, values must fit."""
    if src is dst:
        return arr
    if dst.kind not in _KIND_OK.get(src.kind, ""):
        what = "Python value" if from_python else f"{src.name} array"
        raise TypeError(f"{op}: cannot convert {what} {_short(arr.tolist())} to dtype "
                        f"{dst.name}; use ag.cast to convert explicitly")
    if dst.kind in "iu" and arr.size:
        info = np.iinfo(dst.np)
        if arr.min() < info.min or arr.max() > info.max:
            raise TypeError(f"{op}: value {_short(arr.tolist())} does not fit in {dst.name}")
    return arr.astype(dst.np)


def constant(value, dtype=None, shape=None, name=None) -> Tensor:
    """A tensor holding ``value`` (like ``tf.constant``); ``shape`` broadcasts a scalar
    or reshapes data with the same number of elements."""
    if isinstance(value, Tensor):
        t = value if dtype is None else cast_checked(value, as_dtype(dtype), "constant")
    else:
        from ops.variables import Variable
        if isinstance(value, Variable):
            value = value.numpy()
        arr, src, from_python = _to_array(value, "constant")
        if dtype is not None:
            dst = as_dtype(dtype)
            if from_python or dst.kind in "iub" and src.kind not in "iub":
                arr = _cast_exact(arr, src, dst, from_python, "constant")
            else:
                arr = arr.astype(dst.np)
            src = dst
        elif arr.dtype != src.np:
            arr = arr.astype(src.np)
        xp = backends.current_xp()
        t = wrap(arr if xp is np else xp.asarray(arr), src)
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


def convert_like(value, like: DType, op: str) -> Tensor:
    """Convert a non-tensor operand to the dtype of the tensor it meets (TF's binary-op rule)."""
    read = getattr(value, "_read_for_op", None)
    if read is not None:
        value = read()
    if isinstance(value, Tensor):
        if value.dtype is not like:
            from ops.errors import dtype_mismatch
            raise dtype_mismatch(op, like, value.dtype)
        return value
    if isinstance(value, (float, int)) and not isinstance(value, bool) and like.kind in "fc":
        return wrap(np.asarray(value, like.np), like)
    arr, src, from_python = _to_array(value, op)
    return wrap(_cast_exact(arr, src, like, from_python, op), like)
