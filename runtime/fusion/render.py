"""One renderer for kernel IR, two dialects (see ``dialects``).

``render(kernel, dialect, prelude)`` returns the complete source of one kernel: prelude, one
function (C) or one or two ``__global__`` kernels (CUDA; a full reduction adds a
``<name>_final`` kernel that folds the per-block partial results). Statement bodies are
written by the same code for both dialects.

Parameter order (the runners rely on it): array arguments in ``Kernel.args`` order, then
``n`` (domain elements), then ``nout, rsize, inner`` for one-axis reductions, then the sizes
``d1 .. d{k-1}`` of the coalesced domain and each general argument's strides
``<arg>_s<d>`` (in elements) for the dims it walks (its zero strides are compiled in); CUDA
adds ``ag_partial`` for full reductions and ``ag_status`` when the kernel has checks.
"""
from __future__ import annotations

from runtime import dtypes as D
from runtime.fusion import dialects, kir
from runtime.fusion.dialects import Dialect
from runtime.fusion.kir import Assign, Check, Kernel, Load, Store

INDENT = "    "


def storage_type(dtype: D.DType, dialect: Dialect) -> str:
    return dialect.half_storage if dtype is D.float16 else kir.CTYPE_COMPUTE[dtype]


def compute_type(dtype: D.DType) -> str:
    return kir.CTYPE_COMPUTE[dtype]


def index_type(kernel: Kernel) -> str:
    return "int32_t" if kernel.index == "int32" else "int64_t"


# ---- statements (shared by both dialects) -------------------------------------------------

def _element(arg: kir.Arg, kernel: Kernel, index: str) -> str:
    if arg.access == "s":
        return f"{arg.name}[0]"
    if arg.access == "c":
        return f"{arg.name}[{index}]"
    offset = " + ".join(f"c{d} * {arg.name}_s{d}" for d in arg.strided) or "0"
    return f"{arg.name}[{offset}]"


def _arg(kernel: Kernel, name: str) -> kir.Arg:
    return next(a for a in kernel.args if a.name == name)


def render_stmt(stmt, kernel, dialect: Dialect, index: str) -> str:
    """One statement; ``kernel`` (for argument access) is only needed by loads and stores."""
    if isinstance(stmt, Load):
        arg = _arg(kernel, stmt.arg)
        ref = _element(arg, kernel, index)
        value = dialect.load_half.format(ref=ref) if arg.dtype is D.float16 else ref
        return f"const {compute_type(arg.dtype)} {stmt.target} = {value};"
    if isinstance(stmt, Assign):
        return render_assign(stmt)
    if isinstance(stmt, Check):
        return f"ag_err |= {stmt.cond} ? {1 << stmt.bit} : 0;"
    if isinstance(stmt, Store):
        arg = _arg(kernel, stmt.arg)
        value = dialect.store_half.format(v=stmt.value) if arg.dtype is D.float16 else stmt.value
        return f"{arg.name}[{index}] = {value};"
    raise TypeError(f"unknown statement {stmt!r}")


def render_assign(stmt: Assign) -> str:
    """Every value is rounded to its dtype as it is made, as NumPy rounds after each op
    (int8 wraps, float16 rounds to half although it computes in float32)."""
    ctype = compute_type(stmt.dtype)
    if stmt.dtype is D.float16:
        return f"const float {stmt.target} = AG_ROUND_HALF({stmt.expr});"
    return f"const {ctype} {stmt.target} = ({ctype})({stmt.expr});"


def _coordinates(kernel: Kernel) -> list:
    """Split the linear domain index ``i`` into coordinates of the coalesced domain."""
    if not kernel.general_args() or kernel.dims == 0:
        return []
    if kernel.dims == 1:
        return ["const idx_t c0 = (idx_t)i;"]
    lines = ["idx_t ag_q = (idx_t)i;"]
    for d in range(kernel.dims - 1, 0, -1):
        lines.append(f"const idx_t c{d} = ag_q % d{d};")
        lines.append(f"ag_q /= d{d};")
    lines.append("const idx_t c0 = ag_q;")
    return lines


def _block(lines: list, depth: int) -> str:
    """Indent ``lines`` (each may hold several lines) by ``depth`` levels."""
    flat = [part for line in lines for part in line.split("\n")]
    return "\n".join(INDENT * depth + line if line else "" for line in flat)


