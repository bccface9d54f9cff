"""The kernel IR: what one fused kernel loads, computes, reduces and stores.

A ``Kernel`` is plain data (frozen dataclasses) built from a fused group's sub-graph by
``lower``; the renderer turns it into source for either dialect. Expressions are C
expressions over temporaries, valid in C and CUDA alike (the preludes supply the helpers).

Index spaces: the *domain* is the shape every body value has (inputs broadcast into it);
a reduction maps it to the *reduced* space, where the epilogue runs. Each array argument is
read in one space with one access class:

- ``c``: contiguous with the space's shape, read at the linear index;
- ``s``: one element (a scalar or all-ones shape), read at 0;
- ``g``: general strides (views, broadcasts along some dims), read at a computed offset.
"""
from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass
from typing import Optional, Union

from runtime import dtypes as D
from runtime.graph import Graph
from runtime.fusion import support

# ---- the IR ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Arg:
    name: str          # in0, out0
    dtype: D.DType
    output: bool
    space: str         # "domain" or "reduced"
    access: str        # "c", "s" or "g" (see the module docstring)
    strided: tuple = ()   # "g" only: the coalesced dims it walks (the others broadcast it)


@dataclass(frozen=True)
class Load:
    target: str
    arg: str


@dataclass(frozen=True)
class Assign:
    target: str
    dtype: D.DType     # the value's dtype; float16 computes in float32 and rounds to half
    expr: str


@dataclass(frozen=True)
class Check:
    cond: str          # true when the element is an error
    bit: int           # which of Kernel.checks it raises


@dataclass(frozen=True)
class Store:
    arg: str
    value: str


Stmt = Union[Load, Assign, Check, Store]


@dataclass(frozen=True)
class Reduction:
    op: str            # sum, mean, prod, max, min
    value: str         # the body temporary reduced
    dtype: D.DType     # its dtype (and the result's)
    acc: D.DType       # accumulator dtype
    target: str        # the temporary holding the result in the epilogue
    all_axes: bool


@dataclass(frozen=True)
class Kernel:
    name: str
    args: tuple        # Arg: inputs first, then outputs
    body: tuple        # Stmt, run per domain element
    reduction: Optional[Reduction]
    epilogue: tuple    # Stmt, run per reduced element (reduction kernels only)
    index: str         # "int32" or "int64": index arithmetic width
    dims: int          # coalesced domain dims used by "g" arguments (0: none)
    checks: tuple      # error messages, by bit position

    @property
    def kind(self) -> str:
        if self.reduction is None:
            return "map"
        return "reduce_all" if self.reduction.all_axes else "reduce_axis"

    def general_args(self) -> list:
        return [a for a in self.args if a.access == "g"]


# ---- literals and expressions ------------------------------------------------------------

CTYPE_COMPUTE = {D.bool_: "bool", D.int8: "int8_t", D.int16: "int16_t", D.int32: "int32_t",
                 D.int64: "int64_t", D.uint8: "uint8_t", D.uint16: "uint16_t",
                 D.uint32: "uint32_t", D.uint64: "uint64_t", D.float16: "float",
                 D.float32: "float", D.float64: "double"}

_FLOAT_LITERAL = re.compile(r"(?<![\w.])(\d+\.\d*(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+)(?![\w.])")


def literal(value, dtype: D.DType) -> str:
    """A C literal for one value of ``dtype`` (exact: floats in hex, NaN/Inf by bits)."""
    if dtype is D.bool_:
        return "true" if bool(value) else "false"
    if dtype.is_integer:
        v = int(value)
        if dtype is D.int64 and v == -2 ** 63:
            return "(-9223372036854775807LL - 1)"
        suffix = "ULL" if dtype.is_unsigned else "LL"
        return f"(({CTYPE_COMPUTE[dtype]}){v}{suffix})"
    v = float(value)
    if dtype is D.float64:
        if math.isfinite(v):
            return f"({v.hex()})"
        return f"ag_f64_bits({struct.unpack('<Q', struct.pack('<d', v))[0]}ULL)"
    if math.isfinite(v):
        return f"({v.hex()}f)"
    return f"ag_f32_bits({struct.unpack('<I', struct.pack('<f', v))[0]}u)"


def _typed_literals(expr: str, dtype: D.DType) -> str:
    """Float literals in an op's C expression take the operand's compute type, as NumPy's
    Python scalars do (``0.5 * x`` is float32 arithmetic for float32 ``x``)."""
    if dtype not in (D.float16, D.float32):
        return expr
    return _FLOAT_LITERAL.sub(lambda m: f"((float){m.group(1)})", expr)


# Per-dtype replacements for C expressions whose registry form suits floats but not integers
# (the op tables hold one expression per op; integer semantics need these helpers).
def _override(op: str, dtype: D.DType) -> Optional[str]:
    integer = dtype.is_integer
    if op == "Abs" and integer:
        return "({0} < 0 ? -{0} : {0})"          # fabs would go through double
    if op == "Round" and integer:
        return "{0}"
    if integer and op in ("FloorDiv", "FloorMod"):
        kind = "u" if dtype.is_unsigned else "s"
        helper = "ag_floordiv" if op == "FloorDiv" else "ag_floormod"
        return f"{helper}_{kind}({{0}}, {{1}})"
    if integer and op == "Pow":
        return f"ag_ipow_{'u' if dtype.is_unsigned else 's'}({{0}}, {{1}})"
    return None


def check_cond(op: str, dtype: D.DType, operands: list) -> Optional[str]:
    if not dtype.is_integer or op not in support.CHECKED_INT_OPS:
        return None
    if op == "Pow":
        return None if dtype.is_unsigned else f"({operands[1]} < 0)"
    return f"({operands[1]} == 0)"


