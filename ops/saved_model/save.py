"""``save(obj, export_dir, signatures=None)``: traced graphs, variables and the object tree.

What is saved, as TensorFlow's ``tf.saved_model.save`` does it:

- the object tree from ``obj``: attributes that are variables, ``ag.function``s, modules
  (objects whose class has ``variables``, as ``ag.Module``/Keras layers do) and lists, tuples
  and dicts holding them; other attributes are not saved;
- every variable in that tree (``obj.variables`` order first), and variables the functions
  capture that are not in it (restored, so the functions work, but not attributes);
- each function's concrete functions: the one of its ``input_signature``, else those already
  traced (a function never called is skipped with a warning, as in TensorFlow);
- ``signatures``: a function or a dict name -> function or concrete function; without it, the
  one function with an ``input_signature`` (if there is exactly one) is ``serving_default``.

Files are written by ``files.write_all``: built beside ``export_dir`` and renamed into place.
"""
from __future__ import annotations

import inspect
import warnings

import numpy as np

from runtime import backends
from runtime.dtypes import DType
from runtime.serialization import SerializationError, arrays, attrs as attr_codec, graph_json
from ops.tensor import Tensor
from ops.variables import Variable
from ops.saved_model import files, structure

FORMAT = "autograph-saved-model"
VERSION = 1
_RESERVED = frozenset({"variables", "trainable_variables", "signatures", "_restored_class",
                       "_restored_variables", "_restored_signatures"})
_MAX_DEPTH = 16      # nesting of lists/dicts walked for trackable values


def save(obj, export_dir, signatures=None, options=None) -> None:
    """Save ``obj``'s functions (as graphs) and variables to the directory ``export_dir``.

    The directory is written atomically: into a temporary directory beside it that is renamed
    into place when complete, so a failed or interrupted save never leaves a half-written
    model at ``export_dir`` (an existing model there stays until the new one is complete)."""
    Function, ConcreteFunction = _function_types()
    if isinstance(obj, (Function, ConcreteFunction, Variable, Tensor)) or \
            not hasattr(obj, "__dict__"):
        raise TypeError(f"save: expected an object that holds functions and variables (such as "
                        f"an ag.Module), got {type(obj).__name__}; set it as an attribute of "
                        "an ag.Module and save that")
    saver = _Saver(obj)
    saver.walk()
    saver.trace_functions()
    saver.walk()                  # tracing may have created variables (first-trace pattern)
    saver.add_signatures(signatures)
    files.write_all(export_dir, saver.files())


def _function_types():
    from autograph.function import ConcreteFunction, Function
    return Function, ConcreteFunction


def _is_module_like(x) -> bool:
    return (hasattr(type(x), "variables") and not isinstance(x, (Variable, Tensor, type))
            and not isinstance(x, _function_types()))


