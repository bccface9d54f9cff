"""Running one fused group: pick the specialization for the call's layout, compile it once,
launch it (C through ctypes on NumPy arrays, CUDA through CuPy on CuPy arrays).

A ``FusedProgram`` belongs to the sub-graph of one ``Fused`` node (``program_for(sub)``).
Everything a call needs beyond its arrays (the compiled function, scalar parameters, output
shapes) is prepared the first time a layout is seen and looked up afterwards, so a warm call
costs a dict lookup, a look at the team size (``threads.fit``), one ``ctypes`` call and the
output allocations.

When a kernel's checks fire (an integer division by zero, a negative integer power) the
group is re-run by the interpreter, which raises the op's own error for the op's own line.
"""
from __future__ import annotations

import ctypes
import dataclasses
import hashlib
import re
import warnings
from typing import Optional

import numpy as np

from runtime.graph import Graph
from runtime.fusion import cbuild, cuda, dialects, kir, layout, render, threads


def program_for(sub: Graph, name: str) -> "FusedProgram":
    """The program of a ``Fused`` node's sub-graph; ``name`` is the kernel's name, with or
    without its 4-hex-digit tag."""
    prog = sub.__dict__.get("_fused_program")
    if prog is None:
        prog = sub._fused_program = FusedProgram(sub, re.sub(r"_[0-9a-f]{4}$", "", name))
    return prog


class _Shape:
    """Stands for an array of a static shape (unknown dims taken as 2: neither 1 nor 0)."""

    def __init__(self, value):
        self.shape = tuple(2 if d is None else d for d in value.shape)
        self.dtype = value.dtype.np
        self.size = int(np.prod(self.shape, dtype=np.int64)) if self.shape else 1
        strides, step = [], self.dtype.itemsize
        for d in reversed(self.shape):
            strides.append(step)
            step *= max(d, 1)
        self.strides = tuple(reversed(strides))
        self.flags = np.empty(0).flags


class _CLaunch:
    __slots__ = ("fn", "layout", "out_dtypes")

    def __init__(self, fn, lay, out_dtypes):
        self.fn, self.layout, self.out_dtypes = fn, lay, out_dtypes


_INTERPRET = object()
_warned: set = set()


def warn_once(key: str, message: str) -> None:
    if key not in _warned:
        _warned.add(key)
        warnings.warn(message, RuntimeWarning, stacklevel=3)


