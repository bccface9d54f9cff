"""Graphs as JSON documents ("autograph-graph", version 1); see docs/saved_model_format.md.

A document is ``{"format": "autograph-graph", "version": 1, "graph": G}`` where ``G`` is

    {"name": str,
     "inputs":   [{"id": int, "dtype": str, "shape": [int|null, ...], "name": str}],
     "captures": [{"id": int, "dtype": str, "shape": [...], "source": SOURCE}],
     "nodes":    [{"op": str, "inputs": [id, ...], "attrs": {name: ATTR},
                   "outputs": [{"id": int, "dtype": str, "shape": [...]}],
                   "id": int, "location": [file, line] | null}],
     "outputs":  [id, ...],
     "parent": bool}        # nested graphs only: shares the enclosing graph's id counter

SOURCE is ``{"constant": key, "kind": "tensor"|"folded"}`` (the array lives in the array file
under ``key``), ``{"variable": key}`` (a variable the loader supplies), or ``{"outer": id}``
(a value of an enclosing graph, bound by position by the node that owns this graph; ``id`` is
the value's id, resolved when an enclosing graph defines it). ATTR is the tagged encoding of
``runtime.serialization.attrs``; nested graphs are ATTRs ``{"graph": G}``.

Value ids are the graph's own (so a loaded graph prints exactly as the saved one) and are
unique within one graph. Ops are named, never pickled: loading looks each op up in the
registry, and a name it does not know is an error naming the op and the file.
"""
from __future__ import annotations

import json

import numpy as np

from runtime import registry
from runtime.dtypes import DType, as_dtype
from runtime.registry import Spec
from runtime.graph import Graph, GraphError, Value, verify
from runtime.serialization import attrs as attr_codec
from runtime.serialization.errors import SerializationError

FORMAT = "autograph-graph"
VERSION = 1


class ConstantPool:
    """Arrays of captured constants (and array attributes), keyed ``c0``, ``c1``, ... in the
    order first seen; one entry per source object, shared by every graph encoded with it."""

    def __init__(self, prefix: str = "c"):
        self.prefix = prefix
        self.arrays: list = []           # (key, NumPy array)
        self._keys: dict = {}            # id(source) -> key
        self._alive: list = []           # sources stay alive so ids stay unique

    def add(self, source, array) -> str:
        key = self._keys.get(id(source))
        if key is None:
            key = f"{self.prefix}{len(self.arrays)}"
            self._keys[id(source)] = key
            self._alive.append(source)
            self.arrays.append((key, np.asarray(_to_numpy(array))))
        return key


def _to_numpy(array):
    from runtime import backends
    return backends.to_numpy(array)


# ---- encoding ----------------------------------------------------------------------------

