"""Constant folding: a pure node whose inputs are all constants is computed once, at trace time."""
from __future__ import annotations

import numpy as np

from runtime.graph import Graph
from runtime.passes.rewrite import is_stateful, rebuild

# Folding must not blow up a graph with large materialised constants.
MAX_FOLDED_ELEMENTS = 1 << 16


class Folded:
    """The capture source of a folded constant (prints as ``const``)."""

    __slots__ = ("_v", "dtype")

    def __init__(self, array, dtype):
        if isinstance(array, np.ndarray):
            array.flags.writeable = False   # every call returns it: nobody may change it
        self._v = array
        self.dtype = dtype


def constant_array(graph: Graph, value):
    """The array of ``value`` if it is a constant capture of ``graph``, else None."""
    for v, src in graph.captures:
        if v is value:
            if type(src).__name__ in ("Tensor", "Folded"):
                return src._v
            return None
    return None


def run(graph: Graph) -> Graph:
    def visit(new, node, ins):
        if is_stateful(node) or node.subgraphs or not ins:
            return None
        arrays = [constant_array(new, v) for v in ins]
        if any(a is None for a in arrays) or not all(isinstance(a, (np.ndarray, np.generic))
                                                     for a in arrays):
            return None
        if any(np.size(a) > MAX_FOLDED_ELEMENTS for a in arrays):
            return None
        result = node.op.kernel(np, *arrays, **node.attrs)
        results = result if node.op.multi else (result,)
        if any(np.size(r) > MAX_FOLDED_ELEMENTS for r in results):
            return None
        return [new.add_capture(Folded(r, o.dtype), o.dtype, o.shape)
                for r, o in zip(results, node.outputs)]

    return rebuild(graph, visit)
