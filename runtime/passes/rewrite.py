"""The one graph-rewriting loop every pass shares."""
from __future__ import annotations

from typing import Callable, Optional

from runtime.graph import Graph, Node


def is_stateful(node: Node) -> bool:
    """Stateful itself, or owns a sub-graph with a stateful node (the order must be kept)."""
    if node.op.stateful:
        return True
    return any(is_stateful(n) for g in node.subgraphs for n in g.nodes)


def rebuild(graph: Graph, visit: Optional[Callable] = None) -> Graph:
    """Copy ``graph`` node by node; ``visit(new_graph, node, new_inputs)`` may return the new
    values standing for ``node``'s outputs (a rewrite) or None (copy the node unchanged)."""
    new = graph.copy_structure()
    new.input_names = list(graph.input_names)
    mapping = {}
    for v in graph.inputs:
        mapping[v.id] = new.add_input(v.dtype, v.shape)
    new.input_names = list(graph.input_names)
    del new.input_names[len(graph.inputs):]
    for v, src in graph.captures:
        mapping[v.id] = new.add_capture(src, v.dtype, v.shape)
    for node in graph.nodes:
        ins = [mapping[v.id] for v in node.inputs]
        result = visit(new, node, ins) if visit is not None else None
        if result is None:
            copied = new.add_node(node.op, ins, node.attrs, [o.spec for o in node.outputs],
                                  node.location)
            result = copied.outputs
        for o, r in zip(node.outputs, result):
            mapping[o.id] = r
    new.outputs = [mapping[v.id] for v in graph.outputs]
    return new
