"""Weights files: an ordered list of named arrays in one ``.npz`` file (no HDF5, no pickle).

``save_weights_file(path, [(name, array), ...])`` writes atomically (a temporary file beside
``path``, fsynced, then renamed over it); ``load_weights_file(path, expected=None)`` returns
the pairs in order, read with ``allow_pickle=False``. Passing ``expected`` (pairs of name and
shape, or of name and anything with a ``.shape`` such as a variable) checks the file against
the model before any weight is assigned, so a mismatch is an error naming the weight, not a
half-restored model. The layout is ``runtime.serialization.arrays`` ("autograph-arrays/1").
"""
from __future__ import annotations

import os

from runtime import backends
from runtime.serialization import SerializationError, arrays, atomic


def save_weights_file(path, weights) -> None:
    """Write ``weights``, a list of ``(name, array)`` pairs (arrays, tensors or variables),
    to ``path`` atomically. Names must be unique strings."""
    pairs = []
    for item in weights:
        if not (isinstance(item, (list, tuple)) and len(item) == 2):
            raise TypeError("save_weights_file: weights must be (name, array) pairs, got "
                            f"{type(item).__name__}")
        name, value = item
        pairs.append((name, _numpy(value)))
    atomic.write_file(path, arrays.pack(pairs))


def load_weights_file(path, expected=None) -> list:
    """The ``(name, array)`` pairs saved in ``path``, in order (arrays are read-only).

    With ``expected`` (a list of ``(name, shape_or_value)``), the file must hold exactly those
    names in that order with matching shapes (``None`` dims match any size); otherwise a
    ``SerializationError`` names the file and the first weight that differs."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        data = f.read()
    pairs = arrays.unpack(data, path)
    if expected is not None:
        _check(pairs, list(expected), path)
    return pairs


def _numpy(value):
    import numpy as np
    if hasattr(value, "_read_for_op"):              # a Variable
        value = value._v
    elif hasattr(value, "_v") and hasattr(value, "_sym"):   # a Tensor
        value = value._value()
    return np.asarray(backends.to_numpy(value))


def _check(pairs: list, expected: list, path: str) -> None:
    names = [n for n, _ in pairs]
    wanted = [n for n, _ in expected]
    if len(pairs) != len(expected):
        missing = [n for n in wanted if n not in names]
        extra = [n for n in names if n not in wanted]
        detail = "".join([f"; missing {missing[:5]}" if missing else "",
                          f"; unexpected {extra[:5]}" if extra else ""])
        raise SerializationError(f"{path}: holds {len(pairs)} weights but {len(expected)} are "
                                 f"expected{detail}")
    for i, ((name, array), (want_name, want)) in enumerate(zip(pairs, expected)):
        if name != want_name:
            raise SerializationError(f"{path}: weight #{i} is named {name!r} but {want_name!r} "
                                     "is expected there")
        shape = tuple(want.shape) if hasattr(want, "shape") else tuple(want)
        if len(shape) != array.ndim or any(d is not None and d != a
                                           for d, a in zip(shape, array.shape)):
            raise SerializationError(f"{path}: weight {name!r} has shape {tuple(array.shape)} "
                                     f"but shape {shape} is expected")
