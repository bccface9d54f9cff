"""Flatten and rebuild nested structures of lists, tuples, namedtuples and dicts."""
from __future__ import annotations


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
        return type(x)((k, packed[k]) for k in x) if type(x) is not dict else {k: packed[k] for k in x}
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return type(x)(*[_pack(v, it) for v in x])
    if isinstance(x, (list, tuple)):
        return type(x)(_pack(v, it) for v in x)
    try:
        return next(it)
    except StopIteration:
        raise ValueError("pack_sequence_as: fewer values than the structure holds") from None


def map_structure(fn, *structures):
    flats = [flatten(s) for s in structures]
    if any(len(f) != len(flats[0]) for f in flats):
        raise ValueError("map_structure: structures have different numbers of leaves")
    return pack_sequence_as(structures[0], [fn(*leaves) for leaves in zip(*flats)])


def assert_same_structure(a, b) -> None:
    if _shape_of(a) != _shape_of(b):
        raise ValueError(f"the two structures differ: {_shape_of(a)} vs {_shape_of(b)}")


def _shape_of(x):
    if isinstance(x, dict):
        return ("dict", tuple((k, _shape_of(x[k])) for k in sorted(x)))
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, tuple(_shape_of(v) for v in x))
    return "."
