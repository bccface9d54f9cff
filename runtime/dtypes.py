"""Data types with TensorFlow's names, backed by NumPy dtypes.

A ``DType`` compares equal to its NumPy dtype, to the NumPy scalar type and to its
name, so ``ag.float32 == np.float32`` and ``t.dtype == "float32"`` both hold. String tensors
hold NumPy object arrays of ``bytes``, so ``ag.string == np.object_`` but, as the seed
documents print, ``ag.string != np.str_``.
"""
from __future__ import annotations

import numpy as np


class DType:
    """One element type. Instances are interned: compare with ``is`` on hot paths."""

    __slots__ = ("name", "np", "kind", "size", "_hash")

    def __init__(self, name: str, np_dtype):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.kind = self.np.kind  # 'f' float, 'i'/'u' int, 'b' bool, 'c' complex, 'O' string
        self.size = self.np.itemsize if name != "string" else 0
        self._hash = hash(name)

    @property
    def as_numpy_dtype(self):
        return self.np.type

    @property
    def is_floating(self) -> bool:
        return self.kind == "f"

    @property
    def is_integer(self) -> bool:
        return self.kind in "iu"

    @property
    def is_unsigned(self) -> bool:
        return self.kind == "u"

    @property
    def is_bool(self) -> bool:
        return self.kind == "b"

    @property
    def is_complex(self) -> bool:
        return self.kind == "c"

    @property
    def is_numeric(self) -> bool:
        return self.kind in "fiuc"

    @property
    def base_dtype(self) -> "DType":
        return self

    @property
    def real_dtype(self) -> "DType":
        return {complex64: float32, complex128: float64}.get(self, self)

    @property
    def is_numpy_compatible(self) -> bool:
        return True

    @property
    def itemsize(self) -> int:
        return self.size

    @property
    def min(self):
        """Smallest value of the dtype (``False`` for bool)."""
        if self.kind == "f":
            return self.np.type(np.finfo(self.np).min)
        if self.kind in "iu":
            return self.np.type(np.iinfo(self.np).min)
        if self.kind == "b":
            return False
        raise TypeError(f"dtype {self.name} has no minimum value")

    @property
    def max(self):
        """Largest value of the dtype (``True`` for bool)."""
        if self.kind == "f":
            return self.np.type(np.finfo(self.np).max)
        if self.kind in "iu":
            return self.np.type(np.iinfo(self.np).max)
        if self.kind == "b":
            return True
        raise TypeError(f"dtype {self.name} has no maximum value")

    @property
    def limits(self) -> tuple:
        return self.min, self.max

    def is_compatible_with(self, other) -> bool:
        return self == other

    def __eq__(self, other) -> bool:
        if other is self:
            return True
        if isinstance(other, DType) or other is None:
            return False
        if isinstance(other, str) or (isinstance(other, type) and other in _PYTHON_TYPES):
            try:
                return as_dtype(other) is self
            except TypeError:
                return False
        try:
            # NumPy types compare by their exact dtype: np.str_ ('<U') is not object.
            return np.dtype(other) == self.np
        except (TypeError, ValueError):
            return False

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return f"tf.{self.name}"

    def __str__(self) -> str:
        return f"<dtype: '{self.name}'>"

    def __reduce__(self):
        return as_dtype, (self.name,)


float16 = DType("float16", np.float16)
float32 = DType("float32", np.float32)
float64 = DType("float64", np.float64)
int8 = DType("int8", np.int8)
int16 = DType("int16", np.int16)
int32 = DType("int32", np.int32)
int64 = DType("int64", np.int64)
uint8 = DType("uint8", np.uint8)
uint16 = DType("uint16", np.uint16)
uint32 = DType("uint32", np.uint32)
uint64 = DType("uint64", np.uint64)
bool_ = DType("bool", np.bool_)
complex64 = DType("complex64", np.complex64)
complex128 = DType("complex128", np.complex128)
string = DType("string", np.object_)

ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
       bool_, complex64, complex128, string)

ALIASES = {"half": float16, "float": float32, "double": float64, "bool": bool_}

_BY_NAME = {d.name: d for d in ALL}
_BY_NAME.update(ALIASES)
_BY_NP = {d.np: d for d in ALL}
_PYTHON_TYPES = (bool, int, float, complex, str, bytes)


def as_dtype(value) -> DType:
    """Return the DType for a DType, name, NumPy dtype or scalar type; TypeError otherwise."""
    if isinstance(value, DType):
        return value
    if value is None:
        raise TypeError("cannot interpret None as a dtype; give one such as ag.float32")
    if isinstance(value, str):
        found = _BY_NAME.get(value)
        if found is None:
            known = ", ".join(sorted(_BY_NAME))
            raise TypeError(f"unknown dtype name {value!r}; known names: {known}")
        return found
    if value is bool:
        return bool_
    if value is float:
        return float32
    if value is int:
        return int32
    if value is str or value is bytes:
        return string
    if value is complex:
        return complex128
    try:
        npd = np.dtype(value)
    except (TypeError, ValueError):
        raise TypeError(f"cannot interpret {value!r} as a dtype") from None
    if npd.kind in "SU":
        return string
    found = _BY_NP.get(npd)
    if found is None:
        raise TypeError(f"NumPy dtype {npd} has no autograph equivalent")
    return found


def from_numpy(npd) -> DType:
    """DType of a NumPy dtype (fast path: a dict lookup)."""
    found = _BY_NP.get(npd)
    if found is None:
        return as_dtype(npd)
    return found
