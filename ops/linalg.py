"""Linear algebra (``ag.linalg``): products, inverses, decompositions and their gradients.

Matrix ops act on the last two axes; leading axes are a batch. Kernels call ``xp.linalg``
(NumPy or CuPy) directly. Gradients follow TensorFlow's formulas and are written with public
ops, so they differentiate again; decompositions assume distinct eigen/singular values, and
``eigh``/``cholesky`` read only the lower triangle of their input, as LAPACK and TF do.
"""
from __future__ import annotations

import contextlib
import string
from collections import namedtuple
from typing import Optional

import numpy as np

from runtime import backends
from runtime import dtypes as D
from runtime import shapes
from runtime.fusion import threads
from runtime.registry import Spec
from ops import dispatch
from ops import elementwise as E
from ops.declare import BOOL, COMPLEX, FLOAT, INT, NUMERIC, defop
from ops.errors import dtype_mismatch
# global_norm and norm live with the reductions and are re-exported as ag.linalg names.
from ops.reductions import broadcast_reduced, global_norm, norm, reduce_sum  # noqa: F401
from ops.tensor import Tensor, convert_to_tensor

__all__ = [
    "matmul", "matvec", "tensordot", "einsum", "cross", "matrix_transpose", "adjoint", "inv",
    "det", "slogdet", "logdet", "trace", "norm", "diag", "diag_part", "set_diag", "band_part",
    "eig", "eigvals", "eigh", "eigvalsh", "qr", "svd", "cholesky", "solve",
    "triangular_solve", "global_norm",
]

_execute = dispatch.execute
_MATMUL_DTYPES = FLOAT | COMPLEX | INT
# Types LAPACK (numpy.linalg / cuSOLVER) computes in.
_LAPACK = frozenset({D.float32, D.float64, D.complex64, D.complex128})
_fmt = shapes.fmt


# ---- shared checks -----------------------------------------------------------------------

def _check_dtype(x: Tensor, allowed: frozenset, op: str) -> Tensor:
    if x.dtype not in allowed:
        names = ", ".join(sorted(d.name for d in allowed))
        raise TypeError(f"{op} does not accept {x.dtype.name} tensors (it accepts {names}); "
                        f"use ag.cast, e.g. ag.cast(x, ag.float32)")
    return x


def _matrix(x, op: str, allowed: frozenset = _LAPACK) -> Tensor:
    """Convert and dtype-check a matrix argument (shapes are checked by the infer rules)."""
    if type(x) is not Tensor:
        x = convert_to_tensor(x)
    return _check_dtype(x, allowed, op)


def _matrix_spec(op: str, x: Spec, square: bool = False, allowed: frozenset = _LAPACK,
                 what: str = "input") -> tuple:
    """Validate a [..., M, N] spec; returns ``(batch, M, N)``."""
    if x.dtype not in allowed:
        raise TypeError(f"{op} does not accept {x.dtype.name} tensors")
    if len(x.shape) < 2:
        raise ValueError(f"{op}: {what} must be a matrix or a batch of matrices (rank >= 2), "
                         f"got shape {_fmt(x.shape)}")
    m, n = x.shape[-2:]
    if square and m is not None and n is not None and m != n:
        raise ValueError(f"{op}: {what} must be square in its last two dimensions, got shape "
                         f"{_fmt(x.shape)}")
    if square:
        m = n = _same(m, n)
    return x.shape[:-2], m, n


def _lapack(xp):
    """CuPy reports singular / non-positive-definite matrices only inside this errstate."""
    if xp is np:
        return contextlib.nullcontext()
    import cupyx
    return cupyx.errstate(linalg="raise")


def _kmin(m, n):
    return None if m is None or n is None else min(m, n)


def _same(a, b):
    return a if a is not None else b


# ---- matmul ------------------------------------------------------------------------------

# OpenBLAS splits a GEMM over threads only from about this many multiply-adds (its
# SMP_THRESHOLD_MIN * GEMM_MULTITHREAD_THRESHOLD); smaller products need no thread sizing.
_BLAS_THREADED_WORK = 65536 * 4


def _matmul_kernel(xp, a, b, transpose_a, transpose_b):
    if a.ndim < 2 or b.ndim < 2:
        raise ValueError("rank")
    if transpose_a:
        a = xp.swapaxes(a, -1, -2)
    if transpose_b:
        b = xp.swapaxes(b, -1, -2)
    if xp is np and a.shape[-2] * a.shape[-1] * b.shape[-1] >= _BLAS_THREADED_WORK:
        threads.fit_blas()
    return xp.matmul(a, b)


def _matmul_infer(a: Spec, b: Spec, transpose_a: bool, transpose_b: bool) -> Spec:
    if a.dtype is not b.dtype:
        raise dtype_mismatch("MatMul", a.dtype, b.dtype)
    if len(a.shape) < 2 or len(b.shape) < 2:
        raise ValueError(f"MatMul: both operands need rank >= 2, got shapes "
                         f"{_fmt(a.shape)} and {_fmt(b.shape)}; use "
                         "ag.linalg.matvec or ag.tensordot for vectors")
    m, k1 = a.shape[-2:] if not transpose_a else a.shape[-2:][::-1]
    k2, n = b.shape[-2:] if not transpose_b else b.shape[-2:][::-1]
    if k1 is not None and k2 is not None and k1 != k2:
        raise ValueError(f"MatMul: inner dimensions differ: a is {_fmt(a.shape)}"
                         f"{' (transposed)' if transpose_a else ''}, b is {_fmt(b.shape)}"
                         f"{' (transposed)' if transpose_b else ''} ({k1} vs {k2})")
    batch = shapes.broadcast(a.shape[:-2], b.shape[:-2])
    if batch is None:
        raise ValueError(f"MatMul: batch dimensions of {_fmt(a.shape)} and "
                         f"{_fmt(b.shape)} do not broadcast")
    return Spec(a.dtype, batch + (m, n))


