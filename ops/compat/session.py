"""``tf.compat.v1.Session``: run the part of a v1 graph that the fetches need.

Which nodes run: everything the fetched tensors depend on (a fed tensor cuts its own
dependencies off), plus every stateful node (print, assertions, random draws, variable writes,
and ``cond``/``while_loop`` nodes that hold one) created before the last of those nodes, in
program order. That is how ``@function`` graphs treat stateful ops, and it is what makes
``with tf.control_dependencies([loop]): c = ...`` run ``loop`` when ``c`` is fetched: the
graph IR has no control edges, so program order stands in for them. It differs from TF1 in
one way: a stateful op created before a fetched tensor runs even without a control dependency
on it.

The chosen nodes are copied into a new IR graph whose inputs are the fed tensors, optimized by
the passes a traced function gets, and prepared once by the interpreter; the plan is cached
on the graph per (fetched tensors, fed tensors).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

from runtime import nest, passes
from runtime.graph import Graph as IRGraph, Node, Value
from runtime.interpreter import plan_for
from runtime.passes.rewrite import is_stateful
from ops.compat.graph import Graph, GraphTensor, get_default_graph
from ops.tensor import Tensor, _cast_exact, _to_array, wrap

__all__ = ["Session"]


class Session:
    """Runs a v1 ``Graph``: ``with Session(graph=g) as sess: sess.run(fetches, feed_dict)``.

    Inside its ``with`` block the session's graph is the default graph, as in TF1; leaving the
    block closes the session.
    """

    def __init__(self, target: str = "", graph: Optional[Graph] = None):
        if isinstance(target, Graph):
            raise TypeError("Session: the first argument is the target; pass the graph as "
                            "Session(graph=g)")
        if target:
            raise ValueError(f"Session: only in-process sessions are supported (target=''), "
                             f"not {target!r}")
        if graph is None:
            graph = get_default_graph()
        if not isinstance(graph, Graph):
            raise TypeError(f"Session: graph must be a tf.compat.v1.Graph, not "
                            f"{type(graph).__name__}")
        self._graph = graph
        self._closed = False
        self._contexts: list = []

    @property
    def graph(self) -> Graph:
        return self._graph

    def __enter__(self) -> "Session":
        context = self._graph.as_default()
        context.__enter__()
        self._contexts.append(context)
        return self

    def __exit__(self, *exc) -> bool:
        self._contexts.pop().__exit__(None, None, None)
        self.close()
        return False

    def close(self) -> None:
        """Release the session; ``run`` fails afterwards."""
        self._closed = True

    def run(self, fetches, feed_dict: Optional[Mapping] = None) -> Any:
        """The values of ``fetches`` (a tensor, a tensor name, a variable, or lists, tuples and
        dicts of them), returned in the same structure as NumPy arrays, NumPy scalars and
        ``bytes`` for string scalars. ``feed_dict`` maps tensors (usually placeholders) to the
        values they take for this run."""
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session: it was closed by close() or "
                               "by leaving its `with` block; create a new Session")
        leaves: list = []
        structure = nest.map_leaves(lambda leaf: _Slot(leaves, leaf), fetches)
        targets = [self._fetch_target(leaf) for leaf in leaves]
        feeds = self._convert_feeds(feed_dict)
        tensor_values = [t for t in targets if isinstance(t, Value)]
        plan, inputs = self._plan(tensor_values, feeds)
        arrays = iter(plan.run([feeds[i][1] for i in inputs]))
        results = []
        for t in targets:
            if isinstance(t, Value):
                results.append(wrap(next(arrays), t.dtype).numpy())
            else:   # a Variable: its value after this run
                results.append(t.numpy())
        return nest.map_leaves(lambda slot: results[slot.index], structure)

    # ---- fetches and feeds ----------------------------------------------------------------
    def _fetch_target(self, leaf):
        """A fetch as an IR value of this graph, or a Variable (read after the run)."""
        if hasattr(leaf, "_read_for_op") and not isinstance(leaf, Tensor):
            return leaf
        if leaf is None:
            raise TypeError("Session.run: a fetch is None. tf.print and other ops without "
                            "outputs return None here; they run anyway when a tensor created "
                            "after them is fetched")
        return self._own_value(leaf, "fetch")

    def _own_value(self, t, what: str) -> Value:
        """``t`` (a tensor or a tensor name) as a value of this session's graph."""
        if isinstance(t, str):
            t = self._graph.get_tensor_by_name(t)
        mine = self._graph._ir
        if not isinstance(t, Tensor):
            raise TypeError(f"Session.run: {what} {_short(t)} of type {type(t).__name__} is not "
                            f"a tensor of this session's graph {mine.name!r}")
        sym = t._sym
        if sym is None:
            raise ValueError(
                f"Session.run: {what} {_short(t)} is an eager tensor, which belongs to no "
                f"graph, not a tensor of this session's graph {mine.name!r}. Constants stay "
                "eager even inside graph.as_default(); fetch an op's output instead "
                "(e.g. tf.identity(c) built in the graph)")
        if sym.graph is not mine:
            if isinstance(t, GraphTensor):
                where = f"graph {t.graph._ir.name!r}"
                label = t.name
            else:
                where = f"graph {sym.graph.name!r} (of a function or a cond/while_loop body)"
                label = sym.name
            raise ValueError(f"Session.run: {what} tensor {label!r} belongs to {where}, not to "
                             f"this session's graph {mine.name!r}; build it inside the "
                             "session graph's as_default() block")
        return sym

    def _convert_feeds(self, feed_dict) -> dict:
        """{value id: (value, backend array)} with each fed value checked against its tensor."""
        if feed_dict is None:
            return {}
        if not isinstance(feed_dict, Mapping):
            raise TypeError(f"Session.run: feed_dict must be a dict of tensor -> value, not "
                            f"{type(feed_dict).__name__}")
        feeds = {}
        for key, given in feed_dict.items():
            value = self._own_value(key, "feed_dict key")
            feeds[value.id] = (value, self._convert(value, given))
        return feeds

    def _convert(self, value: Value, given):
        label = self._graph._describe(value)
        if isinstance(given, Tensor) and given._v is None:
            raise TypeError(f"Session.run: the value fed for {label} is a symbolic tensor; feed "
                            "concrete values (Python data, NumPy arrays or eager tensors)")
        try:
            arr, given_dtype, from_python = _to_array(given, "feed_dict")
        except (TypeError, ValueError) as e:
            raise TypeError(f"Session.run: cannot feed {_short(given)} to {label}: {e}") from None
        try:
            arr = _cast_exact(arr, value.dtype, from_python, "feed_dict")
        except TypeError:
            raise TypeError(
                f"Session.run: {label} has dtype {value.dtype.name} but the value fed for it "
                f"({_short(given)}) has dtype {given_dtype.name}; feed a {value.dtype.name} "
                "value") from None
        if len(arr.shape) != len(value.shape) or any(
                d is not None and d != n for d, n in zip(value.shape, arr.shape)):
            raise ValueError(f"Session.run: {label} has shape {list(value.shape)} but the value "
                             f"fed for it has shape {list(arr.shape)}")
        if arr is given:
            arr = arr.copy()      # the run must not alias the caller's array
        if arr.ndim == 0 and arr.dtype.kind != "O":
            arr = arr[()]         # 0-d values run as NumPy scalars, as in eager mode
        return arr

    # ---- plans ----------------------------------------------------------------------------
    def _plan(self, fetches: list, feeds: dict):
        """The cached (plan, fed value ids in plan-input order) for these fetches and feeds."""
        key = (tuple(v.id for v in fetches), frozenset(feeds))
        found = self._graph._plans.get(key)
        if found is None:
            nodes, used = _select(self._graph, fetches, set(feeds))
            inputs = sorted(used)
            ir = _copy(self._graph._ir, nodes, [feeds[i][0] for i in inputs], fetches)
            found = self._graph._plans[key] = (plan_for(passes.optimize(ir)), inputs)
        return found


