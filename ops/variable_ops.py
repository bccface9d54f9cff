"""Graph ops on variables: a traced function reads and writes variables through these.

A variable enters a graph as a capture whose slot holds the ``Variable`` object itself; the
kernels read or replace its array when the graph runs, so every call sees current values.
"""
from __future__ import annotations

from runtime.registry import Spec
from ops.declare import defop


def _read_kernel(xp, var):
    return var._v


def _assign_kernel(xp, var, value):
    var._v = value
    return ()


def _read_grad(op, dy):
    return [dy]


READ = defop("ReadVariable", _read_kernel, lambda var: Spec(var.dtype, var.shape), _read_grad,
             stateful=True)
ASSIGN = defop("AssignVariable", _assign_kernel, lambda var, value: [], stateful=True, multi=True)
