"""The two ops fusion puts into optimized graphs, so the interpreter runs them unchanged.

``Fused{name}(inputs...)``: one kernel; ``attrs["graph"]`` is the group's sub-graph (the
printer shows it indented), its inputs the node's inputs, its outputs the node's outputs.
``FusedWhile``: a ``While`` whose loop runs as one C function on the CPU; it keeps the
``While`` attrs (so its sub-graphs print, and a GPU call runs them as the interpreter would).
"""
from __future__ import annotations

import numpy as np

from runtime.dtypes import as_dtype
from runtime.registry import NOT_DIFFERENTIABLE, OPS, OpDef, register
from runtime.fusion import program as program_mod


def _fused_infer(*specs, name, graph):
    return [v.spec for v in graph.outputs]


def _fused_kernel(xp, *arrays, name, graph):
    return program_mod.program_for(graph, name).run(xp, arrays)


def _while_infer(*specs, cond_graph, body_graph, n_vars, cond_idx, body_idx):
    return [v.spec for v in body_graph.inputs]


def _interpret_while(xp, args, attrs):
    from runtime.interpreter import plan_for
    n = attrs["n_vars"]
    loop_vars, caps = list(args[:n]), args[n:]
    cond_caps = [caps[i] for i in attrs["cond_idx"]]
    body_caps = [caps[i] for i in attrs["body_idx"]]
    cond, body = plan_for(attrs["cond_graph"]), plan_for(attrs["body_graph"])
    while cond.run(loop_vars + cond_caps, xp)[0]:
        loop_vars = body.run(loop_vars + body_caps, xp)
    return tuple(loop_vars)


def _while_kernel(xp, *args, **attrs):
    from runtime.fusion import cbuild, loops
    if xp is np and cbuild.toolchain() is not None:
        n = attrs["n_vars"]
        prog = loops.program_for(attrs, tuple(v.dtype for v in attrs["body_graph"].inputs),
                                 tuple(as_dtype(np.asarray(a).dtype) for a in args[n:]))
        out = prog.run(args)
        if out is not None:
            return out
    return _interpret_while(xp, args, attrs)     # a GPU call, or re-run to raise the error


def _register(op: OpDef) -> OpDef:
    return OPS[op.name] if op.name in OPS else register(op)


FUSED = _register(OpDef("Fused", _fused_kernel, _fused_infer, NOT_DIFFERENTIABLE, multi=True))
FUSED_WHILE = _register(OpDef("FusedWhile", _while_kernel, _while_infer, NOT_DIFFERENTIABLE,
                              multi=True))
