"""Tracing: while a ``Tracer`` is ``state.graph``, every op call adds a node instead of running.

Symbolic tensors are ordinary ``Tensor`` objects with ``_v = None`` and ``_sym`` set to their
graph value. Eager tensors and variables used inside are captured. ``replay`` runs a finished
graph through the op dispatcher, which records it on tapes or inlines it into an outer trace.
"""
from __future__ import annotations

import os
import sys

from runtime.graph import Graph, Value
from ops import dispatch, variable_ops
from ops.context import state
from ops.tensor import Tensor, wrap

_new = object.__new__
_OWN_DIRS = tuple(os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep + d
                  for d in ("ops", "runtime", "autograph"))
_SKIP = (os.path.dirname(os.path.abspath(__import__("contextlib").__file__)),)
_NOT_USER = _OWN_DIRS + _SKIP + ("<autograph",)    # one prefix test per frame


def user_location():
    """(file, line) of the innermost frame outside this project's packages."""
    frame = sys._getframe(2)
    while frame is not None:
        path = frame.f_code.co_filename
        if not path.startswith(_NOT_USER):
            return (path, frame.f_lineno)
        if path.startswith("<autograph"):  # converted code maps back through its source map
            mapped = getattr(frame.f_globals.get("ag__source_map"), "get", None)
            loc = mapped(frame.f_lineno) if mapped is not None else None
            if loc:
                return loc
        frame = frame.f_back
    return None


def user_where() -> str:
    """``file:line`` of the innermost user frame (``user_location``), for messages."""
    loc = user_location()
    return f"{loc[0]}:{loc[1]}" if loc else "<unknown location>"


def symbolic(value: Value) -> Tensor:
    """The symbolic tensor of a graph value (one per value)."""
    t = value.tensor
    if t is None:
        t = _new(Tensor)
        t._v = None
        t.dtype = value.dtype
        t._sym = value
        value.tensor = t
    return t


