"""``tf.compat.v1.Graph`` and ``placeholder``: inside ``graph.as_default()`` ops build nodes.

A v1 ``Graph`` owns one IR graph (``runtime.graph.Graph``) and one tracer that is its builder
for life. Entering ``as_default()`` makes that tracer ``state.graph`` for the current thread,
exactly as tracing a ``@function`` does, so every op (``cond``, ``while_loop`` and ``print``
included) adds nodes to the IR graph; leaving the block restores what was there (eager mode,
or an outer trace). Placeholders are the IR graph's inputs. Constants stay eager tensors, as
inside ``@function``: an op that uses one captures it.

Tensors of a v1 graph are ``GraphTensor``s: hashable by identity, as TF1's graph tensors are
(so they can key a ``feed_dict``), and named ``"<op>:<index>"``. Op wrappers do not pass their
``name=`` argument down, so nodes are named after their op type (``StringJoin``,
``StringJoin_1``); placeholders keep the name they were given.
"""
from __future__ import annotations

import contextlib
import itertools
import threading
from typing import Iterator, Optional

from runtime.dtypes import as_dtype
from runtime.graph import Graph as IRGraph, Node, Value
from runtime.shapes import TensorShape
from ops import dispatch, variable_ops
from ops.context import state
from ops.tensor import Tensor
from ops.tracing import Tracer, user_location

__all__ = ["Graph", "GraphTensor", "Operation", "placeholder", "get_default_graph",
           "reset_default_graph"]

_graph_numbers = itertools.count(1)


class GraphTensor(Tensor):
    """A symbolic tensor of a v1 graph (TF1's graph ``Tensor``)."""

    __slots__ = ("_graph",)

    def __hash__(self) -> int:
        # Identity, as TF1 graph tensors hash: ``feed_dict={x: ...}`` needs it. Equal hashes
        # mean the same object, so dict lookups never call the elementwise ``__eq__``.
        return id(self)

    @property
    def graph(self) -> "Graph":
        return self._graph

    @property
    def name(self) -> str:
        return self._graph._tensor_names[self._sym.id]

    @property
    def op(self) -> "Operation":
        return self._graph.get_operation_by_name(self.name.rsplit(":", 1)[0])

    def __repr__(self) -> str:
        return f"<tf.Tensor '{self.name}' shape={self.shape} dtype={self.dtype.name}>"


class Operation:
    """One op of a v1 graph as ``Graph.get_operations()`` lists it (a placeholder or a node)."""

    __slots__ = ("name", "type", "outputs", "graph", "node")

    def __init__(self, name: str, type: str, outputs: list, graph: "Graph",
                 node: Optional[Node]):
        self.name = name
        self.type = type
        self.outputs = outputs
        self.graph = graph
        self.node = node          # the IR node; None for a placeholder (an IR graph input)

    def __repr__(self) -> str:
        return f"<tf.Operation '{self.name}' type={self.type}>"


class _Builder(Tracer):
    """The tracer of a v1 graph. It never has an enclosing graph (``outer`` stays None), so a
    tensor of any other graph is refused by ``value_of``."""

    def __init__(self, owner: "Graph"):
        super().__init__(owner._ir)
        self.owner = owner

    def add_op(self, op, inputs, attrs):
        self.owner._check_mutable()
        values = [self.value_of(t) for t in inputs]
        specs = op.infer(*[v.spec for v in values], **attrs)
        node = self.graph.add_node(op, values, attrs, specs if op.multi else [specs],
                                   location=user_location())
        outs = self.owner._add_operation(op.name, None, node.outputs, node)
        return tuple(outs) if op.multi else outs[0]

    def assign_variable(self, var, value, what, read_value):
        # TF1: an assignment returns the updated value as a tensor. The read comes after the
        # write in program order, so fetching it runs the write (see ops.compat.session).
        dispatch.execute(variable_ops.ASSIGN, (self.variable_handle(var), value))
        return self.read_variable(var) if read_value else None


