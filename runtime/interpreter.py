"""Executes graphs with the ops' own kernels.

A graph is prepared into a ``Plan``: a Python function generated from its nodes, one line
per node, that calls each kernel on local variables, deletes every intermediate after its last
use, and inlines ``While``/``If`` nodes (whose sub-graphs are plain) as Python ``while``/``if``
blocks. A warm call therefore costs little more than the kernels themselves. Errors are mapped
from the generated line back to the node and the user's file and line that created it.

Generating and compiling that function costs more than running most graphs once, and many
graphs run once (a trace checked by a single call, a loop that exits at once), so a plan's
first run *walks* the graph instead (``walk``: the same kernels, inlining, freeing and error
naming, read from the nodes); the function is generated on the second run.

While a profile is being taken (``ops.profiler`` calls ``set_recorder``), ``Plan.run`` runs a
second, timed variant of the same function instead, generated on first use: it reads the
clock around every kernel and hands each span to the recorder. The normal variant is never
changed, so a graph run with no profiler pays one global lookup, not a clock read per node.
"""
from __future__ import annotations

import itertools
import sys
import time
from typing import Optional

import numpy as np

from runtime import backends
from runtime.graph import Graph, Node, Value
from runtime.passes import dce


class GraphExecutionError(RuntimeError):
    """Raised for failures that are not input errors of a kernel."""


_plan_ids = itertools.count()

# The profiler's recorder while a profile is taken, else None: a callable
# ``record(label, start_ns, end_ns, inputs)`` where ``label`` is ``(name, category, args)``
# (category "op", "function" or "kernel"; args a dict or None) and ``inputs`` the arrays the
# span ran on (the recorder keeps their shapes and dtypes, never the arrays).
_recorder = None
_now = time.perf_counter_ns


def set_recorder(recorder) -> None:
    """Install (or, with None, remove) the profiler's recorder for every plan."""
    global _recorder
    _recorder = recorder


def untimed(kernel):
    """The kernel itself: while profiling, registered kernels are wrapped in timers that carry
    the original as ``kernel.untimed``; plans call the original (the timed variant times it
    itself, and a plan built during a profile must not keep timing after it)."""
    return getattr(kernel, "untimed", kernel)


class _Compiled:
    """One generated variant of a plan: its function and the line -> node map for errors."""

    __slots__ = ("fn", "lines", "filename", "source")

    def __init__(self, gen: "_Generator", source: str):
        self.source = source
        self.filename = f"<autograph-plan-{next(_plan_ids)}>"
        self.lines = gen.lines
        namespace = dict(gen.globals)
        exec(compile(source, self.filename, "exec"), namespace)
        self.fn = namespace["run"]


class Plan:
    """``graph`` compiled to a Python function ``run(args) -> output arrays``."""

    __slots__ = ("graph", "_normal", "_timed", "_label", "_walked")

    def __init__(self, graph: Graph):
        self.graph = graph
        self._normal = None      # the generated function, made on the second run
        self._timed = None       # the timed variant, generated on the first profiled run
        self._walked = False
        # A top-level graph (a traced function, a restored one) is one "function" span;
        # sub-graphs (branches, loop bodies, fused groups) run inside a node's span already.
        self._label = (graph.name, "function", None) if graph.parent is None else None

    def run(self, args, xp=None) -> list:
        """Run on backend arrays ``args`` (inputs, then outer captures); returns output arrays."""
        if xp is None:
            xp = np
            if backends.gpu_in_use and args:
                xp = backends.array_module(args[0])
        recorder = _recorder
        if recorder is not None:
            return self._run_timed(recorder, args, xp)
        normal = self._normal
        if normal is None:
            if not self._walked:
                self._walked = True
                return walk(self.graph, args, xp)
            normal = self._generate()
        try:
            return normal.fn(xp, *args)
        except Exception as e:
            node = _node_to_name(e, normal.filename, normal.lines)
            if node is None:
                raise
            raise _with_node(e, node) from None

    @property
    def source(self) -> str:
        """The generated Python source of the plan (generated now if it was not yet)."""
        return (self._normal or self._generate()).source

    def _generate(self) -> "_Compiled":
        gen = _Generator()
        self._normal = _Compiled(gen, gen.function(self.graph))
        return self._normal

    def _run_timed(self, recorder, args, xp) -> list:
        if self._timed is None:
            gen = _Generator(timed=True)
            self._timed = _Compiled(gen, gen.function(self.graph))
        timed = self._timed
        start = _now()
        try:
            outputs = timed.fn(recorder, xp, *args)
        except Exception as e:
            node = _node_to_name(e, timed.filename, timed.lines)
            if node is None:
                raise
            raise _with_node(e, node) from None
        if self._label is not None:
            recorder(self._label, start, _now(), args)
        return outputs


