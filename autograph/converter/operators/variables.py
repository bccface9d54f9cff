"""Undefined values, and loading variables that may be unbound.

Generated code binds a variable that a control-flow statement may define to
``Undefined('x')`` first, so the statement's state functions can always name it. Reading it
goes through ``ld``, which raises ``UnboundLocalError`` as Python would.

A staged loop cannot know whether it will run: a variable first assigned in its body holds,
after the loop, a placeholder that is only meaningful if the loop ran. Such tensors are
registered here with the flag that says so; ``ld`` of one adds a graph check that fails with
``UnboundLocalError`` at run time when the loop ran zero times, exactly where Python would.
"""
from __future__ import annotations

import weakref

from ops import dispatch
from ops.declare import defop
from ops.tensor import Tensor


class Undefined:
    """The value of a variable that has not been assigned yet."""
    __slots__ = ("symbol_name",)

    def __init__(self, symbol_name: str):
        self.symbol_name = symbol_name

    def __repr__(self) -> str:
        return f"<undefined {self.symbol_name}>"

    def __bool__(self):
        raise _unbound(self.symbol_name)


class UndefinedReturnValue:
    """``retval_`` before any ``return`` ran; ``retval`` turns it into ``None``."""
    __slots__ = ()

    def __repr__(self) -> str:
        return "<no return value>"


def is_undefined(value) -> bool:
    return type(value) is Undefined or type(value) is UndefinedReturnValue


def _unbound(name: str, detail: str = "") -> UnboundLocalError:
    return UnboundLocalError(f"cannot access local variable '{name}' where it is not "
                             f"associated with a value{detail}")


# ---- placeholders of loops that may not run ------------------------------------------------

_maybe_undefined: dict = {}   # id(tensor) -> (weakref to it, flag tensor, name, where)


def register_maybe_undefined(value, flag: Tensor, name: str, where: str) -> None:
    """``value`` (the result of a staged loop) is meaningful only where ``flag`` is true."""
    if not isinstance(value, Tensor):
        return
    key = id(value)
    _maybe_undefined[key] = (weakref.ref(value, lambda _r, k=key: _maybe_undefined.pop(k, None)),
                             flag, name, where)


def _assert_defined_kernel(xp, flag, message):
    if not bool(flag):
        raise UnboundLocalError(message)
    return ()


_ASSERT_DEFINED = defop("AssertDefined", _assert_defined_kernel, lambda flag, message: [],
                        stateful=True, multi=True)


def ld(value):
    """Load a variable that may be unbound."""
    if type(value) is Undefined:
        raise _unbound(value.symbol_name)
    if _maybe_undefined and type(value) is Tensor:
        entry = _maybe_undefined.get(id(value))
        if entry is not None and entry[0]() is value:
            _, flag, name, where = entry
            message = str(_unbound(name, f": it is first assigned inside the loop at {where}, "
                                         "which ran zero times; define it before the loop"))
            if flag._v is not None:
                if not bool(flag):
                    raise UnboundLocalError(message)
            else:
                dispatch.execute(_ASSERT_DEFINED, (flag,), {"message": message})
    return value


def retval(value):
    """The function's result: ``None`` if no ``return`` statement ran."""
    return None if type(value) is UndefinedReturnValue else value




def ldu(load, name: str):
    """``load()``, or ``Undefined(name)`` if the variable (or attribute, or key) is unbound."""
    try:
        return load()
    except (NameError, AttributeError, KeyError, IndexError):
        return Undefined(name)
