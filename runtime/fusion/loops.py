"""Scalar loops as native code: a ``While`` whose condition and body are scalar elementwise
ops compiles into one C function running the whole loop (``i < n: i += 1; s += i``, gcd,
Newton's iteration on scalars).

The loop's state stays in C locals for all iterations; the function reads the initial
values and writes the final ones through pointers. Integer checks (division by zero) stop
the loop, and the runner re-runs it in the interpreter, which raises the op's own error.
On a GPU the loop runs as the interpreter would (its state is a handful of device scalars).
"""
from __future__ import annotations

import ctypes
import hashlib
from dataclasses import dataclass
from typing import Optional

import numpy as np

from runtime.graph import Graph, Node, Value
from runtime.fusion import cbuild, kir, render, support

INDENT = "    "


def refusal(node: Node) -> Optional[str]:
    """Why this ``While`` cannot become a C loop (None if it can)."""
    for v in list(node.inputs) + list(node.outputs):
        if not support.is_scalar_value(v):
            return f"{v.name} is not a scalar ({list(v.shape)})"
    bad = support.dtype_refusal(list(node.inputs) + list(node.outputs))
    if bad:
        return bad
    for key in ("cond_graph", "body_graph"):
        sub = node.attrs[key]
        for v, src in sub.captures:
            if not isinstance(src, Value) and not (support.is_constant_source(src) and
                                                    np.ndim(src._v) == 0):
                return f"{key} captures {v.name}, which is not a scalar constant"
        for n in sub.nodes:
            why = support.elementwise_refusal(n)
            if why:
                return f"{key}: {why}"
            if not all(support.is_scalar_value(o) for o in n.outputs):
                return f"{key}: {n.op.name} is not scalar"
    return None


@dataclass(frozen=True)
class LoopKernel:
    name: str
    vars: tuple         # dtypes of the loop variables
    caps: tuple         # dtypes of the captured outer scalars
    cond: tuple         # statements computing the condition
    cond_value: str
    body: tuple         # statements computing the next values
    next_values: tuple  # one expression per loop variable
    checks: tuple


def lower(a: dict, var_dtypes: tuple, cap_dtypes: tuple) -> LoopKernel:
    """The loop kernel of a ``While``'s attrs (loop variable and capture dtypes given)."""
    checks: list = []
    counter = iter(range(1 << 30))

    def emit(sub: Graph, idx) -> tuple:
        names = {v: f"l{i}" for i, v in enumerate(sub.inputs)}
        outer = iter(idx)
        for v, src in sub.captures:
            names[v] = f"k{next(outer)}" if isinstance(src, Value) else \
                kir.literal(np.asarray(src._v).item(), v.dtype)
        stmts = []
        for n in sub.nodes:
            operands = [names[v] for v in n.inputs]
            in_dtype = n.inputs[1].dtype if n.op.name == "Select" else n.inputs[0].dtype
            cond = kir.check_cond(n.op.name, in_dtype, operands)
            if cond is not None:
                msg = support.CHECKED_INT_OPS[n.op.name]
                if msg not in checks:
                    checks.append(msg)
                stmts.append(kir.Check(cond, checks.index(msg)))
            target = f"t{next(counter)}"
            stmts.append(kir.Assign(target, n.outputs[0].dtype,
                                    kir.node_expr(n.op.name, n.op.c_expr, in_dtype, operands)))
            names[n.outputs[0]] = target
        return tuple(stmts), [names[v] for v in sub.outputs]

    cond, (cond_value,) = emit(a["cond_graph"], a["cond_idx"])
    body, next_values = emit(a["body_graph"], a["body_idx"])
    draft = LoopKernel("KERNEL", var_dtypes, cap_dtypes, cond, cond_value, body,
                       tuple(next_values), tuple(checks))
    tag = hashlib.sha256(repr(draft).encode()).hexdigest()[:4]
    ops = []
    for n in list(a["cond_graph"].nodes) + list(a["body_graph"].nodes):
        if n.op.name.lower() not in ops:
            ops.append(n.op.name.lower())
    name = "loop_" + "_".join(ops[:4] or ["copy"]) + f"_{tag}"
    return LoopKernel(name, var_dtypes, cap_dtypes, cond, cond_value, body, tuple(next_values),
                      tuple(checks))


def render_c(k: LoopKernel, prelude: str) -> str:
    from runtime.fusion import dialects
    params = [f"{render.storage_type(d, dialects.C)}* restrict v{i}" for i, d in enumerate(k.vars)]
    params += [f"const {render.storage_type(d, dialects.C)}* restrict c{i}"
               for i, d in enumerate(k.caps)]
    lines = [f"AG_EXPORT int {k.name}({', '.join(params) or 'void'}) {{",
             INDENT + "int ag_err = 0;"]
    for i, d in enumerate(k.vars):
        lines.append(INDENT + f"{render.compute_type(d)} l{i} = v{i}[0];")
    for i, d in enumerate(k.caps):
        lines.append(INDENT + f"const {render.compute_type(d)} k{i} = c{i}[0];")
    lines.append(INDENT + "for (;;) {")
    lines += [INDENT * 2 + render.render_stmt(s, None, dialects.C, "") for s in k.cond]
    lines.append(INDENT * 2 + f"if (!{k.cond_value}) break;")
    lines += [INDENT * 2 + render.render_stmt(s, None, dialects.C, "") for s in k.body]
    for i, v in enumerate(k.next_values):
        lines.append(INDENT * 2 + f"l{i} = {v};")
    if k.checks:
        lines.append(INDENT * 2 + "if (ag_err) break;")
    lines.append(INDENT + "}")
    for i, d in enumerate(k.vars):
        store = f"(_Float16)(l{i})" if d.name == "float16" else f"l{i}"
        lines.append(INDENT + f"v{i}[0] = {store};")
    lines += [INDENT + "return ag_err;", "}"]
    return prelude + "\n" + "\n".join(lines) + "\n"


def program_for(attrs: dict, var_dtypes: tuple, cap_dtypes: tuple) -> "LoopProgram":
    """The loop program of a ``FusedWhile`` (cached on its condition graph)."""
    cond = attrs["cond_graph"]
    prog = cond.__dict__.get("_loop_program")
    if prog is None:
        prog = cond._loop_program = LoopProgram(attrs, lower(attrs, var_dtypes, cap_dtypes))
    return prog


class LoopProgram:
    """The compiled loop of one ``FusedWhile`` node."""

    def __init__(self, attrs: dict, kernel: LoopKernel):
        self.kernel = kernel
        self.n_vars = attrs["n_vars"]
        self._fn = None
        self._dtypes = [d.np for d in kernel.vars] + [d.np for d in kernel.caps]

    def source(self) -> str:
        tc = cbuild.toolchain()
        from runtime.fusion import dialects
        return render_c(self.kernel, tc.prelude if tc else dialects.c_prelude(False))

    def fn(self):
        if self._fn is None:
            lib = cbuild.library(self.source())
            fn = getattr(lib, self.kernel.name)
            fn.argtypes = [ctypes.c_void_p] * len(self._dtypes)
            fn.restype = ctypes.c_int
            self._fn = fn
        return self._fn

    def run(self, args) -> tuple:
        bufs = [np.array(a, dtype=d, ndmin=1) for a, d in zip(args, self._dtypes)]
        if self.fn()(*[b.ctypes.data for b in bufs]):
            return None
        return tuple(b[0] for b in bufs[:self.n_vars])
