"""Executes graphs with the ops' own kernels.

A graph is prepared once into a ``Plan``: a Python function generated from its nodes, one line
per node, that calls each kernel on local variables, deletes every intermediate after its last
use, and inlines ``While``/``If`` nodes (whose sub-graphs are plain) as Python ``while``/``if``
blocks. A warm call therefore costs little more than the kernels themselves. Errors are mapped
from the generated line back to the node and the user's file and line that created it.
"""
from __future__ import annotations

import itertools
import sys

import numpy as np

from runtime import backends
from runtime.graph import Graph, Node, Value


class GraphExecutionError(RuntimeError):
    """Raised for failures that are not input errors of a kernel."""


_plan_ids = itertools.count()


class Plan:
    """``graph`` compiled to a Python function ``run(args) -> output arrays``."""

    __slots__ = ("graph", "source", "_fn", "_lines", "_filename")

    def __init__(self, graph: Graph):
        self.graph = graph
        gen = _Generator()
        self.source = gen.function(graph)
        self._filename = f"<autograph-plan-{next(_plan_ids)}>"
        self._lines = gen.lines
        namespace = dict(gen.globals)
        exec(compile(self.source, self._filename, "exec"), namespace)
        self._fn = namespace["run"]

    def run(self, args, xp=None) -> list:
        """Run on backend arrays ``args`` (inputs, then outer captures); returns output arrays."""
        if xp is None:
            xp = np
            if backends.gpu_in_use and args:
                xp = backends.array_module(args[0])
        try:
            return self._fn(xp, *args)
        except Exception as e:
            node = self._failing_node(sys.exc_info()[2])
            if node is None or getattr(e, "_graph_node_named", False):
                raise
            raise _with_node(e, node) from None

    def _failing_node(self, tb):
        node = None
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == self._filename:
                node = self._lines.get(tb.tb_lineno)
            tb = tb.tb_next
        return node


