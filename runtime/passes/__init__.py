"""Graph passes. Each module has one entry point ``run(graph) -> Graph``; none mutates its input
graph, and none reorders or removes stateful nodes."""
from __future__ import annotations

from runtime.graph import Graph
from runtime.passes import algebraic, constant_folding, cse, dce

PIPELINE = (constant_folding, algebraic, cse, dce)


def optimize(graph: Graph) -> Graph:
    """The traced graph after every pass in ``PIPELINE``."""
    for p in PIPELINE:
        graph = p.run(graph)
    return graph