def _matmul_grad(op, dy):
    # TensorFlow's convention: complex gradients use the conjugated operands.
    a, b = _conj(op.inputs[0]), _conj(op.inputs[1])
    ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
    if not ta and not tb:
        da, db = matmul(dy, b, transpose_b=True), matmul(a, dy, transpose_a=True)
    elif not ta and tb:
        da, db = matmul(dy, b), matmul(dy, a, transpose_a=True)
    elif ta and not tb:
        da, db = matmul(b, dy, transpose_b=True), matmul(a, dy)
    else:
        da = matmul(b, dy, transpose_a=True, transpose_b=True)
        db = matmul(dy, a, transpose_a=True, transpose_b=True)
    return [E.unbroadcast(da, op.inputs[0]), E.unbroadcast(db, op.inputs[1])]


_MATMUL = defop("MatMul", _matmul_kernel, _matmul_infer, _matmul_grad)
# The four attr dicts, built once (matmul is on hot paths).
_MATMUL_ATTRS = {(ta, tb): {"transpose_a": ta, "transpose_b": tb}
                 for ta in (False, True) for tb in (False, True)}


def _conj(t: Tensor) -> Tensor:
    return E.conj(t) if t.dtype in COMPLEX else t


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, name=None) -> Tensor:
    """Matrix product of the last two axes; leading (batch) axes broadcast."""
    if type(a) is not Tensor or type(b) is not Tensor or a.dtype is not b.dtype:
        a, b = dispatch.tensors([a, b], "MatMul")
    if a.dtype not in _MATMUL_DTYPES:
        _check_dtype(a, _MATMUL_DTYPES, "MatMul")
    if adjoint_a or adjoint_b:
        a = _conj(a) if adjoint_a else a
        b = _conj(b) if adjoint_b else b
    return _execute(_MATMUL, (a, b), _MATMUL_ATTRS[bool(transpose_a or adjoint_a),
                                                   bool(transpose_b or adjoint_b)])


def matrix_transpose(a, name=None, conjugate=False) -> Tensor:
    """Swap the last two axes (conjugating complex entries when ``conjugate``)."""
    from ops import array_ops
    a = convert_to_tensor(a)
    if a.ndim < 2:
        raise ValueError(f"matrix_transpose: the input must have rank >= 2, got shape "
                         f"{_fmt(a.shape)}")
    r = a.ndim
    t = array_ops.transpose(a, list(range(r - 2)) + [r - 1, r - 2])
    return _conj(t) if conjugate else t


def adjoint(matrix, name=None) -> Tensor:
    """Conjugate transpose of the last two axes."""
    return matrix_transpose(matrix, conjugate=True)


# ---- einsum, tensordot, matvec, cross ----------------------------------------------------

def _parse_einsum(equation: str, count: int) -> tuple:
    """``"ij,jk->ik"`` -> (("ij", "jk"), "ik"); an ellipsis becomes the one character ``.``."""
    eq = equation.replace(" ", "")
    if eq.count("->") > 1:
        raise ValueError(f"Einsum: equation {equation!r} has more than one '->'")
    lhs, out = eq.split("->") if "->" in eq else (eq, None)
    terms = tuple(t.replace("...", ".") for t in lhs.split(","))
    if len(terms) != count:
        raise ValueError(f"Einsum: equation {equation!r} names {len(terms)} operands but "
                         f"{count} were given")
    for t in terms + ((out.replace("...", "."),) if out is not None else ()):
        if t.count(".") > 1 or any(not (c.isalpha() or c == ".") for c in t):
            raise ValueError(f"Einsum: cannot parse term {t.replace('.', '...')!r} of "
                             f"{equation!r}: use letters and at most one '...'")
    if out is None:  # implicit mode: letters used once, alphabetically, after the ellipsis
        letters = "".join(terms)
        once = sorted(c for c in set(letters) if c != "." and letters.count(c) == 1)
        out = ("." if "." in letters else "") + "".join(once)
    else:
        out = out.replace("...", ".")
        if len(set(out)) != len(out):
            raise ValueError(f"Einsum: output subscripts of {equation!r} repeat a letter")
        missing = set(out) - set("".join(terms))
        if missing:
            raise ValueError(f"Einsum: output subscripts {sorted(missing)} of {equation!r} "
                             "appear in no input")
    return terms, out


def _einsum_kernel(xp, *operands, equation):
    # Contracting through BLAS (optimize) pays off once operands are more than tiny.
    big = len(operands) > 2 or sum(o.size for o in operands) > 4096
    return xp.einsum(equation, *operands, optimize=big)


