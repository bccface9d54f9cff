"""Array backends and devices: NumPy serves the CPU, CuPy a CUDA GPU.

CuPy is imported only when a GPU is first asked for, so ``import autograph`` stays cheap
and works where CuPy is absent.
"""
from __future__ import annotations

import contextlib
import re
from typing import NamedTuple, Optional

import numpy as np

CPU = "/job:localhost/replica:0/task:0/device:CPU:0"


class DeviceError(RuntimeError):
    """A device was asked for that this machine cannot provide."""


class PhysicalDevice(NamedTuple):
    name: str
    device_type: str


_cupy = None
_cupy_error: Optional[str] = None
# True once any CuPy array exists; until then hot paths may assume NumPy without checking.
gpu_in_use = False
# Stack of (kind, index) set by ``ag.device``; empty means CPU.
_device_stack: list = []

_DEVICE_RE = re.compile(r"^/?(?:job:\w+/)?(?:replica:\d+/)?(?:task:\d+/)?(?:device:)?(cpu|gpu)(?::(\d+))?$",
                        re.IGNORECASE)


def parse_device(name: str) -> tuple[str, int]:
    """``"GPU:0"``, ``"/gpu:1"``, ``"/device:CPU:0"``, ``"cpu"`` -> ``("GPU", 0)`` etc."""
    m = _DEVICE_RE.match(name.strip()) if isinstance(name, str) else None
    if m is None:
        raise ValueError(f"cannot parse device name {name!r}; use 'CPU:0' or 'GPU:<index>'")
    return m.group(1).upper(), int(m.group(2) or 0)


def device_string(kind: str, index: int) -> str:
    return f"/job:localhost/replica:0/task:0/device:{kind}:{index}"


def _load_cupy():
    """Import CuPy once; remember why it failed so every later request says the same."""
    global _cupy, _cupy_error
    if _cupy is None and _cupy_error is None:
        try:
            import cupy
            if cupy.cuda.runtime.getDeviceCount() < 1:
                raise RuntimeError("CuPy found no CUDA device")
            _cupy = cupy
        except ImportError:
            _cupy_error = "CuPy is not installed (pip install 'autograph[gpu]')"
        except Exception as e:  # CUDA driver/runtime errors come in many types
            _cupy_error = f"no usable CUDA device: {e}"
    return _cupy


def gpu_count() -> int:
    cp = _load_cupy()
    return 0 if cp is None else cp.cuda.runtime.getDeviceCount()


def require_gpu(index: int = 0):
    """Return the CuPy module if device ``index`` exists, or raise DeviceError saying why not.

    It does not change CuPy's current device; ``device`` and ``to_device`` select it for just
    as long as they need it.
    """
    global gpu_in_use
    cp = _load_cupy()
    if cp is None:
        raise DeviceError(f"GPU:{index} was requested but {_cupy_error}; run on 'CPU:0' instead")
    if index >= cp.cuda.runtime.getDeviceCount():
        raise DeviceError(f"GPU:{index} was requested but this machine has "
                          f"{cp.cuda.runtime.getDeviceCount()} GPU(s)")
    gpu_in_use = True
    return cp


def current_device() -> tuple[str, int]:
    return _device_stack[-1] if _device_stack else ("CPU", 0)


def current_xp():
    """Array module for creating new arrays on the current device."""
    if not _device_stack or _device_stack[-1][0] == "CPU":
        return np
    return require_gpu(_device_stack[-1][1])


@contextlib.contextmanager
def device(name: str):
    """Place new tensors on ``name`` ("CPU:0", "GPU:0") within the block, as ``tf.device``.

    ``None`` or ``""`` asks for no particular device: placement stays as it is.
    """
    if name is None or name == "":
        yield
        return
    kind, index = parse_device(name)
    cuda_device = contextlib.nullcontext()
    if kind == "GPU":
        cuda_device = require_gpu(index).cuda.Device(index)
    _device_stack.append((kind, index))
    try:
        with cuda_device:  # new CuPy arrays land on this GPU; the previous one returns after
            yield
    finally:
        _device_stack.pop()


def array_module(array):
    """NumPy or CuPy, whichever owns ``array``."""
    if gpu_in_use and type(array).__module__.startswith("cupy"):
        return _cupy
    return np


def device_of(array) -> str:
    if gpu_in_use and type(array).__module__.startswith("cupy"):
        return device_string("GPU", array.device.id)
    return CPU


def to_numpy(array):
    """A NumPy view or copy of a backend array (copies from the GPU)."""
    if gpu_in_use and type(array).__module__.startswith("cupy"):
        return array.get()
    return array


def to_device(array, kind: str, index: int = 0):
    if kind == "GPU":
        cp = require_gpu(index)
        with cp.cuda.Device(index):
            return cp.asarray(array)
    return to_numpy(array)


def list_physical_devices(device_type: Optional[str] = None) -> list:
    """Devices this process can use, like ``tf.config.list_physical_devices``."""
    found = [PhysicalDevice("/physical_device:CPU:0", "CPU")]
    if device_type is None or device_type.upper() == "GPU":
        found += [PhysicalDevice(f"/physical_device:GPU:{i}", "GPU") for i in range(gpu_count())]
    if device_type is not None:
        found = [d for d in found if d.device_type == device_type.upper()]
    return found
