"""The graph IR: ordered nodes over values with dtype and (partially unknown) shape.

A ``Graph`` has inputs (placeholders), captures (values bound from outside the graph: eager
tensors, variables, or values of an enclosing graph), nodes in program order, and outputs.
Nodes that own sub-graphs (``If``, ``While``) keep them in ``attrs``. The graph is plain data:
printable as text, exportable to DOT, checked by ``verify``.
"""
from __future__ import annotations

from typing import Iterable, Optional

from runtime.dtypes import DType
from runtime.registry import OpDef, Spec


class Value:
    """One SSA value: a graph input, a capture, or an output of a node."""

    # ``tensor``: the one symbolic Tensor standing for this value (set by the tracer), so
    # identity-based bookkeeping such as GradientTape's sees one object per value.
    # ``_spec``: ``spec``, made on first use (the tracer reads it for every op input).
    __slots__ = ("node", "index", "dtype", "shape", "id", "graph", "tensor", "_spec")

    def __init__(self, graph: "Graph", dtype: DType, shape: tuple, node: Optional["Node"] = None,
                 index: int = 0):
        self.graph = graph
        self.dtype = dtype
        self.shape = tuple(shape)
        self.node = node
        self.index = index
        ids = graph._ids                # graph._fresh_id(), inlined: values are made by the
        self.id = ids[0]                # hundred while tracing
        ids[0] += 1
        self.tensor = None
        self._spec = None

    @property
    def name(self) -> str:
        return f"%{self.id}"

    @property
    def spec(self) -> Spec:
        spec = self._spec
        if spec is None:
            spec = self._spec = Spec(self.dtype, self.shape)
        return spec

    @property
    def device(self) -> str:
        from runtime.backends import CPU
        return CPU

    def __repr__(self) -> str:
        return f"{self.name}: {type_str(self.dtype, self.shape)}"


class Node:
    """One op application. ``location`` is the user's (file, line) that created it."""

    __slots__ = ("op", "inputs", "attrs", "outputs", "location", "id")

    def __init__(self, op: OpDef, inputs: list, attrs: dict, location=None):
        self.op = op
        self.inputs = list(inputs)
        self.attrs = dict(attrs)
        self.outputs: list[Value] = []
        self.location = location
        self.id = 0

    @property
    def subgraphs(self) -> list:
        if not self.attrs:
            return []
        return [v for v in self.attrs.values() if isinstance(v, Graph)]

    def where(self) -> str:
        if self.location is None:
            return "<unknown location>"
        return f"{self.location[0]}:{self.location[1]}"

    def __repr__(self) -> str:
        return f"<Node {self.op.name} at {self.where()}>"


class Graph:
    """An ordered list of nodes with inputs, captures and outputs."""

    def __init__(self, name: str = "graph", parent: Optional["Graph"] = None):
        self.name = name
        self.parent = parent
        self.nodes: list[Node] = []
        self.inputs: list[Value] = []
        self.input_names: list[str] = []
        self.captures: list[tuple[Value, object]] = []   # (value inside, source outside)
        self.outputs: list[Value] = []
        self._ids = parent._ids if parent is not None else [0]

    def _fresh_id(self) -> int:
        self._ids[0] += 1
        return self._ids[0] - 1

    # ---- building ---------------------------------------------------------------------
    def add_input(self, dtype: DType, shape: tuple, name: str = "") -> Value:
        v = Value(self, dtype, shape)
        self.inputs.append(v)
        self.input_names.append(name)
        return v

    def add_capture(self, source, dtype: DType, shape: tuple) -> Value:
        v = Value(self, dtype, shape)
        self.captures.append((v, source))
        return v

    def add_node(self, op: OpDef, inputs: list, attrs: dict, out_specs: Iterable[Spec],
                 location=None) -> Node:
        node = Node(op, inputs, attrs, location)
        node.id = len(self.nodes)
        node.outputs = [Value(self, s.dtype, s.shape, node, i) for i, s in enumerate(out_specs)]
        self.nodes.append(node)
        return node

    # ---- reading ----------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"<Graph {self.name}: {len(self.nodes)} nodes>"

    def __str__(self) -> str:
        return to_text(self)

    def to_dot(self) -> str:
        return to_dot(self)

    def op_counts(self) -> dict:
        counts: dict[str, int] = {}
        for n in self.nodes:
            counts[n.op.name] = counts.get(n.op.name, 0) + 1
        return counts

    def copy_structure(self) -> "Graph":
        """A new empty graph sharing this graph's id counter and parent."""
        g = Graph(self.name, self.parent)
        g._ids = self._ids
        return g


# ---- text and DOT ----------------------------------------------------------------------

_SHORT = {"float16": "f16", "float32": "f32", "float64": "f64", "int8": "i8", "int16": "i16",
          "int32": "i32", "int64": "i64", "uint8": "u8", "uint16": "u16", "uint32": "u32",
          "uint64": "u64", "bool": "bool", "complex64": "c64", "complex128": "c128",
          "string": "str"}


