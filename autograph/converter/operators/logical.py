"""Lazy ``and``/``or``/``not``, ternaries and comparison chains.

A Python (or eager) left operand gives Python's result, evaluating the right one only when
needed; a staged one builds a ``cond`` whose true (or false) branch evaluates the right
operand, so it only runs, in the graph too, where Python would run it.
"""
from __future__ import annotations

import operator

from runtime import nest
from ops import control_flow as cf
from ops import elementwise as E
from autograph.converter.operators import dispatch


def _pick(value):
    """A cond branch result: tensors and Python numbers; ``None`` is refused."""
    if value is None:
        raise TypeError(f"an operand of the tensor-dependent expression at {dispatch.where()} "
                        "is None; a graph cond needs a tensor on both paths")
    return value


def and_(a, b_fn):
    """``a and b_fn()`` (``a`` is evaluated first in Python too: only ``b`` is delayed)."""
    if dispatch.is_staged(a):
        a = dispatch.as_tensor(a)
        return cf.cond(dispatch.staged_bool(a, "and expression"),
                       lambda: _pick(b_fn()), lambda: a)
    return a and b_fn()


def or_(a, b_fn):
    """``a or b_fn()``."""
    if dispatch.is_staged(a):
        a = dispatch.as_tensor(a)
        return cf.cond(dispatch.staged_bool(a, "or expression"), lambda: a,
                       lambda: _pick(b_fn()))
    return a or b_fn()


def not_(a):
    if dispatch.is_staged(a):
        return E.logical_not(dispatch.staged_bool(a, "not expression"))
    return not a


def any_set(*flags):
    """Whether one of the jump flags (``break_``, ``continue_``, ``do_return``) is set.
    Reading a flag has no side effect, so staged ones are or-ed without a ``cond``."""
    staged = []
    for f in flags:
        if dispatch.is_staged(f):
            staged.append(dispatch.staged_bool(f, "jump flag"))
        elif f:
            return True
    if not staged:
        return False
    result = staged[0]
    for f in staged[1:]:
        result = E.logical_or(result, f)
    return result


def if_exp(cond, if_true, if_false, expr_repr=""):
    """``if_true() if cond else if_false()``; a ``cond`` op when ``cond`` is staged."""
    if dispatch.is_staged(cond):
        pred = dispatch.staged_bool(cond, f"conditional expression {expr_repr}".strip())
        return cf.cond(pred, lambda: _branch(if_true), lambda: _branch(if_false))
    return if_true() if cond else if_false()


def _branch(fn):
    value = fn()
    for leaf in nest.flatten(value):
        _pick(leaf)
    return value


_OPERATORS = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge, "is": operator.is_, "is not": operator.is_not,
    "in": lambda a, b: a in b, "not in": lambda a, b: a not in b,
}


def compare_chain(left, *rest):
    """``left op1 b op2 c ...`` with ``rest = (op1, lambda: b, op2, lambda: c, ...)``: each
    operand evaluated at most once, and only while the chain is still true."""
    op, right = _OPERATORS[rest[0]], rest[1]()
    result = op(left, right)
    if len(rest) == 2:
        return result
    return and_(result, lambda: compare_chain(right, *rest[2:]))
