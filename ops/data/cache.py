"""``cache``: keep the elements of the first complete epoch and replay them afterwards.

As in TensorFlow, only an epoch that reaches the end of the input fills the cache; an epoch
cut short (``take``, ``break``) leaves it empty and the next epoch reads the input again. With
a ``filename`` the elements go to ``<filename>.npz`` (written to a temporary file, then renamed,
so a reader never sees half a cache); later epochs and later runs of the program read that file
instead of the input. The file holds plain arrays and a JSON description of the element
structure, and is read without pickle.
"""
from __future__ import annotations

import json
import os
import tempfile

import numpy as np

from runtime import dtypes as D
from ops.tensor import wrap
from ops.data import structure as S
from ops.data.transformations import _Unary


class Cache(_Unary):
    def __init__(self, input_dataset, filename):
        super().__init__(input_dataset)
        if not isinstance(filename, (str, os.PathLike)):
            raise TypeError(f"cache: filename must be a string path, got "
                            f"{type(filename).__name__}")
        filename = os.fspath(filename)
        self._path = filename + ".npz" if filename else None
        self._elements = None  # list of elements once an epoch completed (memory cache)

    def _iterate(self):
        if self._elements is not None:
            yield from self._elements
            return
        if self._path is not None and os.path.exists(self._path):
            self._elements = _read(self._path)
            yield from self._elements
            return
        seen = []
        for element in self._input._iterate():
            seen.append(element)
            yield element
        # Reached only when the input ended: the epoch was complete.
        if self._path is not None:
            _write(self._path, seen)
        self._elements = seen


# ---- the cache file ------------------------------------------------------------------------
#
# For leaf j of the structure: ``data_j`` holds every element's values raveled and concatenated
# (for strings, their bytes; ``lengths_j`` the byte count of each string) and ``shapes_j`` one
# row of dims per element. ``meta`` is JSON: the structure with leaves as dtype names.

def _describe(x):
    if isinstance(x, dict):
        return {"dict": [[k, _describe(v)] for k, v in x.items()]}
    if isinstance(x, tuple):
        return {"tuple": [_describe(v) for v in x]}
    return x.dtype.name


def _rebuild(desc):
    """(structure, flat dtypes) from the JSON description."""
    dtypes: list = []

    def walk(d):
        if isinstance(d, dict) and "dict" in d:
            # Leaves are numbered in sorted-key order (the order ``leaves`` uses); the
            # rebuilt dict keeps the original key order.
            built = {k: walk(v) for k, v in sorted(d["dict"], key=lambda kv: kv[0])}
            return {k: built[k] for k, _ in d["dict"]}
        if isinstance(d, dict):
            return tuple(walk(v) for v in d["tuple"])
        dtypes.append(D.as_dtype(d))
        return len(dtypes) - 1

    structure = walk(desc)
    return structure, dtypes


def _write(path: str, elements: list) -> None:
    if not elements:
        desc = None
        arrays = {}
    else:
        desc = _describe(elements[0])
        columns = list(zip(*[S.leaves(e) for e in elements]))
        arrays = {}
        for j, col in enumerate(columns):
            values = [t.numpy() for t in col]
            arrays[f"shapes_{j}"] = np.array([np.shape(v) for v in values], np.int64).reshape(
                len(values), -1)
            if col[0].dtype is D.string:
                flat = [s for v in values for s in np.asarray(v, object).ravel()]
                arrays[f"lengths_{j}"] = np.array([len(s) for s in flat], np.int64)
                arrays[f"data_{j}"] = np.frombuffer(b"".join(flat), np.uint8)
            else:
                arrays[f"data_{j}"] = np.concatenate([np.ravel(v) for v in values])
    meta = json.dumps({"count": len(elements), "structure": desc})
    arrays["meta"] = np.frombuffer(meta.encode(), np.uint8)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _read(path: str) -> list:
    with np.load(path, allow_pickle=False) as f:
        meta = json.loads(bytes(f["meta"]).decode())
        if not meta["count"]:
            return []
        structure, dtypes = _rebuild(meta["structure"])
        columns = []
        for j, dtype in enumerate(dtypes):
            shapes, data = f[f"shapes_{j}"], f[f"data_{j}"]
            sizes = [int(np.prod(s)) for s in shapes]
            if dtype is D.string:
                lengths = f[f"lengths_{j}"]
                ends = np.cumsum(lengths)
                raw = data.tobytes()
                strings = np.empty(len(lengths), object)
                strings[:] = [raw[e - n:e] for e, n in zip(ends, lengths)]
                data = strings
            column, start = [], 0
            for shape, n in zip(shapes, sizes):
                value = data[start:start + n].reshape(tuple(shape))
                start += n
                column.append(wrap(value if value.ndim or dtype is D.string else value[()],
                                   dtype))
            columns.append(column)
    pack = S.make_packer(S.pack(structure, list(range(len(dtypes)))))
    return [pack(list(flat)) for flat in zip(*columns)]