def type_str(dtype, shape) -> str:
    name = _SHORT.get(getattr(dtype, "name", ""), str(dtype))
    dims = ", ".join("None" if d is None else str(d) for d in shape)
    return f"{name}[{dims}]"


def _attr_str(attrs: dict) -> str:
    parts = []
    for k, v in attrs.items():
        if isinstance(v, Graph):
            continue
        if isinstance(v, DType):
            v = v.name
        parts.append(f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}")
    return "{" + ", ".join(parts) + "}" if parts else ""


def _capture_str(source) -> str:
    v = getattr(source, "_v", None)
    if isinstance(source, Value):
        return f"outer {source.name}"
    if type(source).__name__ == "Variable":
        return f"variable '{source.name}'"
    if v is not None and getattr(v, "size", 2) == 1:
        import numpy as np
        return f"const {np.asarray(v).reshape(()).item()!r}"
    return "const"


def to_text(graph: Graph, indent: str = "") -> str:
    """Stable readable text: one node a line, sub-graphs indented."""
    args = ", ".join(repr(v) for v in graph.inputs)
    lines = [f"{indent}graph {graph.name}({args}) {{"]
    for v, src in graph.captures:
        lines.append(f"{indent}  {v.name} = capture {_capture_str(src)} : "
                     f"{type_str(v.dtype, v.shape)}")
    for n in graph.nodes:
        outs = ", ".join(o.name for o in n.outputs)
        types = ", ".join(type_str(o.dtype, o.shape) for o in n.outputs)
        ins = ", ".join(v.name for v in n.inputs)
        lhs = f"{outs} = " if outs else ""
        rhs = f" : {types}" if types else ""
        lines.append(f"{indent}  {lhs}{n.op.name}{_attr_str(n.attrs)}({ins}){rhs}")
        for key, sub in n.attrs.items():
            if isinstance(sub, Graph):
                lines.append(f"{indent}    {key}:")
                lines.append(to_text(sub, indent + "      "))
    lines.append(f"{indent}  return {', '.join(v.name for v in graph.outputs)}")
    lines.append(f"{indent}}}")
    return "\n".join(lines)


def to_dot(graph: Graph) -> str:
    """Graphviz DOT: one box per node, one edge per value use."""
    lines = [f'digraph "{graph.name}" {{', "  node [shape=box, fontname=monospace];"]
    producer = {}
    for v in graph.inputs:
        lines.append(f'  v{v.id} [label="input {v.name}\\n{type_str(v.dtype, v.shape)}", '
                     'shape=ellipse];')
        producer[v.id] = f"v{v.id}"
    for v, src in graph.captures:
        lines.append(f'  v{v.id} [label="{_capture_str(src)}\\n{type_str(v.dtype, v.shape)}", '
                     'shape=ellipse, style=dashed];')
        producer[v.id] = f"v{v.id}"
    for n in graph.nodes:
        label = n.op.name + ("\\n" + _attr_str(n.attrs).replace('"', "'") if _attr_str(n.attrs) else "")
        lines.append(f'  n{n.id} [label="{label}"];')
        for v in n.inputs:
            src = producer.get(v.id)
            if src is not None:
                lines.append(f'  {src} -> n{n.id} [label="{type_str(v.dtype, v.shape)}"];')
        for o in n.outputs:
            producer[o.id] = f"n{n.id}"
    for i, v in enumerate(graph.outputs):
        lines.append(f'  out{i} [label="output {i}", shape=ellipse];')
        if v.id in producer:
            lines.append(f"  {producer[v.id]} -> out{i};")
    lines.append("}")
    return "\n".join(lines)


# ---- verification ----------------------------------------------------------------------

class GraphError(ValueError):
    """The graph breaks an invariant of the IR."""


def verify(graph: Graph) -> None:
    """Check that every value is defined before use and that node outputs match infer rules."""
    defined = set(graph.inputs) | {v for v, _ in graph.captures}
    for n in graph.nodes:
        for v in n.inputs:
            if v not in defined:
                owner = "" if v.graph is graph else f" (a value of graph '{v.graph.name}')"
                raise GraphError(f"{n.op.name} at {n.where()} uses {v.name}{owner} before it is "
                                 "defined in this graph")
        specs = n.op.infer(*[v.spec for v in n.inputs], **n.attrs)
        specs = list(specs) if n.op.multi else [specs]
        if len(specs) != len(n.outputs):
            raise GraphError(f"{n.op.name} has {len(n.outputs)} outputs, infer gives {len(specs)}")
        for s, o in zip(specs, n.outputs):
            if s.dtype is not o.dtype or len(s.shape) != len(o.shape):
                raise GraphError(f"{n.op.name} output {o.name} is {type_str(o.dtype, o.shape)} "
                                 f"but infer gives {type_str(s.dtype, s.shape)}")
        for sub in n.subgraphs:
            verify(sub)
        defined.update(n.outputs)
    for v in graph.outputs:
        if v not in defined:
            raise GraphError(f"graph output {v.name} is never defined")
