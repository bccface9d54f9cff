"""Dead-code elimination: drop pure nodes whose outputs nothing uses, and unused captures.

Captures of enclosing-graph values stay: ``If``/``While`` nodes bind them by position."""
from __future__ import annotations

from runtime.graph import Graph, Value
from runtime.passes.rewrite import is_stateful


def live_nodes(graph: Graph) -> tuple[list, set]:
    """The nodes the outputs need, or that are stateful, in program order; and the ids of
    the values they read (with the outputs')."""
    live = {v.id for v in graph.outputs}
    nodes = []
    for node in reversed(graph.nodes):
        for o in node.outputs:
            if o.id in live:
                break
        else:               # no output is used
            if not is_stateful(node):
                continue
        nodes.append(node)
        for v in node.inputs:
            live.add(v.id)
    nodes.reverse()
    return nodes, live


def run(graph: Graph) -> Graph:
    nodes, live = live_nodes(graph)
    new = graph.copy_structure()
    new.inputs = list(graph.inputs)
    new.input_names = list(graph.input_names)
    new.captures = [(v, src) for v, src in graph.captures
                    if v.id in live or isinstance(src, Value)]
    new.nodes = nodes
    new.outputs = list(graph.outputs)
    return new
