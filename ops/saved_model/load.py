"""``load(export_dir)``: rebuild a saved model from its files alone, never unpickling.

Order: the manifest checks every file (size and SHA-256); the object graph is parsed; variables
are restored from ``variables.npz`` (dtype and shape checked against the object graph); each
graph document is decoded against the constants and variables and verified; finally the object
tree is rebuilt with functions, variables and signatures as attributes.
"""
from __future__ import annotations

import os

import numpy as np

from runtime.dtypes import as_dtype
from runtime.serialization import SerializationError, arrays, attrs as attr_codec, graph_json
from ops.tensor import wrap
from ops.variables import Variable, init_scope
from ops.saved_model import files, structure
from ops.saved_model.restored import (
    RestoredConcreteFunction, RestoredFunction, RestoredObject, RestoredSignature,
)
from ops.saved_model.save import FORMAT, VERSION

_RESERVED = frozenset({"variables", "trainable_variables", "signatures", "_restored_class",
                       "_restored_variables", "_restored_signatures"})
_KINDS = ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD", "VAR_POSITIONAL", "KEYWORD_ONLY",
          "VAR_KEYWORD")


def load(export_dir, tags=None, options=None) -> RestoredObject:
    """The object saved in ``export_dir`` by ``save``: functions as callable attributes,
    variables restored (``loaded.variables``, and attributes by their saved path), and
    ``loaded.signatures``. Truncated, edited or malformed files raise ``SerializationError``
    naming the file."""
    # Every op registered before graphs are decoded: the ops package, and ops that graph
    # passes introduce (the optimized graphs saved may hold them).
    import ops  # noqa: F401
    import runtime.passes  # noqa: F401
    export_dir = os.fspath(export_dir)
    data = files.read_all(export_dir)
    loader = _Loader(export_dir, data)
    return loader.run()


