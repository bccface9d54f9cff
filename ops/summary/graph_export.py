"""Traced graphs as TensorBoard ``GraphDef``s, and ``tf.summary.graph``.

One ``NodeDef`` per graph node, named after its op and made unique as TensorFlow does
(``Mul``, ``Mul_1``); function inputs become ``Placeholder`` nodes named after the argument,
captured constants ``Const`` and captured variables ``VarHandleOp`` nodes, and each output an
``Identity``. Nodes of ``If``/``While`` sub-graphs are nested under ``<node>/<branch>/`` so the
Graphs dashboard shows each branch as a group. Stateful nodes get a control input from the
previous stateful node, which is the order the runtime keeps. Attributes carry the dtype
(``T``), ``_output_shapes`` (the edge labels TensorBoard draws) and the op's simple attrs.
"""
from __future__ import annotations

import re

from tensorboard.compat.proto import (attr_value_pb2, graph_pb2, node_def_pb2,
                                      tensor_shape_pb2, types_pb2, versions_pb2)

from runtime.backends import to_numpy
from runtime.dtypes import DType
from runtime.graph import Graph, Value
from ops.summary.encode import tensor_proto

__all__ = ["graph_def"]

_DATA_TYPES = {
    "float16": types_pb2.DT_HALF, "float32": types_pb2.DT_FLOAT,
    "float64": types_pb2.DT_DOUBLE, "int8": types_pb2.DT_INT8, "int16": types_pb2.DT_INT16,
    "int32": types_pb2.DT_INT32, "int64": types_pb2.DT_INT64, "uint8": types_pb2.DT_UINT8,
    "uint16": types_pb2.DT_UINT16, "uint32": types_pb2.DT_UINT32,
    "uint64": types_pb2.DT_UINT64, "bool": types_pb2.DT_BOOL,
    "complex64": types_pb2.DT_COMPLEX64, "complex128": types_pb2.DT_COMPLEX128,
    "string": types_pb2.DT_STRING,
}


# Characters TensorFlow allows in node names ("/" separates name scopes).
_INVALID = re.compile(r"[^A-Za-z0-9_.\-/>]")
_SMALL = 16   # constants of at most this many elements keep their value in the GraphDef


def _data_type(dtype) -> int:
    return _DATA_TYPES.get(getattr(dtype, "name", ""), types_pb2.DT_INVALID)


def _shape(shape) -> tensor_shape_pb2.TensorShapeProto:
    if shape is None:
        return tensor_shape_pb2.TensorShapeProto(unknown_rank=True)
    return tensor_shape_pb2.TensorShapeProto(
        dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=-1 if d is None else d) for d in shape])


def _attr(value):
    """``value`` as an ``AttrValue``, or None when it has no simple form (sub-graphs, ...)."""
    if isinstance(value, bool):
        return attr_value_pb2.AttrValue(b=value)
    if isinstance(value, int):
        return attr_value_pb2.AttrValue(i=value)
    if isinstance(value, float):
        return attr_value_pb2.AttrValue(f=value)
    if isinstance(value, (str, bytes)):
        return attr_value_pb2.AttrValue(s=value if isinstance(value, bytes) else value.encode())
    if isinstance(value, DType):
        return attr_value_pb2.AttrValue(type=_data_type(value))
    if isinstance(value, tuple):
        if all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue(i=value))
        if all(isinstance(v, str) for v in value):
            return attr_value_pb2.AttrValue(
                list=attr_value_pb2.AttrValue.ListValue(s=[v.encode() for v in value]))
    return None


