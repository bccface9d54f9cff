"""The op registry: one declaration per op, read by every part of the system.

``ops`` registers its ops here at import; ``runtime`` looks them up by name and never
imports ``ops``. An ``OpDef`` holds:

- ``kernel(xp, *arrays, **attrs)``: computes the outputs with the array module ``xp``
  (NumPy or CuPy), returning an array, or a tuple of arrays when ``multi`` is set.
- ``infer(*specs, **attrs)``: the output ``Spec`` (or list of them for ``multi``) from input
  specs whose shapes may hold ``None`` dims. It also produces the user-facing error when
  inputs are invalid, so eager mode calls it only after a kernel fails.
- ``grad(op, *output_grads)``: input gradients written with ops (a list, ``None`` for an
  input that gets none); ``op`` has ``inputs``, ``outputs`` and ``attrs``.
  ``NOT_DIFFERENTIABLE`` marks ops with no gradient (comparisons, argmax, random, ...).
- ``stateful``: the op has effects or draws randomness; passes keep its order.
- ``c_expr``: for elementwise ops, the C expression fusion renders, e.g. ``"tanh({0})"``.
"""
from __future__ import annotations

from typing import Callable, NamedTuple, Optional

from runtime.dtypes import DType


class Spec(NamedTuple):
    """Dtype and shape of a value; shape is a tuple of ints, ``None`` for an unknown dim."""

    dtype: DType
    shape: tuple


def _not_differentiable(op, *grads):
    return [None] * len(op.inputs)


NOT_DIFFERENTIABLE = _not_differentiable


class OpDef:
    __slots__ = ("name", "kernel", "infer", "grad", "stateful", "c_expr", "multi")

    def __init__(self, name: str, kernel: Callable, infer: Callable, grad: Callable,
                 stateful: bool = False, c_expr: Optional[str] = None, multi: bool = False):
        self.name = name
        self.kernel = kernel
        self.infer = infer
        self.grad = grad
        self.stateful = stateful
        self.c_expr = c_expr
        self.multi = multi

    @property
    def differentiable(self) -> bool:
        return self.grad is not NOT_DIFFERENTIABLE

    def __repr__(self) -> str:
        return f"<OpDef {self.name}>"


OPS: dict[str, OpDef] = {}


def register(op: OpDef) -> OpDef:
    if op.name in OPS:
        raise ValueError(f"op {op.name!r} is declared twice")
    OPS[op.name] = op
    return op


def get(name: str) -> OpDef:
    found = OPS.get(name)
    if found is None:
        raise KeyError(f"no op named {name!r} is registered (is the 'ops' package imported?)")
    return found
