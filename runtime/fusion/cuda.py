"""CUDA kernels: compiled by NVRTC, launched through ``cupy.RawKernel``.

``ptx(source)`` compiles a kernel to PTX with NVRTC alone, which needs no driver or device:
the test suite checks every CUDA kernel it generates this way on machines without a GPU.
``raw_kernel(source, name)`` is the launchable kernel on a GPU (CuPy keeps its own binary
cache on disk; this module keeps the objects in memory).
"""
from __future__ import annotations

import glob
import os
from typing import Optional

from runtime.fusion import cache, cbuild

# Any architecture NVRTC knows checks the source; sm_75 is the oldest CUDA 12.9 does not
# call deprecated.
VERIFY_ARCH = "compute_75"

_kernels: dict = {}


class NVRTCUnavailable(RuntimeError):
    """NVRTC cannot be loaded here (install cupy-cuda12x and nvidia-cuda-nvrtc-cu12)."""


def include_dirs() -> list:
    """Folders holding ``cuda_fp16.h``: the CUDA toolkit (``$CUDA_PATH``, /usr/local/cuda*) or
    the ``nvidia-cuda-runtime`` wheels."""
    candidates = []
    for var in ("CUDA_PATH", "CUDA_HOME"):
        if os.environ.get(var):
            candidates.append(os.path.join(os.environ[var], "include"))
    candidates += sorted(glob.glob("/usr/local/cuda*/include"), reverse=True)
    try:
        import nvidia
        for root in nvidia.__path__:
            candidates += glob.glob(os.path.join(root, "cuda_runtime", "include"))
    except ImportError:
        pass
    for d in candidates:
        if os.path.exists(os.path.join(d, "cuda_fp16.h")):
            return [d]
    return []


def _nvrtc():
    try:
        from cupy_backends.cuda.libs import nvrtc
        nvrtc.getVersion()
    except Exception as e:  # ImportError, or the NVRTC library failing to load
        raise NVRTCUnavailable(f"NVRTC is unavailable: {type(e).__name__}: {e}") from None
    return nvrtc


def nvrtc_version() -> Optional[tuple]:
    try:
        return tuple(_nvrtc().getVersion())
    except NVRTCUnavailable:
        return None


def options(arch: str = VERIFY_ARCH) -> list:
    return [f"--gpu-architecture={arch}", "--std=c++17"] + [f"-I{d}" for d in include_dirs()]


def ptx(source: str, arch: str = VERIFY_ARCH) -> str:
    """PTX for ``source`` (cached on disk); raises ``cbuild.CompileError`` with NVRTC's log."""
    nvrtc = _nvrtc()
    opts = options(arch)
    key = cache.digest_key("ptx", cbuild.GENERATOR_VERSION, repr(nvrtc.getVersion()),
                           " ".join(opts), source)

    def build(path) -> None:
        prog = nvrtc.createProgram(source, "kernel.cu", [], [])
        try:
            nvrtc.compileProgram(prog, opts)
            code = nvrtc.getPTX(prog)
        except nvrtc.NVRTCError:
            raise cbuild.CompileError("NVRTC rejected a generated kernel:\n"
                                      + nvrtc.getProgramLog(prog)[-4000:]) from None
        finally:
            nvrtc.destroyProgram(prog)
        path.write_bytes(code if isinstance(code, bytes) else code.encode())

    return cache.fetch("ptx", key, ".ptx", build).read_text()


def raw_kernel(source: str, name: str):
    """The ``cupy.RawKernel`` named ``name`` in ``source`` (needs a CUDA device)."""
    key = (source, name)
    kernel = _kernels.get(key)
    if kernel is None:
        import cupy
        opts = tuple(o for o in options() if o.startswith("-I")) + ("--std=c++17",)
        kernel = cupy.RawKernel(source, name, options=opts)
        _kernels[key] = kernel
    return kernel


def grid_for(n: int, block: int = 256) -> int:
    """Blocks for ``n`` elements: enough to cover them, capped (the loops are grid-stride)
    at a few waves of the device's multiprocessors."""
    import cupy
    sms = cupy.cuda.Device().attributes["MultiProcessorCount"]
    return max(1, min((n + block - 1) // block, sms * 32))