def _einsum_infer(*specs: Spec, equation: str) -> Spec:
    terms, out = _parse_einsum(equation, len(specs))
    dims: dict = {}
    ell: Optional[tuple] = ()
    for k, (spec, term) in enumerate(zip(specs, terms)):
        if spec.dtype is not specs[0].dtype:
            raise dtype_mismatch("Einsum", specs[0].dtype, spec.dtype)
        letters = len(term) - ("." in term)
        rank = len(spec.shape)
        if rank < letters or ("." not in term and rank != letters):
            raise ValueError(f"Einsum: operand {k} has shape {_fmt(spec.shape)} but term "
                             f"{term.replace('.', '...')!r} of {equation!r} has {letters} "
                             "subscripts")
        pos = 0
        for c in term:
            if c == ".":
                width = rank - letters
                ell = shapes.broadcast(ell, spec.shape[pos:pos + width])
                if ell is None:
                    raise ValueError(f"Einsum: the '...' dimensions of {equation!r} do not "
                                     "broadcast")
                pos += width
                continue
            d, seen = spec.shape[pos], dims.get(c)
            if d is not None and seen is not None and d != seen:
                raise ValueError(f"Einsum: subscript {c!r} of {equation!r} is {seen} in one "
                                 f"operand and {d} in operand {k} (shape {_fmt(spec.shape)})")
            dims[c] = _same(seen, d)
            pos += 1
    shape = []
    for c in out:
        shape.extend(ell if c == "." else (dims[c],))
    return Spec(specs[0].dtype, tuple(shape))


def _einsum_grad(op, dy):
    terms, out = _parse_einsum(op.attrs["equation"], len(op.inputs))
    grads = []
    for i, (x, term) in enumerate(zip(op.inputs, terms)):
        if len(set(term)) != len(term):
            raise ValueError(f"einsum gradient: operand {i} repeats a subscript in "
                             f"{term.replace('.', '...')!r} (a diagonal); use ag.linalg.diag_part")
        others = [t for j, t in enumerate(terms) if j != i]
        parts = [out] + others
        operands = [dy] + [t for j, t in enumerate(op.inputs) if j != i]
        if set(term) - set("".join(parts)):
            # Some axes of x were summed away: a ones operand brings them back (broadcast).
            parts.append(term)
            operands.append(E.ones_like(x))
        eq = ",".join(parts) + "->" + term
        g = einsum(eq.replace(".", "..."), *operands)
        grads.append(E.unbroadcast(g, x) if "." in term else g)
    return grads


_EINSUM = defop("Einsum", _einsum_kernel, _einsum_infer, _einsum_grad)


def einsum(equation: str, *inputs, **kwargs) -> Tensor:
    """Einstein summation over ``inputs`` (``"ij,jk->ik"``, ``"...ij->...ji"``, ...)."""
    if not isinstance(equation, str):
        raise TypeError(f"einsum: the equation must be a string, got {type(equation).__name__}")
    if len(inputs) == 1 and isinstance(inputs[0], (list, tuple)):
        inputs = tuple(inputs[0])
    if not inputs:
        raise ValueError("einsum: at least one operand is needed")
    xs = dispatch.tensors(list(inputs), "Einsum")
    _check_dtype(xs[0], NUMERIC, "Einsum")
    _parse_einsum(equation, len(xs))  # clear errors before any kernel runs
    return _execute(_EINSUM, xs, {"equation": equation.replace(" ", "")})


def _tensordot_axes(axes, ra: int, rb: int) -> tuple:
    if isinstance(axes, Tensor):
        axes = axes.numpy().tolist()
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if n < 0 or n > ra or n > rb:
            raise ValueError(f"tensordot: axes = {n} is out of range for operands of rank "
                             f"{ra} and {rb}")
        return tuple(range(ra - n, ra)), tuple(range(n))
    if isinstance(axes, (list, tuple, np.ndarray)) and len(axes) == 2:
        pair = []
        for ax, rank in zip(axes, (ra, rb)):
            ax = [ax] if isinstance(ax, (int, np.integer)) else list(np.asarray(ax).reshape(-1))
            for a in ax:
                if not -rank <= int(a) < rank:
                    raise ValueError(f"tensordot: axis {int(a)} is out of range for rank {rank}")
            pair.append(tuple(int(a) % rank for a in ax))
        if len(pair[0]) != len(pair[1]):
            raise ValueError(f"tensordot: axes {axes!r} contract {len(pair[0])} axes of a but "
                             f"{len(pair[1])} of b")
        return tuple(pair)
    raise ValueError(f"tensordot: axes must be an int or a pair of axis lists, got {axes!r}")


def tensordot(a, b, axes, name=None) -> Tensor:
    """Sum products over ``axes`` of ``a`` and ``b`` (an int N: last N of a, first N of b)."""
    a, b = dispatch.tensors([a, b], "tensordot")
    a_axes, b_axes = _tensordot_axes(axes, a.ndim, b.ndim)
    for i, j in zip(a_axes, b_axes):
        da, db = a.shape[i], b.shape[j]
        if da is not None and db is not None and da != db:
            raise ValueError(f"tensordot: axis {i} of a (shape {_fmt(a.shape)}) has size {da} "
                             f"but axis {j} of b (shape {_fmt(b.shape)}) has size {db}")
    if a.ndim + b.ndim - len(a_axes) > len(string.ascii_letters):
        raise ValueError("tensordot: too many axes")
    letters = iter(string.ascii_letters)
    sa = [next(letters) for _ in range(a.ndim)]
    sb = [next(letters) for _ in range(b.ndim)]
    for i, j in zip(a_axes, b_axes):
        sb[j] = sa[i]
    out = [c for i, c in enumerate(sa) if i not in a_axes] + \
        [c for j, c in enumerate(sb) if j not in b_axes]
    return einsum(f"{''.join(sa)},{''.join(sb)}->{''.join(out)}", a, b)