class FusedProgram:
    def __init__(self, sub: Graph, name: str):
        self.sub = sub
        self.base = name
        self.structure = kir.analyse(sub)
        self.cones = _cones(sub, self.structure)
        self._kernels: dict = {}        # spec -> Kernel
        self._launches: dict = {}       # (shapes, strides) -> _CLaunch | _INTERPRET
        self._cuda_launches: dict = {}

    # ---- kernels ----------------------------------------------------------------------
    def layout_for(self, arrays) -> Optional[layout.Layout]:
        return layout.plan(self.structure, self.sub, arrays, self.cones)

    def static_layout(self) -> Optional[layout.Layout]:
        return self.layout_for([_Shape(v) for v in self.sub.inputs])

    def kernel(self, spec) -> kir.Kernel:
        found = self._kernels.get(spec)
        if found is None:
            body_t, epi_t, dims, index, strided = spec
            st = self.structure
            draft = kir.lower(self.sub, "KERNEL", dict(zip(st.body_inputs, body_t)),
                              dict(zip(st.epilogue_inputs, epi_t)), index, dims, dict(strided))
            tag = hashlib.sha256(repr(draft).encode()).hexdigest()[:4]
            found = self._kernels[spec] = dataclasses.replace(draft, name=f"{self.base}_{tag}")
        return found

    def source(self, spec, target: str) -> str:
        k = self.kernel(spec)
        if target == "c":
            tc = cbuild.toolchain()
            prelude = tc.prelude if tc is not None else dialects.c_prelude(False)
            return render.render(k, dialects.C, prelude)
        if target == "cuda":
            return render.render(k, dialects.CUDA, dialects.CUDA_PRELUDE)
        raise ValueError(f"unknown kernel target {target!r}; use 'c' or 'cuda'")

    def build_c(self, spec):
        """The ctypes function of a specialization (compiled on first use)."""
        tc = cbuild.toolchain()
        k = self.kernel(spec)
        lib = cbuild.library(self.source(spec, "c"), tc)
        fn = getattr(lib, k.name)
        idx = ctypes.c_int32 if k.index == "int32" else ctypes.c_int64
        fn.argtypes = [ctypes.c_void_p] * len(k.args) + [idx] * len(render.scalar_params(k))
        fn.restype = ctypes.c_int
        return fn

    # ---- running ----------------------------------------------------------------------
    def interpret(self, arrays, xp):
        from runtime.interpreter import plan_for
        return tuple(plan_for(self.sub).run(list(arrays), xp))

    def run(self, xp, arrays) -> tuple:
        if xp is np:
            return self.run_c(arrays)
        return self.run_cuda(xp, arrays)

    def run_c(self, arrays) -> tuple:
        key = tuple((a.shape, a.strides) for a in arrays)
        launch = self._launches.get(key)
        if launch is None:
            launch = self._launches[key] = self._prepare_c(arrays)
        if launch is _INTERPRET:
            return self.interpret(arrays, np)
        arrays = [a if a.__class__ is np.ndarray else np.asarray(a) for a in arrays]
        lay = launch.layout
        for k, shape in lay.materialize:
            arrays[k] = np.ascontiguousarray(np.broadcast_to(arrays[k], shape))
        st = self.structure
        outs = [np.empty(s, d) for s, d in zip(lay.out_shapes, launch.out_dtypes)]
        ptrs = [arrays[k].ctypes.data for k in st.body_inputs]
        ptrs += [arrays[k].ctypes.data for k in st.epilogue_inputs]
        ptrs += [o.ctypes.data for o in outs]
        threads.fit()
        if launch.fn(*ptrs, *lay.scalars):
            return self.interpret(arrays, np)       # raises the op's own error
        return tuple(o if o.ndim else o[()] for o in outs)

    def _prepare_c(self, arrays):
        lay = self.layout_for(arrays)
        if lay is None:
            return _INTERPRET
        if cbuild.toolchain() is None:
            warn_once("no-cc", "jit_compile: no C compiler found (set $CC or install cc); "
                               "fused groups run in the interpreter")
            return _INTERPRET
        try:
            fn = self.build_c(lay.spec)
        except cbuild.CompileError as e:
            warn_once(f"cc:{self.base}", f"jit_compile: kernel {self.base} failed to build and "
                                         f"runs in the interpreter: {e}")
            return _INTERPRET
        return _CLaunch(fn, lay, [v.dtype.np for v in self.sub.outputs])

    def run_cuda(self, xp, arrays) -> tuple:
        key = tuple((a.shape, a.strides) for a in arrays)
        lay = self._cuda_launches.get(key)
        if lay is None:
            lay = self._cuda_launches[key] = self.layout_for(arrays) or _INTERPRET
        if lay is _INTERPRET:
            return self.interpret(arrays, xp)
        k = self.kernel(lay.spec)
        source = self.source(lay.spec, "cuda")
        arrays = [xp.asarray(a) for a in arrays]
        for j, shape in lay.materialize:
            arrays[j] = xp.ascontiguousarray(xp.broadcast_to(arrays[j], shape))
        outs = [xp.empty(s, v.dtype.np) for s, v in zip(lay.out_shapes, self.sub.outputs)]
        status = xp.zeros(1, np.int32) if k.checks else None
        grid = cuda.grid_for(max(lay.nout if k.kind == "reduce_axis" else lay.n, 1), BLOCK)
        partial = xp.empty(grid, k.reduction.acc.np) if k.kind == "reduce_all" else None
        for name, blocks, threads, args in launches(k, lay, self.structure, arrays, outs, grid,
                                                    partial, status):
            cuda.raw_kernel(source, name)((blocks,), (threads,), tuple(args))
        if status is not None and int(status.get()[0]):
            return self.interpret(arrays, xp)
        return tuple(outs)


# Threads per block of CUDA launches (the prelude's AG_BLOCK, which reductions rely on).
BLOCK = 256


def launches(k: kir.Kernel, lay: layout.Layout, st: kir.Structure, arrays, outs, grid: int,
             partial, status) -> list:
    """The CUDA launches of kernel ``k``: (kernel name, blocks, threads, arguments), with the
    arguments in ``render``'s parameter order."""
    idx = np.int32 if k.index == "int32" else np.int64
    scalars = [idx(s) for s in lay.scalars]
    body = [arrays[j] for j in st.body_inputs]
    epi = [arrays[j] for j in st.epilogue_inputs]
    extra = [status] if status is not None else []
    if k.kind != "reduce_all":
        return [(k.name, grid, BLOCK, [*body, *epi, *outs, *scalars, *extra])]
    return [(k.name, grid, BLOCK, [*body, *epi, *outs, *scalars, partial, *extra]),
            (k.name + "_final", 1, 1, [partial, np.int32(grid), *epi, *outs, idx(lay.n),
                                       *extra])]


def _cones(sub: Graph, st: kir.Structure) -> list:
    """Per output (and, last, the reduction's input): the sub-graph inputs it depends on."""
    index = {v: i for i, v in enumerate(sub.inputs)}
    deps: dict = {}
    for v in sub.inputs:
        deps[v] = {index[v]}
    for v, _ in sub.captures:
        deps[v] = set()
    for n in sub.nodes:
        d = set().union(*[deps[v] for v in n.inputs]) if n.inputs else set()
        for o in n.outputs:
            deps[o] = d
    cones = [sorted(deps[v]) for v in sub.outputs]
    if st.reduction is not None:
        cones.append(sorted(deps[st.reduction.inputs[0]]))
    return cones
