"""Linear algebra: matrix products and decompositions (``ag.linalg``)."""
from __future__ import annotations

from runtime import shapes
from runtime.registry import Spec
from ops import dispatch
from ops.declare import COMPLEX, FLOAT, INT, defop
from ops.tensor import convert_to_tensor

__all__ = ["matmul"]

_MATMUL_DTYPES = FLOAT | COMPLEX | INT


def _matmul_kernel(xp, a, b, transpose_a, transpose_b):
    if a.ndim < 2 or b.ndim < 2:
        raise ValueError("rank")
    if transpose_a:
        a = xp.swapaxes(a, -1, -2)
    if transpose_b:
        b = xp.swapaxes(b, -1, -2)
    return xp.matmul(a, b)


def _matmul_infer(a: Spec, b: Spec, transpose_a: bool, transpose_b: bool) -> Spec:
    if a.dtype is not b.dtype:
        from ops.errors import dtype_mismatch
        raise dtype_mismatch("MatMul", a.dtype, b.dtype)
    if len(a.shape) < 2 or len(b.shape) < 2:
        raise ValueError(f"MatMul: both operands need rank >= 2, got shapes "
                         f"{shapes.fmt(a.shape)} and {shapes.fmt(b.shape)}; use "
                         "ag.expand_dims or ag.tensordot for vectors")
    m, k1 = a.shape[-2:] if not transpose_a else a.shape[-2:][::-1]
    k2, n = b.shape[-2:] if not transpose_b else b.shape[-2:][::-1]
    if k1 is not None and k2 is not None and k1 != k2:
        raise ValueError(f"MatMul: inner dimensions differ: a is {shapes.fmt(a.shape)}"
                         f"{' (transposed)' if transpose_a else ''}, b is {shapes.fmt(b.shape)}"
                         f"{' (transposed)' if transpose_b else ''} ({k1} vs {k2})")
    batch = shapes.broadcast(a.shape[:-2], b.shape[:-2])
    if batch is None:
        raise ValueError(f"MatMul: batch dimensions of {shapes.fmt(a.shape)} and "
                         f"{shapes.fmt(b.shape)} do not broadcast")
    return Spec(a.dtype, batch + (m, n))


def _matmul_grad(op, dy):
    from ops.elementwise import unbroadcast
    a, b = op.inputs
    ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
    if not ta and not tb:
        da, db = matmul(dy, b, transpose_b=True), matmul(a, dy, transpose_a=True)
    elif not ta and tb:
        da, db = matmul(dy, b), matmul(dy, a, transpose_a=True)
    elif ta and not tb:
        da, db = matmul(b, dy, transpose_b=True), matmul(a, dy)
    else:
        da, db = matmul(b, dy, transpose_a=True, transpose_b=True), \
            matmul(dy, a, transpose_a=True, transpose_b=True)
    return [unbroadcast(da, a), unbroadcast(db, b)]


_MATMUL = defop("MatMul", _matmul_kernel, _matmul_infer, _matmul_grad)


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, name=None):
    """Matrix product of the last two axes; leading (batch) axes broadcast."""
    a, b = dispatch.tensors([a, b], "MatMul")
    if a.dtype not in _MATMUL_DTYPES:
        raise TypeError(f"MatMul does not accept {a.dtype.name} tensors; use ag.cast")
    if adjoint_a or adjoint_b:
        if a.dtype in COMPLEX:
            from ops.elementwise import conj
            a = conj(a) if adjoint_a else a
            b = conj(b) if adjoint_b else b
    attrs = {"transpose_a": bool(transpose_a or adjoint_a),
             "transpose_b": bool(transpose_b or adjoint_b)}
    return dispatch.execute(_MATMUL, (a, b), attrs)
