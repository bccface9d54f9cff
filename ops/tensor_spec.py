"""``TensorSpec``: the dtype and (partially known) shape a function argument must have."""
from __future__ import annotations

from runtime import dtypes
from runtime.dtypes import as_dtype
from runtime.shapes import TensorShape


class TensorSpec:
    """Describes a tensor: ``TensorSpec(shape=[None, 3], dtype=ag.float32, name="x")``."""

    __slots__ = ("shape", "dtype", "name")

    def __init__(self, shape, dtype=dtypes.float32, name: str | None = None):
        if shape is None:
            raise ValueError("TensorSpec(shape=None) (unknown rank) is not supported; give the "
                             "rank with None for unknown dims, e.g. TensorSpec([None], ...)")
        self.shape = TensorShape(shape)
        self.dtype = as_dtype(dtype)
        self.name = name

    @classmethod
    def from_tensor(cls, tensor, name: str | None = None) -> "TensorSpec":
        return cls(tuple(tensor.shape), tensor.dtype, name)

    def is_compatible_with(self, other) -> bool:
        """Same dtype and rank, and every known dim agrees."""
        return other.dtype == self.dtype and self.shape.is_compatible_with(tuple(other.shape))

    def __eq__(self, other) -> bool:
        return (isinstance(other, TensorSpec) and self.dtype is other.dtype
                and tuple(self.shape) == tuple(other.shape) and self.name == other.name)

    def __hash__(self) -> int:
        return hash((self.dtype, tuple(self.shape), self.name))

    def __repr__(self) -> str:
        return f"TensorSpec(shape={self.shape}, dtype={self.dtype!r}, name={self.name!r})"
