"""Atomic file and directory writes: a reader sees the old content or the new, never half.

A file is written to a temporary name in the same directory, flushed and fsynced, then renamed
over the target with ``os.replace`` (atomic on POSIX and Windows within one file system); the
directory is fsynced so the rename itself survives a crash. A directory is built the same way,
under a temporary name beside the target, and renamed into place when complete.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile

from runtime.serialization.errors import SerializationError


def write_file(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    path = os.fspath(path)
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=parent, prefix="." + os.path.basename(path) + ".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(parent)


def write_into(directory: str, relative: str, data: bytes) -> None:
    """Write a new file inside a directory being built (not atomic by itself: the directory
    becomes visible only once complete), fsynced before the directory is renamed."""
    path = os.path.join(directory, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "xb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def fsync_dir(path: str) -> None:
    """Make a directory's entries (renames, new files) durable; a no-op where unsupported."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems (and Windows) cannot fsync a directory
    finally:
        os.close(fd)


@contextlib.contextmanager
def directory(target: str, replaceable):
    """Build a directory under a temporary name beside ``target``; on normal exit, move it to
    ``target``. ``replaceable(path) -> bool`` says whether an existing ``target`` may be
    replaced (it is refused with an error otherwise). On any error the temporary directory is
    removed and ``target`` is left as it was.

    Replacing an existing directory takes two renames (old out of the way, new in); between
    them ``target`` is briefly absent, but never holds a half-written export."""
    target = os.path.abspath(os.fspath(target))
    parent = os.path.dirname(target)
    os.makedirs(parent, exist_ok=True)
    if os.path.lexists(target) and not (os.path.isdir(target) and
                                        (not os.listdir(target) or replaceable(target))):
        raise SerializationError(f"{target} exists and is not a saved model this library "
                                 "wrote; refusing to replace it (remove it or pick another path)")
    tmp = tempfile.mkdtemp(dir=parent, prefix="." + os.path.basename(target) + ".tmp-")
    try:
        yield tmp
        for root, dirs, _ in os.walk(tmp):
            for d in dirs:
                fsync_dir(os.path.join(root, d))
        fsync_dir(tmp)
        _move_into_place(tmp, target, parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _move_into_place(tmp: str, target: str, parent: str) -> None:
    old = None
    if os.path.lexists(target):
        old = tempfile.mkdtemp(dir=parent, prefix="." + os.path.basename(target) + ".old-")
        os.rmdir(old)
        os.rename(target, old)
    try:
        os.rename(tmp, target)
    except BaseException:
        if old is not None:
            os.rename(old, target)   # put the previous export back
        raise
    fsync_dir(parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