def _stmts(stmts, kernel, dialect, index) -> list:
    return [render_stmt(s, kernel, dialect, index) for s in stmts]


# ---- signatures ---------------------------------------------------------------------------

def scalar_params(kernel: Kernel) -> list:
    """Names of the index-typed scalar parameters, in order."""
    names = ["n"]
    if kernel.kind == "reduce_axis":
        names += ["nout", "rsize", "inner"]
    if kernel.general_args():
        names += [f"d{d}" for d in range(1, kernel.dims)]
        for a in kernel.general_args():
            names += [f"{a.name}_s{d}" for d in a.strided]
    return names


def _array_params(args, dialect: Dialect) -> list:
    out = []
    for a in args:
        const = "" if a.output else "const "
        out.append(f"{const}{storage_type(a.dtype, dialect)}* {dialect.restrict} {a.name}")
    return out


def _params(kernel: Kernel, dialect: Dialect) -> str:
    params = _array_params(kernel.args, dialect)
    params += ["idx_t " + p for p in scalar_params(kernel)]
    if dialect is dialects.CUDA and kernel.kind == "reduce_all":
        params.append(f"{compute_type(kernel.reduction.acc)}* ag_partial")
    if dialect is dialects.CUDA and kernel.checks:
        params.append("int* ag_status")
    return ", ".join(params)


# ---- reductions ---------------------------------------------------------------------------

def _init(red: kir.Reduction) -> str:
    acc = red.acc
    if red.op in ("sum", "mean"):
        return kir.literal(0, acc)
    if red.op == "prod":
        return kir.literal(1, acc)
    lowest = red.op == "max"
    if acc.is_floating:
        return kir.literal(float("-inf") if lowest else float("inf"), acc)
    return kir.literal(acc.min if lowest else acc.max, acc)


def _combine(red: kir.Reduction, dialect: Dialect, sticky_nan: bool) -> list:
    """Fold ``red.value`` into ``acc``. C tracks NaN for max/min in ``ag_nan`` (OpenMP's
    max reduction would drop it); CUDA keeps it sticky in ``acc`` itself."""
    acc_t = compute_type(red.acc)
    v = f"(({acc_t}){red.value})"
    if red.op in ("sum", "mean"):
        return [f"acc += {v};"]
    if red.op == "prod":
        return [f"acc *= {v};"]
    cmp = ">" if red.op == "max" else "<"
    if not red.acc.is_floating:
        return [f"acc = {v} {cmp} acc ? {v} : acc;"]
    if sticky_nan:
        return [f"acc = ({v} {cmp} acc || {v} != {v}) ? {v} : acc;"]
    return [f"acc = {v} {cmp} acc ? {v} : acc;", f"ag_nan |= {v} != {v};"]


def _merge(red: kir.Reduction, a: str, b: str) -> str:
    if red.op in ("sum", "mean"):
        return f"{a} + {b}"
    if red.op == "prod":
        return f"{a} * {b}"
    cmp = ">" if red.op == "max" else "<"
    return f"(({b} {cmp} {a}) || {b} != {b}) ? {b} : {a}"


def _final(red: kir.Reduction, count: str, nan_flag: bool) -> str:
    """The statement defining the reduction's result ``r`` from ``acc``."""
    acc = "acc"
    if red.op == "mean":
        if red.dtype.is_integer:   # C division truncates toward zero, as TensorFlow's mean
            acc = f"({count} == 0 ? 0 : acc / {count})"
        else:
            acc = f"acc / ({compute_type(red.acc)}){count}"
    elif nan_flag and red.op in ("max", "min") and red.acc.is_floating:
        acc = f"ag_nan ? {kir.literal(float('nan'), red.acc)} : acc"
    return render_assign(Assign(red.target, red.dtype, acc))


def _reduction_clauses(red: kir.Reduction) -> str:
    op = {"sum": "+", "mean": "+", "prod": "*", "max": "max", "min": "min"}[red.op]
    clause = f" reduction({op}:acc)"
    if red.op in ("max", "min") and red.acc.is_floating:
        clause += " reduction(|:ag_nan)"
    return clause


# ---- kernels ------------------------------------------------------------------------------

