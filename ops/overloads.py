"""Python operators on tensors and variables, as one table (``x + y`` is ``ag.add(x, y)``)."""
from __future__ import annotations

import functools

from ops import elementwise as E


def _matmul(x, y):
    return _linalg_matmul(x, y)


def _linalg_matmul(x, y):
    """Resolve ``ops.linalg.matmul`` once (it imports this module), then call it directly."""
    global _linalg_matmul
    from ops.linalg import matmul
    _linalg_matmul = matmul
    return matmul(x, y)


def _eq(x, y):
    """Elementwise ``==`` as in TF2; comparing with ``None`` or an incompatible value is False."""
    if y is None:
        return False
    try:
        return E.equal(x, y)
    except (TypeError, ValueError):
        return False


def _ne(x, y):
    if y is None:
        return True
    try:
        return E.not_equal(x, y)
    except (TypeError, ValueError):
        return True


# dunder name -> function of (self, other); reflected operators swap the operands.
_BINARY = {
    "add": E.add, "sub": E.subtract, "mul": E.multiply, "truediv": E.divide,
    "floordiv": E.floordiv, "mod": E.floormod, "pow": E.pow, "matmul": _matmul,
    "and": lambda x, y: _logical(E.logical_and, E.bitwise_and, x, y),
    "or": lambda x, y: _logical(E.logical_or, E.bitwise_or, x, y),
    "xor": lambda x, y: _logical(E.logical_xor, E.bitwise_xor, x, y),
}
_COMPARE = {"lt": E.less, "le": E.less_equal, "gt": E.greater, "ge": E.greater_equal,
            "eq": _eq, "ne": _ne}
_UNARY = {"neg": E.negative, "abs": E.abs, "invert": E.invert, "pos": lambda x: x}


def _logical(on_bool, on_int, x, y):
    """``&``, ``|``, ``^``: logical on bool operands, bitwise on integers (TF's rule); the left
    operand decides (a NumPy array there has a NumPy dtype, so convert it first)."""
    from ops.tensor import convert_to_tensor
    from runtime.dtypes import DType, bool_
    dtype = getattr(x, "dtype", None)
    if not isinstance(dtype, DType):
        dtype = convert_to_tensor(x).dtype
    return on_bool(x, y) if dtype is bool_ else on_int(x, y)


def _reflect(fn):
    return lambda self, other: fn(other, self)


def _method(fn, arity: int = 2):
    """Op wrappers are partials, which do not bind ``self`` as class attributes: wrap them."""
    if not isinstance(fn, functools.partial):
        return fn
    if arity == 1:
        return lambda self: fn(self)
    return lambda self, other: fn(self, other)


def install(cls) -> None:
    """Give ``cls`` (Tensor, Variable) every arithmetic, comparison and bitwise operator."""
    for name, fn in _BINARY.items():
        setattr(cls, f"__{name}__", _method(fn))
        setattr(cls, f"__r{name}__", _reflect(fn))
    for name, fn in _COMPARE.items():
        setattr(cls, f"__{name}__", _method(fn))
    for name, fn in _UNARY.items():
        setattr(cls, f"__{name}__", _method(fn, 1))
