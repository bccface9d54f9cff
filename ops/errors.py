"""Error types with TensorFlow's names (``ag.errors.InvalidArgumentError`` ...)."""
from __future__ import annotations


class OpError(Exception):
    """An op failed at run time; ``op_name`` says which."""

    def __init__(self, message: str, op_name: str | None = None):
        super().__init__(message)
        self.message = message
        self.op_name = op_name


class InvalidArgumentError(OpError, ValueError):
    """An op received an argument it cannot accept (also a ValueError)."""


class OutOfRangeError(OpError, IndexError):
    pass


class NotFoundError(OpError):
    pass


class UnimplementedError(OpError):
    pass


class InternalError(OpError):
    pass


class AlreadyExistsError(OpError):
    """What is being created exists already (e.g. a second profile while one runs)."""


class UnavailableError(OpError):
    """What is asked for is not there now (e.g. stopping the profiler when none runs)."""


def dtype_mismatch(op: str, a, b) -> TypeError:
    return TypeError(
        f"{op}: cannot combine {a.name} and {b.name} tensors; convert one first, "
        f"e.g. ag.cast(y, ag.{a.name})")