class _Slot:
    """Where one fetch leaf sits in the fetch structure."""
    __slots__ = ("index",)

    def __init__(self, leaves: list, leaf):
        self.index = len(leaves)
        leaves.append(leaf)


def _select(graph: Graph, fetches: list, fed: set) -> tuple[list, set]:
    """(nodes to run in program order, ids of the fed values they read); a placeholder they
    need that is not fed is an error naming it."""
    ir = graph._ir
    placeholders = {v.id for v in ir.inputs}
    chosen: dict[int, Node] = {}
    used: set = set()
    seen: set = set()

    def reach(roots) -> list:
        """Add the producers of ``roots`` to ``chosen``; returns unfed placeholders met."""
        missing, stack = [], list(roots)
        while stack:
            v = stack.pop()
            if v.id in seen:
                continue
            seen.add(v.id)
            if v.id in fed:
                used.add(v.id)
            elif v.node is not None:
                chosen[v.node.id] = v.node
                stack.extend(v.node.inputs)
            elif v.id in placeholders:
                missing.append(v)
            # anything else is a capture, bound as a constant (or a variable) in the plan
        return sorted(missing, key=lambda m: m.id)

    missing = reach(fetches)
    if missing:
        raise _missing_feed(graph, missing, "")
    last = max(chosen, default=0)    # nodes before the last chosen one
    for node in ir.nodes[:last]:
        if node.id not in chosen and is_stateful(node):
            chosen[node.id] = node
            missing = reach(node.inputs)
            if missing:
                raise _missing_feed(graph, missing,
                                    f"; {node.op.name} (created at {node.where()}) reads it, and "
                                    "as a stateful op created before the fetched tensors it runs "
                                    "with them")
    return [chosen[i] for i in sorted(chosen)], used


def _missing_feed(graph: Graph, missing: list, why: str) -> ValueError:
    names = [graph._tensor_names[v.id].rsplit(":", 1)[0] for v in missing]
    also = f" (also missing: {', '.join(repr(n) for n in names[1:])})" if names[1:] else ""
    return ValueError(f"placeholder {names[0]!r} needs a value: pass it in feed_dict{also}{why}")


def _copy(ir: IRGraph, nodes: list, feeds: list, fetches: list) -> IRGraph:
    """A graph of ``nodes`` whose inputs are the fed values and whose outputs are the fetches.

    Nodes are copied rather than shared so that a fed tensor replaces its producer's output
    everywhere (its producer may still run, when it is stateful)."""
    g = ir.copy_structure()
    g.name = f"{ir.name}_run"
    mapping: dict[int, Value] = {}
    for v in feeds:
        mapping[v.id] = g.add_input(v.dtype, v.shape)
    for v, source in ir.captures:
        mapping[v.id] = g.add_capture(source, v.dtype, v.shape)   # dce drops unused ones
    for node in nodes:
        copied = g.add_node(node.op, [mapping[v.id] for v in node.inputs], node.attrs,
                            [o.spec for o in node.outputs], node.location)
        for old, new in zip(node.outputs, copied.outputs):
            mapping.setdefault(old.id, new)    # a fed value keeps its fed input
    g.outputs = [mapping[v.id] for v in fetches]
    return g


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