class _Saver:
    def __init__(self, root):
        self.root = root
        self.functions: dict = {}       # id(Function) -> {"key", "fn", "path", "concrete"}
        self.cf_entries: dict = {}      # id(ConcreteFunction) -> (function key, index)
        self.variables: dict = {}       # id(Variable) -> {"key", "var", "path"}
        self.signatures: dict = {}
        self.objects: list = []

    # ---- the object tree -----------------------------------------------------------------
    def walk(self) -> None:
        Function, _ = _function_types()
        self.objects = []
        index = {id(self.root): 0}
        queue = [(self.root, "")]
        while len(self.objects) < len(queue):
            obj, path = queue[len(self.objects)]
            entry = {"class": type(obj).__qualname__, "attributes": {}, "variables": []}
            self.objects.append(entry)

            def ref(value, where, depth=0):
                if isinstance(value, Variable):
                    return {"variable": self.variable_key(value, where)}
                if isinstance(value, Function):
                    return {"function": self.function_key(value, where)}
                if _is_module_like(value):
                    if id(value) not in index:
                        index[id(value)] = len(queue)
                        queue.append((value, where))
                    return {"object": index[id(value)]}
                if depth < _MAX_DEPTH and type(value) in (list, tuple):
                    items = [ref(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value)]
                    if any(r is not None for r in items):
                        return {type(value).__name__: items}
                if depth < _MAX_DEPTH and type(value) is dict and \
                        all(isinstance(k, (str, int)) for k in value):
                    # Dict entries that hold nothing saved are left out; list positions stay.
                    items = [[k, ref(v, f"{where}[{k!r}]", depth + 1)] for k, v in value.items()]
                    items = [[k, r] for k, r in items if r is not None]
                    if items:
                        return {"dict": items}
                return None

            prefix = f"{path}." if path else ""
            for name, value in _attributes(obj, Function):
                if name in _RESERVED:
                    continue
                r = ref(value, prefix + name)
                if r is not None:
                    entry["attributes"][name] = r
            if _is_module_like(obj):
                entry["variables"] = [self.variable_key(v, None) for v in _obj_variables(obj)]
            else:
                del entry["variables"]

    def variable_key(self, var: Variable, path) -> str:
        found = self.variables.get(id(var))
        if found is None:
            found = self.variables[id(var)] = {"key": f"v{len(self.variables)}", "var": var,
                                               "path": path}
        elif found["path"] is None and path is not None:
            found["path"] = path
        return found["key"]

    def function_key(self, fn, path) -> str:
        found = self.functions.get(id(fn))
        if found is None:
            found = self.functions[id(fn)] = {"key": f"f{len(self.functions)}", "fn": fn,
                                              "path": path, "concrete": None}
        elif found["path"] is None and path is not None:
            found["path"] = path
        return found["key"]

    # ---- functions -----------------------------------------------------------------------
    def trace_functions(self) -> None:
        for entry in list(self.functions.values()):
            if entry["concrete"] is None:
                entry["concrete"] = _concrete_functions(entry["fn"], entry["path"])
                for i, (cf, _) in enumerate(entry["concrete"]):
                    self.cf_entries.setdefault(id(cf), (entry["key"], i))

    def add_signatures(self, signatures) -> None:
        Function, ConcreteFunction = _function_types()
        if signatures is None:
            with_spec = [e for e in self.functions.values()
                         if e["fn"].input_signature is not None and e["concrete"]]
            signatures = {"serving_default": with_spec[0]["fn"]} if len(with_spec) == 1 else {}
        elif isinstance(signatures, (Function, ConcreteFunction)):
            signatures = {"serving_default": signatures}
        if not isinstance(signatures, dict):
            raise TypeError("save: signatures must be a function, a concrete function or a dict "
                            f"of them, not {type(signatures).__name__}")
        for name, fn in signatures.items():
            if not isinstance(name, str):
                raise TypeError(f"save: signature names must be strings, got {name!r}")
            cf = fn if isinstance(fn, ConcreteFunction) else _signature_concrete(fn, name)
            if id(cf) not in self.cf_entries:   # a concrete function of no saved attribute
                key = f"s{len(self.signatures)}"
                self.functions[("signature", name)] = {"key": key, "fn": None, "path": None,
                                                       "concrete": [(cf, None)]}
                self.cf_entries[id(cf)] = (key, 0)
            key, i = self.cf_entries[id(cf)]
            self.signatures[name] = {"function": key, "index": i}

    # ---- files ---------------------------------------------------------------------------
    def files(self) -> dict:
        constants = graph_json.ConstantPool()
        out, functions = {}, []
        for entry in self.functions.values():
            if not entry["concrete"]:
                continue
            fn = entry["fn"]
            record = {"key": entry["key"], "path": entry["path"],
                      "name": getattr(fn, "_name", None) or entry["concrete"][0][0].name,
                      "parameters": _parameters(fn) if fn is not None else None,
                      "input_signature": None, "concrete_functions": []}
            where = f"function {entry['path'] or record['name']}"
            if fn is not None and fn.input_signature is not None:
                record["input_signature"] = structure.encode(
                    list(fn.input_signature), f"{where} input_signature")
            for i, (cf, arguments) in enumerate(entry["concrete"]):
                name = f"{files.GRAPHS}/{entry['key']}_{i}.json"
                doc = graph_json.encode(cf.optimized_graph, constants,
                                        lambda v: self.variable_key(v, None))
                out[name] = graph_json.dumps(doc)
                record["concrete_functions"].append({
                    "graph": name,
                    "input_specs": [structure.spec_to_json(s) for s in cf.input_specs],
                    "outputs": structure.encode(cf.structured_outputs, f"{where} outputs",
                                                _leaf_index),
                    "arguments": arguments})
            functions.append(record)
        variables = []
        for entry in self.variables.values():
            var = entry["var"]
            variables.append({"key": entry["key"], "name": var._name, "dtype": var.dtype.name,
                              "shape": list(var.shape), "trainable": bool(var.trainable),
                              "path": entry["path"]})
        saved = {e["key"] for e in self.functions.values() if e["concrete"]}
        for obj in self.objects:
            pruned = {name: _prune(r, saved) for name, r in obj["attributes"].items()}
            obj["attributes"] = {name: r for name, r in pruned.items() if r is not None}
        object_graph = {"format": FORMAT, "version": VERSION, "objects": self.objects,
                        "variables": variables, "functions": functions,
                        "signatures": self.signatures}
        out[files.OBJECT_GRAPH] = graph_json.dumps(object_graph)
        out[files.VARIABLES] = arrays.pack(
            [(e["key"], np.asarray(backends.to_numpy(e["var"]._v)))
             for e in self.variables.values()])
        out[files.CONSTANTS] = arrays.pack(constants.arrays)
        return out


