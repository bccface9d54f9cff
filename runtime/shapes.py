"""Shape arithmetic on partially known shapes (tuples of ints with ``None`` dims)."""
from __future__ import annotations

from typing import Optional, Sequence


def broadcast(a: Sequence[Optional[int]], b: Sequence[Optional[int]]) -> Optional[tuple]:
    """NumPy broadcasting of two shapes; ``None`` when they cannot broadcast.

    An unknown dim meeting 1 stays unknown; meeting a known n > 1 becomes n.
    """
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + tuple(a)
    b = (1,) * (n - len(b)) + tuple(b)
    out = []
    for x, y in zip(a, b):
        if x == 1:
            out.append(y)
        elif y == 1:
            out.append(x)
        elif x is None:
            out.append(y)
        elif y is None or x == y:
            out.append(x)
        else:
            return None
    return tuple(out)


def num_elements(shape: Sequence[Optional[int]]) -> Optional[int]:
    n = 1
    for d in shape:
        if d is None:
            return None
        n *= d
    return n


def fmt(shape: Sequence[Optional[int]]) -> str:
    """Shape as TensorFlow prints it: ``(None, 3)``."""
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def normalize_axis(axis: int, rank: int, op: str) -> int:
    if not -rank <= axis < max(rank, 1):
        raise IndexError(f"{op}: axis {axis} is out of range for a tensor of rank {rank}")
    return axis % rank if rank else 0


class TensorShape(tuple):
    """A shape as users see it (``t.shape``): a tuple of ints with ``None`` for unknown dims."""

    __slots__ = ()

    def __new__(cls, dims=()):
        if dims is None:
            raise ValueError("shapes of unknown rank are not supported; give a list of dims")
        if isinstance(dims, int):
            dims = (dims,)
        return tuple.__new__(cls, (None if d is None else int(d) for d in dims))

    @property
    def rank(self) -> int:
        return len(self)

    @property
    def ndims(self) -> int:
        return len(self)

    @property
    def dims(self) -> list:
        return list(self)

    def as_list(self) -> list:
        return list(self)

    def num_elements(self) -> Optional[int]:
        return num_elements(self)

    def is_fully_defined(self) -> bool:
        return None not in self

    def is_compatible_with(self, other) -> bool:
        other = tuple(other)
        return len(other) == len(self) and all(
            a is None or b is None or a == b for a, b in zip(self, other))

    def concatenate(self, other) -> "TensorShape":
        return TensorShape(tuple(self) + tuple(other))

    def assert_is_compatible_with(self, other) -> None:
        if not self.is_compatible_with(other):
            raise ValueError(f"shapes {self} and {fmt(tuple(other))} are incompatible")

    def merge_with(self, other) -> "TensorShape":
        """The most specific shape compatible with both (known dims fill unknown ones)."""
        self.assert_is_compatible_with(other)
        return TensorShape(a if a is not None else b for a, b in zip(self, tuple(other)))

    def most_specific_compatible_shape(self, other) -> "TensorShape":
        """The shape both fit: dims that differ become ``None`` (ranks must agree)."""
        other = tuple(other)
        if len(other) != len(self):
            raise ValueError(f"shapes {self} and {fmt(other)} have different ranks")
        return TensorShape(a if a == b else None for a, b in zip(self, other))

    def with_rank(self, rank: int) -> "TensorShape":
        if len(self) != rank:
            raise ValueError(f"shape {self} must have rank {rank}")
        return self

    def __add__(self, other) -> "TensorShape":
        return self.concatenate(other)

    def __radd__(self, other) -> "TensorShape":
        return TensorShape(tuple(other) + tuple(self))

    def __getitem__(self, key):
        got = tuple.__getitem__(self, key)
        return TensorShape(got) if isinstance(key, slice) else got

    def __eq__(self, other) -> bool:
        if isinstance(other, (list, tuple)):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __ne__(self, other) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    __hash__ = tuple.__hash__

    def __repr__(self) -> str:
        return f"TensorShape({list(self)})"

    def __str__(self) -> str:
        return fmt(self)