class _Encoder:
    def __init__(self, constants: ConstantPool, variable_key, locations: bool):
        self.constants = constants
        self.variable_key = variable_key
        self.locations = locations

    def encode_graph(self, graph: Graph, where: str, nested: bool = True) -> dict:
        where = f"{where}graph '{graph.name}'"
        seen: set = set()

        def value(v: Value, extra=None) -> dict:
            if v.id in seen:
                raise SerializationError(f"{where}: two values share the id {v.id}")
            seen.add(v.id)
            out = {"id": v.id, "dtype": v.dtype.name, "shape": list(v.shape)}
            out.update(extra or {})
            return out

        doc = {"name": graph.name,
               "inputs": [value(v, {"name": name}) for v, name in
                          zip(graph.inputs, _padded(graph.input_names, len(graph.inputs)))],
               "captures": [value(v, {"source": self.source(src, v, where)})
                            for v, src in graph.captures],
               "nodes": [self.node(n, i, where, value) for i, n in enumerate(graph.nodes)],
               "outputs": [v.id for v in graph.outputs]}
        if nested:
            doc["parent"] = graph.parent is not None
        return doc

    def node(self, n, i, where, value) -> dict:
        here = f"{where} node {i} ({n.op.name})"
        attrs = {}
        for k, v in n.attrs.items():
            if not isinstance(k, str):
                raise SerializationError(f"{here}: attribute name {k!r} is not a string")
            attrs[k] = attr_codec.encode(v, self, f"{here} attr '{k}' > ")
        out = {"op": n.op.name, "inputs": [v.id for v in n.inputs], "attrs": attrs,
               "outputs": [value(o) for o in n.outputs], "id": n.id}
        if self.locations and n.location is not None:
            out["location"] = [str(n.location[0]), int(n.location[1])]
        return out

    def source(self, src, v: Value, where: str) -> dict:
        if isinstance(src, Value):
            return {"outer": src.id}
        if hasattr(src, "_read_for_op"):             # a Variable
            if self.variable_key is None:
                raise SerializationError(f"{where}: captures variable '{src.name}', and no "
                                         "variable store was given to save it in")
            return {"variable": self.variable_key(src)}
        array = getattr(src, "_v", None)
        if array is None:
            raise SerializationError(f"{where}: capture {v.name} comes from a "
                                     f"{type(src).__name__}, which cannot be saved")
        kind = "folded" if type(src).__name__ == "Folded" else "tensor"
        return {"constant": self.constants.add(src, array), "kind": kind}

    # called by the attribute codec
    def store_array(self, array, where: str) -> dict:
        key = self.constants.add(array, array)
        return {"key": key, "dtype": array.dtype.name, "shape": list(array.shape)}


def _padded(names: list, n: int) -> list:
    return list(names[:n]) + [""] * (n - len(names))


def encode(graph: Graph, constants: ConstantPool, variable_key=None,
           locations: bool = True) -> dict:
    """The JSON document of ``graph``. Captured constants go into ``constants``; captured
    variables are named by ``variable_key(variable) -> str`` (an error if it is None);
    ``locations`` keeps each node's (file, line) for error messages after loading."""
    enc = _Encoder(constants, variable_key, locations)
    return {"format": FORMAT, "version": VERSION, "graph": enc.encode_graph(graph, "", False)}


def dumps(document: dict) -> bytes:
    """UTF-8 JSON text of a document (strict JSON: no NaN literals)."""
    return json.dumps(document, ensure_ascii=False, allow_nan=False, indent=None,
                      separators=(",", ":")).encode("utf-8")


def parse_json(data: bytes, source: str):
    """Parse JSON bytes; errors name ``source``."""
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise SerializationError(f"{source}: not UTF-8 text ({e})") from None
    except json.JSONDecodeError as e:
        raise SerializationError(f"{source}: not valid JSON ({e})") from None


# ---- decoding ----------------------------------------------------------------------------

def _default_constant(array, dtype, kind):
    from runtime.passes.constant_folding import Folded
    return Folded(array, dtype)


