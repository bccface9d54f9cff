"""Common-subexpression elimination: pure nodes with equal op, inputs and attrs are computed once."""
from __future__ import annotations

from runtime.graph import Graph
from runtime.passes.rewrite import is_stateful, rebuild


def _attrs_key(attrs: dict):
    try:
        key = tuple(sorted(attrs.items()))
        hash(key)
        return key
    except TypeError:
        return None


def run(graph: Graph) -> Graph:
    seen: dict = {}

    def visit(new, node, ins):
        if is_stateful(node) or node.subgraphs:
            return None
        attrs = _attrs_key(node.attrs)
        if attrs is None:
            return None
        key = (node.op.name, tuple(v.id for v in ins), attrs)
        found = seen.get(key)
        if found is not None:
            return found
        copied = new.add_node(node.op, ins, node.attrs, [o.spec for o in node.outputs],
                              node.location)
        seen[key] = copied.outputs
        return copied.outputs

    return rebuild(graph, visit)
