"""Nested Python structures (argument signatures, output structures) as tagged JSON.

    {"tensor": i}                        the i-th flat tensor (an output, or a traced argument)
    {"spec": {"shape": [...], "dtype": "float32", "name": str|null}}    a TensorSpec
    {"list": [...]} / {"tuple": [...]}   sequences
    {"dict": [[key, item], ...]}         dicts (keys are attribute-encoded values)
    {"namedtuple": {"name": str, "fields": [str], "items": [...]}}
    {"value": ATTR}                      a Python constant (None, bool, int, float, str, ...)

Namedtuples load as fresh ``collections.namedtuple`` types with the saved name and fields:
loading needs no Python source, so the original class is not imported.
"""
from __future__ import annotations

import collections
import functools

from runtime.dtypes import as_dtype
from runtime.serialization import SerializationError, attrs as attr_codec
from ops.tensor_spec import TensorSpec


class TensorLeaf:
    """Where the ``index``-th flat tensor sits in a decoded structure."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index

    def __repr__(self) -> str:
        return f"<tensor {self.index}>"


class NoArrays:
    """Attribute context for structures: Python constants only (no arrays, no graphs)."""

    source = "<structure>"

    def __init__(self, source="<structure>"):
        self.source = source

    def store_array(self, value, where):
        raise SerializationError(f"{where}: a NumPy array in a function's argument or output "
                                 "structure cannot be saved; pass or return it as a tensor")

    def encode_graph(self, value, where):
        raise SerializationError(f"{where}: a graph cannot be saved here")

    load_array = decode_graph = store_array


def encode(x, where: str, leaf_index=None):
    """JSON of structure ``x``; ``leaf_index(x)`` returns the tensor index of a leaf marker or
    None for anything else."""
    index = leaf_index(x) if leaf_index is not None else None
    if index is not None:
        return {"tensor": int(index)}
    if isinstance(x, TensorSpec):
        return {"spec": spec_to_json(x)}
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return {"namedtuple": {"name": type(x).__name__, "fields": list(x._fields),
                               "items": [encode(v, where, leaf_index) for v in x]}}
    if isinstance(x, (list, tuple)):
        tag = "list" if isinstance(x, list) else "tuple"
        return {tag: [encode(v, where, leaf_index) for v in x]}
    if isinstance(x, dict):
        return {"dict": [[attr_codec.encode(k, NoArrays(), where), encode(v, where, leaf_index)]
                         for k, v in x.items()]}
    if x is None or isinstance(x, (bool, int, float, str, bytes, complex)):
        return {"value": attr_codec.encode(x, NoArrays(), where)}
    raise SerializationError(f"{where}: a {type(x).__module__}.{type(x).__name__} in the "
                             "structure cannot be saved (only tensors, specs, Python constants "
                             "and lists, tuples, dicts and namedtuples of them)")


def decode(data, source: str, where: str):
    """The structure of ``encode``'s JSON, with ``TensorLeaf`` markers and ``TensorSpec``s."""
    if not isinstance(data, dict) or len(data) != 1:
        raise SerializationError(f"{source}: {where}: malformed structure {data!r:.80}")
    (tag, body), = data.items()
    if tag == "tensor":
        if type(body) is not int or body < 0:
            raise SerializationError(f"{source}: {where}: bad tensor index {body!r}")
        return TensorLeaf(body)
    if tag == "spec":
        return spec_from_json(body, source, where)
    if tag in ("list", "tuple"):
        items = [decode(v, source, where) for v in _items(body, source, where)]
        return items if tag == "list" else tuple(items)
    if tag == "dict":
        pairs = _items(body, source, where)
        if not all(isinstance(p, list) and len(p) == 2 for p in pairs):
            raise SerializationError(f"{source}: {where}: dict entries must be [key, item]")
        return {attr_codec.decode(k, NoArrays(source), where): decode(v, source, where)
                for k, v in pairs}
    if tag == "namedtuple":
        if not isinstance(body, dict) or set(body) != {"name", "fields", "items"}:
            raise SerializationError(f"{source}: {where}: malformed namedtuple")
        try:
            cls = _namedtuple(body["name"], tuple(body["fields"]))
        except (TypeError, ValueError) as e:
            raise SerializationError(f"{source}: {where}: bad namedtuple ({e})") from None
        items = [decode(v, source, where) for v in _items(body["items"], source, where)]
        if len(items) != len(cls._fields):
            raise SerializationError(f"{source}: {where}: namedtuple {body['name']} has "
                                     f"{len(cls._fields)} fields but {len(items)} items")
        return cls(*items)
    if tag == "value":
        return attr_codec.decode(body, NoArrays(source), where)
    raise SerializationError(f"{source}: {where}: unknown structure tag {tag!r}")


@functools.lru_cache(maxsize=None)
def _namedtuple(name, fields):
    return collections.namedtuple(name, fields)


def _items(body, source, where) -> list:
    if not isinstance(body, list):
        raise SerializationError(f"{source}: {where}: expected a list")
    return body


def spec_to_json(spec: TensorSpec) -> dict:
    return {"shape": list(spec.shape), "dtype": spec.dtype.name, "name": spec.name}


def spec_from_json(body, source: str, where: str) -> TensorSpec:
    if not isinstance(body, dict) or set(body) != {"shape", "dtype", "name"}:
        raise SerializationError(f"{source}: {where}: a spec needs shape, dtype and name")
    shape, name = body["shape"], body["name"]
    if not isinstance(shape, list) or not all(d is None or (type(d) is int and d >= 0)
                                              for d in shape):
        raise SerializationError(f"{source}: {where}: bad spec shape {shape!r}")
    if name is not None and not isinstance(name, str):
        raise SerializationError(f"{source}: {where}: bad spec name {name!r}")
    try:
        dtype = as_dtype(body["dtype"]) if isinstance(body["dtype"], str) else None
    except TypeError:
        dtype = None
    if dtype is None:
        raise SerializationError(f"{source}: {where}: unknown dtype {body['dtype']!r}")
    return TensorSpec(shape, dtype, name)


def fill(structure, outs: list):
    """``structure`` with each ``TensorLeaf`` replaced by ``outs[index]``."""
    if isinstance(structure, TensorLeaf):
        return outs[structure.index]
    if isinstance(structure, tuple) and hasattr(structure, "_fields"):
        return type(structure)(*[fill(v, outs) for v in structure])
    if isinstance(structure, (list, tuple)):
        return type(structure)(fill(v, outs) for v in structure)
    if isinstance(structure, dict):
        return {k: fill(v, outs) for k, v in structure.items()}
    return structure


def leaves(structure) -> list:
    """The ``TensorLeaf`` markers of ``structure`` in order (dicts in insertion order)."""
    if isinstance(structure, TensorLeaf):
        return [structure]
    if isinstance(structure, (list, tuple)):
        return [leaf for v in structure for leaf in leaves(v)]
    if isinstance(structure, dict):
        return [leaf for v in structure.values() for leaf in leaves(v)]
    return []
