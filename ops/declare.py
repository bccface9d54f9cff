"""Helpers for declaring ops: dtype groups, shared infer rules, and the op-wrapper factories.

Every op module declares its ops through ``defop`` (one call per op); elementwise ops use
``unary_op``/``binary_op``, which also build the public wrapper function.
"""
from __future__ import annotations

import functools
from typing import Callable, Optional

from runtime import dtypes as D
from runtime import shapes
from runtime.registry import NOT_DIFFERENTIABLE, OpDef, Spec, register
from ops import dispatch

FLOAT = frozenset({D.float16, D.float32, D.float64})
COMPLEX = frozenset({D.complex64, D.complex128})
INT = frozenset({D.int8, D.int16, D.int32, D.int64, D.uint8, D.uint16, D.uint32, D.uint64})
SIGNED = FLOAT | COMPLEX | frozenset({D.int8, D.int16, D.int32, D.int64})
REAL = FLOAT | INT
NUMERIC = REAL | COMPLEX
BOOL = frozenset({D.bool_})
STRING = frozenset({D.string})
ALL = NUMERIC | BOOL | STRING


def defop(name: str, kernel: Callable, infer: Callable, grad: Callable = NOT_DIFFERENTIABLE,
          stateful: bool = False, c_expr: Optional[str] = None, multi: bool = False) -> OpDef:
    """Declare and register one op (see ``runtime.registry`` for what each part means)."""
    return register(OpDef(name, kernel, infer, grad, stateful, c_expr, multi))


def same_infer(x: Spec, **attrs) -> Spec:
    """Output has the input's dtype and shape."""
    return x


def broadcast_infer(op_name: str, out_dtype: Optional[D.DType] = None) -> Callable:
    """Infer rule of a binary elementwise op: operands broadcast as in NumPy."""
    def infer(x: Spec, y: Spec, **attrs) -> Spec:
        if x.dtype is not y.dtype:
            from ops.errors import dtype_mismatch
            raise dtype_mismatch(op_name, x.dtype, y.dtype)
        shape = shapes.broadcast(x.shape, y.shape)
        if shape is None:
            raise ValueError(f"{op_name}: shapes {shapes.fmt(x.shape)} and {shapes.fmt(y.shape)} "
                             "are not broadcast-compatible")
        return Spec(out_dtype or x.dtype, shape)
    return infer


def unary_op(name: str, kernel: Callable, allowed: frozenset, grad: Callable = NOT_DIFFERENTIABLE,
             c_expr: Optional[str] = None, out_dtype: Optional[D.DType] = None,
             infer: Optional[Callable] = None):
    """Declare a one-input elementwise op; returns ``(opdef, wrapper)``."""
    if infer is None:
        infer = same_infer if out_dtype is None else (lambda x, **a: Spec(out_dtype, x.shape))
    op = defop(name, kernel, infer, grad, c_expr=c_expr)
    return op, _wrapper(dispatch.unary, op, allowed)


def binary_op(name: str, kernel: Callable, allowed: frozenset, grad: Callable = NOT_DIFFERENTIABLE,
              c_expr: Optional[str] = None, out_dtype: Optional[D.DType] = None):
    """Declare a two-input broadcasting elementwise op; returns ``(opdef, wrapper)``."""
    op = defop(name, kernel, broadcast_infer(name, out_dtype), grad, c_expr=c_expr)
    return op, _wrapper(dispatch.binary, op, allowed)


def _wrapper(call: Callable, op: OpDef, allowed: frozenset) -> Callable:
    """The public function of an elementwise op: ``call`` with the op bound. A partial, not a
    closure, so the call costs no extra Python frame on the eager hot path."""
    wrapper = functools.partial(call, op, allowed)
    wrapper.__name__ = wrapper.__qualname__ = op.name
    wrapper.__doc__ = f"Elementwise ``{op.name}`` (accepts {', '.join(sorted(d.name for d in allowed))})."
    return wrapper