def _node_to_name(error: Exception, filename: str, lines: dict):
    """The node whose generated line raised ``error`` (being handled), or None when no line
    of this plan did or an inner plan already named its node."""
    if getattr(error, "_graph_node_named", False):
        return None
    tb, node = sys.exc_info()[2], None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            node = lines.get(tb.tb_lineno)
        tb = tb.tb_next
    return node


class _Generator:
    """Writes the Python source of a plan; ``timed=True`` writes the profiled variant, which
    takes the recorder as its first argument and reports one span per kernel call:

        _t0 = _now()
        t3 = k1(xp, t1, t2)
        _rec(L2, _t0, _now(), (t1, t2))
    """

    def __init__(self, timed: bool = False):
        self.timed = timed
        self.globals: dict = {"_now": _now} if timed else {}
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
        first = "_rec, xp" if self.timed else "xp"
        self.emit(0, f"def run({first}{''.join(', ' + p for p in params)}):")
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
        kernel = self.const(untimed(n.op.kernel), "k")
        inputs = [self.names[v] for v in n.inputs]
        args = "".join(", " + name for name in inputs)
        if n.attrs:
            args += f", **{self.const(n.attrs, 'A')}"
        for o in n.outputs:
            self.names[o] = self.fresh()
        if self.timed:
            self.emit(indent, "_t0 = _now()")
        if not n.op.multi:
            self.emit(indent, f"{self.names[n.outputs[0]]} = {kernel}(xp{args})", n)
        elif n.outputs:
            lhs = ", ".join(self.names[o] for o in n.outputs)
            self.emit(indent, f"{lhs}, = {kernel}(xp{args})", n)
        else:
            self.emit(indent, f"{kernel}(xp{args})", n)
        if self.timed:
            label = self.const(_span_label(n), "L")
            self.emit(indent, f"_rec({label}, _t0, _now(), ({''.join(i + ', ' for i in inputs)}))")

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


def walk(graph: Graph, args, xp, walkers: Optional[dict] = None) -> list:
    """Run ``graph`` once by reading its nodes, as its generated plan would: ``args`` are the
    inputs, then the outer captures; plain ``While``/``If`` nodes run their sub-graphs in
    place; each intermediate is dropped after its last use; a failing kernel's error names
    its node. ``walkers`` (graph -> ``_Walker``) serves the sub-graphs of one walk, a loop
    body's at every iteration; they go with it (a graph is walked once, on its plan's first
    run, so keeping them on the graph would only give the collector more to scan)."""
    if walkers is None:
        walkers = {}
    walker = walkers.get(graph)
    if walker is None:
        walker = walkers[graph] = _Walker(graph)
    env = walker.constants.copy()
    env.update(zip(walker.params, args))
    get = env.__getitem__
    for kind, run, inputs, attrs, outputs, drops, n in walker.steps:
        ins = list(map(get, inputs))
        try:
            if kind is _KERNEL or kind is _MULTI:
                out = run(xp, *ins, **attrs)
            elif kind is _WHILE:
                out = _walk_while(run, ins, xp, walkers)
            else:
                sub, idx = run[0] if ins[0] else run[1]
                out = walk(sub, list(map(ins.__getitem__, idx)), xp, walkers)
        except Exception as e:
            if getattr(e, "_graph_node_named", False):
                raise
            raise _with_node(e, n) from None
        if kind is _KERNEL:
            env[outputs[0]] = out
        elif outputs:     # several outputs (a kernel of none may return anything)
            env.update(zip(outputs, out))
        ins = out = None     # hold no array past its last use
        for v in drops:
            del env[v]
    return list(map(get, graph.outputs))


