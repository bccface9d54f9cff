"""The one decision every operator makes: Python semantics, or a graph op?

A value whose truth or contents exist only when the graph runs is *staged*: a symbolic
tensor (``_v is None``), or a variable read while a function is traced. Everything else
(Python values, eager tensors, NumPy arrays) keeps Python semantics: ``bool(x)``, ``iter(x)``.
"""
from __future__ import annotations

from ops.context import state
from ops.tensor import Tensor
from ops.tracing import user_where


def is_staged(x) -> bool:
    """True if ``x`` needs graph control flow."""
    if isinstance(x, Tensor):
        return x._v is None
    if state.graph is not None and hasattr(x, "_read_for_op"):   # a Variable while tracing
        return True
    return False


def as_tensor(x) -> Tensor:
    """A staged value as a tensor (reads variables)."""
    if not isinstance(x, Tensor) and hasattr(x, "_read_for_op"):
        return x._read_for_op()
    return x


def staged_bool(x, what: str) -> Tensor:
    """A staged value as the scalar bool a ``cond``/``while_loop`` needs. Numbers follow
    Python's truth (non-zero is true); anything but a scalar is refused."""
    from ops import elementwise as E
    x = as_tensor(x)
    if x.ndim != 0:
        raise ValueError(f"the condition of the {what} at {where()} is a tensor of shape "
                         f"{list(x.shape)}; it must be a scalar (reduce it, e.g. with "
                         "ag.reduce_all or ag.reduce_any)")
    if x.dtype.name == "bool":
        return x
    if x.dtype.name == "string":
        return E.not_equal(x, "")
    return E.not_equal(x, E.zeros_like(x))


def where() -> str:
    """``file:line`` of the user's statement being executed (through the source map)."""
    return user_where()


class Where:
    """``where()``, found when first formatted (only error messages need it). Valid while
    the statement's operator runs: its blocks have returned by the time checks fail, so the
    innermost converted frame is still the statement's."""
    __slots__ = ("_text",)

    def __init__(self):
        self._text = None

    def __str__(self) -> str:
        if self._text is None:
            self._text = where()
        return self._text

    __format__ = lambda self, spec: format(str(self), spec)  # noqa: E731