class _Decoder:
    def __init__(self, source, constants, variables, make_constant):
        self.source = source
        self.constants = constants
        self.variables = variables
        self.make_constant = make_constant
        self.scopes: list = []        # (graph, {id: Value}) of the enclosing graphs

    def decode_graph(self, doc, where: str, parent: Graph | None = None,
                     nested: bool = True) -> Graph:
        name = self.get(doc, "name", where, str)
        where = f"{where}graph '{name}'"
        if nested:
            shares = self.get(doc, "parent", where, bool)
            parent = self.scopes[-1][0] if shares else None
        graph = Graph(name, parent)
        local: dict = {}
        self.scopes.append((graph, local))
        try:
            for i, item in enumerate(self.get(doc, "inputs", where, list)):
                here = f"{where} input {i}"
                dtype, shape = self.spec(item, here)
                v = graph.add_input(dtype, shape, self.get(item, "name", here, str))
                self.define(v, item, local, here)
            for i, item in enumerate(self.get(doc, "captures", where, list)):
                here = f"{where} capture {i}"
                dtype, shape = self.spec(item, here)
                src = self.capture_source(self.get(item, "source", here, dict), dtype, shape,
                                          graph, here)
                self.define(graph.add_capture(src, dtype, shape), item, local, here)
            for i, item in enumerate(self.get(doc, "nodes", where, list)):
                self.node(graph, item, local, f"{where} node {i}")
            graph.outputs = [self.use(local, ref, f"{where} outputs")
                             for ref in self.get(doc, "outputs", where, list)]
        finally:
            self.scopes.pop()
        # New values added later (by passes) must not reuse a loaded id.
        graph._ids[0] = max([graph._ids[0]] + [i + 1 for i in local])
        return graph

    def node(self, graph: Graph, item, local, where):
        op_name = self.get(item, "op", where, str)
        where = f"{where} ({op_name})"
        try:
            op = registry.get(op_name)
        except KeyError:
            raise SerializationError(
                f"{self.source}: {where}: unknown op {op_name!r}; this version of autograph "
                "does not define it (was the file written by a newer version, or is the 'ops' "
                "package not imported?)") from None
        inputs = [self.use(local, ref, where) for ref in self.get(item, "inputs", where, list)]
        attrs = {}
        for k, v in self.get(item, "attrs", where, dict).items():
            attrs[k] = attr_codec.decode(v, self, f"{where} attr '{k}'")
        outs = [self.spec(o, f"{where} output {j}")
                for j, o in enumerate(self.get(item, "outputs", where, list))]
        location = item.get("location")
        if location is not None:
            if not (isinstance(location, list) and len(location) == 2 and
                    isinstance(location[0], str) and type(location[1]) is int):
                raise SerializationError(f"{self.source}: {where}: location must be [file, "
                                         "line]")
            location = (location[0], location[1])
        node = graph.add_node(op, inputs, attrs, [Spec(d, s) for d, s in outs], location)
        if "id" in item:
            node.id = self.get(item, "id", where, int)
        for o, o_doc in zip(node.outputs, item["outputs"]):
            self.define(o, o_doc, local, where)

    def capture_source(self, src: dict, dtype: DType, shape, graph: Graph, where: str):
        if len(src) == 1 and "outer" in src:
            ref = self.get(src, "outer", where, int)
            for _, scope in reversed(self.scopes[:-1]):
                if ref in scope:
                    return scope[ref]
            if len(self.scopes) < 2:
                raise SerializationError(f"{self.source}: {where}: a top-level graph cannot "
                                         "capture a value of an enclosing graph")
            # The owner binds it by position; the identity of the outer value is not needed.
            outer = Value(self.scopes[-2][0], dtype, shape)
            outer.id = ref
            return outer
        if len(src) == 1 and "variable" in src:
            key = self.get(src, "variable", where, str)
            var = self.variables.get(key) if self.variables is not None else None
            if var is None:
                raise SerializationError(f"{self.source}: {where}: variable {key!r} is not "
                                         "among the saved variables")
            if var.dtype is not dtype or len(var.shape) != len(shape) or any(
                    a is not None and b is not None and a != b
                    for a, b in zip(tuple(var.shape), shape)):
                raise SerializationError(
                    f"{self.source}: {where}: variable {key!r} is {var.dtype.name}"
                    f"{list(var.shape)} but the graph expects {dtype.name}{list(shape)}")
            return var
        if set(src) == {"constant", "kind"} and src["kind"] in ("tensor", "folded"):
            key = self.get(src, "constant", where, str)
            array = self.constants.get(key)
            if array is None:
                raise SerializationError(f"{self.source}: {where}: constant {key!r} is not in "
                                         "the array file")
            self.check_array(array, dtype, shape, key, where)
            if array.ndim == 0 and dtype.kind != "O":
                array = array[()]     # 0-d values are NumPy scalars, as eager ops make them
            return self.make_constant(array, dtype, src["kind"])
        raise SerializationError(f"{self.source}: {where}: malformed capture source {src!r:.80}")

    def check_array(self, array, dtype: DType, shape, key, where):
        # A capture's shape may be less specific than its array (loop shape relaxation).
        ok_dtype = (array.dtype == object) if dtype.kind == "O" else array.dtype == dtype.np
        if not ok_dtype or array.ndim != len(shape) or any(
                d is not None and d != a for d, a in zip(shape, array.shape)):
            raise SerializationError(
                f"{self.source}: {where}: array {key!r} is {array.dtype}{list(array.shape)} "
                f"but the graph expects {dtype.name}{list(shape)}")

    # called by the attribute codec
    def load_array(self, body, where):
        if not isinstance(body, dict) or set(body) != {"key", "dtype", "shape"}:
            raise SerializationError(f"{self.source}: {where}: malformed array attribute")
        array = self.constants.get(body["key"])
        if array is None:
            raise SerializationError(f"{self.source}: {where}: array {body['key']!r} is not in "
                                     "the array file")
        if array.dtype.name != body["dtype"] or list(array.shape) != body["shape"]:
            raise SerializationError(f"{self.source}: {where}: array {body['key']!r} is "
                                     f"{array.dtype}{list(array.shape)}, expected "
                                     f"{body['dtype']}{body['shape']}")
        return array

    # ---- small checked readers ---------------------------------------------------------
    def get(self, doc, key, where, kind):
        if not isinstance(doc, dict) or key not in doc:
            raise SerializationError(f"{self.source}: {where}: missing '{key}'")
        value = doc[key]
        if kind is int:
            ok = type(value) is int
        elif kind is float:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        else:
            ok = isinstance(value, kind)
        if not ok:
            raise SerializationError(f"{self.source}: {where}: '{key}' must be a "
                                     f"{kind.__name__}, got {type(value).__name__}")
        return value

    def spec(self, item, where):
        name = self.get(item, "dtype", where, str)
        try:
            dtype = as_dtype(name)
        except TypeError:
            raise SerializationError(f"{self.source}: {where}: unknown dtype {name!r}") from None
        shape = self.get(item, "shape", where, list)
        if not all(d is None or (type(d) is int and d >= 0) for d in shape):
            raise SerializationError(f"{self.source}: {where}: bad shape {shape!r}")
        return dtype, tuple(shape)

    def define(self, v: Value, item, local: dict, where):
        ref = self.get(item, "id", where, int)
        if ref in local:
            raise SerializationError(f"{self.source}: {where}: value id {ref} is defined twice")
        v.id = ref
        local[ref] = v

    def use(self, local: dict, ref, where) -> Value:
        if type(ref) is not int or ref not in local:
            raise SerializationError(f"{self.source}: {where}: uses value {ref!r}, which is not "
                                     "defined before it in this graph")
        return local[ref]


