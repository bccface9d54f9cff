"""How one call's arrays meet a kernel: access classes, coalesced dims, index width.

Computed from the arrays' shapes and strides (NumPy and CuPy alike) once per distinct
layout and cached by the runner, so a warm call only looks its layout up. A layout decides
which kernel specialization runs (``Layout.spec``: the access classes, dims and index width)
and the values of its scalar parameters; sizes are parameters, so one compiled kernel serves
every size with the same pattern.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from runtime.fusion import kir, support

# 64-bit integer division is slow (on GPUs especially), so index math uses 32 bits when every
# index and offset stays below this bound; the margin covers a grid-stride step past n.
INT32_LIMIT = 1 << 30


@dataclass
class Layout:
    spec: tuple               # (body access, epilogue access, dims, index, strided dims)
    body_access: dict         # input index -> "c" / "s" / "g"
    epilogue_access: dict
    dims: int
    index: str
    scalars: list             # scalar parameter values (render.scalar_params order)
    out_shapes: list          # per output
    n: int                    # domain elements
    nout: int                 # reduced elements (map kernels: n)
    materialize: tuple        # epilogue inputs that must be made contiguous first


def _shape(a) -> tuple:
    return tuple(a.shape)


def _element_strides(a) -> Optional[tuple]:
    item = a.dtype.itemsize
    if any(s % item for s in a.strides):
        return None
    return tuple(s // item for s in a.strides)


def _contiguous(a) -> bool:
    return bool(getattr(a, "flags", None) is None or a.flags.c_contiguous)


def _static(shape) -> tuple:
    return tuple(1 if d is None else d for d in shape)


def plan(st: kir.Structure, sub, arrays, cones: list) -> Optional[Layout]:
    """The layout of ``arrays`` (the sub-graph's inputs), or None when this call's shapes do
    not fit one kernel (an output smaller than the domain: only possible with unknown dims)."""
    shapes = [_shape(a) for a in arrays]
    body_shapes = [shapes[k] for k in st.body_inputs]
    statics = [_static(n.outputs[0].shape) for n in st.body]
    if st.reduction is not None:
        statics.append(_static(st.reduction.inputs[0].shape))
    try:
        domain = tuple(np.broadcast_shapes(*body_shapes, *statics))
    except ValueError:
        return None
    # Every value the kernel writes (or reduces) must span its whole space.
    if st.reduction is None:
        for j, v in enumerate(sub.outputs):
            if _cone_shape(cones[j], shapes, v.shape) != domain:
                return None
    elif _cone_shape(cones[-1], shapes, st.reduction.inputs[0].shape) != domain:
        return None

    n = int(np.prod(domain, dtype=np.int64)) if domain else 1
    body_access, strides = {}, {}
    for k in st.body_inputs:
        a = arrays[k]
        es = _element_strides(a) if hasattr(a, "strides") else ()
        if a.size == 1 or n == 0:
            body_access[k] = "s"
        elif shapes[k] == domain and _contiguous(a):
            body_access[k] = "c"
        elif es is None:
            return None
        else:
            body_access[k] = "g"
            pad = len(domain) - len(shapes[k])
            strides[k] = [0] * pad + [0 if d == 1 else s for d, s in zip(shapes[k], es)]
    dims, sizes, general = _coalesce(domain, strides)

    scalars = [n]
    nout, out_shapes = n, [domain] * len(sub.outputs)
    epilogue_access, materialize = {}, []
    max_offset = n
    if st.reduction is not None:
        axis = tuple(st.reduction.attrs["axis"])
        keep = st.reduction.attrs["keepdims"]
        reduced = tuple(1 if i in axis else d for i, d in enumerate(domain)) if keep else \
            tuple(d for i, d in enumerate(domain) if i not in axis)
        nout = int(np.prod(reduced, dtype=np.int64)) if reduced else 1
        if not support.reduces_all(st.reduction):
            a = axis[0]
            rsize = domain[a]
            inner = int(np.prod(domain[a + 1:], dtype=np.int64)) if domain[a + 1:] else 1
            scalars += [nout, rsize, inner]
        for k in st.epilogue_inputs:
            s = shapes[k]
            try:
                if tuple(np.broadcast_shapes(s, reduced)) != reduced:
                    return None
            except ValueError:
                return None
            size = int(np.prod(s, dtype=np.int64)) if s else 1
            if size == 1:
                epilogue_access[k] = "s"
            else:
                epilogue_access[k] = "c"
                if not (size == nout and _contiguous(arrays[k])):
                    materialize.append((k, reduced))
        out_shapes = [reduced] * len(sub.outputs)
    scalars += sizes[1:]
    strided = {}
    for k in st.body_inputs:
        if body_access[k] == "g":
            strided[k] = tuple(d for d, s in enumerate(general[k]) if s != 0)
            scalars += [general[k][d] for d in strided[k]]
            max_offset = max(max_offset, sum(abs(s) * (d - 1) for s, d in zip(general[k], sizes)))
    index = "int32" if max_offset < INT32_LIMIT and n < INT32_LIMIT else "int64"
    body_t = tuple(body_access[k] for k in st.body_inputs)
    epi_t = tuple(epilogue_access[k] for k in st.epilogue_inputs)
    dims = dims if general else 0
    spec = (body_t, epi_t, dims, index, tuple(sorted(strided.items())))
    return Layout(spec, body_access, epilogue_access, dims, index, scalars, out_shapes, n, nout,
                  tuple(materialize))


def _cone_shape(inputs: list, shapes: list, static: tuple) -> tuple:
    return tuple(np.broadcast_shapes(_static(static), *[shapes[k] for k in inputs]))


def _coalesce(domain: tuple, strides: dict):
    """Drop size-1 dims and merge neighbours that every general argument walks as one
    (stride[d] == stride[d+1] * size[d+1]); returns (dims, sizes, strides per argument)."""
    keep = [d for d, size in enumerate(domain) if size != 1]
    sizes = [domain[d] for d in keep]
    per = {k: [s[d] for d in keep] for k, s in strides.items()}
    d = len(sizes) - 2
    while d >= 0:
        if all(s[d] == s[d + 1] * sizes[d + 1] for s in per.values()):
            sizes[d] *= sizes[d + 1]
            del sizes[d + 1]
            for s in per.values():
                s[d] = s[d + 1]
                del s[d + 1]
        d -= 1
    if not sizes:
        sizes = [1]
        per = {k: [0] for k in per}
    return len(sizes), sizes, per
