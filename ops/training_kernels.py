"""Native (C) loops for the fused optimizer updates, with the NumPy expressions as fallback.

``ApplyAdam``'s NumPy kernel makes nine passes over each variable (one per array operation);
for the small variables of a typical model those passes, and their temporaries, cost more than
the arithmetic. The loop below does the same float operations per element, in the same order
and the same dtype, in one pass: IEEE rounding is per operation, and the build keeps it
(``-ffp-contract=off``, no fast-math; sqrt and division are correctly rounded in both), so the
results are bitwise equal to the NumPy kernel's. It is built with the compiler the fused
kernels use (``runtime.fusion.cbuild``: cached on disk, no compiler -> NumPy).
"""
from __future__ import annotations

import ctypes
import threading
from typing import Callable, Optional

import numpy as np

_ADAM = """
#include <math.h>
#include <stdint.h>
#define ADAM(T, NAME, SQRT)                                                            \\
void NAME(const T* restrict g, const T* restrict m, const T* restrict v,               \\
          const T* restrict w, T* restrict m_out, T* restrict v_out, T* restrict w_out, \\
          int64_t n, T one_minus_beta_1, T one_minus_beta_2, T alpha, T epsilon) {      \\
    for (int64_t i = 0; i < n; ++i) {                                                   \\
        const T gi = g[i], mi = m[i], vi = v[i];                                        \\
        T m_new = gi - mi;                                                              \\
        m_new = m_new * one_minus_beta_1;                                               \\
        m_new = m_new + mi;                                                             \\
        T v_new = gi * gi;                                                              \\
        v_new = v_new - vi;                                                             \\
        v_new = v_new * one_minus_beta_2;                                               \\
        v_new = v_new + vi;                                                             \\
        T denominator = SQRT(v_new);                                                    \\
        denominator = denominator + epsilon;                                            \\
        T update = m_new * alpha;                                                       \\
        update = update / denominator;                                                  \\
        m_out[i] = m_new;                                                               \\
        v_out[i] = v_new;                                                               \\
        w_out[i] = w[i] - update;                                                       \\
    }                                                                                   \\
}
ADAM(float, ag_adam_f32, sqrtf)
ADAM(double, ag_adam_f64, sqrt)
"""

# Below this many elements NumPy's nine passes cost less than the call (seven pointers
# through ctypes, about 8 us); above it the one pass wins, by 10x once NumPy's temporaries
# are large enough to be mapped fresh from the OS (128 KiB).
NATIVE_MIN_SIZE = 8192

_C_TYPES = {np.dtype(np.float32): ("ag_adam_f32", ctypes.c_float),
            np.dtype(np.float64): ("ag_adam_f64", ctypes.c_double)}
_loaded: dict = {}
_lock = threading.Lock()


def _adam_function(dtype: np.dtype) -> Optional[Callable]:
    """The C Adam loop for ``dtype`` (float32/float64), or None (no compiler, other dtype)."""
    if dtype not in _C_TYPES:
        return None
    if dtype not in _loaded:
        with _lock:
            if dtype not in _loaded:
                _loaded[dtype] = _build(dtype)
    return _loaded[dtype]


def _build(dtype: np.dtype) -> Optional[Callable]:
    from runtime.fusion import cbuild
    if cbuild.toolchain() is None:
        return None
    try:
        lib = cbuild.library(_ADAM)
    except (cbuild.CompileError, OSError):
        return None
    name, scalar = _C_TYPES[dtype]
    fn = getattr(lib, name)
    fn.restype = None
    fn.argtypes = [ctypes.c_void_p] * 7 + [ctypes.c_int64] + [scalar] * 4
    return fn


def adam(w: np.ndarray, m: np.ndarray, v: np.ndarray, g: np.ndarray, one_minus_beta_1,
         one_minus_beta_2, alpha, epsilon) -> Optional[tuple]:
    """``(w_new, m_new, v_new)`` computed by the C loop, or None when it cannot run here or
    would not be faster (no compiler, another dtype, arrays of different shapes, fewer than
    ``NATIVE_MIN_SIZE`` elements); the caller then uses NumPy."""
    dtype = w.dtype
    if not (m.dtype == v.dtype == g.dtype == dtype and w.shape == m.shape == v.shape == g.shape):
        return None
    if w.size < NATIVE_MIN_SIZE:
        return None
    fn = _adam_function(dtype)
    if fn is None:
        return None
    w, m, v, g = (np.ascontiguousarray(a) for a in (w, m, v, g))
    w_new, m_new, v_new = np.empty_like(w), np.empty_like(w), np.empty_like(w)
    fn(g.ctypes.data, m.ctypes.data, v.ctypes.data, w.ctypes.data, m_new.ctypes.data,
       v_new.ctypes.data, w_new.ctypes.data, w.size, one_minus_beta_1, one_minus_beta_2,
       alpha, epsilon)
    return w_new, m_new, v_new
