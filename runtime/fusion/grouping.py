"""The fusion pass's analysis: which nodes form one kernel, and why others do not.

Nodes are visited in program order. An elementwise node joins the group of a producer when
it computes over the same shape (the group's *domain*; operands broadcast into it), and
groups it reads from merge when their domains agree. A reduction over all axes or one axis
joins the group producing its input when nothing else reads that group's values, and
elementwise nodes over the reduction's result shape then join as its *epilogue*. A join is
refused when it would make a cycle (the group would need a value computed from itself
outside it), and every refusal is recorded as a note.

The result is plain data: ``Partition.groups`` (each becomes one ``Fused`` node),
``Partition.loops`` (``While`` nodes that compile to one C loop) and ``Partition.notes``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from runtime.graph import Graph, Node, Value, type_str
from runtime.fusion import loops, support


@dataclass(eq=False)
class Group:
    id: int
    nodes: list
    domain: tuple                       # static shape of the body values
    reduction: Optional[Node] = None
    reduced: Optional[tuple] = None     # static shape of the reduction's result
    inputs: list = field(default_factory=list)   # values read from outside (may repeat)

    @property
    def compute_ops(self) -> int:
        return len(self.nodes)


@dataclass
class Partition:
    groups: list
    loops: list
    notes: list


def _where(node: Node) -> str:
    return f"{node.op.name} -> {', '.join(o.name for o in node.outputs) or '()'}"


class _Partitioner:
    def __init__(self, graph: Graph):
        self.graph = graph
        self.users: dict = {}
        for n in graph.nodes:
            for v in n.inputs:
                self.users.setdefault(v, []).append(n)
        self.graph_outputs = set(graph.outputs)
        self.group_of: dict = {}        # Node -> Group (canonical via find)
        self.parent: dict = {}          # group id -> merged-into id
        self.groups: dict = {}          # live groups by id
        self.anc: dict = {}             # Value -> frozenset of group ids it passes through
        self.notes: list = []
        self.loops: list = []
        self.next_id = 0

    # ---- union-find over group ids -------------------------------------------------------
    def find(self, gid: int) -> int:
        while gid in self.parent:
            gid = self.parent[gid]
        return gid

    def group(self, node: Node) -> Optional[Group]:
        g = self.group_of.get(node)
        return None if g is None else self.groups[self.find(g.id)]

    def producer_group(self, v: Value) -> Optional[Group]:
        return self.group(v.node) if v.node is not None else None

    def ancestors(self, v: Value) -> set:
        return {self.find(g) for g in self.anc.get(v, ())}

    # ---- cycle check --------------------------------------------------------------------
    def cycle_free(self, merged: list, node: Node) -> bool:
        """Would ``merged`` groups plus ``node`` form a kernel without a cycle?"""
        ids = {g.id for g in merged}
        members = {n for g in merged for n in g.nodes} | {node}
        external = list(node.inputs) + [v for g in merged for v in g.inputs]
        for v in external:
            if v.node in members:
                continue
            if self.ancestors(v) & ids:
                return False
        return True

    # ---- joins --------------------------------------------------------------------------
    def new_group(self, node: Node, domain: tuple, reduction=None, reduced=None) -> Group:
        g = Group(self.next_id, [node], domain, reduction, reduced, list(node.inputs))
        self.next_id += 1
        self.groups[g.id] = g
        self.group_of[node] = g
        return g

    def add(self, g: Group, node: Node) -> None:
        g.nodes.append(node)
        g.inputs.extend(v for v in node.inputs if v.node is None or self.group(v.node) is not g)
        self.group_of[node] = g

    def merge(self, groups: list, node: Node) -> Group:
        keep, rest = groups[0], groups[1:]
        for g in rest:
            self.parent[g.id] = keep.id
            del self.groups[g.id]
            keep.nodes.extend(g.nodes)
            keep.inputs.extend(g.inputs)
            for n in g.nodes:
                self.group_of[n] = keep
        order = {n: i for i, n in enumerate(self.graph.nodes)}
        keep.nodes.sort(key=order.__getitem__)
        self.add(keep, node)
        members = set(keep.nodes)
        keep.inputs = [v for v in keep.inputs if v.node not in members]
        return keep

    def in_epilogue(self, g: Group, v: Value) -> bool:
        """Is ``v`` the result of ``g``'s reduction, or computed from it in ``g``?"""
        if v.node is None or v.node not in g.nodes:
            return False
        return g.nodes.index(v.node) >= g.nodes.index(g.reduction)

    def visit_elementwise(self, node: Node) -> None:
        out = node.outputs[0]
        producers = []
        for v in node.inputs:
            g = self.producer_group(v)
            if g is not None and g not in producers:
                producers.append(g)
        body, refused = [], []
        epilogue = None
        for g in producers:
            if g.reduction is None and g.domain == out.shape:
                body.append(g)
            elif g.reduction is not None and g.reduced == out.shape and \
                    any(self.in_epilogue(g, v) for v in node.inputs):
                epilogue = g
            elif g.reduction is not None:
                refused.append(f"{_where(node)}: does not join the reduction kernel of "
                               f"{_where(g.reduction)}: its shape {type_str(out.dtype, out.shape)} "
                               f"is not the reduction's result shape {list(g.reduced)}")
            else:
                refused.append(f"{_where(node)}: does not join a kernel over shape "
                               f"{list(g.domain)}: its shape is {list(out.shape)}")
        target = None
        if body and self.cycle_free(body, node):
            target = self.merge(body, node)
        elif body:
            # Merging every producer makes a cycle; try them one at a time.
            for g in body:
                if self.cycle_free([g], node):
                    target = self.merge([g], node)
                    break
            if target is None:
                refused.append(f"{_where(node)}: joining its producers' kernel would need a "
                               "value computed from that kernel outside it (a cycle)")
        if target is None and epilogue is not None:
            if self.cycle_free([epilogue], node):
                self.add(epilogue, node)
                target = epilogue
            else:
                refused.append(f"{_where(node)}: joining the reduction's epilogue would make "
                               "a cycle")
        if target is None:
            self.new_group(node, out.shape)
        self.notes.extend(refused)

    def visit_reduction(self, node: Node) -> None:
        src = node.inputs[0]
        g = self.producer_group(src)
        reduced = node.outputs[0].shape
        if g is not None and g.reduction is None and g.domain == src.shape:
            leaks = [v for n in g.nodes for v in n.outputs
                     if v in self.graph_outputs or
                     any(u is not node and self.group(u) is not g for u in self.users.get(v, ()))]
            if leaks:
                self.notes.append(f"{_where(node)}: its producers stay a separate kernel: "
                                  f"{', '.join(v.name for v in leaks)} is also used outside "
                                  "the reduction")
            elif self.cycle_free([g], node):
                self.add(g, node)
                g.reduction, g.reduced = node, reduced
                return
        elif g is not None and g.reduction is not None:
            self.notes.append(f"{_where(node)}: reads the result of the reduction kernel of "
                              f"{_where(g.reduction)}; one reduction per kernel")
        elif g is not None:
            self.notes.append(f"{_where(node)}: its producers' kernel is over shape "
                              f"{list(g.domain)}, not the reduced input's {list(src.shape)}")
        self.new_group(node, src.shape, node, reduced)

    def run(self) -> Partition:
        stateful_anc: frozenset = frozenset()
        for node in self.graph.nodes:
            in_anc = frozenset().union(*[self.anc.get(v, frozenset()) for v in node.inputs])
            if node.op.stateful or node.subgraphs:
                in_anc |= stateful_anc
            refusal = support.elementwise_refusal(node)
            if node.op.name in support.REDUCTIONS:
                red_refusal = support.reduction_refusal(node)
                if red_refusal is None:
                    self.visit_reduction(node)
                else:
                    self.notes.append(f"{_where(node)}: {red_refusal}")
            elif refusal is None:
                self.visit_elementwise(node)
            else:
                if node.op.name == "While":
                    loop_refusal = loops.refusal(node)
                    if loop_refusal is None:
                        self.loops.append(node)
                    else:
                        refusal = f"loop not compiled: {loop_refusal}"
                if node not in self.loops:
                    self.notes.append(f"{_where(node)}: {refusal}")
            g = self.group(node)
            own = frozenset({g.id}) if g is not None else frozenset()
            for o in node.outputs:
                self.anc[o] = in_anc | own
            if node.op.stateful or node.subgraphs:
                stateful_anc = in_anc | own
        groups = []
        for g in self.groups.values():
            if g.reduction is None and g.compute_ops < 2:
                self.notes.append(f"{_where(g.nodes[0])}: a single elementwise op runs as one "
                                  "NumPy call already; nothing to fuse")
                continue
            groups.append(g)
        order = {n: i for i, n in enumerate(self.graph.nodes)}
        groups.sort(key=lambda g: order[g.nodes[0]])
        return Partition(groups, self.loops, self.notes)


def partition(graph: Graph) -> Partition:
    return _Partitioner(graph).run()