class _Generator:
    """Writes the Python source of a plan."""

    def __init__(self):
        self.globals: dict = {}
        self.lines: dict[int, Node] = {}     # generated line number -> node
        self.out: list[str] = []
        self.names: dict[Value, str] = {}
        self.counter = itertools.count()

    def fresh(self, prefix="t") -> str:
        return f"{prefix}{next(self.counter)}"

    def const(self, value, prefix="c") -> str:
        name = self.fresh(prefix)
        self.globals[name] = value
        return name

    def emit(self, indent: int, text: str, node: Node | None = None) -> None:
        self.out.append("    " * indent + text)
        if node is not None:
            self.lines[len(self.out)] = node

    def function(self, graph: Graph) -> str:
        params = []
        for v in graph.inputs:
            self.names[v] = self.fresh("a")
            params.append(self.names[v])
        for v, src in graph.captures:
            if isinstance(src, Value):
                self.names[v] = self.fresh("a")
                params.append(self.names[v])
        self.emit(0, f"def run(xp{''.join(', ' + p for p in params)}):")
        self.body(graph, 1)
        self.emit(1, f"return [{', '.join(self.names[v] for v in graph.outputs)}]")
        return "\n".join(self.out) + "\n"

    def bind_constants(self, graph: Graph) -> None:
        for v, src in graph.captures:
            if not isinstance(src, Value):
                self.names[v] = self.const(_bound(src))

    def body(self, graph: Graph, indent: int) -> None:
        """Emit the nodes of ``graph``; inputs and outer captures must already have names.

        Each intermediate is deleted right after its last use (or right after it is made, if
        nothing uses it), also inside inlined loop bodies and branches, so memory stays bounded
        by what is live."""
        self.bind_constants(graph)
        last_use: dict[Value, int] = {}
        for i, n in enumerate(graph.nodes):
            for v in n.inputs:
                last_use[v] = i
        keep = set(graph.outputs) | {v for v, _ in graph.captures} | set(graph.inputs)
        for i, n in enumerate(graph.nodes):
            if n.op.name == "While" and _plain(n):
                self.inline_while(n, indent)
            elif n.op.name == "If" and _plain(n):
                self.inline_if(n, indent)
            else:
                self.call(n, indent)
            dead = [v for v in dict.fromkeys(n.inputs) if last_use.get(v) == i]
            dead += [o for o in n.outputs if o not in last_use]
            dead = [self.names[v] for v in dead if v not in keep]
            if dead:
                self.emit(indent, f"del {', '.join(dead)}")

    def call(self, n: Node, indent: int) -> None:
        kernel = self.const(n.op.kernel, "k")
        args = "".join(", " + self.names[v] for v in n.inputs)
        if n.attrs:
            args += f", **{self.const(n.attrs, 'A')}"
        for o in n.outputs:
            self.names[o] = self.fresh()
        if not n.op.multi:
            self.emit(indent, f"{self.names[n.outputs[0]]} = {kernel}(xp{args})", n)
        elif n.outputs:
            lhs = ", ".join(self.names[o] for o in n.outputs)
            self.emit(indent, f"{lhs}, = {kernel}(xp{args})", n)
        else:
            self.emit(indent, f"{kernel}(xp{args})", n)

    def bind_subgraph(self, sub: Graph, args: list[str], caps: list[str]) -> None:
        for v, name in zip(sub.inputs, args):
            self.names[v] = name
        outer = iter(caps)
        for v, src in sub.captures:
            if isinstance(src, Value):
                self.names[v] = next(outer)

    def inline_while(self, n: Node, indent: int) -> None:
        a = n.attrs
        k = a["n_vars"]
        ins = [self.names[v] for v in n.inputs]
        loop = [self.fresh("v") for _ in range(k)]
        caps = ins[k:]
        if loop:
            self.emit(indent, f"{', '.join(loop)}, = {', '.join(ins[:k])},")
        self.emit(indent, "while True:")
        cond, body = a["cond_graph"], a["body_graph"]
        self.bind_subgraph(cond, loop, [caps[i] for i in a["cond_idx"]])
        self.body(cond, indent + 1)
        self.emit(indent + 1, f"if not {self.names[cond.outputs[0]]}:", n)
        self.emit(indent + 2, "break")
        self.bind_subgraph(body, loop, [caps[i] for i in a["body_idx"]])
        self.body(body, indent + 1)
        if loop:
            self.emit(indent + 1, f"{', '.join(loop)}, = "
                                  f"{', '.join(self.names[v] for v in body.outputs)},")
        for o, name in zip(n.outputs, loop):
            self.names[o] = name

    def inline_if(self, n: Node, indent: int) -> None:
        a = n.attrs
        ins = [self.names[v] for v in n.inputs]
        caps = ins[1:]
        outs = [self.fresh() for _ in n.outputs]
        self.emit(indent, f"if {ins[0]}:", n)
        for key, idx, head in (("then_branch", "then_idx", None), ("else_branch", "else_idx", "else:")):
            sub = a[key]
            if head:
                self.emit(indent, head)
            self.bind_subgraph(sub, [], [caps[i] for i in a[idx]])
            self.body(sub, indent + 1)
            if outs:
                self.emit(indent + 1, f"{', '.join(outs)}, = "
                                      f"{', '.join(self.names[v] for v in sub.outputs)},")
            else:
                self.emit(indent + 1, "pass")
        for o, name in zip(n.outputs, outs):
            self.names[o] = name


def _plain(node: Node) -> bool:
    """A control-flow node whose sub-graphs hold only kernels or inlinable control flow."""
    return all(all(not n.subgraphs or (n.op.name in ("While", "If") and _plain(n))
                   for n in g.nodes) for g in node.subgraphs)


def _bound(source):
    """What a capture slot holds: the variable itself (its kernels read it when they run), or
    the array of a constant (an eager tensor or a folded constant)."""
    if hasattr(source, "_read_for_op"):
        return source
    return source._v


def _with_node(error: Exception, node) -> Exception:
    message = f"{error}\n  in op {node.op.name} created at {node.where()}"
    try:
        new = type(error)(message)
    except Exception:
        new = GraphExecutionError(message)
    new._graph_node_named = True
    new.node = node
    return new


def plan_for(graph: Graph) -> Plan:
    """The cached plan of ``graph`` (built on first use)."""
    plan = graph.__dict__.get("_plan")
    if plan is None:
        plan = graph._plan = Plan(graph)
    return plan


def run_graph(graph: Graph, args, xp=None) -> list:
    return plan_for(graph).run(args, xp)