def _walk_while(loop: tuple, ins: list, xp, walkers: dict) -> list:
    """Run a plain ``While`` step: ``loop`` is ``(n_vars, cond, body, cond_idx, body_idx)``."""
    k, cond, body, cond_idx, body_idx = loop
    loop_vars, caps = ins[:k], ins[k:]
    cond_caps = [caps[i] for i in cond_idx]
    body_caps = [caps[i] for i in body_idx]
    while walk(cond, loop_vars + cond_caps, xp, walkers)[0]:
        loop_vars = walk(body, loop_vars + body_caps, xp, walkers)
    return loop_vars


_KERNEL, _MULTI, _WHILE, _IF = "kernel", "multi", "while", "if"


class _Walker:
    """What ``walk`` needs of a graph, read once per walk: the
    values ``args`` bind, the constants captured, and per node ``(kind, run,
    inputs, attrs, outputs, values to drop after it, node)``, where ``run`` is the kernel, or
    for a plain ``While`` its loop (see ``_walk_while``), for a plain ``If`` its two branches
    as ``(graph, positions in the node's inputs)``.

    Pure nodes whose outputs nothing uses are skipped (the graph passes would remove them:
    a traced graph is walked before it is optimized). Dropped are inputs at their last use and
    outputs nobody uses, never the graph's inputs, captures or outputs."""

    __slots__ = ("params", "constants", "steps")

    def __init__(self, graph: Graph):
        self.params = params = list(graph.inputs)
        self.constants = constants = {}
        used = set(graph.outputs)           # never dropped: outputs, inputs and captures
        used.update(params)
        for v, src in graph.captures:
            used.add(v)
            if isinstance(src, Value):
                params.append(v)
            else:
                constants[v] = _bound(src)
        nodes, _ = dce.live_nodes(graph)
        self.steps = steps = []
        for n in reversed(nodes):           # in reverse: ``used`` gains what later nodes read
            dropped = []
            for v in n.inputs:
                if v not in used:       # its last use
                    dropped.append(v)
                    used.add(v)
            for o in n.outputs:
                if o not in used:       # nobody uses it
                    dropped.append(o)
            name, a, run = n.op.name, n.attrs, untimed(n.op.kernel)
            if name == "While" and _plain(n):
                kind, run = _WHILE, (a["n_vars"], a["cond_graph"], a["body_graph"],
                                     a["cond_idx"], a["body_idx"])
            elif name == "If" and _plain(n):
                kind = _IF
                run = ((a["then_branch"], tuple(1 + j for j in a["then_idx"])),
                       (a["else_branch"], tuple(1 + j for j in a["else_idx"])))
            elif n.op.multi or len(n.outputs) != 1:
                kind = _MULTI
            else:
                kind = _KERNEL
            steps.append((kind, run, tuple(n.inputs), a, tuple(n.outputs), tuple(dropped), n))
        steps.reverse()


def _span_label(n: Node) -> tuple:
    """The profiler label of a node's kernel call: a fused group is a "kernel" span named
    after its kernel, any other node an "op" span; both say where the user created it."""
    where = {"source": n.where()}
    if n.op.name == "Fused":
        return (n.attrs["name"], "kernel", where)
    if n.op.name == "FusedWhile":
        return ("fused_while", "kernel", where)
    return (n.op.name, "op", where)


def _plain(node: Node) -> bool:
    """A control-flow node whose sub-graphs hold only kernels or inlinable control flow."""
    for g in node.subgraphs:
        plain = g.__dict__.get("_plain")
        if plain is None:
            plain = g._plain = _plain_graph(g)
        if not plain:
            return False
    return True


def _plain_graph(graph: Graph) -> bool:
    """Whether ``graph`` holds only kernels and plain control flow (``_plain`` caches it on the
    graph, as its plan and walker are, so nested sub-graphs are read once, not once per
    enclosing level)."""
    for n in graph.nodes:
        if n.op.name in ("While", "If"):
            if not _plain(n):
                return False
        elif n.subgraphs:
            return False
    return True


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
