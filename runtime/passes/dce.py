"""Dead-code elimination: drop pure nodes whose outputs nothing uses, and unused captures.

Captures of enclosing-graph values stay: ``If``/``While`` nodes bind them by position."""
from __future__ import annotations

from runtime.graph import Graph, Value
from runtime.passes.rewrite import is_stateful


def run(graph: Graph) -> Graph:
    live = {v.id for v in graph.outputs}
    keep = set()
    for node in reversed(graph.nodes):
        if any(o.id in live for o in node.outputs) or is_stateful(node):
            keep.add(id(node))
            live.update(v.id for v in node.inputs)
    new = graph.copy_structure()
    new.inputs = list(graph.inputs)
    new.input_names = list(graph.input_names)
    new.captures = [(v, src) for v, src in graph.captures
                    if v.id in live or isinstance(src, Value)]
    new.nodes = [n for n in graph.nodes if id(n) in keep]
    new.outputs = list(graph.outputs)
    return new