class Tracer:
    """The graph-building side of ``state.graph``."""

    def __init__(self, graph: Graph, on_variable_created=None):
        self.graph = graph
        self._captured: dict[int, Value] = {}
        self._keep: list = []            # keeps captured objects alive so ids stay unique
        self._on_variable_created = on_variable_created
        self.outer = None

    def __enter__(self) -> "Tracer":
        self.outer = state.graph
        state.graph = self
        state.refresh()
        return self

    def __exit__(self, *exc) -> None:
        state.graph = self.outer
        state.refresh()

    # ---- the protocol dispatch and Variable call ----------------------------------------
    def add_op(self, op, inputs, attrs):
        graph = self.graph
        values = []
        for t in inputs:     # a value of this graph is itself; others go through value_of
            sym = t._sym
            values.append(sym if sym is not None and sym.graph is graph else self.value_of(t))
        specs = op.infer(*[v.spec for v in values], **attrs)
        if not op.multi:
            node = graph.add_node(op, values, attrs, (specs,), location=user_location())
            return symbolic(node.outputs[0])
        node = graph.add_node(op, values, attrs, specs, location=user_location())
        return tuple([symbolic(o) for o in node.outputs])

    def read_variable(self, var) -> Tensor:
        # Through the dispatcher, so open tapes record the read against the handle.
        return dispatch.execute(variable_ops.READ, (self.variable_handle(var),))

    def assign_variable(self, var, value, what, read_value):
        dispatch.execute(variable_ops.ASSIGN, (self.variable_handle(var), value))
        return var if read_value else None

    def on_variable_created(self, var) -> None:
        if self._on_variable_created is not None:
            self._on_variable_created(var)

    # ---- values ---------------------------------------------------------------------------
    def value_of(self, t: Tensor) -> Value:
        sym = t._sym
        if sym is not None:
            if sym.graph is self.graph:
                return sym
            if not self._encloses(sym.graph):
                loc = user_location()
                where = f" at {loc[0]}:{loc[1]}" if loc else ""
                raise ValueError(
                    f"tensor {sym.name} ({sym.dtype.name}{list(sym.shape)}) belongs to another "
                    f"function or branch being traced ('{sym.graph.name}') and cannot be used "
                    f"here{where}; return it from there, or pass it in as an argument")
            return self._capture(id(sym), t, sym.dtype, sym.shape)
        return self._capture(id(t), t, t.dtype, tuple(t._v.shape))

    def evaluate(self, t: Tensor) -> Tensor:
        """The value of symbolic ``t`` computed now, eagerly, if it depends on no function
        argument (how a variable created while tracing gets its initial value, as
        TensorFlow's init_scope lifts initializers out of the graph)."""
        needed, stack = {}, [t._sym]
        while stack:
            v = stack.pop()
            if v.node is None:
                source = next((src for c, src in self.graph.captures if c is v), None)
                if source is None or isinstance(source, Value):
                    raise TypeError(
                        "a variable created inside a traced function may only be initialised "
                        "from values that do not depend on the function's arguments; create it "
                        "outside the function, or from constants")
                continue
            if v.node.id not in needed:
                needed[v.node.id] = v.node
                stack.extend(v.node.inputs)
        env = {}
        for c, src in self.graph.captures:
            env[c] = src if isinstance(src, Tensor) else (
                wrap(src._v, src.dtype) if not hasattr(src, "_read_for_op") else src)
        saved, state.graph = state.graph, None
        state.refresh()
        try:
            for node in sorted(needed.values(), key=lambda n: n.id):
                ins = tuple(env[v] if not hasattr(env[v], "_read_for_op") else resource(env[v])
                            for v in node.inputs)
                result = dispatch.execute(node.op, ins, node.attrs)
                for o, r in zip(node.outputs, result if node.op.multi else (result,)):
                    env[o] = r
        finally:
            state.graph = saved
            state.refresh()
        return env[t._sym]

    def _encloses(self, graph: Graph) -> bool:
        """Is ``graph`` one this trace may capture from (an enclosing graph)?"""
        tracer = self.outer
        while tracer is not None and hasattr(tracer, "graph"):
            if tracer.graph is graph:
                return True
            tracer = tracer.outer
        return False

    def _capture(self, key, source, dtype, shape) -> Value:
        found = self._captured.get(key)
        if found is None:
            if isinstance(source, Tensor) and source._sym is not None:
                outer = source._sym
                if self.outer is not None and hasattr(self.outer, "value_of") and \
                        outer.graph is not self.outer.graph:
                    outer = self.outer.value_of(source)   # capture through every level
                found = self.graph.add_capture(outer, dtype, shape)
            else:
                found = self.graph.add_capture(source, dtype, shape)
            self._captured[key] = found
            self._keep.append(source)
        return found

    def variable_handle(self, var) -> Tensor:
        """The resource value of ``var`` in this graph (captured once, through every level)."""
        key = ("var", id(var))
        found = self._captured.get(key)
        if found is None:
            if self.outer is not None and hasattr(self.outer, "variable_handle"):
                outer_handle = self.outer.variable_handle(var)
                found = self.graph.add_capture(outer_handle._sym, var.dtype, tuple(var.shape))
            else:
                found = self.graph.add_capture(var, var.dtype, tuple(var.shape))
            self._captured[key] = found
            self._keep.append(var)
        handle = symbolic(found)
        for tape in state.tapes:
            tape._record_read(var, handle)
        return handle


def resource(var) -> Tensor:
    """A tensor standing for the variable itself (its ``_v`` is the Variable), as graph ops that
    read or write it take. Tapes learn that gradients reaching it belong to ``var``."""
    graph = state.graph
    if graph is not None and hasattr(graph, "variable_handle"):
        return graph.variable_handle(var)
    t = _new(Tensor)
    t._v = var
    t.dtype = var.dtype
    t._sym = None
    for tape in state.tapes:
        tape._record_read(var, t)
    return t


def replay(graph: Graph, args: list, outer: list = ()) -> list:
    """Run ``graph`` op by op through the dispatcher on tensors ``args``.

    ``outer`` binds the graph's captures of enclosing-graph values, in order. Used when a tape
    is recording (each op lands on the tape), when a traced function is called while another
    is traced (its ops are inlined), and to differentiate sub-graphs of ``cond``/``while_loop``.
    """
    env: dict[int, Tensor] = {v.id: t for v, t in zip(graph.inputs, args)}
    outer_iter = iter(outer)
    for v, src in graph.captures:
        if isinstance(src, Value):
            env[v.id] = next(outer_iter)
        elif isinstance(src, Tensor):
            env[v.id] = src
        elif hasattr(src, "_read_for_op"):   # a Variable
            env[v.id] = resource(src)
        else:                                # a folded constant
            env[v.id] = wrap(src._v, src.dtype)
    for n in graph.nodes:
        result = dispatch.execute(n.op, tuple(env[v.id] for v in n.inputs), n.attrs)
        outs = result if n.op.multi else (result,)
        for o, t in zip(n.outputs, outs):
            env[o.id] = t
    return [env[v.id] for v in graph.outputs]