def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False,
           name=None) -> Tensor:
    """Matrix [..., M, N] times vector [..., N] -> [..., M] (batch axes broadcast)."""
    a, b = dispatch.tensors([a, b], "matvec")
    if a.ndim < 2 or b.ndim < 1:
        raise ValueError(f"matvec: a must have rank >= 2 and b rank >= 1, got shapes "
                         f"{_fmt(a.shape)} and {_fmt(b.shape)}")
    if adjoint_a:
        a = _conj(a)
    return einsum("...ji,...j->...i" if transpose_a or adjoint_a else "...ij,...j->...i", a, b)


def _cross_infer(a: Spec, b: Spec) -> Spec:
    if a.dtype is not b.dtype:
        raise dtype_mismatch("Cross", a.dtype, b.dtype)
    if a.dtype not in NUMERIC:
        raise TypeError(f"Cross does not accept {a.dtype.name} tensors")
    ok = len(a.shape) == len(b.shape) and len(a.shape) >= 1 and all(
        x is None or y is None or x == y for x, y in zip(a.shape, b.shape))
    last = _same(a.shape[-1] if a.shape else None, b.shape[-1] if b.shape else None)
    if not ok or last not in (None, 3):
        raise ValueError(f"Cross: both inputs must have one shape ending in 3, got "
                         f"{_fmt(a.shape)} and {_fmt(b.shape)}")
    return Spec(a.dtype, tuple(_same(x, y) for x, y in zip(a.shape, b.shape)))


_CROSS = defop("Cross", lambda xp, a, b: xp.cross(a, b), _cross_infer,
               lambda op, dy: [cross(op.inputs[1], dy), cross(dy, op.inputs[0])])


def cross(a, b, name=None) -> Tensor:
    """Cross product of 3-vectors along the last axis."""
    a, b = dispatch.tensors([a, b], "Cross")
    return _execute(_CROSS, (a, b))


# ---- diagonals and bands -----------------------------------------------------------------

def _diag_len(m, n, k):
    if m is None or n is None:
        return None
    return max(0, min(m + min(k, 0), n - max(k, 0)))


def _diag_index(xp, length, k):
    i = xp.arange(length)
    return i + max(-k, 0), i + max(k, 0)


def _diag_kernel(xp, v, k):
    n = v.shape[-1]
    size = n + abs(k)
    out = xp.zeros(v.shape[:-1] + (size, size), v.dtype)
    rows, cols = _diag_index(xp, n, k)
    out[..., rows, cols] = v
    return out


def _diag_infer(v: Spec, k: int) -> Spec:
    if v.dtype not in NUMERIC | BOOL:
        raise TypeError(f"MatrixDiag does not accept {v.dtype.name} tensors")
    if not v.shape:
        raise ValueError("MatrixDiag: the diagonal must have rank >= 1, got a scalar")
    n = v.shape[-1]
    size = None if n is None else n + abs(k)
    return Spec(v.dtype, v.shape[:-1] + (size, size))


def _diag_part_kernel(xp, x, k):
    return xp.diagonal(x, offset=k, axis1=-2, axis2=-1).copy()


def _diag_part_infer(x: Spec, k: int) -> Spec:
    batch, m, n = _matrix_spec("MatrixDiagPart", x, allowed=NUMERIC | BOOL)
    return Spec(x.dtype, batch + (_diag_len(m, n, k),))


def _set_diag_kernel(xp, x, d, k):
    out = x.copy()
    rows, cols = _diag_index(xp, d.shape[-1], k)
    out[..., rows, cols] = d
    return out


def _set_diag_infer(x: Spec, d: Spec, k: int) -> Spec:
    batch, m, n = _matrix_spec("MatrixSetDiag", x, allowed=NUMERIC | BOOL)
    if d.dtype is not x.dtype:
        raise dtype_mismatch("MatrixSetDiag", x.dtype, d.dtype)
    want = batch + (_diag_len(m, n, k),)
    if len(d.shape) != len(want) or any(
            a is not None and b is not None and a != b for a, b in zip(d.shape, want)):
        raise ValueError(f"MatrixSetDiag: the diagonal must have shape {_fmt(want)} for an "
                         f"input of shape {_fmt(x.shape)} (k={k}), got {_fmt(d.shape)}")
    return x


def _band_kernel(xp, x, num_lower, num_upper):
    m, n = x.shape[-2:]
    i = xp.arange(m)[:, None]
    j = xp.arange(n)[None, :]
    keep = xp.ones((m, n), bool)
    if num_lower >= 0:
        keep &= (i - j) <= num_lower
    if num_upper >= 0:
        keep &= (j - i) <= num_upper
    return xp.where(keep, x, xp.zeros((), x.dtype))


_DIAG = defop("MatrixDiag", _diag_kernel, _diag_infer,
              lambda op, dy: [diag_part(dy, k=op.attrs["k"])])
_DIAG_PART = defop("MatrixDiagPart", _diag_part_kernel, _diag_part_infer,
                   lambda op, dy: [set_diag(E.zeros_like(op.inputs[0]), dy, k=op.attrs["k"])])
_SET_DIAG = defop("MatrixSetDiag", _set_diag_kernel, _set_diag_infer,
                  lambda op, dy: [set_diag(dy, E.zeros_like(op.inputs[1]), k=op.attrs["k"]),
                                  diag_part(dy, k=op.attrs["k"])])