class _Loader:
    def __init__(self, export_dir: str, data: dict):
        self.dir = export_dir
        self.data = data
        self.source = self.path(files.OBJECT_GRAPH)

    def path(self, name: str) -> str:
        return os.path.join(self.dir, *name.split("/"))

    def fail(self, message: str) -> SerializationError:
        return SerializationError(f"{self.source}: {message}")

    def field(self, doc, key, kind, where):
        if not isinstance(doc, dict) or key not in doc:
            raise self.fail(f"{where}: missing '{key}'")
        value = doc[key]
        if kind is not None and not (isinstance(value, kind) and
                                     not (kind is int and isinstance(value, bool))):
            raise self.fail(f"{where}: '{key}' must be a {getattr(kind, '__name__', kind)}")
        return value

    def run(self) -> RestoredObject:
        doc = graph_json.parse_json(self.data[files.OBJECT_GRAPH], self.source)
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise self.fail(f"not an autograph saved model (expected format {FORMAT!r})")
        if type(doc.get("version")) is not int or not 1 <= doc["version"] <= VERSION:
            raise self.fail(f"version {doc.get('version')!r} is not supported (this version of "
                            f"autograph reads {VERSION})")
        self.variables = self.restore_variables(self.field(doc, "variables", list, "document"))
        constants = dict(arrays.unpack(self.data[files.CONSTANTS], self.path(files.CONSTANTS)))
        self.functions = {}
        for i, record in enumerate(self.field(doc, "functions", list, "document")):
            fn = self.restore_function(record, constants, f"function #{i}")
            self.functions[record["key"]] = fn
        root = self.restore_objects(self.field(doc, "objects", list, "document"))
        root._restored_signatures = self.restore_signatures(self.field(doc, "signatures", dict,
                                                              "document"))
        return root

    # ---- variables ---------------------------------------------------------------------
    def restore_variables(self, records: list) -> dict:
        source = self.path(files.VARIABLES)
        stored = dict(arrays.unpack(self.data[files.VARIABLES], source))
        out = {}
        for i, r in enumerate(records):
            where = f"variable #{i}"
            key = self.field(r, "key", str, where)
            name = self.field(r, "name", str, where)
            dtype = self.dtype(self.field(r, "dtype", str, where), where)
            shape = self.field(r, "shape", list, where)
            path = r.get("path")
            if path is not None and not isinstance(path, str):
                raise self.fail(f"{where}: 'path' must be a string or null")
            if key in out:
                raise self.fail(f"{where}: key {key!r} is used twice")
            array = stored.get(key)
            if array is None:
                raise SerializationError(f"{source}: variable {key!r} ({name}) is missing")
            ok_dtype = array.dtype == object if dtype.kind == "O" else array.dtype == dtype.np
            if not ok_dtype or len(array.shape) != len(shape) or any(
                    d is not None and d != a for d, a in zip(shape, array.shape)):
                raise SerializationError(
                    f"{source}: variable {key!r} ({name}) holds {array.dtype}"
                    f"{list(array.shape)} but {files.OBJECT_GRAPH} records "
                    f"{dtype.name}{shape}")
            with init_scope():
                var = Variable(np.array(array), trainable=bool(r.get("trainable", True)),
                               dtype=dtype, shape=shape)
            var._name = name      # as saved, whatever name scope load runs in
            out[key] = var
        self.variable_order = [r["key"] for r in records if r.get("path") is not None]
        return out

    def dtype(self, name, where):
        try:
            return as_dtype(name)
        except TypeError:
            raise self.fail(f"{where}: unknown dtype {name!r}") from None

    # ---- functions ---------------------------------------------------------------------
    def restore_function(self, record, constants, where) -> RestoredFunction:
        key = self.field(record, "key", str, where)
        name = self.field(record, "name", str, where)
        where = f"function {name!r}"
        params = record.get("parameters") or []
        if not isinstance(params, list) or not all(
                isinstance(p, dict) and isinstance(p.get("name"), str) and
                p.get("kind") in _KINDS and isinstance(p.get("default"), bool) for p in params):
            raise self.fail(f"{where}: malformed 'parameters'")
        signature = record.get("input_signature")
        if signature is not None:
            signature = structure.decode(signature, self.source, f"{where} input_signature")
            if not isinstance(signature, list):
                raise self.fail(f"{where}: input_signature must be a list")
        concrete = []
        for j, c in enumerate(self.field(record, "concrete_functions", list, where)):
            concrete.append(self.restore_concrete(name, c, constants, f"{where} concrete #{j}"))
        if not concrete:
            raise self.fail(f"{where}: no concrete functions")
        if signature is not None and len(concrete) != 1:
            raise self.fail(f"{where}: a function with an input_signature has one concrete "
                            "function")
        if key in getattr(self, "functions", {}):
            raise self.fail(f"{where}: key {key!r} is used twice")
        return RestoredFunction(name, params, signature, concrete)

    def restore_concrete(self, name, c, constants, where) -> RestoredConcreteFunction:
        graph_file = self.field(c, "graph", str, where)
        if graph_file not in self.data or not graph_file.startswith(files.GRAPHS + "/"):
            raise self.fail(f"{where}: graph file {graph_file!r} is not in the saved model")
        source = self.path(graph_file)
        document = graph_json.parse_json(self.data[graph_file], source)
        graph = graph_json.decode(document, constants, self.variables, source,
                                  _make_constant)
        specs = [structure.spec_from_json(s, self.source, where)
                 for s in self.field(c, "input_specs", list, where)]
        if len(specs) != len(graph.inputs) or any(
                s.dtype is not v.dtype or tuple(s.shape) != v.shape
                for s, v in zip(specs, graph.inputs)):
            raise self.fail(f"{where}: the input specs do not match the inputs of {graph_file}")
        outputs = structure.decode(self.field(c, "outputs", dict, where), self.source,
                                   f"{where} outputs")
        if sorted(leaf.index for leaf in structure.leaves(outputs)) != \
                list(range(len(graph.outputs))):
            raise self.fail(f"{where}: the output structure does not match the "
                            f"{len(graph.outputs)} outputs of {graph_file}")
        arguments = c.get("arguments")
        if arguments is not None:
            arguments = self.arguments(arguments, len(specs), where)
        return RestoredConcreteFunction(name, graph, specs, outputs, arguments)

    def arguments(self, arguments, n_specs, where):
        key = attr_codec.decode(self.field(arguments, "structure", None, where),
                                structure.NoArrays(self.source), where)
        leaves = self.field(arguments, "leaves", list, where)
        tensors = 0
        for leaf in leaves:
            if isinstance(leaf, dict) and set(leaf) == {"tensor"} and leaf["tensor"] == tensors:
                tensors += 1
            elif isinstance(leaf, dict) and set(leaf) == {"python"} and \
                    isinstance(leaf["python"], dict) and \
                    isinstance(leaf["python"].get("type"), str) and "value" in leaf["python"]:
                leaf.update(leaf.pop("python"))
                leaf["value"] = attr_codec.decode(leaf["value"],
                                                  structure.NoArrays(self.source), where)
            else:
                raise self.fail(f"{where}: malformed argument leaf {leaf!r:.60}")
        if tensors != n_specs:
            raise self.fail(f"{where}: {tensors} tensor arguments but {n_specs} input specs")
        return key, leaves

    # ---- objects -----------------------------------------------------------------------
    def restore_objects(self, records: list) -> RestoredObject:
        if not records:
            raise self.fail("'objects' is empty (no root object)")
        objects = [RestoredObject(str(self.field(r, "class", str, f"object #{i}")))
                   for i, r in enumerate(records)]
        for i, (obj, r) in enumerate(zip(objects, records)):
            where = f"object #{i}"
            for name, ref in self.field(r, "attributes", dict, where).items():
                if not name.isidentifier() or name in _RESERVED or (
                        name.startswith("__") and name != "__call__"):
                    raise self.fail(f"{where}: bad attribute name {name!r}")
                setattr(obj, name, self.resolve(ref, objects, f"{where}.{name}"))
            keys = r.get("variables")
            if keys is None:
                keys = self.variable_order if i == 0 else []
            if not isinstance(keys, list) or not all(k in self.variables for k in keys):
                raise self.fail(f"{where}: 'variables' names unknown variables")
            obj._restored_variables = tuple(self.variables[k] for k in keys)
        return objects[0]

    def resolve(self, ref, objects, where):
        if ref is None:
            return None
        if not isinstance(ref, dict) or len(ref) != 1:
            raise self.fail(f"{where}: malformed reference {ref!r:.60}")
        (tag, body), = ref.items()
        if tag == "variable" and body in self.variables:
            return self.variables[body]
        if tag == "function" and body in self.functions:
            return self.functions[body]
        if tag == "object" and type(body) is int and 0 <= body < len(objects):
            return objects[body]
        if tag in ("list", "tuple") and isinstance(body, list):
            items = [self.resolve(r, objects, f"{where}[{i}]") for i, r in enumerate(body)]
            return items if tag == "list" else tuple(items)
        if tag == "dict" and isinstance(body, list) and all(
                isinstance(p, list) and len(p) == 2 and isinstance(p[0], (str, int))
                for p in body):
            return {k: self.resolve(r, objects, f"{where}[{k!r}]") for k, r in body}
        raise self.fail(f"{where}: reference {ref!r:.60} names nothing saved")

    def restore_signatures(self, records: dict) -> dict:
        out = {}
        for name, r in records.items():
            where = f"signature {name!r}"
            fn = self.functions.get(self.field(r, "function", str, where))
            index = self.field(r, "index", int, where)
            if fn is None or not 0 <= index < len(fn.concrete_functions):
                raise self.fail(f"{where}: names no saved concrete function")
            out[name] = RestoredSignature(name, fn.concrete_functions[index],
                                          fn.input_signature)
        return out


def _make_constant(array, dtype, kind):
    if kind == "folded":
        from runtime.passes.constant_folding import Folded
        return Folded(array, dtype)
    return wrap(array, dtype)