class _Exporter:
    def __init__(self):
        self.nodes: list = []
        self.taken: set = set()
        self.refs: dict[int, str] = {}     # Value.id -> input string ("name" or "name:1")

    def unique(self, name: str) -> str:
        """``name`` made a valid TensorFlow node name (``args[0]`` -> ``args_0_``) and unique
        (a ``_1``, ``_2`` ... suffix, as TensorFlow numbers repeated op names)."""
        name = _INVALID.sub("_", name) or "node"
        candidate, n = name, 0
        while candidate in self.taken:
            n += 1
            candidate = f"{name}_{n}"
        self.taken.add(candidate)
        return candidate

    def add(self, name: str, op: str, inputs=(), dtype=None, shapes=(), attrs=None) -> str:
        node = node_def_pb2.NodeDef(name=self.unique(name), op=op, input=list(inputs))
        if dtype is not None:
            node.attr["T" if inputs else "dtype"].CopyFrom(
                attr_value_pb2.AttrValue(type=_data_type(dtype)))
        if shapes:
            node.attr["_output_shapes"].CopyFrom(attr_value_pb2.AttrValue(
                list=attr_value_pb2.AttrValue.ListValue(shape=[_shape(s) for s in shapes])))
        for key, value in (attrs or {}).items():
            encoded = _attr(value)
            if encoded is not None:
                node.attr[key].CopyFrom(encoded)
        self.nodes.append(node)
        return node.name

    def source(self, value: Value, name: str, op: str) -> None:
        """A node standing for a graph input or capture."""
        node = self.add(name, op, (), value.dtype, [value.shape])
        self.nodes[-1].attr["shape"].CopyFrom(attr_value_pb2.AttrValue(shape=_shape(value.shape)))
        self.refs[value.id] = node

    def constant_value(self, tensor) -> None:
        """The ``value`` attr of the last ``Const`` node, for constants of a few elements
        (larger ones would swell the event file; TensorBoard shows only small values)."""
        array = getattr(tensor, "_v", None)
        if array is not None and getattr(array, "size", _SMALL + 1) <= _SMALL:
            self.nodes[-1].attr["value"].CopyFrom(
                attr_value_pb2.AttrValue(tensor=tensor_proto(to_numpy(array))))

    def graph(self, graph: Graph, prefix: str, outputs: bool) -> None:
        for i, value in enumerate(graph.inputs):
            name = graph.input_names[i] if i < len(graph.input_names) else ""
            self.source(value, prefix + (name or f"input_{i}"), "Placeholder")
        for value, src in graph.captures:
            if isinstance(src, Value):     # an enclosing graph's value: use its producer
                self.refs[value.id] = self.refs.get(src.id, "")
            elif hasattr(src, "_read_for_op"):
                var_name = getattr(src, "name", "Variable").split(":")[0]
                self.source(value, prefix + var_name, "VarHandleOp")
            else:
                self.source(value, prefix + "Const", "Const")
                self.constant_value(src)
        last_stateful = None
        for node in graph.nodes:
            name = prefix + node.op.name
            inputs = [self.refs.get(v.id, "") for v in node.inputs]
            if node.op.stateful and last_stateful is not None:
                inputs.append("^" + last_stateful)
            first = node.inputs[0] if node.inputs else (node.outputs[0] if node.outputs else None)
            made = self.add(name, node.op.name, [i for i in inputs if i],
                            first.dtype if first is not None else None,
                            [o.shape for o in node.outputs], node.attrs)
            for out in node.outputs:
                self.refs[out.id] = made if out.index == 0 else f"{made}:{out.index}"
            if node.op.stateful:
                last_stateful = made
            for key, sub in node.attrs.items():
                if isinstance(sub, Graph):
                    self.graph(sub, f"{made}/{key}/", outputs=False)
        if outputs:
            for value in graph.outputs:
                self.add(prefix + "Identity", "Identity", [self.refs.get(value.id, "")],
                         value.dtype, [value.shape])


def graph_def(graph: Graph) -> graph_pb2.GraphDef:
    """``graph`` as a TensorBoard ``GraphDef`` (see the module docstring for the mapping)."""
    exporter = _Exporter()
    exporter.graph(graph, "", outputs=True)
    return graph_pb2.GraphDef(node=exporter.nodes,
                              versions=versions_pb2.VersionDef(producer=1))