def _band_infer(x: Spec, num_lower: int, num_upper: int) -> Spec:
    _matrix_spec("MatrixBandPart", x, allowed=NUMERIC | BOOL)
    return x


_BAND = defop("MatrixBandPart", _band_kernel, _band_infer,
              lambda op, dy: [band_part(dy, op.attrs["num_lower"], op.attrs["num_upper"])])


def diag(diagonal, name=None, k=0, num_rows=-1, num_cols=-1, padding_value=0,
         align="RIGHT_LEFT") -> Tensor:
    """A (batch of) square matrix with ``diagonal`` on diagonal ``k`` and zeros elsewhere."""
    v = convert_to_tensor(diagonal)
    n = v.shape[-1] if v.ndim else None
    size = None if n is None else n + abs(int(k))
    if (num_rows not in (-1, size) or num_cols not in (-1, size) or padding_value != 0):
        raise ValueError(f"diag: only square outputs ({size} x {size}) with zero padding are "
                         f"supported; got num_rows={num_rows}, num_cols={num_cols}, "
                         f"padding_value={padding_value}")
    return _execute(_DIAG, (v,), {"k": int(k)})


def diag_part(input, name=None, k=0, padding_value=0, align="RIGHT_LEFT") -> Tensor:  # noqa: A002
    """Diagonal ``k`` of the last two axes: [..., M, N] -> [..., min(M, N)] for k = 0."""
    return _execute(_DIAG_PART, (convert_to_tensor(input),), {"k": int(k)})


def set_diag(input, diagonal, name=None, k=0, align="RIGHT_LEFT") -> Tensor:  # noqa: A002
    """``input`` with diagonal ``k`` of its last two axes replaced by ``diagonal``."""
    x, d = dispatch.tensors([input, diagonal], "MatrixSetDiag")
    return _execute(_SET_DIAG, (x, d), {"k": int(k)})


def band_part(input, num_lower, num_upper, name=None) -> Tensor:  # noqa: A002
    """Keep ``num_lower`` sub- and ``num_upper`` super-diagonals (-1 keeps all), zero the rest."""
    x = convert_to_tensor(input)
    return _execute(_BAND, (x,), {"num_lower": int(num_lower), "num_upper": int(num_upper)})


def trace(x, name=None) -> Tensor:
    """Sum of the main diagonal of the last two axes."""
    return reduce_sum(diag_part(x), axis=-1)


# ---- inverse, determinants, solves -------------------------------------------------------

def _inv_kernel(xp, x, adjoint):
    if adjoint:
        x = xp.conj(xp.swapaxes(x, -1, -2))
    with _lapack(xp):
        return xp.linalg.inv(x)


def _inv_grad(op, dy):
    y = op.outputs[0]
    if op.attrs["adjoint"]:
        return [-matmul(y, matmul(dy, y, transpose_a=True))]
    return [-matmul(y, matmul(dy, y, transpose_b=True), transpose_a=True)]


def _square_infer(op: str):
    def infer(x: Spec, **attrs) -> Spec:
        _matrix_spec(op, x, square=True)
        return x
    return infer


def _det_infer(x: Spec) -> Spec:
    batch, _, _ = _matrix_spec("MatrixDeterminant", x, square=True)
    return Spec(x.dtype, batch)


def _scaled_inverse_transpose(a: Tensor, scale: Tensor) -> Tensor:
    """``scale[..., None, None] * inv(a)^T``, since d det(a) = det(a) inv(a)^T da and
    d log|det(a)| = inv(a)^T da."""
    inv_t = inv(a, adjoint=True)
    return broadcast_reduced(scale, inv_t, (a.ndim - 2, a.ndim - 1)) * inv_t


def _slogdet_kernel(xp, x):
    with _lapack(xp):
        sign, logdet_ = xp.linalg.slogdet(x)
    return sign.astype(x.dtype, copy=False), logdet_.astype(D.as_dtype(x.dtype).real_dtype.np,
                                                            copy=False)


def _slogdet_infer(x: Spec) -> list:
    batch, _, _ = _matrix_spec("LogMatrixDeterminant", x, square=True)
    return [Spec(x.dtype, batch), Spec(x.dtype.real_dtype, batch)]


def _det_kernel(xp, x):
    with _lapack(xp):
        return xp.linalg.det(x)


_INV = defop("MatrixInverse", _inv_kernel, _square_infer("MatrixInverse"), _inv_grad)
_DET = defop("MatrixDeterminant", _det_kernel, _det_infer,
             lambda op, dy: [_scaled_inverse_transpose(op.inputs[0], dy * op.outputs[0])])
_SLOGDET = defop("LogMatrixDeterminant", _slogdet_kernel, _slogdet_infer,
                 lambda op, dsign, dlog: [_scaled_inverse_transpose(op.inputs[0], dlog)],
                 multi=True)

LogMatrixDeterminant = namedtuple("LogMatrixDeterminant", ["sign", "log_abs_determinant"])


def inv(input, adjoint=False, name=None) -> Tensor:  # noqa: A002
    """Inverse of each square matrix; a singular one raises InvalidArgumentError."""
    x = _matrix(input, "MatrixInverse")
    return _execute(_INV, (x,), {"adjoint": bool(adjoint)})