def render(kernel: Kernel, dialect: Dialect, prelude: str) -> str:
    body = {"map": _map, "reduce_all": _reduce_all, "reduce_axis": _reduce_axis}[kernel.kind]
    types = f"typedef {index_type(kernel)} idx_t;\ntypedef {dialect.loop_index} loop_t;\n"
    return prelude + "\n" + types + "\n" + body(kernel, dialect) + "\n"


def _status_clause(kernel: Kernel) -> str:
    return " reduction(|:ag_err)" if kernel.checks else ""


def _status_tail(kernel: Kernel, dialect: Dialect) -> list:
    """C returns its status; CUDA reports it only when the kernel has checks."""
    if dialect is dialects.CUDA and not kernel.checks:
        return []
    return [INDENT + dialect.status_tail]


def _map(kernel: Kernel, dialect: Dialect) -> str:
    loop = dialect.map_loop.format(n="n", clauses=_status_clause(kernel))
    inner = _coordinates(kernel) + _stmts(kernel.body, kernel, dialect, "i")
    lines = [dialect.kernel_head.format(name=kernel.name, params=_params(kernel, dialect)) + " {",
             INDENT + "int ag_err = 0;"]
    lines += [INDENT + line for line in loop.split("\n")]
    lines += [INDENT + "{", _block(inner, 2), INDENT + "}"] + _status_tail(kernel, dialect)
    return "\n".join(lines + ["}"])


def _reduce_axis(kernel: Kernel, dialect: Dialect) -> str:
    red = kernel.reduction
    acc_t = compute_type(red.acc)
    cuda = dialect is dialects.CUDA
    loop = dialect.axis_loop.format(n="nout", clauses=_status_clause(kernel))
    per_element = (["const loop_t i = ag_base + k * inner;"] + _coordinates(kernel)
                   + _stmts(kernel.body, kernel, dialect, "i") + _combine(red, dialect, cuda))
    nan = [] if cuda or not (red.acc.is_floating and red.op in ("max", "min")) \
        else ["int ag_nan = 0;"]
    simd = [] if cuda else [f"#pragma omp simd{_reduction_clauses(red)}{_status_clause(kernel)}"]
    outer = (["const loop_t ag_base = (o / inner) * rsize * inner + o % inner;",
              f"{acc_t} acc = {_init(red)};"] + nan + simd
             + ["for (loop_t k = 0; k < rsize; ++k) {", _block(per_element, 1), "}",
                _final(red, "rsize", not cuda)]
             + _stmts(kernel.epilogue, kernel, dialect, "o"))
    lines = [dialect.kernel_head.format(name=kernel.name, params=_params(kernel, dialect)) + " {",
             INDENT + "int ag_err = 0;"]
    lines += [INDENT + line for line in loop.split("\n")]
    lines += [INDENT + "{", _block(outer, 2), INDENT + "}"] + _status_tail(kernel, dialect)
    return "\n".join(lines + ["}"])


def _reduce_all(kernel: Kernel, dialect: Dialect) -> str:
    """C: the domain is cut into at most AG_MAX_PARTS chunks whose size depends on n only;
    threads fold chunks, then the partial results are folded in chunk order, so the result
    is the same for any number of threads (and chunks balance a loaded machine)."""
    if dialect is dialects.CUDA:
        return _reduce_all_cuda(kernel, dialect)
    red = kernel.reduction
    acc_t = compute_type(red.acc)
    nan = red.acc.is_floating and red.op in ("max", "min")
    inner = (_coordinates(kernel) + _stmts(kernel.body, kernel, dialect, "i")
             + _combine(red, dialect, False))
    chunk = (["const loop_t ag_hi = (p + 1) * ag_chunk < n ? (p + 1) * ag_chunk : n;",
              f"{acc_t} acc = {_init(red)};"] + (["int ag_nan = 0;"] if nan else [])
             + [f"#pragma omp simd{_reduction_clauses(red)}{_status_clause(kernel)}",
                "for (loop_t i = p * ag_chunk; i < ag_hi; ++i) {", _block(inner, 1), "}",
                "ag_part[p] = acc;"] + (["ag_part_nan[p] = ag_nan;"] if nan else []))
    fold = ["const idx_t o = 0;", f"{acc_t} acc = {_init(red)};"]
    fold += ["int ag_nan = 0;"] if nan else []
    fold += ["for (loop_t p = 0; p < ag_parts; ++p) {",
             INDENT + f"const {acc_t} a = acc;", INDENT + f"const {acc_t} b = ag_part[p];",
             INDENT + f"acc = {_merge(red, 'a', 'b')};"]
    fold += [INDENT + "ag_nan |= ag_part_nan[p];"] if nan else []
    fold += ["}", _final(red, "n", True)] + _stmts(kernel.epilogue, kernel, dialect, "o")
    lines = [dialect.kernel_head.format(name=kernel.name, params=_params(kernel, dialect)) + " {",
             INDENT + "int ag_err = 0;",
             INDENT + "loop_t ag_chunk = n / AG_MAX_PARTS + 1;",
             INDENT + "if (ag_chunk < AG_MIN_CHUNK) ag_chunk = AG_MIN_CHUNK;",
             INDENT + "const loop_t ag_parts = (n + ag_chunk - 1) / ag_chunk;",
             INDENT + f"{acc_t} ag_part[AG_MAX_PARTS];"]
    lines += [INDENT + "int ag_part_nan[AG_MAX_PARTS];"] if nan else []
    lines += [INDENT + "#pragma omp parallel for schedule(dynamic, 1) if(ag_parts > 1)"
                       + _status_clause(kernel),
              INDENT + "for (loop_t p = 0; p < ag_parts; ++p) {", _block(chunk, 2), INDENT + "}",
              INDENT + "{", _block(fold, 2), INDENT + "}"] + _status_tail(kernel, dialect)
    return "\n".join(lines + ["}"])


