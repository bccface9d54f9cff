"""Named arrays in one ``.npz`` file that loads with ``allow_pickle=False``.

Layout ("autograph-arrays", version 1), every member a plain NumPy array:

    __format__      0-d unicode array "autograph-arrays/1"
    __names__       1-d unicode array: the names, in order (any text: "/" and ":" included)
    a<i>            array i, for bool, integer, float and complex arrays
    s<i>.lengths    array i when it holds strings (``ag.string``: object arrays of bytes):
    s<i>.data       int64 byte lengths with the array's shape, and uint8 concatenated bytes

Object arrays would need pickle, so strings are stored as bytes plus lengths; nothing read
from these files is ever unpickled. Members live under index-based names so a name never
becomes a path inside the zip file.
"""
from __future__ import annotations

import io
import zipfile

import numpy as np

from runtime.serialization.errors import SerializationError

FORMAT = "autograph-arrays/1"
_NUMERIC_KINDS = "biufc"


def pack(named: list) -> bytes:
    """The ``.npz`` bytes holding ``named``, a list of ``(name, array)`` pairs."""
    members = {"__format__": np.array(FORMAT)}
    names = []
    for i, (name, array) in enumerate(named):
        if not isinstance(name, str):
            raise SerializationError(f"array names must be strings, got {name!r}")
        names.append(name)
        array = np.asarray(array)
        if array.dtype.kind in _NUMERIC_KINDS:
            members[f"a{i}"] = array
        elif array.dtype.kind in "OSU":
            data, lengths = _pack_strings(name, array)
            members[f"s{i}.lengths"] = lengths
            members[f"s{i}.data"] = data
        else:
            raise SerializationError(f"array {name!r} has dtype {array.dtype}, which cannot be "
                                     "saved (expected bool, numeric or string data)")
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise SerializationError(f"two arrays are named {dup!r}; names must be unique")
    members["__names__"] = np.array(names, dtype=str) if names else np.zeros(0, "<U1")
    buffer = io.BytesIO()
    np.savez(buffer, **members)
    return buffer.getvalue()


def unpack(data: bytes, source: str) -> list:
    """The ``(name, array)`` pairs of ``.npz`` bytes written by ``pack``; ``source`` (the file
    name) is named in every error. Arrays come back read-only."""
    try:
        archive = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as e:
        raise SerializationError(f"{source}: not a readable .npz file ({e})") from None
    with archive:
        try:
            members = {k: archive[k] for k in archive.files}
        except (ValueError, OSError, zipfile.BadZipFile, EOFError) as e:
            # Object arrays (which would need pickle) and CRC failures land here.
            raise SerializationError(f"{source}: a member cannot be read ({e})") from None
    fmt = members.pop("__format__", None)
    if fmt is None or fmt.shape != () or str(fmt) != FORMAT:
        raise SerializationError(f"{source}: not an autograph array file (expected format "
                                 f"{FORMAT!r}, found {None if fmt is None else str(fmt)!r})")
    names = members.pop("__names__", None)
    if names is None or names.ndim != 1 or names.dtype.kind != "U":
        raise SerializationError(f"{source}: the list of array names (__names__) is missing")
    out = []
    for i, name in enumerate(names.tolist()):
        if f"a{i}" in members:
            array = members.pop(f"a{i}")
            if array.dtype.kind not in _NUMERIC_KINDS:
                raise SerializationError(f"{source}: array {name!r} has dtype {array.dtype}")
        elif f"s{i}.lengths" in members and f"s{i}.data" in members:
            array = _unpack_strings(members.pop(f"s{i}.data"), members.pop(f"s{i}.lengths"),
                                    name, source)
        else:
            raise SerializationError(f"{source}: array {name!r} (#{i}) is missing")
        array.flags.writeable = False
        out.append((name, array))
    if members:
        raise SerializationError(f"{source}: unexpected members {sorted(members)}")
    return out


def _pack_strings(name, array):
    flat = []
    for item in array.reshape(-1):
        if isinstance(item, str):
            item = item.encode("utf-8")
        if not isinstance(item, bytes):
            raise SerializationError(f"array {name!r} holds a {type(item).__name__}; string "
                                     "arrays may hold only bytes or str")
        flat.append(item)
    lengths = np.array([len(b) for b in flat], dtype=np.int64).reshape(array.shape)
    data = np.frombuffer(b"".join(flat), dtype=np.uint8)
    return data, lengths


def _unpack_strings(data, lengths, name, source):
    if data.dtype != np.uint8 or data.ndim != 1 or lengths.dtype != np.int64:
        raise SerializationError(f"{source}: string array {name!r} is malformed")
    if (lengths < 0).any() or int(lengths.sum()) != data.size:
        raise SerializationError(f"{source}: string array {name!r}: the lengths do not add up "
                                 "to the stored bytes")
    raw = data.tobytes()
    out = np.empty(lengths.size, dtype=object)
    start = 0
    for i, n in enumerate(lengths.reshape(-1).tolist()):
        out[i] = raw[start:start + n]
        start += n
    return out.reshape(lengths.shape)
