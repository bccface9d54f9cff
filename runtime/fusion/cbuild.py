"""C kernels on the CPU: the system compiler builds a shared library, ctypes loads it.

``toolchain()`` finds the compiler (``$CC``, else ``cc``/``gcc``/``clang``) and probes once
what it supports (OpenMP threads, libmvec's vector math, ``-march=native``); the probe's result
is cached on disk next to the kernels, keyed by the compiler binary, so a process that finds
its kernels cached starts no compiler at all. ``library(source)`` returns the loaded library
of a source, from memory, from the disk cache, or freshly built.

Flags keep NumPy's numerics: no ``-ffast-math``; ``-ffp-contract=off`` (no fused multiply-add,
which would round ``x * a + b`` once instead of twice); ``-fwrapv`` (signed overflow wraps, as
NumPy's integers do). ``-fno-math-errno`` only stops libm from setting ``errno``, which lets
math calls vectorize; values are unchanged.
"""
from __future__ import annotations

import ctypes
import json
import os
import platform
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from runtime.fusion import cache, dialects, threads

# Bump when generated code or the build recipe changes meaning: it is part of every key.
GENERATOR_VERSION = "2"

BASE_FLAGS = ("-std=gnu11", "-O3", "-fPIC", "-shared", "-fno-math-errno", "-ffp-contract=off",
              "-fwrapv", "-Wno-unknown-pragmas")


class CompileError(RuntimeError):
    """The C compiler rejected a generated kernel (a bug in the generator)."""


@dataclass(frozen=True)
class Toolchain:
    cc: str
    flags: tuple
    libs: tuple
    openmp: bool
    libmvec: bool
    identity: str          # what the cache key knows of the compiler and this CPU

    @property
    def prelude(self) -> str:
        return dialects.c_prelude(self.libmvec)


_lock = threading.Lock()
_toolchain: list = []                   # [Toolchain | None] once probed
_libraries: dict = {}                   # cache key -> ctypes.CDLL


def find_compiler() -> Optional[str]:
    for name in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if name:
            path = shutil.which(name)
            if path:
                return path
    return None


def _cpu_fingerprint() -> str:
    """-march=native code runs only on CPUs like this one; a shared cache must tell them apart."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith(("flags", "Features", "model name")):
                    return cache.digest_key(platform.machine(), line)[:16]
    except OSError:
        pass
    return platform.machine()


def _compiler_identity(cc: str) -> str:
    st = os.stat(os.path.realpath(cc))
    return f"{os.path.realpath(cc)}:{st.st_size}:{st.st_mtime_ns}:{_cpu_fingerprint()}"


_PROBE_SOURCE = r"""
#include <stdint.h>
#include <math.h>
%s
int probe(const float* x, _Float16* y, float* z, int64_t n) {
    #pragma omp parallel for simd
    for (int64_t i = 0; i < n; ++i) { y[i] = (_Float16)x[i]; z[i] = tanhf(x[i]) + expf(x[i]); }
    return 7;
}
"""


def _try_build(cc: str, flags: list, libs: list, source: str) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "probe.c", Path(tmp) / "probe.so"
        src.write_text(source)
        done = subprocess.run([cc, *flags, str(src), "-o", str(out), *libs],
                              capture_output=True, text=True)
        if done.returncode != 0:
            return False
        try:
            return ctypes.CDLL(str(out)).probe(None, None, None, ctypes.c_int64(0)) == 7
        except OSError:
            return False


def _probe(cc: str) -> Optional[dict]:
    flags, libs = list(BASE_FLAGS), ["-lm"]
    plain = _PROBE_SOURCE % ""
    if not _try_build(cc, flags, libs, plain):
        return None
    if _try_build(cc, flags + ["-march=native"], libs, plain):
        flags.append("-march=native")
    openmp = _try_build(cc, flags + ["-fopenmp"], libs, plain)
    flags.append("-fopenmp" if openmp else "-fopenmp-simd")
    if not _try_build(cc, flags, libs, plain):
        flags.pop()
    libmvec = _try_build(cc, flags, libs + ["-lmvec"],
                         _PROBE_SOURCE % dialects.libmvec_declarations())
    if libmvec:
        libs.append("-lmvec")
    return {"flags": flags, "libs": libs, "openmp": openmp, "libmvec": libmvec}


def toolchain() -> Optional[Toolchain]:
    """The probed C toolchain, or None when this machine has no working C compiler."""
    if _toolchain:
        return _toolchain[0]
    with _lock:
        if not _toolchain:
            _toolchain.append(_load_toolchain())
    return _toolchain[0]


def _load_toolchain() -> Optional[Toolchain]:
    cc = find_compiler()
    if cc is None:
        return None
    identity = _compiler_identity(cc)
    key = cache.digest_key("toolchain", GENERATOR_VERSION, identity, " ".join(BASE_FLAGS))
    probed: list = []

    def write(path: Path) -> None:
        found = _probe(cc)
        probed.append(found)
        path.write_text(json.dumps(found))

    found = json.loads(cache.fetch("toolchain", key, ".json", write).read_text())
    if found is None:
        return None
    return Toolchain(cc, tuple(found["flags"]), tuple(found["libs"]), found["openmp"],
                     found["libmvec"], identity)


def library_key(tc: Toolchain, source: str) -> str:
    return cache.digest_key("c", GENERATOR_VERSION, tc.identity, " ".join(tc.flags),
                            " ".join(tc.libs), source)


def library(source: str, tc: Optional[Toolchain] = None) -> ctypes.CDLL:
    """The loaded shared library built from ``source`` (memory, then disk, then the compiler)."""
    tc = tc or toolchain()
    key = library_key(tc, source)
    lib = _libraries.get(key)
    if lib is not None:
        return lib

    def build(path: Path) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "kernel.c"
            src.write_text(source)
            done = subprocess.run([tc.cc, *tc.flags, str(src), "-o", str(path), *tc.libs],
                                  capture_output=True, text=True)
        if done.returncode != 0:
            raise CompileError(f"{tc.cc} failed on a generated kernel:\n{done.stderr[-4000:]}")

    path = cache.fetch("c", key, ".so", build)
    lib = ctypes.CDLL(str(path))
    threads.bind(lib)           # team sizes follow the free cores (see threads)
    _libraries[key] = lib
    return lib


def forget_loaded() -> None:
    """Drop the in-memory library cache (tests use it to exercise the disk cache)."""
    _libraries.clear()
