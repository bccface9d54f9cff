"""Shared oracles for the fusion tests: the interpreter on the unfused graph is the truth.

``check(fn, *arrays)`` traces ``fn`` (jit off), compiles the optimized graph for the C
target, runs both graphs and compares every output (dtype, shape, values, NaN positions).
Every CUDA kernel it generates is also compiled to PTX with NVRTC when NVRTC is available
(``test_render.test_nvrtc_is_available`` reports, as a skip, when it is not).
"""
from __future__ import annotations

import numpy as np

import autograph as ag
from runtime import fusion
from runtime.fusion import cuda, program
from runtime.interpreter import plan_for


def traced(fn, *arrays):
    """The optimized (unfused) graph of ``fn`` traced for ``arrays``."""
    cf = ag.function(fn).get_concrete_function(*[ag.constant(a) for a in arrays])
    return cf.optimized_graph


def kernels(graph) -> list:
    return [n for n in graph.nodes if n.op.name in ("Fused", "FusedWhile")]


def verify_cuda(graph) -> list:
    """Compile the CUDA twin of every kernel of ``graph`` to PTX (when NVRTC is here): the
    static layout's and every specialization calls have made so far. Returns the PTX."""
    if cuda.nvrtc_version() is None:
        return []
    sources = fusion.kernel_sources(graph, "cuda")
    for node in kernels(graph):
        if node.op.name == "Fused":
            prog = program.program_for(node.attrs["graph"], node.attrs["name"])
            sources += [prog.source(spec, "cuda") for spec in list(prog._kernels)]
    return [cuda.ptx(src) for src in dict.fromkeys(sources)]


def compile_c(graph):
    """``fusion.compile_graph(graph, "c")``, its CUDA twins checked by NVRTC."""
    fused = fusion.compile_graph(graph, "c")
    verify_cuda(fused)
    return fused


def assert_same(got, want, rtol=0.0, atol=0.0):
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype, f"dtype {got.dtype}, interpreter {want.dtype}"
    assert got.shape == want.shape, f"shape {got.shape}, interpreter {want.shape}"
    if want.dtype.kind == "f":
        assert np.array_equal(np.isnan(got), np.isnan(want)), "NaN positions differ"
        if rtol or atol:
            np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)
        else:
            np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_array_equal(got, want)


def run_both(graph, arrays):
    fused = fusion.compile_graph(graph, "c")
    want = plan_for(graph).run(list(arrays))
    got = plan_for(fused).run(list(arrays))
    verify_cuda(fused)
    return fused, got, want


def check(fn, *arrays, rtol=0.0, atol=0.0, cuda_ptx=True):
    """Compiled graph of ``fn``, after checking it against the interpreter."""
    graph = traced(fn, *arrays)
    fused, got, want = run_both(graph, arrays)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert_same(g, w, rtol, atol)
    if cuda_ptx:
        verify_cuda(fused)
    return fused
