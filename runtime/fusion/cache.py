"""The on-disk kernel cache: build artifacts addressed by a hash, published atomically.

An entry is ``<dir>/<key[:2]>/<key><ext>`` plus ``<key><ext>.sha256`` holding the digest of
its bytes. Entries are written to a temporary file in the same folder and moved into place
with ``os.replace``, so readers see a whole file or none; the digest is written after the
artifact, so an entry without a matching digest (a crash between the two, a truncated or
edited file) is rebuilt, never loaded. The folder is ``$AUTOGRAPH_CACHE_DIR`` (default
``~/.cache/autograph``).
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
from pathlib import Path
from typing import Callable

ENV = "AUTOGRAPH_CACHE_DIR"


def cache_root() -> Path:
    root = os.environ.get(ENV)
    return Path(root) if root else Path.home() / ".cache" / "autograph"


def digest_key(*parts: str) -> str:
    """The cache key of an artifact made from ``parts`` (source, versions, flags...)."""
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode())
        h.update(b"\0")
    return h.hexdigest()


def entry_path(kind: str, key: str, ext: str) -> Path:
    return cache_root() / kind / key[:2] / f"{key}{ext}"


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def lookup(kind: str, key: str, ext: str) -> Path | None:
    """The path of a valid entry, or None (missing, or its bytes do not match its digest)."""
    path = entry_path(kind, key, ext)
    try:
        expected = Path(str(path) + ".sha256").read_text().strip()
        return path if _file_digest(path) == expected else None
    except OSError:
        return None


def _publish(path: Path, write: Callable[[Path], None]) -> str:
    """Write ``path`` atomically; returns the digest of what was written."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    os.close(fd)
    try:
        write(Path(tmp))
        digest = _file_digest(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return digest


def fetch(kind: str, key: str, ext: str, build: Callable[[Path], None]) -> Path:
    """The entry ``key``, built with ``build(path)`` (which writes the artifact at ``path``)
    unless a valid one exists. If the cache folder cannot be written (a read-only home),
    the entry is built in a temporary folder for this process, with one warning."""
    found = lookup(kind, key, ext)
    if found is not None:
        return found
    path = entry_path(kind, key, ext)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-")
        probe.close()
    except OSError as e:
        path = _scratch_path(kind, key, ext, e)
    digest = _publish(path, build)
    _publish(Path(str(path) + ".sha256"), lambda p: p.write_text(digest + "\n"))
    return path


_scratch: list = []


def _scratch_path(kind: str, key: str, ext: str, error: OSError) -> Path:
    if not _scratch:
        _scratch.append(Path(tempfile.mkdtemp(prefix="autograph-kernels-")))
        warnings.warn(f"the kernel cache {cache_root()} cannot be written ({error}); kernels "
                      f"are built in {_scratch[0]} for this process only (set {ENV})",
                      RuntimeWarning, stacklevel=4)
    path = _scratch[0] / kind / key[:2] / f"{key}{ext}"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