def node_expr(op_name: str, c_expr: Optional[str], in_dtype: D.DType, operands: list) -> str:
    if op_name == "Cast":
        return operands[0]
    template = _override(op_name, in_dtype) or c_expr
    return _typed_literals(template, in_dtype).format(*operands)


# ---- lowering a fused sub-graph ------------------------------------------------------------

@dataclass(frozen=True)
class Structure:
    """The static shape of a fused sub-graph: which nodes form the body, the reduction and
    the epilogue, and in which space each input is read."""

    body: tuple                 # nodes before (and feeding) the reduction, or all nodes
    reduction: Optional[object]
    epilogue: tuple
    body_inputs: tuple          # indices into graph.inputs read in the domain
    epilogue_inputs: tuple      # indices read in the reduced space
    constants: dict             # capture Value -> (value, dtype) embedded as literals


def analyse(sub: Graph) -> Structure:
    red = [n for n in sub.nodes if n.op.name in support.REDUCTIONS]
    reduction = red[0] if red else None
    if reduction is None:
        body, epilogue = tuple(sub.nodes), ()
    else:
        k = sub.nodes.index(reduction)
        body, epilogue = tuple(sub.nodes[:k]), tuple(sub.nodes[k + 1:])
    index = {v: i for i, v in enumerate(sub.inputs)}
    body_in = sorted({index[v] for n in body + ((reduction,) if reduction else ())
                      for v in n.inputs if v in index})
    epi_in = sorted({index[v] for n in epilogue for v in n.inputs if v in index})
    constants = {}
    for v, src in sub.captures:
        array = getattr(src, "_v", None)
        constants[v] = (array.reshape(()).item() if hasattr(array, "reshape") else array,
                        v.dtype)
    return Structure(body, reduction, epilogue, tuple(body_in), tuple(epi_in), constants)


def accumulator(op: str, dtype: D.DType) -> D.DType:
    """Float sums accumulate in float64 (NumPy's pairwise sums are as accurate); products,
    max and min in the compute type; integers wrap in their own dtype, as NumPy's do."""
    if dtype.is_floating:
        return D.float64 if op in ("sum", "mean") or dtype is D.float64 else D.float32
    return dtype


def lower(sub: Graph, name: str, body_access: dict, epilogue_access: dict, index: str,
          dims: int, strided: dict) -> Kernel:
    """The kernel computing ``sub``; ``*_access`` map input index -> access class, and
    ``strided`` maps each general input to the coalesced dims it walks."""
    st = analyse(sub)
    names: dict = {}
    args, body, epilogue, checks = [], [], [], []
    counter = iter(range(1 << 30))

    for v, (value, dtype) in st.constants.items():
        names[v] = literal(value, dtype)
    for k in st.body_inputs:
        args.append(Arg(f"in{k}", sub.inputs[k].dtype, False, "domain", body_access[k],
                        tuple(strided.get(k, ()))))
    for k in st.epilogue_inputs:
        args.append(Arg(f"in{k}e" if k in st.body_inputs else f"in{k}", sub.inputs[k].dtype,
                        False, "reduced", epilogue_access[k]))

    def emit_nodes(nodes, out: list, loads: dict, prefix: str):
        for n in nodes:
            operands = []
            for v in n.inputs:
                if v not in names and v in loads:
                    names[v] = f"{prefix}{loads[v]}"
                    out.append(Load(names[v], loads[v]))
                operands.append(names[v])
            in_dtype = n.inputs[0].dtype if n.inputs else n.outputs[0].dtype
            if n.op.name == "Select":
                in_dtype = n.inputs[1].dtype
            cond = check_cond(n.op.name, in_dtype, operands)
            if cond is not None:
                msg = support.CHECKED_INT_OPS[n.op.name]
                if msg not in checks:
                    checks.append(msg)
                out.append(Check(cond, checks.index(msg)))
            target = f"t{next(counter)}"
            out.append(Assign(target, n.outputs[0].dtype,
                              node_expr(n.op.name, n.op.c_expr, in_dtype, operands)))
            names[n.outputs[0]] = target

    body_loads = {sub.inputs[k]: f"in{k}" for k in st.body_inputs}
    emit_nodes(st.body, body, body_loads, "a_")
    reduction = None
    if st.reduction is not None:
        r = st.reduction
        src = r.inputs[0]
        if src not in names:                      # the reduction reads an input directly
            names[src] = f"a_{body_loads[src]}"
            body.append(Load(names[src], body_loads[src]))
        op = support.REDUCTIONS[r.op.name]
        reduction = Reduction(op, names[src], src.dtype, accumulator(op, src.dtype), "r",
                              support.reduces_all(r))
        names[r.outputs[0]] = "r"
        epi_loads = {sub.inputs[k]: (f"in{k}e" if k in st.body_inputs else f"in{k}")
                     for k in st.epilogue_inputs}
        # Epilogue inputs that the body also reads are reloaded in the reduced space.
        for v in epi_loads:
            names.pop(v, None)
        emit_nodes(st.epilogue, epilogue, epi_loads, "b_")
    stores = body if reduction is None else epilogue
    space = "domain" if reduction is None else "reduced"
    for j, v in enumerate(sub.outputs):
        args.append(Arg(f"out{j}", v.dtype, True, space, "c"))
        stores.append(Store(f"out{j}", names[v]))
    return Kernel(name, tuple(args), tuple(body), reduction, tuple(epilogue), index, dims,
                  tuple(checks))