def det(input, name=None) -> Tensor:  # noqa: A002
    """Determinant of each square matrix: [..., M, M] -> [...]."""
    return _execute(_DET, (_matrix(input, "MatrixDeterminant"),))


def slogdet(input, name=None) -> LogMatrixDeterminant:  # noqa: A002
    """``(sign, log|det|)`` of each square matrix, stable where ``det`` over/underflows."""
    return LogMatrixDeterminant(*_execute(_SLOGDET, (_matrix(input, "LogMatrixDeterminant"),)))


def logdet(matrix, name=None) -> Tensor:
    """``log(det(matrix))`` of Hermitian positive-definite matrices, through Cholesky."""
    chol = cholesky(matrix)
    return 2.0 * reduce_sum(E.log(diag_part(chol)), axis=-1)


def _solve_infer(op: str):
    def infer(a: Spec, b: Spec, **attrs) -> Spec:
        batch, m, _ = _matrix_spec(op, a, square=True, what="matrix")
        if b.dtype is not a.dtype:
            raise dtype_mismatch(op, a.dtype, b.dtype)
        _, bm, k = _matrix_spec(op, b, what="rhs")
        if m is not None and bm is not None and m != bm:
            raise ValueError(f"{op}: matrix {_fmt(a.shape)} and rhs {_fmt(b.shape)} differ in "
                             f"their number of rows ({m} vs {bm})")
        out_batch = shapes.broadcast(batch, b.shape[:-2])
        if out_batch is None:
            raise ValueError(f"{op}: batch dimensions of matrix {_fmt(a.shape)} and rhs "
                             f"{_fmt(b.shape)} do not broadcast")
        return Spec(a.dtype, out_batch + (_same(m, bm), k))
    return infer


def _solve_kernel(xp, a, b, adjoint):
    if b.ndim < 2:  # NumPy would take a vector; TensorFlow wants [..., M, K]
        raise ValueError("rhs rank")
    if adjoint:
        a = xp.conj(xp.swapaxes(a, -1, -2))
    with _lapack(xp):
        return xp.linalg.solve(a, b)


def _solve_grad(op, dx):
    # X = A^-1 B: dB = A^-T dX and dA = -dB X^T (adjoint swaps the roles); the triangular
    # solve reads one triangle, so only that triangle gets a gradient.
    a, b = op.inputs
    x = op.outputs[0]
    adj, lower = op.attrs["adjoint"], op.attrs.get("lower")
    if lower is None:
        db = solve(a, dx, adjoint=not adj)
    else:
        db = triangular_solve(a, dx, lower=lower, adjoint=not adj)
    da = -matmul(x, db, transpose_b=True) if adj else -matmul(db, x, transpose_b=True)
    if lower is not None:
        da = band_part(da, -1, 0) if lower else band_part(da, 0, -1)
    return [E.unbroadcast(da, a), E.unbroadcast(db, b)]


def _tri_solve_kernel(xp, a, b, lower, adjoint):
    return _solve_kernel(xp, xp.tril(a) if lower else xp.triu(a), b, adjoint)


_SOLVE = defop("MatrixSolve", _solve_kernel, _solve_infer("MatrixSolve"), _solve_grad)
_TRI_SOLVE = defop("MatrixTriangularSolve", _tri_solve_kernel,
                   _solve_infer("MatrixTriangularSolve"), _solve_grad)


def solve(matrix, rhs, adjoint=False, name=None) -> Tensor:
    """``X`` with ``matrix @ X = rhs`` (``adjoint(matrix) @ X = rhs`` when ``adjoint``)."""
    a, b = dispatch.tensors([matrix, rhs], "MatrixSolve")
    _check_dtype(a, _LAPACK, "MatrixSolve")
    return _execute(_SOLVE, (a, b), {"adjoint": bool(adjoint)})


def triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None) -> Tensor:
    """``solve`` reading only the lower (or upper) triangle of ``matrix``."""
    a, b = dispatch.tensors([matrix, rhs], "MatrixTriangularSolve")
    _check_dtype(a, _LAPACK, "MatrixTriangularSolve")
    return _execute(_TRI_SOLVE, (a, b), {"lower": bool(lower), "adjoint": bool(adjoint)})


# ---- decompositions ----------------------------------------------------------------------

def _cholesky_kernel(xp, x):
    with _lapack(xp):
        return xp.linalg.cholesky(x)


def _cholesky_grad(op, dl):
    # TensorFlow's symmetric gradient (Murray 2016, "Differentiation of the Cholesky").
    chol = op.outputs[0]
    l_inv = inv(chol)
    middle = matmul(chol, dl, transpose_a=True)
    middle = band_part(set_diag(middle, 0.5 * diag_part(middle)), -1, 0)
    g = matmul(matmul(l_inv, middle, transpose_a=True), l_inv)
    return [0.5 * (g + matrix_transpose(g))]


_CHOLESKY = defop("Cholesky", _cholesky_kernel, _square_infer("Cholesky"), _cholesky_grad)


def cholesky(input, name=None) -> Tensor:  # noqa: A002
    """Lower-triangular ``L`` with ``L @ L^H = input`` (reads the lower triangle only)."""
    return _execute(_CHOLESKY, (_matrix(input, "Cholesky"),))


def _pairwise_reciprocal(values: Tensor, like: Tensor) -> Tensor:
    """``f[..., i, j] = 1 / (values[j] - values[i])``, and 0 where they are equal."""
    r = like.ndim
    diff = broadcast_reduced(values, like, (r - 2,)) - broadcast_reduced(values, like, (r - 1,))
    return E.divide_no_nan(E.ones_like(diff), diff)