def _reduce_all_cuda(kernel: Kernel, dialect: Dialect) -> str:
    """Two kernels: each block folds a grid-stride slice into ``ag_partial[blockIdx.x]``;
    ``<name>_final`` (one thread) folds the partials and runs the epilogue."""
    red = kernel.reduction
    acc_t = compute_type(red.acc)
    loop = dialect.all_loop.format(n="n", clauses="")
    inner = (_coordinates(kernel) + _stmts(kernel.body, kernel, dialect, "i")
             + _combine(red, dialect, True))
    tree = ["ag_shared[threadIdx.x] = acc;", "__syncthreads();",
            "for (int s = AG_BLOCK / 2; s > 0; s >>= 1) {",
            INDENT + "if (threadIdx.x < s) {",
            INDENT * 2 + f"const {acc_t} a = ag_shared[threadIdx.x];",
            INDENT * 2 + f"const {acc_t} b = ag_shared[threadIdx.x + s];",
            INDENT * 2 + f"ag_shared[threadIdx.x] = {_merge(red, 'a', 'b')};",
            INDENT + "}", INDENT + "__syncthreads();", "}",
            "if (threadIdx.x == 0) ag_partial[blockIdx.x] = ag_shared[0];"]
    first = [dialect.kernel_head.format(name=kernel.name, params=_params(kernel, dialect)) + " {",
             INDENT + f"__shared__ {acc_t} ag_shared[AG_BLOCK];",
             INDENT + "int ag_err = 0;", INDENT + f"{acc_t} acc = {_init(red)};"]
    first += [INDENT + line for line in loop.split("\n")]
    first += [INDENT + "{", _block(inner, 2), INDENT + "}", _block(tree, 1)]
    if kernel.checks:
        first.append(INDENT + dialect.status_tail)
    first.append("}")

    epi_args = [a for a in kernel.args if a.space == "reduced"]
    params = ([f"const {acc_t}* ag_partial", "int ag_blocks"] + _array_params(epi_args, dialect)
              + ["idx_t n"] + (["int* ag_status"] if kernel.checks else []))
    tail = (["if (blockIdx.x != 0 || threadIdx.x != 0) return;", "int ag_err = 0;",
             f"{acc_t} acc = {_init(red)};",
             "for (int b = 0; b < ag_blocks; ++b) {",
             INDENT + f"const {acc_t} a = acc;", INDENT + f"const {acc_t} p = ag_partial[b];",
             INDENT + f"acc = {_merge(red, 'a', 'p')};", "}",
             "const idx_t o = 0;", _final(red, "n", False)]
            + _stmts(kernel.epilogue, kernel, dialect, "o"))
    if kernel.checks:
        tail.append(dialect.status_tail)
    final = [dialect.kernel_head.format(name=kernel.name + "_final", params=", ".join(params))
             + " {", _block(tail, 1), "}"]
    return "\n".join(first) + "\n\n" + "\n".join(final)
