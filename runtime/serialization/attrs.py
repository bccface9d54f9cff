"""Tagged JSON encoding of node attributes.

Attributes hold Python data (ints, floats, bools, strings, ``None``), tuples of them (shapes,
axes, ``GetItem`` keys with ``...``), ``DType``s, bytes, NumPy scalars, NumPy arrays and nested
graphs. JSON has fewer types, so every non-native value is a JSON object with exactly one key,
the tag, that says how to read it back; plain JSON arrays are Python lists. Because no attribute
value is ever a raw JSON object, a tag cannot be confused with data:

    {"tuple": [...]}           tuple
    {"dict": [[k, v], ...]}    dict (keys encoded like values, insertion order kept)
    {"dtype": "float32"}       runtime DType, by name
    {"bytes": "<base64>"}      bytes
    {"float": "nan"}           non-finite float ("nan", "inf", "-inf"); finite floats are raw
    {"complex": [re, im]}      complex
    {"ellipsis": null}         ``...``
    {"slice": [start, stop, step]}
    {"scalar": {"dtype": "float32", "value": v}}   NumPy scalar (bool, int, float, complex)
    {"array": {"key": k, "dtype": "float32", "shape": [2, 3]}}   NumPy array in the array file
    {"graph": {...}}           nested graph (see graph_json)

Any other value is refused; an object that knows why it cannot be saved (a dataset loop's
source holds a Python pipeline) says so through a ``why_unsaveable()`` method.
"""
from __future__ import annotations

import base64
import math

import numpy as np

from runtime.dtypes import DType, as_dtype
from runtime.serialization.errors import SerializationError

_NUMPY_SCALAR_KINDS = "biufc"


def encode(value, ctx, where: str):
    """The JSON form of attribute ``value``; ``ctx`` encodes graphs and stores arrays."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and type(value) is int:
        return value
    if type(value) is float:
        return value if math.isfinite(value) else {"float": repr(value)}
    if isinstance(value, DType):
        return {"dtype": value.name}
    if isinstance(value, tuple) and type(value) is tuple:
        return {"tuple": [encode(v, ctx, where) for v in value]}
    if type(value) is list:
        return [encode(v, ctx, where) for v in value]
    if type(value) is dict:
        return {"dict": [[encode(k, ctx, where), encode(v, ctx, where)]
                         for k, v in value.items()]}
    if type(value) is bytes:
        return {"bytes": base64.b64encode(value).decode("ascii")}
    if type(value) is complex:
        return {"complex": [encode(value.real, ctx, where), encode(value.imag, ctx, where)]}
    if value is Ellipsis:
        return {"ellipsis": None}
    if type(value) is slice:
        return {"slice": [encode(v, ctx, where) for v in (value.start, value.stop, value.step)]}
    if isinstance(value, np.generic) and value.dtype.kind in _NUMPY_SCALAR_KINDS:
        return {"scalar": {"dtype": value.dtype.name, "value": encode(value.item(), ctx, where)}}
    if isinstance(value, np.ndarray):
        return {"array": ctx.store_array(value, where)}
    if type(value).__name__ == "Graph" and hasattr(value, "nodes"):
        return {"graph": ctx.encode_graph(value, where)}
    why_unsaveable = getattr(value, "why_unsaveable", None)
    if callable(why_unsaveable):
        raise SerializationError(f"{where}: {why_unsaveable()}")
    raise SerializationError(f"{where}: cannot save an attribute of type "
                             f"{type(value).__module__}.{type(value).__name__} ({value!r:.60})")


def decode(data, ctx, where: str):
    """The Python value of JSON attribute ``data``; the inverse of ``encode``."""
    if data is None or isinstance(data, (bool, int, str)):
        return data
    if isinstance(data, float):
        return data
    if isinstance(data, list):
        return [decode(v, ctx, where) for v in data]
    if not isinstance(data, dict) or len(data) != 1:
        raise SerializationError(f"{ctx.source}: {where}: malformed attribute {data!r:.80} "
                                 "(expected a value or an object with one tag)")
    (tag, body), = data.items()
    if tag == "tuple":
        return tuple(decode(v, ctx, where) for v in _list(body, ctx, where, tag))
    if tag == "dict":
        pairs = _list(body, ctx, where, tag)
        if not all(isinstance(p, list) and len(p) == 2 for p in pairs):
            raise SerializationError(f"{ctx.source}: {where}: a dict attribute needs [key, "
                                     "value] pairs")
        return {decode(k, ctx, where): decode(v, ctx, where) for k, v in pairs}
    if tag == "dtype":
        return _dtype(body, ctx, where)
    if tag == "bytes":
        try:
            return base64.b64decode(body, validate=True)
        except (TypeError, ValueError) as e:
            raise SerializationError(f"{ctx.source}: {where}: bad base64 bytes ({e})") from None
    if tag == "float":
        if body not in ("nan", "inf", "-inf"):
            raise SerializationError(f"{ctx.source}: {where}: bad non-finite float {body!r}")
        return float(body)
    if tag == "complex":
        re, im = (decode(v, ctx, where) for v in _list(body, ctx, where, tag, 2))
        return complex(re, im)
    if tag == "ellipsis":
        return Ellipsis
    if tag == "slice":
        return slice(*(decode(v, ctx, where) for v in _list(body, ctx, where, tag, 3)))
    if tag == "scalar":
        if not isinstance(body, dict) or set(body) != {"dtype", "value"}:
            raise SerializationError(f"{ctx.source}: {where}: a scalar needs dtype and value")
        try:
            dtype = np.dtype(body["dtype"])
        except TypeError:
            raise SerializationError(f"{ctx.source}: {where}: unknown NumPy dtype "
                                     f"{body['dtype']!r}") from None
        if dtype.kind not in _NUMPY_SCALAR_KINDS:
            raise SerializationError(f"{ctx.source}: {where}: scalar dtype {dtype} is not "
                                     "bool, integer, float or complex")
        return dtype.type(decode(body["value"], ctx, where))
    if tag == "array":
        return ctx.load_array(body, where)
    if tag == "graph":
        return ctx.decode_graph(body, where)
    raise SerializationError(f"{ctx.source}: {where}: unknown attribute tag {tag!r}")


def _list(body, ctx, where, tag, length=None) -> list:
    if not isinstance(body, list) or (length is not None and len(body) != length):
        size = "" if length is None else f" of {length}"
        raise SerializationError(f"{ctx.source}: {where}: '{tag}' needs a list{size}")
    return body


def _dtype(name, ctx, where) -> DType:
    try:
        return as_dtype(name) if isinstance(name, str) else as_dtype(None)
    except TypeError:
        raise SerializationError(f"{ctx.source}: {where}: unknown dtype {name!r}") from None