def decode(document, constants=None, variables=None, source: str = "<graph>",
           make_constant=None) -> Graph:
    """The graph of a document made by ``encode``.

    ``constants`` maps keys to arrays, ``variables`` keys to variables; ``make_constant(array,
    dtype, kind)`` builds a capture source for a constant (default: a read-only folded
    constant). Every error is a ``SerializationError`` naming ``source``. The graph is checked
    with ``runtime.graph.verify`` (each node's outputs against its op's infer rule)."""
    if not isinstance(document, dict):
        raise SerializationError(f"{source}: expected a JSON object at the top level")
    if document.get("format") != FORMAT:
        raise SerializationError(f"{source}: not an autograph graph (format "
                                 f"{document.get('format')!r}, expected {FORMAT!r})")
    version = document.get("version")
    if type(version) is not int or version > VERSION or version < 1:
        raise SerializationError(f"{source}: graph format version {version!r} is not supported "
                                 f"(this version of autograph reads version {VERSION})")
    dec = _Decoder(source, constants or {}, variables or {}, make_constant or _default_constant)
    body = dec.get(document, "graph", "document", dict)
    graph = dec.decode_graph(body, "", None, nested=False)
    try:
        verify(graph)
    except GraphError as e:
        raise SerializationError(f"{source}: the graph is inconsistent: {e}") from None
    except (TypeError, ValueError) as e:
        raise SerializationError(f"{source}: an op rejects its saved inputs or attributes: "
                                 f"{e}") from None
    return graph
