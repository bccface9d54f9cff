"""The conversion cache on disk: a converted function's code, keyed by its source.

Converting a function takes milliseconds; a program run again converts the same functions
again. For functions defined in files, the converted code object is stored (``marshal``) in
the cache folder the kernels use (``$AUTOGRAPH_CACHE_DIR``, default ``~/.cache/autograph``),
under a key made of the file's whole text, the function's first line, qualified name and free
variables, the Python version, and a fingerprint of the converter's own files (their names,
sizes and modification times): any edit to either side is a new key. Entries are published
atomically with a digest, so a torn or edited entry is rebuilt, never loaded
(``runtime.fusion.cache``).

Functions without a file (``exec``, interactive cells, ``<...>`` names) are never stored.
``AUTOGRAPH_CONVERSION_CACHE=0`` turns the cache off.
"""
from __future__ import annotations

import marshal
import os
import sys
import types
from typing import Optional

from runtime.fusion import cache
from autograph.converter import parser

FORMAT = "1"        # bump when what is stored changes meaning
ENV = "AUTOGRAPH_CONVERSION_CACHE"
_KIND, _EXT = "converted", ".marshal"
_fingerprint: list = []


def enabled() -> bool:
    return os.environ.get(ENV, "1") != "0"


def key_of(fn) -> Optional[str]:
    """The cache key of ``fn``'s conversion, or None when it is not cacheable."""
    code = fn.__code__
    filename = code.co_filename
    if code.co_name == "<lambda>" or filename.startswith("<") or not os.path.isfile(filename):
        return None
    lines = parser.source_lines(fn)
    if not lines:
        return None
    return cache.digest_key(_KIND, FORMAT, sys.version, converter_fingerprint(), filename,
                            str(code.co_firstlineno), getattr(fn, "__qualname__", fn.__name__),
                            ",".join(code.co_freevars), "".join(lines))


def converter_fingerprint() -> str:
    """Names, sizes and modification times of the converter's files (read once)."""
    if not _fingerprint:
        root = os.path.dirname(os.path.abspath(__file__))
        parts = []
        for folder, subfolders, files in os.walk(root):
            subfolders.sort()
            for name in sorted(files):
                if name.endswith(".py"):
                    path = os.path.join(folder, name)
                    st = os.stat(path)
                    parts.append(f"{os.path.relpath(path, root)}:{st.st_size}:{st.st_mtime_ns}")
        _fingerprint.append(cache.digest_key(*parts))
    return _fingerprint[0]


def load(key: str, name: str) -> Optional[types.CodeType]:
    """The stored code of function ``name``; None when there is no valid entry."""
    path = cache.lookup(_KIND, key, _EXT)
    if path is None:
        return None
    try:
        code = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(code, types.CodeType) or code.co_name != name:
        return None
    return code


def store(key: str, code: types.CodeType) -> None:
    """Store ``code`` under ``key`` (atomically; a cache that cannot be written is skipped)."""
    try:
        cache.fetch(_KIND, key, _EXT, lambda path: path.write_bytes(marshal.dumps(code)))
    except OSError:
        pass


def renamed(code: types.CodeType, filename: str) -> types.CodeType:
    """``code`` and the code objects nested in it, as if compiled under ``filename``."""
    consts = tuple(renamed(c, filename) if isinstance(c, types.CodeType) else c
                   for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)
