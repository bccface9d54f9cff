"""Flatten and rebuild nested structures of lists, tuples, namedtuples and dicts."""
from __future__ import annotations

import collections


def is_nested(x) -> bool:
    return isinstance(x, (list, tuple, dict))


def flatten(structure) -> list:
    """Leaves in a fixed order (dicts by sorted key, as TensorFlow's ``tf.nest``)."""
    out: list = []
    _flatten_into(structure, out)
    return out


def _flatten_into(x, out):
    if isinstance(x, dict):
        for k in sorted(x):
            _flatten_into(x[k], out)
    elif isinstance(x, (list, tuple)):
        for v in x:
            _flatten_into(v, out)
    else:
        out.append(x)


def pack_sequence_as(structure, flat):
    """Rebuild ``structure`` with leaves taken in order from ``flat``."""
    it = iter(flat)
    result = _pack(structure, it)
    leftover = sum(1 for _ in it)
    if leftover:
        raise ValueError(f"pack_sequence_as: {leftover} more values than the structure holds")
    return result


def _pack(x, it):
    if isinstance(x, dict):
        packed = {k: _pack(x[k], it) for k in sorted(x)}
        if type(x) is dict:
            return {k: packed[k] for k in x}
        if isinstance(x, collections.defaultdict):
            return type(x)(x.default_factory, ((k, packed[k]) for k in x))
        return type(x)((k, packed[k]) for k in x)
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return type(x)(*[_pack(v, it) for v in x])
    if isinstance(x, (list, tuple)):
        return type(x)(_pack(v, it) for v in x)
    try:
        return next(it)
    except StopIteration:
        raise ValueError("pack_sequence_as: fewer values than the structure holds") from None


def map_structure(fn, *structures, check_types: bool = True):
    """Apply ``fn`` leaf by leaf; the structures must match (as ``tf.nest.map_structure``)."""
    if not structures:
        raise ValueError("map_structure: give at least one structure")
    for other in structures[1:]:
        assert_same_structure(structures[0], other, check_types=check_types)
    flats = [flatten(s) for s in structures]
    return pack_sequence_as(structures[0], [fn(*leaves) for leaves in zip(*flats)])


def map_leaves(fn, structure):
    """``structure`` with ``fn`` applied to each leaf, in the order the leaves stand (dicts by
    insertion order, unlike ``map_structure``: ``fn`` may number what it sees), keeping each
    container's type (namedtuples included)."""
    if isinstance(structure, dict):
        return type(structure)((k, map_leaves(fn, v)) for k, v in structure.items())
    if isinstance(structure, tuple) and hasattr(structure, "_fields"):
        return type(structure)(*[map_leaves(fn, v) for v in structure])
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_leaves(fn, v) for v in structure)
    return fn(structure)


def assert_same_structure(a, b, check_types: bool = True) -> None:
    """Raise ValueError unless ``a`` and ``b`` nest the same way (TypeError for a list where a
    tuple was expected, when ``check_types``)."""
    if _shape_of(a, False) != _shape_of(b, False):
        raise ValueError(f"the two structures differ: {_describe(a)} vs {_describe(b)}")
    if check_types and _shape_of(a, True) != _shape_of(b, True):
        raise TypeError(f"the two structures have the same nesting but different sequence "
                        f"types: {_describe(a)} vs {_describe(b)}")


def _shape_of(x, types: bool):
    if isinstance(x, dict):
        return ("dict", tuple((k, _shape_of(x[k], types)) for k in sorted(x)))
    if isinstance(x, (list, tuple)):
        kind = type(x).__name__ if types else "seq"
        return (kind, tuple(_shape_of(v, types) for v in x))
    return "."


def _describe(x) -> str:
    """The structure with each leaf shown as ``.``: ``[., (., .)]``."""
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k!r}: {_describe(x[k])}" for k in sorted(x)) + "}"
    if isinstance(x, tuple):
        inner = ", ".join(_describe(v) for v in x)
        name = type(x).__name__ if hasattr(x, "_fields") else ""
        return f"{name}({inner}{',' if len(x) == 1 and not name else ''})"
    if isinstance(x, list):
        return "[" + ", ".join(_describe(v) for v in x) + "]"
    return "."
