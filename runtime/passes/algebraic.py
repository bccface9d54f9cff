"""Algebraic simplification: identities such as ``x * 1``, ``x + 0``, ``x / 1``, ``Identity(x)``.

A rewrite applies only when the result keeps ``x``'s dtype and shape (a broadcasting ``x + 0``
that changes the shape is left alone). ``x * 0`` is not simplified: it is NaN for NaN/Inf x.
A float ``x + 0`` is simplified only when the zero is negative: ``-0.0 + 0.0`` is ``+0.0``.
"""
from __future__ import annotations

import numpy as np

from runtime.graph import Graph
from runtime.passes.constant_folding import constant_array
from runtime.passes.rewrite import rebuild

# op name -> (constant that makes it an identity, which operand may hold it: 0, 1 or both)
_NEUTRAL = {
    "Add": (0, (0, 1)),
    "Sub": (0, (1,)),
    "Mul": (1, (0, 1)),
    "RealDiv": (1, (1,)),
    "Pow": (1, (1,)),
}


def _is_all(array, value) -> bool:
    return array is not None and np.size(array) > 0 and bool(np.all(np.asarray(array) == value))


def _is_neutral(name: str, array, value) -> bool:
    if not _is_all(array, value):
        return False
    array = np.asarray(array)
    # x + (+0.0) turns x = -0.0 into +0.0; only x + (-0.0) is x for every float x
    return name != "Add" or array.dtype.kind != "f" or bool(np.all(np.signbit(array)))


def run(graph: Graph) -> Graph:
    def visit(new, node, ins):
        name = node.op.name
        out = node.outputs[0] if node.outputs else None
        if name == "Identity":
            return [ins[0]]
        rule = _NEUTRAL.get(name)
        if rule is None or len(ins) != 2:
            return None
        neutral, positions = rule
        for k in positions:
            other = ins[1 - k]
            if _is_neutral(name, constant_array(new, ins[k]), neutral) and \
                    other.dtype is out.dtype and other.shape == out.shape and \
                    None not in other.shape:
                return [other]
        return None

    return rebuild(graph, visit)