def _eigh_kernel(xp, x, compute_v):
    with _lapack(xp):
        return tuple(xp.linalg.eigh(x)) if compute_v else (xp.linalg.eigvalsh(x),)


def _eigh_infer(x: Spec, compute_v: bool) -> list:
    batch, n, _ = _matrix_spec("SelfAdjointEig", x, square=True)
    values = Spec(x.dtype.real_dtype, batch + (n,))
    return [values, Spec(x.dtype, batch + (n, n))] if compute_v else [values]


def _eigh_grad(op, de, dv=None):
    a = op.inputs[0]
    if op.attrs["compute_v"]:
        e, v = op.outputs
        inner = diag(de) + _pairwise_reciprocal(e, v) * matmul(v, dv, transpose_a=True)
    else:
        _, v = eigh(a)
        inner = diag(de)
    g = matmul(v, matmul(inner, v, transpose_b=True))
    # The forward op reads only the lower triangle: symmetrise, keep the lower triangle.
    g = band_part(g + matrix_transpose(g), -1, 0)
    return [set_diag(g, 0.5 * diag_part(g))]


_EIGH = defop("SelfAdjointEig", _eigh_kernel, _eigh_infer, _eigh_grad, multi=True)


def eigh(tensor, name=None) -> tuple:
    """Eigenvalues (ascending) and eigenvectors (columns) of self-adjoint matrices."""
    e, v = _execute(_EIGH, (_matrix(tensor, "SelfAdjointEig"),), {"compute_v": True})
    return e, v


def eigvalsh(tensor, name=None) -> Tensor:
    """Eigenvalues (ascending) of self-adjoint matrices."""
    return _execute(_EIGH, (_matrix(tensor, "SelfAdjointEig"),), {"compute_v": False})[0]


_COMPLEX_OF = {D.float32: D.complex64, D.complex64: D.complex64,
               D.float64: D.complex128, D.complex128: D.complex128}


def _eig_kernel(xp, x, compute_v):
    # cuSOLVER has no general (non-symmetric) eigensolver; GPU inputs go through the host.
    host = backends.to_numpy(x)
    ctype = _COMPLEX_OF[D.as_dtype(x.dtype)].np
    if compute_v:
        e, v = np.linalg.eig(host)
        out = (e.astype(ctype), v.astype(ctype))
    else:
        out = (np.linalg.eigvals(host).astype(ctype),)
    return out if xp is np else tuple(xp.asarray(o) for o in out)


def _eig_infer(x: Spec, compute_v: bool) -> list:
    batch, n, _ = _matrix_spec("Eig", x, square=True)
    ctype = _COMPLEX_OF[x.dtype]
    values = Spec(ctype, batch + (n,))
    return [values, Spec(ctype, batch + (n, n))] if compute_v else [values]


def _eig_grad(op, de, dv=None):
    """TensorFlow's Eig gradient: for A = V diag(e) V^-1,
    dA = V^-H (diag(de) + F * (V^H dV - V^H V diag(Re(diag(V^H dV))))) V^H, with
    F_ij = conj(1 / (e_j - e_i)) off the diagonal; the real part for a real A.
    Assumes distinct eigenvalues."""
    from ops import array_ops
    a = op.inputs[0]
    if op.attrs["compute_v"]:
        e, v = op.outputs
    else:
        e, v = eig(a)
    vt = adjoint(v)
    mid = diag(de)
    if dv is not None:
        gap = array_ops.expand_dims(e, -2) - array_ops.expand_dims(e, -1)
        f = E.conj(set_diag(E.reciprocal(set_diag(gap, E.ones_like(e))), E.zeros_like(e)))
        vgv = matmul(vt, dv)
        kept = diag(E.cast(E.real(diag_part(vgv)), vgv.dtype))
        mid = mid + f * (vgv - matmul(matmul(vt, v), kept))
    grad = solve(vt, matmul(mid, vt))
    return [E.real(grad) if a.dtype not in COMPLEX else grad]


_EIG = defop("Eig", _eig_kernel, _eig_infer, _eig_grad, multi=True)


def eig(tensor, name=None) -> tuple:
    """Complex eigenvalues and eigenvectors of general square matrices."""
    e, v = _execute(_EIG, (_matrix(tensor, "Eig"),), {"compute_v": True})
    return e, v


def eigvals(tensor, name=None) -> Tensor:
    """Complex eigenvalues of general square matrices (complex64 for float32 input)."""
    return _execute(_EIG, (_matrix(tensor, "Eig"),), {"compute_v": False})[0]


Qr = namedtuple("Qr", ["q", "r"])


def _qr_kernel(xp, x, full_matrices):
    with _lapack(xp):
        q, r = xp.linalg.qr(x, mode="complete" if full_matrices else "reduced")
    return q, r


def _qr_infer(x: Spec, full_matrices: bool) -> list:
    batch, m, n = _matrix_spec("Qr", x)
    k = m if full_matrices else _kmin(m, n)
    return [Spec(x.dtype, batch + (m, k)), Spec(x.dtype, batch + (k, n))]


def _solve_right_upper(x: Tensor, r: Tensor) -> Tensor:
    """``x @ inv(r)^T`` for upper-triangular ``r``."""
    return matrix_transpose(triangular_solve(r, matrix_transpose(x), lower=False))