class Graph:
    """A TF1 static graph: build it under ``as_default()``, run it with ``Session``."""

    def __init__(self):
        self._ir = IRGraph(f"graph_{next(_graph_numbers)}")
        self._operations: list[Operation] = []
        self._by_name: dict[str, Operation] = {}
        self._tensor_names: dict[int, str] = {}   # IR value id -> "op:index"
        self._finalized = False
        self._plans: dict = {}                     # Session's cache: one plan per fetch/feed set
        self._builder = _Builder(self)

    @contextlib.contextmanager
    def as_default(self) -> Iterator["Graph"]:
        """Make this the graph ops build into, on this thread, for the ``with`` block."""
        stack = _default_stack()
        saved = state.graph
        stack.append(self)
        state.graph = self._builder
        state.refresh()
        try:
            yield self
        finally:
            stack.pop()
            state.graph = saved
            state.refresh()

    # ---- reading --------------------------------------------------------------------------
    def get_operations(self) -> list:
        """Every op, placeholders included, in the order they were created."""
        return list(self._operations)

    def get_operation_by_name(self, name: str) -> Operation:
        found = self._by_name.get(name)
        if found is None:
            raise KeyError(f"the graph {self._ir.name!r} has no operation named {name!r}")
        return found

    def get_tensor_by_name(self, name: str) -> GraphTensor:
        """The tensor named ``"<op name>:<output index>"`` (``"x:0"`` for placeholder ``x``)."""
        op_name, sep, index = name.rpartition(":")
        if not sep or not index.isdigit():
            raise ValueError(f"{name!r} is not a tensor name; tensor names have the form "
                             f"'<op name>:<output index>', e.g. '{name}:0'")
        op = self.get_operation_by_name(op_name)
        if int(index) >= len(op.outputs):
            raise KeyError(f"operation {op_name!r} has {len(op.outputs)} outputs, so there is "
                           f"no tensor {name!r}")
        return op.outputs[int(index)]

    @property
    def finalized(self) -> bool:
        return self._finalized

    def finalize(self) -> None:
        """Make the graph read-only: adding an op or a placeholder becomes an error."""
        self._finalized = True

    def __repr__(self) -> str:
        return f"<tf.compat.v1.Graph '{self._ir.name}': {len(self._operations)} ops>"

    # ---- building (used by the builder and placeholder) -----------------------------------
    def _check_mutable(self) -> None:
        if self._finalized:
            raise RuntimeError(f"graph {self._ir.name!r} is finalized and cannot be modified")

    def _unique_name(self, base: str) -> str:
        name, k = base, 1
        while name in self._by_name:
            name, k = f"{base}_{k}", k + 1
        return name

    def _add_operation(self, type: str, name: Optional[str], values: list,
                       node: Optional[Node]) -> list:
        """Name a new op, make the tensors of its output values; returns those tensors."""
        name = self._unique_name(name or type)
        outputs = []
        for i, v in enumerate(values):
            t = object.__new__(GraphTensor)
            t._v = None
            t.dtype = v.dtype
            t._sym = v
            t._graph = self
            v.tensor = t           # so ops.tracing.symbolic(v) finds this tensor
            self._tensor_names[v.id] = f"{name}:{i}"
            outputs.append(t)
        op = Operation(name, type, outputs, self, node)
        self._operations.append(op)
        self._by_name[name] = op
        return outputs

    def _describe(self, value: Value) -> str:
        """How error messages name a tensor of this graph."""
        name = self._tensor_names.get(value.id, value.name)
        if value.node is None:
            return f"placeholder {name.rsplit(':', 1)[0]!r}"
        return f"tensor {name!r} ({value.node.op.name} created at {value.node.where()})"


def placeholder(dtype, shape=None, name: Optional[str] = None) -> GraphTensor:
    """A graph input whose value is given at ``Session.run`` through ``feed_dict``.

    ``shape`` may hold ``None`` for dims of any size; ``shape=None`` (any rank) is refused,
    because the graph IR needs every rank to be known.
    """
    builder = state.graph
    if not isinstance(builder, _Builder):
        where = ("in eager mode" if builder is None else
                 f"while tracing {builder.graph.name!r} (a function or a cond/while_loop body)")
        raise RuntimeError(
            f"placeholder() was called {where}; placeholders exist only in TF1-style graphs: "
            "create them inside `with tf.compat.v1.Graph().as_default():` (in TF2 style, pass "
            "tensors to a @tf.function instead)")
    graph = builder.owner
    graph._check_mutable()
    dtype = as_dtype(dtype)
    label = name or "Placeholder"
    if shape is None:
        raise ValueError(
            f"placeholder {label!r}: shape=None (unknown rank) is not supported, the graph "
            "needs every rank; give the shape with None for dims of any size, e.g. "
            "shape=[None] or shape=[None, 3]")
    shape = tuple(TensorShape(shape))
    value = graph._ir.add_input(dtype, shape, label)
    (tensor,) = graph._add_operation("Placeholder", name, [value], None)
    graph._ir.input_names[-1] = tensor.name.rsplit(":", 1)[0]
    return tensor


# ---- the default graph ----------------------------------------------------------------------

class _PerThread(threading.local):
    def __init__(self):
        self.stack: list = []        # v1 graphs entered with as_default() on this thread


_local = _PerThread()
_global_default: Optional[Graph] = None


def _default_stack() -> list:
    return _local.stack


def get_default_graph() -> Graph:
    """The innermost graph entered with ``as_default()`` on this thread, else the global one.

    Ops outside every ``as_default()`` block run eagerly: the global default graph receives
    ops only inside ``with get_default_graph().as_default():``.
    """
    global _global_default
    if _local.stack:
        return _local.stack[-1]
    if _global_default is None:
        _global_default = Graph()
    return _global_default


def reset_default_graph() -> None:
    """Replace the global default graph by a new, empty one (outside every graph block)."""
    global _global_default
    if _local.stack:
        raise AssertionError("reset_default_graph() was called inside a graph.as_default() "
                             "block; leave every graph block first, or create a new Graph()")
    _global_default = Graph()