def _prune(ref, saved: set):
    """``ref`` without functions that were not saved (never traced); None if nothing is left."""
    if ref is None or "function" not in ref and not any(k in ref for k in ("list", "tuple",
                                                                           "dict")):
        return ref
    if "function" in ref:
        return ref if ref["function"] in saved else None
    if "dict" in ref:
        items = [[k, _prune(r, saved)] for k, r in ref["dict"]]
        items = [[k, r] for k, r in items if r is not None]
        return {"dict": items} if items else None
    (tag, items), = ref.items()
    items = [_prune(r, saved) for r in items]
    return {tag: items} if any(r is not None for r in items) else None


def _attributes(obj, Function):
    """(name, value) of ``obj``'s instance attributes (public first, then private, each
    sorted; names its class lists in ``_TF_MODULE_IGNORED_PROPERTIES`` skipped), then its
    class's public ``ag.function`` methods (and ``__call__``), bound to it."""
    own = dict(vars(obj)) if hasattr(obj, "__dict__") else {}
    ignored = getattr(type(obj), "_TF_MODULE_IGNORED_PROPERTIES", ())   # as Module's own walk
    names = sorted((n for n in own if not n.startswith("__") and n not in ignored),
                   key=lambda n: (n[:1] == "_", n))
    out = [(n, own[n]) for n in names if not (isinstance(own[n], Function) and not _public(n))]
    seen = set(own)
    for cls in type(obj).__mro__:
        for name, value in sorted(vars(cls).items()):
            if isinstance(value, Function) and _public(name) and name not in seen:
                seen.add(name)
                out.append((name, getattr(obj, name)))
    return out


def _public(name: str) -> bool:
    """Functions saved as attributes: public names, and ``__call__``."""
    return not name.startswith("_") or name == "__call__"


def _obj_variables(obj) -> list:
    """``obj.variables`` of a module-like object, one entry per variable."""
    found, seen = [], set()
    for v in obj.variables:
        if isinstance(v, Variable) and id(v) not in seen:
            seen.add(id(v))
            found.append(v)
    return found


def _leaf_index(x):
    from autograph.function import _Leaf
    return x.index if isinstance(x, _Leaf) else None


def _concrete_functions(fn, path) -> list:
    """[(ConcreteFunction, arguments JSON or None)] to save for ``fn``."""
    if fn.input_signature is not None:
        return [(fn.get_concrete_function(), None)]
    out = []
    for key, cf in fn._cache.items():
        arguments = _arguments(key, fn, path)
        if arguments is not None:
            out.append((cf, arguments))
    if not out:
        warnings.warn(f"save: function {path or fn._name} has no input_signature and was never "
                      "called, so it has no traced graph and is not saved (call it once, or give "
                      "it an input_signature)", stacklevel=3)
    return out


def _arguments(key, fn, path):
    """How a call must look to use this concrete function: the argument structure and, per
    leaf, a tensor or the Python value it was traced with."""
    where = f"function {path or fn._name}"
    leaves, tensors = [], 0
    for k in key[1:]:
        if len(k) == 2 and isinstance(k[0], DType):
            leaves.append({"tensor": tensors})
            tensors += 1
        elif k[0] == "py":
            try:
                value = attr_codec.encode(k[2], structure.NoArrays(), where)
            except SerializationError:
                warnings.warn(f"save: {where} was traced with the Python argument {k[2]!r:.40}, "
                              "which cannot be saved; that trace is skipped", stacklevel=4)
                return None
            leaves.append({"python": {"type": k[1].__name__, "value": value}})
        else:
            warnings.warn(f"save: {where} was traced with a variable argument; such traces "
                          "cannot be matched after loading and are skipped", stacklevel=4)
            return None
    return {"structure": attr_codec.encode(key[0], structure.NoArrays(), where),
            "leaves": leaves}


def _signature_concrete(fn, name):
    if fn.input_signature is not None:
        return fn.get_concrete_function()
    traced = list(fn._cache.values())
    if len(traced) != 1:
        raise ValueError(f"save: signature {name!r}: function {fn._name} has no input_signature "
                         f"and {len(traced)} traced concrete functions; give it an "
                         "input_signature or pass fn.get_concrete_function(specs)")
    return traced[0]


def _parameters(fn) -> list:
    """The parameters a call binds to (without ``self`` for methods)."""
    try:
        sig = inspect.signature(fn._callable())
    except (TypeError, ValueError):
        return []
    return [{"name": p.name, "kind": p.kind.name, "default": p.default is not p.empty}
            for p in sig.parameters.values()]