def _qr_grad_tall(q, r, dq, dr):
    # TensorFlow's QR gradient for M >= N (Walter and Lehmann 2018).
    qdq = matmul(q, dq, transpose_a=True)
    qdq_ = qdq - matrix_transpose(qdq)
    rdr = matmul(r, dr, transpose_b=True)
    rdr_ = rdr - matrix_transpose(rdr)
    low = band_part(qdq_ + rdr_, -1, 0)
    grad_a = matmul(q, dr + _solve_right_upper(low, r))
    grad_b = _solve_right_upper(dq - matmul(q, qdq), r)
    return grad_a + grad_b


def _qr_grad(op, dq, dr):
    a = op.inputs[0]
    q, r = op.outputs
    m, n = a.shape[-2:]
    if m is None or n is None:
        raise ValueError(f"qr gradient: the matrix dimensions must be known, got shape "
                         f"{_fmt(a.shape)}")
    if m >= n:
        if op.attrs["full_matrices"] and m > n:
            raise ValueError(f"qr gradient: full_matrices=True is differentiable only when "
                             f"rows <= columns; got shape {_fmt(a.shape)}")
        return [_qr_grad_tall(q, r, dq, dr)]
    # Wide matrices: a = [x | y] with x square, r = [u | v] (TensorFlow's split).
    from ops import array_ops
    _, y = array_ops.split(a, [m, n - m], axis=-1)
    u, _ = array_ops.split(r, [m, n - m], axis=-1)
    du, dv = array_ops.split(dr, [m, n - m], axis=-1)
    dx = _qr_grad_tall(q, u, dq + matmul(y, dv, transpose_b=True), du)
    return [array_ops.concat([dx, matmul(q, dv)], axis=-1)]


_QR = defop("Qr", _qr_kernel, _qr_infer, _qr_grad, multi=True)


def qr(input, full_matrices=False, name=None) -> Qr:  # noqa: A002
    """``(q, r)``: orthonormal columns ``q`` and upper-triangular ``r`` with ``q @ r = input``."""
    return Qr(*_execute(_QR, (_matrix(input, "Qr"),), {"full_matrices": bool(full_matrices)}))


def _svd_kernel(xp, x, full_matrices, compute_uv):
    with _lapack(xp):
        if not compute_uv:
            return (xp.linalg.svd(x, compute_uv=False),)
        u, s, vh = xp.linalg.svd(x, full_matrices=full_matrices)
    v = xp.swapaxes(vh, -1, -2)
    return s, u, (xp.conj(v) if v.dtype.kind == "c" else v)


def _svd_infer(x: Spec, full_matrices: bool, compute_uv: bool) -> list:
    batch, m, n = _matrix_spec("Svd", x)
    k = _kmin(m, n)
    s = Spec(x.dtype.real_dtype, batch + (k,))
    if not compute_uv:
        return [s]
    return [s, Spec(x.dtype, batch + (m, m if full_matrices else k)),
            Spec(x.dtype, batch + (n, n if full_matrices else k))]


def _svd_grad(op, ds, du=None, dv=None):
    # TensorFlow's SVD gradient (Townsend 2016), real matrices with distinct singular values.
    a = op.inputs[0]
    if not op.attrs["compute_uv"]:
        _, u, v = svd(a, full_matrices=False)
        return [matmul(u, matmul(diag(ds), v, transpose_b=True))]
    s, u, v = op.outputs
    m, n = a.shape[-2:]
    if m is None or n is None:
        raise ValueError(f"svd gradient: the matrix dimensions must be known, got shape "
                         f"{_fmt(a.shape)}")
    if op.attrs["full_matrices"] and m != n:
        raise ValueError(f"svd gradient: full_matrices=True is differentiable only for square "
                         f"matrices; got shape {_fmt(a.shape)}")
    transposed = m > n
    if transposed:  # differentiate a^T = v s u^T instead, and transpose at the end
        u, v, du, dv = v, u, dv, du
        m, n = n, m
    s_mat = diag(s)
    u_gu = matmul(u, du, transpose_a=True)
    v_gv = matmul(v, dv, transpose_a=True)
    f = _pairwise_reciprocal(E.square(s), u_gu)
    f_u = f * u_gu
    f_v = f * v_gv
    core = diag(ds) + matmul(f_u + matrix_transpose(f_u), s_mat) + \
        matmul(s_mat, f_v + matrix_transpose(f_v))
    g = matmul(u, matmul(core, v, transpose_b=True))
    if m != n:
        dvt = matrix_transpose(dv)
        rest = dvt - matmul(matmul(dvt, v), v, transpose_b=True)
        s_inv = diag(E.divide_no_nan(E.ones_like(s), s))
        g = g + matmul(matmul(u, s_inv), rest)
    return [matrix_transpose(g) if transposed else g]


_SVD = defop("Svd", _svd_kernel, _svd_infer, _svd_grad, multi=True)


def svd(tensor, full_matrices=False, compute_uv=True, name=None) -> "tuple | Tensor":
    """Singular values ``s`` (descending) and, with ``compute_uv``, ``(s, u, v)`` such that
    ``tensor = u @ diag(s) @ transpose(v)`` (``v`` itself, not its adjoint, as TF)."""
    x = _matrix(tensor, "Svd")
    out = _execute(_SVD, (x,), {"full_matrices": bool(full_matrices),
                                "compute_uv": bool(compute_uv)})
    return tuple(out) if compute_uv else out[0]
