"""Fusion and kernel generation for ``jit_compile=True``.

    compile_graph(graph, target="c") -> Graph     the graph with fused groups as ``Fused`` nodes
    kernel_sources(graph, target) -> list[str]    the generated source of each kernel
    explain(graph) -> list[str]                   why nodes stayed outside kernels

Modules, one job each:

- ``support``: which ops, dtypes and reductions a kernel can hold (refusals as reasons);
- ``grouping``: the pass's analysis (groups, compilable loops, notes);
- ``rewrite``: the graph with ``Fused`` / ``FusedWhile`` nodes (``fused_ops`` declares them);
- ``kir``: the kernel IR and its lowering from a group's sub-graph;
- ``dialects`` + ``render``: one renderer, a C and a CUDA dialect table;
- ``layout``: a call's arrays -> kernel specialization and scalar parameters;
- ``program``: running a group (C via ``cbuild``, CUDA via ``cuda``); ``loops``: scalar loops;
- ``threads``: how many OpenMP threads a C kernel uses (the cores other processes leave free);
- ``cache``: the on-disk kernel cache (``$AUTOGRAPH_CACHE_DIR``, default ~/.cache/autograph).
"""
from __future__ import annotations

from runtime.graph import Graph

TARGETS = ("c", "cuda")


def compile_graph(graph: Graph, target: str = "c") -> Graph:
    """``graph`` with each fusible group replaced by one ``Fused`` node and each scalar
    ``While`` by a ``FusedWhile`` node. ``target`` is where it will run: for ``"c"`` the
    kernels of fully known shapes are built now (so the first call does not wait), and
    without a C compiler the graph is returned unchanged (with one warning) to run in the
    interpreter. ``"cuda"`` kernels are compiled by CuPy at their first launch. Either way a
    ``Fused`` node runs the kernel of the device its inputs live on."""
    from runtime.fusion import cbuild, grouping, program, rewrite
    from runtime.passes import dce
    if target not in TARGETS:
        raise ValueError(f"unknown kernel target {target!r}; use one of {TARGETS}")
    if target == "c" and cbuild.toolchain() is None:
        program.warn_once("no-cc", "jit_compile: no C compiler found (set $CC or install cc); "
                                   "the function runs in the interpreter")
        return graph
    part = grouping.partition(graph)
    new = dce.run(rewrite.rewrite(graph, part))   # drops constants now inside kernels
    new.fusion_notes = list(part.notes)
    if target == "c":
        _prebuild(new)
    return new


def _prebuild(graph: Graph) -> None:
    from runtime.fusion import cbuild, loops, program
    for node in graph.nodes:
        try:
            if node.op.name == "Fused":
                prog = program.program_for(node.attrs["graph"], node.attrs["name"])
                if all(None not in v.shape for v in prog.sub.inputs):
                    lay = prog.static_layout()
                    if lay is not None:
                        prog.build_c(lay.spec)
            elif node.op.name == "FusedWhile":
                _loop_program(node, loops).fn()
        except cbuild.CompileError as e:
            program.warn_once(f"cc:{node.attrs.get('name', node.op.name)}",
                              f"jit_compile: a kernel failed to build and runs in the "
                              f"interpreter: {e}")


def _loop_program(node, loops):
    n = node.attrs["n_vars"]
    return loops.program_for(node.attrs, tuple(v.dtype for v in node.outputs),
                             tuple(v.dtype for v in node.inputs[n:]))


def kernel_sources(graph: Graph, target: str = "c") -> list:
    """The source of every kernel in a compiled graph, in node order. Groups whose shapes
    are not fully known are rendered for their typical layout (unknown dims neither 0 nor
    1). Scalar loops are C only and are left out of ``"cuda"``."""
    from runtime.fusion import loops, program
    if target not in TARGETS:
        raise ValueError(f"unknown kernel target {target!r}; use one of {TARGETS}")
    sources = []
    for node in graph.nodes:
        if node.op.name == "Fused":
            prog = program.program_for(node.attrs["graph"], node.attrs["name"])
            lay = prog.static_layout()
            if lay is not None:
                sources.append(prog.source(lay.spec, target))
        elif node.op.name == "FusedWhile" and target == "c":
            sources.append(_loop_program(node, loops).source())
    return sources


def explain(graph: Graph) -> list:
    """Why nodes of a compiled graph stayed outside kernels (one line each)."""
    return list(getattr(graph, "fusion_notes", ()))
