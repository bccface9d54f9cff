"""What the kernel generator can compile, and why not when it cannot.

Every question here answers with a reason string (``None`` meaning "yes"), so the grouping
pass can record why a node stayed outside a kernel (``explain`` shows them).
"""
from __future__ import annotations

from typing import Optional

from runtime import dtypes as D
from runtime.graph import Node, Value

# Dtypes a kernel can load, compute and store. float16 is stored as half and computed in
# float32 (as NumPy does); complex and string values have no C expression here.
KERNEL_DTYPES = frozenset({D.bool_, D.int8, D.int16, D.int32, D.int64, D.uint8, D.uint16,
                           D.uint32, D.uint64, D.float16, D.float32, D.float64})

# Reductions that fuse with their elementwise producers and consumers, by op name.
REDUCTIONS = {"Sum": "sum", "Mean": "mean", "Max": "max", "Min": "min", "Prod": "prod"}

# Ops that are views or broadcasts: free in NumPy, so they never become kernels; a kernel
# reads their (strided) results directly.
VIEWS = frozenset({"Reshape", "ReshapeDynamic", "Squeeze", "ExpandDims", "BroadcastTo",
                   "BroadcastLike", "Transpose"})

# Integer ops whose interpreter kernels raise on some inputs; the generated code checks the
# same condition and the runner raises the same error (bit -> message, see kir.Check).
CHECKED_INT_OPS = {
    "FloorDiv": "FloorDiv: integer division by zero",
    "FloorMod": "FloorMod: integer division by zero",
    "Pow": "Pow: integers to negative integer powers are not allowed; cast the base to a "
           "float dtype first",
}


def is_constant_source(source) -> bool:
    """A capture bound to a constant array (an eager tensor or a folded constant)."""
    return hasattr(source, "_v") and not hasattr(source, "_read_for_op")


def dtype_refusal(values) -> Optional[str]:
    for v in values:
        if v.dtype not in KERNEL_DTYPES:
            return f"{v.name} is {v.dtype.name}: kernels handle bool, int, uint and float dtypes"
    return None


def elementwise_refusal(node: Node) -> Optional[str]:
    """Why ``node`` cannot be an elementwise member of a kernel (None if it can)."""
    op = node.op
    if op.stateful:
        return f"{op.name} is stateful (its order and effects stay with the interpreter)"
    if node.subgraphs:
        return f"{op.name} owns sub-graphs (control flow)"
    if op.name in VIEWS:
        return f"{op.name} is a view or broadcast: free in NumPy, read by kernels as strides"
    if op.c_expr is None and op.name != "Cast":
        return f"{op.name} is opaque (no C expression)"
    if op.multi or len(node.outputs) != 1:
        return f"{op.name} has {len(node.outputs)} outputs"
    refusal = dtype_refusal(list(node.inputs) + list(node.outputs))
    if refusal:
        return f"{op.name}: {refusal}"
    return None


def reduction_refusal(node: Node) -> Optional[str]:
    """Why ``node`` cannot be the reduction of a kernel (None if it can)."""
    kind = REDUCTIONS.get(node.op.name)
    if kind is None:
        return f"{node.op.name} is not a reduction the generator knows"
    refusal = dtype_refusal([node.inputs[0], node.outputs[0]])
    if refusal:
        return f"{node.op.name}: {refusal}"
    if node.inputs[0].dtype is D.bool_:
        return f"{node.op.name} of bool"
    rank = len(node.inputs[0].shape)
    axis = tuple(node.attrs.get("axis", ()))
    if rank and not axis:
        return f"{node.op.name} reduces no axis"
    if len(axis) != rank and len(axis) != 1:
        return (f"{node.op.name} reduces axes {axis} of a rank-{rank} value: only all axes or "
                "one axis fuse")
    return None


def reduces_all(node: Node) -> bool:
    return len(tuple(node.attrs["axis"])) == len(node.inputs[0].shape)


def is_scalar_value(v: Value) -> bool:
    return len(v.shape) == 0
