"""Executes graphs node by node with the ops' own kernels.

``Plan`` is built once per graph: every value gets a slot, captures are bound, and each step
knows which slots die after it, so a warm call only binds arguments and runs kernels, and
intermediates are freed after their last use. Errors name the node and the user's line.
"""
from __future__ import annotations

import numpy as np

from runtime import backends
from runtime.graph import Graph, Value


class GraphExecutionError(RuntimeError):
    """Raised for failures that are not input errors of a kernel."""


class Plan:
    __slots__ = ("graph", "n_inputs", "template", "steps", "out_slots", "outer", "_nodes")

    def __init__(self, graph: Graph):
        self.graph = graph
        slot: dict[int, int] = {}
        template: list = []

        def new_slot(value: Value, initial=None) -> int:
            slot[value.id] = len(template)
            template.append(initial)
            return slot[value.id]

        for v in graph.inputs:
            new_slot(v)
        self.n_inputs = len(graph.inputs)
        # Captures of an enclosing graph's values arrive as extra arguments after the inputs.
        self.outer = [src for _, src in graph.captures if isinstance(src, Value)]
        for v, src in graph.captures:
            if isinstance(src, Value):
                new_slot(v)
        for v, src in graph.captures:
            if not isinstance(src, Value):
                new_slot(v, _bound(src))
        last_use: dict[int, int] = {}
        for i, n in enumerate(graph.nodes):
            for v in n.inputs:
                last_use[v.id] = i
        keep = {v.id for v in graph.outputs} | {v.id for v, _ in graph.captures}
        steps = []
        for i, n in enumerate(graph.nodes):
            ins = tuple(slot[v.id] for v in n.inputs)
            outs = tuple(new_slot(o) for o in n.outputs)
            frees = tuple(slot[v.id] for v in dict.fromkeys(n.inputs, None)
                          if last_use.get(v.id) == i and v.id not in keep)
            steps.append((n.op.kernel, ins, n.attrs or None, outs, n.op.multi, frees))
        self.steps = steps
        self._nodes = graph.nodes
        self.template = template
        self.out_slots = tuple(slot[v.id] for v in graph.outputs)

    def run(self, args, xp=None) -> list:
        """Run on backend arrays ``args`` (inputs, then outer captures); returns output arrays."""
        env = self.template.copy()
        env[:len(args)] = args
        if xp is None:
            xp = np
            if backends.gpu_in_use and args:
                xp = backends.array_module(args[0])
        step = None
        get = env.__getitem__
        try:
            for step in self.steps:
                kernel, ins, attrs, outs, multi, frees = step
                if attrs is None:
                    result = kernel(xp, *map(get, ins))
                else:
                    result = kernel(xp, *map(get, ins), **attrs)
                if multi:
                    for k, r in zip(outs, result):
                        env[k] = r
                else:
                    env[outs[0]] = result
                for k in frees:
                    env[k] = None
        except Exception as e:
            if step is None or getattr(e, "_graph_node_named", False):
                raise
            raise _with_node(e, self._nodes[self.steps.index(step)]) from None
        return [env[k] for k in self.out_slots]


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
