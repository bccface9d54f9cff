"""``assert`` statements: Python's with Python values, a graph check with staged ones."""
from __future__ import annotations

from ops import dispatch as op_dispatch
from ops.declare import defop
from ops.errors import InvalidArgumentError
from ops.tensor import Tensor
from autograph.converter.operators import dispatch


class AssertionFailedError(InvalidArgumentError, AssertionError):
    """A staged ``assert`` failed when the graph ran: both TensorFlow's error type and
    Python's, so ``except AssertionError`` keeps working."""


def _assert_kernel(xp, condition, *data, message):
    if bool(condition):
        return ()
    shown = [str(d.item() if getattr(d, "ndim", 1) == 0 else d) for d in data]
    raise AssertionFailedError(" ".join([message] + shown).strip() or "assertion failed",
                               "AssertStmt")


_ASSERT = defop("AssertStmt", _assert_kernel,
                lambda condition, *data, message: [], stateful=True, multi=True)


def assert_stmt(expression, message_fn=None):
    """``assert expression, message_fn()``."""
    if not dispatch.is_staged(expression):
        if not expression:
            if message_fn is None:
                raise AssertionError()
            raise AssertionError(message_fn())
        return
    condition = dispatch.staged_bool(expression, "assert statement")
    message = message_fn() if message_fn is not None else ""
    data = ()
    if isinstance(message, Tensor):
        message, data = "", (message,)
    elif not isinstance(message, str):
        message = str(message)
    op_dispatch.execute(_ASSERT, (condition,) + data, {"message": message})
