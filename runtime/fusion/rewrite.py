"""The fusion pass's rewrite: a new graph where each group is one ``Fused`` node and each
compilable scalar loop one ``FusedWhile`` node.

Nodes are emitted in a topological order of the condensed graph (groups as single units)
that follows program order where dependencies allow; stateful nodes keep their relative
order (each depends on the previous one), as every pass must.
"""
from __future__ import annotations

import heapq

import numpy as np

from runtime.graph import Graph
from runtime.fusion import fused_ops, support
from runtime.fusion.grouping import Group, Partition
from runtime.fusion.program import program_for


def kernel_base_name(nodes) -> str:
    ops = []
    for n in nodes:
        name = n.op.name.lower()
        if name not in ops:
            ops.append(name)
    return "fused_" + "_".join(ops[:4])


def _embeddable(source) -> bool:
    """Scalar constants are written into the kernel as literals."""
    return support.is_constant_source(source) and np.ndim(source._v) == 0


def _units(graph: Graph, part: Partition) -> list:
    """Emission units in order: a Group, or a node outside every group."""
    unit_of, units = {}, []
    for g in part.groups:
        for n in g.nodes:
            unit_of[n] = len(units)
        units.append(g)
    for n in graph.nodes:
        if n not in unit_of:
            unit_of[n] = len(units)
            units.append(n)
    order = {n: i for i, n in enumerate(graph.nodes)}
    deps = [set() for _ in units]
    last_stateful = None
    for n in graph.nodes:
        u = unit_of[n]
        for v in n.inputs:
            if v.node is not None and unit_of[v.node] != u:
                deps[u].add(unit_of[v.node])
        if n.op.stateful or n.subgraphs:
            if last_stateful is not None and last_stateful != u:
                deps[u].add(last_stateful)
            last_stateful = u
    users = [set() for _ in units]
    for u, ds in enumerate(deps):
        for d in ds:
            users[d].add(u)
    key = [order[u.nodes[0]] if isinstance(u, Group) else order[u] for u in units]
    waiting = [len(ds) for ds in deps]
    ready = [(key[u], u) for u in range(len(units)) if waiting[u] == 0]
    heapq.heapify(ready)
    out = []
    while ready:
        _, u = heapq.heappop(ready)
        out.append(units[u])
        for w in users[u]:
            waiting[w] -= 1
            if waiting[w] == 0:
                heapq.heappush(ready, (key[w], w))
    if len(out) != len(units):
        raise AssertionError("fusion grouping produced a cycle (a bug in grouping.py)")
    return out


def rewrite(graph: Graph, part: Partition) -> Graph:
    new = graph.copy_structure()
    mapping: dict = {}
    for v in graph.inputs:
        mapping[v] = new.add_input(v.dtype, v.shape)
    new.input_names = list(graph.input_names)
    sources = {}
    for v, src in graph.captures:
        mapping[v] = new.add_capture(src, v.dtype, v.shape)
        sources[v] = src
    loops = set(part.loops)
    live_out = set(graph.outputs)
    used_by: dict = {}
    for n in graph.nodes:
        for v in n.inputs:
            used_by.setdefault(v, set()).add(n)

    for unit in _units(graph, part):
        if not isinstance(unit, Group):
            n = unit
            op = fused_ops.FUSED_WHILE if n in loops else n.op
            copied = new.add_node(op, [mapping[v] for v in n.inputs], n.attrs,
                                  [o.spec for o in n.outputs], n.location)
            mapping.update(zip(n.outputs, copied.outputs))
            continue
        nodes = unit.nodes
        members = set(nodes)
        sub = Graph("fused", new)
        inner: dict = {}
        outer_inputs = []
        for n in nodes:
            for v in n.inputs:
                if v in inner or v.node in members:
                    continue
                if v in sources and _embeddable(sources[v]):
                    inner[v] = sub.add_capture(sources[v], v.dtype, v.shape)
                else:
                    inner[v] = sub.add_input(v.dtype, v.shape)
                    outer_inputs.append(mapping[v])
        for n in nodes:
            copied = sub.add_node(n.op, [inner[v] for v in n.inputs], n.attrs,
                                  [o.spec for o in n.outputs], n.location)
            inner.update(zip(n.outputs, copied.outputs))
        outs = [o for n in nodes for o in n.outputs
                if o in live_out or any(u not in members for u in used_by.get(o, ()))]
        sub.outputs = [inner[o] for o in outs]
        sub.input_names = [""] * len(sub.inputs)
        base = kernel_base_name(nodes)
        prog = program_for(sub, base)
        lay = prog.static_layout()
        name = prog.kernel(lay.spec).name if lay is not None else base
        sub.name = name
        fused = new.add_node(fused_ops.FUSED, outer_inputs, {"name": name, "graph": sub},
                             [o.spec for o in outs], nodes[-1].location)
        mapping.update(zip(outs, fused.outputs))
    new.outputs = [mapping[v] for v in graph.outputs]
    return new
