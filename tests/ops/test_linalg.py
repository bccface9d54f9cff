"""``ag.linalg``: products, inverses, decompositions and norms against NumPy, with gradients."""
import itertools

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograph as ag
from ops.errors import InvalidArgumentError
from tests.support import assert_tensor, check_grad, check_infer, check_second_grad

FLOATS = [np.float32, np.float64]
NUMBERS = FLOATS + [np.int32, np.int64]


def rand(*shape, dtype=np.float64, seed=0, low=-2.0, high=2.0):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind in "iu":
        return rng.integers(-4, 5, size=shape).astype(dtype)
    return rng.uniform(low, high, size=shape).astype(dtype)


def well_conditioned(*batch, n=3, dtype=np.float64, seed=0):
    """Random square matrices safely away from singular (diagonally dominant)."""
    return (rand(*batch, n, n, dtype=dtype, seed=seed) + 4 * np.eye(n)).astype(dtype)


def spd(*batch, n=3, seed=0):
    a = rand(*batch, n, n, seed=seed)
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def sym(t):
    """Symmetrise inside a gradient check: eigh/cholesky read only one triangle."""
    return (t + ag.linalg.matrix_transpose(t)) / 2


def tol(dtype):
    return dict(rtol=2e-5, atol=2e-5) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)


# ---- matmul, matvec, tensordot, einsum, cross -------------------------------------------

MATMUL_SHAPES = [((2, 3), (3, 4)), ((5, 2, 3), (3, 4)), ((1, 2, 3), (4, 3, 2)),
                 ((0, 3), (3, 2)), ((2, 0), (0, 3)), ((2, 1, 2, 3), (3, 3, 1))]


@pytest.mark.parametrize("dtype", NUMBERS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES, ids=str)
def test_matmul_matches_numpy(sa, sb, dtype):
    a, b = rand(*sa, dtype=dtype), rand(*sb, dtype=dtype, seed=1)
    assert_tensor(ag.matmul(a, b), np.matmul(a, b), dtype=dtype, **tol(dtype))
    at, bt = np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2)
    assert_tensor(ag.matmul(at, bt, transpose_a=True, transpose_b=True), a @ b, **tol(dtype))
    assert_tensor(ag.linalg.matmul(at, b, adjoint_a=True), a @ b, **tol(dtype))
    assert_tensor(ag.constant(a) @ ag.constant(b), a @ b, **tol(dtype))


@pytest.mark.parametrize("ta,tb", list(itertools.product((False, True), repeat=2)))
def test_matmul_gradients(ta, tb):
    a, b = rand(2, 3, 4), rand(4, 5, seed=1)
    a = np.swapaxes(a, -1, -2) if ta else a
    b = b.T if tb else b
    check_grad(lambda x, y: ag.matmul(x, y, transpose_a=ta, transpose_b=tb), a, b)


def test_matmul_adjoint_conjugates_complex_operands():
    a = rand(3, 2) + 1j * rand(3, 2, seed=1)
    b = rand(3, 4, seed=2) - 1j * rand(3, 4, seed=3)
    assert_tensor(ag.linalg.matmul(a, b, adjoint_a=True), a.conj().T @ b, rtol=1e-12)
    assert_tensor(ag.linalg.matmul(b, b, adjoint_b=True), b @ b.conj().T, rtol=1e-12)
    assert_tensor(ag.linalg.adjoint(a), a.conj().T)


def test_matmul_errors():
    with pytest.raises(ValueError, match=r"MatMul: inner dimensions differ.*\(3 vs 4\)"):
        ag.matmul(np.ones((2, 3)), np.ones((4, 2)))
    with pytest.raises(ValueError, match="rank >= 2"):
        ag.matmul(np.ones(3), np.ones((3, 2)))
    with pytest.raises(TypeError, match="float32 and int32"):
        ag.matmul(ag.constant([[1.0]]), ag.constant([[1]]))
    with pytest.raises(TypeError, match="bool"):
        ag.matmul([[True]], [[False]])


def test_matvec_and_cross():
    a, v = rand(2, 3, 4), rand(4, seed=1)
    assert_tensor(ag.linalg.matvec(a, v), a @ v)
    assert_tensor(ag.linalg.matvec(np.swapaxes(a, -1, -2), v, transpose_a=True), a @ v)
    check_grad(lambda x, y: ag.linalg.matvec(x, y), a, v)
    p, q = rand(4, 3), rand(4, 3, seed=2)
    assert_tensor(ag.linalg.cross(p, q), np.cross(p, q))
    check_grad(ag.linalg.cross, p, q)
    with pytest.raises(ValueError, match="ending in 3"):
        ag.linalg.cross(np.ones(4), np.ones(4))


TENSORDOT_CASES = [((3, 4), (4, 5), 1), ((2, 3, 4), (3, 4, 5), 2), ((3,), (4,), 0),
                   ((2, 3, 4), (4, 2), [[0, 2], [1, 0]]), ((3, 4), (4, 3), [1, 0]),
                   ((2, 3), (3, 2), [[1], [0]])]


@pytest.mark.parametrize("sa,sb,axes", TENSORDOT_CASES, ids=str)
def test_tensordot(sa, sb, axes):
    a, b = rand(*sa), rand(*sb, seed=1)
    assert_tensor(ag.linalg.tensordot(a, b, axes), np.tensordot(a, b, axes))
    check_grad(lambda x, y: ag.linalg.tensordot(x, y, axes), a, b)


def test_tensordot_errors():
    with pytest.raises(ValueError, match=r"tensordot: axis 1 of a .* size 3 but axis 0 of b"):
        ag.linalg.tensordot(np.ones((2, 3)), np.ones((4, 2)), 1)
    with pytest.raises(ValueError, match="out of range"):
        ag.linalg.tensordot(np.ones(3), np.ones(3), 2)


EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("ij->ji", [(2, 3)]),
    ("ij->", [(2, 3)]), ("i,i->", [(4,), (4,)]), ("i,j->ij", [(2,), (3,)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]), ("...ij,...jk->...ik", [(2, 2, 3), (3, 4)]),
    ("ij,kj->ik", [(2, 3), (4, 3)]), ("ijk->kj", [(2, 3, 4)]),
    ("ab,bc,cd->ad", [(2, 3), (3, 4), (4, 2)]), ("i...->...", [(3, 2, 2)]),
    ("...i,...i->...", [(2, 3), (1, 3)]),
]


@pytest.mark.parametrize("eq,shapes", EINSUM_CASES, ids=[c[0] for c in EINSUM_CASES])
def test_einsum(eq, shapes):
    xs = [rand(*s, seed=i) for i, s in enumerate(shapes)]
    assert_tensor(ag.linalg.einsum(eq, *xs), np.einsum(eq, *xs))
    check_grad(lambda *ts: ag.linalg.einsum(eq, *ts), *xs)
    check_infer(ag.linalg.einsum, eq, *[ag.constant(x) for x in xs])


def test_einsum_errors():
    with pytest.raises(ValueError, match="names 2 operands but 1"):
        ag.linalg.einsum("ij,jk->ik", np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"subscript 'j' .* is 3 in one operand and 4"):
        ag.linalg.einsum("ij,jk->ik", np.ones((2, 3)), np.ones((4, 2)))
    with pytest.raises(ValueError, match="appear in no input"):
        ag.linalg.einsum("ij->k", np.ones((2, 3)))
    with pytest.raises(ValueError, match="2 subscripts"):
        ag.linalg.einsum("ij->i", np.ones(3))


# ---- inverse, determinant, solve --------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("batch", [(), (2,), (2, 3)], ids=str)
def test_inv_det_slogdet(batch, dtype):
    a = well_conditioned(*batch, dtype=dtype)
    assert_tensor(ag.linalg.inv(a), np.linalg.inv(a), dtype=dtype, **tol(dtype))
    assert_tensor(ag.linalg.inv(a, adjoint=True), np.linalg.inv(np.swapaxes(a, -1, -2)),
                  **tol(dtype))
    assert_tensor(ag.linalg.det(a), np.linalg.det(a), dtype=dtype, **tol(dtype))
    sign, logabs = ag.linalg.slogdet(-a)
    np_sign, np_log = np.linalg.slogdet(-a)
    assert_tensor(sign, np_sign.astype(dtype), **tol(dtype))
    assert_tensor(logabs, np_log.astype(dtype), **tol(dtype))
    s = spd(*batch).astype(dtype)
    assert_tensor(ag.linalg.logdet(s), np.linalg.slogdet(s)[1].astype(dtype), **tol(dtype))


def test_inv_det_gradients():
    a = well_conditioned(2)
    check_grad(ag.linalg.inv, a)
    check_grad(lambda t: ag.linalg.inv(t, adjoint=True), a)
    check_grad(ag.linalg.det, a)
    check_grad(lambda t: ag.linalg.slogdet(t).log_abs_determinant, -a)
    check_grad(lambda t: ag.linalg.logdet(sym(t)), spd(2))
    check_second_grad(ag.linalg.det, well_conditioned(n=2))
    check_second_grad(lambda t: ag.reduce_sum(ag.linalg.inv(t)), well_conditioned(n=2))


def test_singular_and_misshaped_matrices():
    with pytest.raises(InvalidArgumentError, match="MatrixInverse"):
        ag.linalg.inv(np.ones((2, 2), np.float32))
    with pytest.raises(ValueError, match=r"MatrixInverse: input must be square .*\(2, 3\)"):
        ag.linalg.inv(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match=r"MatrixDeterminant: input must be a matrix .*\(3,\)"):
        ag.linalg.det(np.ones(3, np.float32))
    with pytest.raises(TypeError, match="MatrixInverse does not accept int32"):
        ag.linalg.inv([[1, 2], [3, 4]])
    assert ag.linalg.det(np.ones((2, 2))).numpy() == 0.0  # singular is fine for det


@pytest.mark.parametrize("adjoint", [False, True])
def test_solve(adjoint):
    a, b = well_conditioned(2), rand(2, 3, 2, seed=1)
    op_a = np.swapaxes(a, -1, -2) if adjoint else a
    assert_tensor(ag.linalg.solve(a, b, adjoint=adjoint), np.linalg.solve(op_a, b))
    check_grad(lambda x, y: ag.linalg.solve(x, y, adjoint=adjoint), a, b)
    # Batch dimensions broadcast as in NumPy.
    assert_tensor(ag.linalg.solve(a[0], b, adjoint=adjoint), np.linalg.solve(op_a[0], b))
    check_grad(lambda x, y: ag.linalg.solve(x, y, adjoint=adjoint), a[0], b)


@pytest.mark.parametrize("lower,adjoint", list(itertools.product((True, False), repeat=2)))
def test_triangular_solve(lower, adjoint):
    a, b = well_conditioned(2), rand(2, 3, 2, seed=1)
    tri = np.tril(a) if lower else np.triu(a)
    tri = np.swapaxes(tri, -1, -2) if adjoint else tri
    assert_tensor(ag.linalg.triangular_solve(a, b, lower=lower, adjoint=adjoint),
                  np.linalg.solve(tri, b))
    check_grad(lambda x, y: ag.linalg.triangular_solve(x, y, lower=lower, adjoint=adjoint),
               a, b)


def test_solve_errors():
    with pytest.raises(ValueError, match=r"MatrixSolve: matrix .* and rhs .* rows \(3 vs 2\)"):
        ag.linalg.solve(np.eye(3), np.ones((2, 1)))
    with pytest.raises(ValueError, match="rhs must be a matrix"):
        ag.linalg.solve(np.eye(3), np.ones(3))
    with pytest.raises(InvalidArgumentError):
        ag.linalg.solve(np.zeros((2, 2)), np.ones((2, 1)))


# ---- diagonals, bands, trace, transpose -------------------------------------------------

def np_diag(v, k):
    n = v.shape[-1] + abs(k)
    out = np.zeros(v.shape[:-1] + (n, n), v.dtype)
    for idx in np.ndindex(v.shape[:-1]):
        out[idx] = np.diag(v[idx], k)
    return out


@pytest.mark.parametrize("dtype", NUMBERS, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("k", [0, 1, -2])
def test_diag_ops(k, dtype):
    v = rand(2, 3, dtype=dtype)
    assert_tensor(ag.linalg.diag(v, k=k), np_diag(v, k), dtype=dtype)
    x = rand(2, 3, 4, dtype=dtype)
    part = np.diagonal(x, k, -2, -1)
    assert_tensor(ag.linalg.diag_part(x, k=k), part, dtype=dtype)
    new = part + 1
    expected = x.copy()
    rows, cols = np.nonzero(np.eye(3, 4, k, dtype=bool))
    expected[..., rows, cols] = new
    assert_tensor(ag.linalg.set_diag(x, new, k=k), expected)
    for lo, hi in [(0, 0), (-1, 0), (0, -1), (1, 2), (-1, -1)]:
        keep = np.ones((3, 4), bool)
        i, j = np.indices((3, 4))
        keep &= (i - j <= lo) if lo >= 0 else keep
        keep &= (j - i <= hi) if hi >= 0 else keep
        assert_tensor(ag.linalg.band_part(x, lo, hi), np.where(keep, x, 0))


def test_diag_gradients():
    check_grad(lambda t: ag.linalg.diag(t, k=1), rand(2, 3))
    check_grad(lambda t: ag.linalg.diag_part(t, k=-1), rand(2, 3, 4))
    check_grad(lambda t, d: ag.linalg.set_diag(t, d), rand(3, 4), rand(3, seed=1))
    check_grad(lambda t: ag.linalg.band_part(t, 1, 0), rand(3, 4))
    check_grad(ag.linalg.trace, rand(2, 3, 4))


@pytest.mark.parametrize("dtype", NUMBERS, ids=lambda d: np.dtype(d).name)
def test_trace_and_transpose(dtype):
    x = rand(2, 3, 4, dtype=dtype)
    assert_tensor(ag.linalg.trace(x), np.trace(x, axis1=-2, axis2=-1), dtype=dtype)
    assert_tensor(ag.linalg.matrix_transpose(x), np.swapaxes(x, -1, -2))
    assert_tensor(ag.linalg.adjoint(x), np.swapaxes(x, -1, -2))
    with pytest.raises(ValueError, match="rank >= 2"):
        ag.linalg.matrix_transpose([1, 2])


def test_diag_errors():
    with pytest.raises(ValueError, match="rank >= 1"):
        ag.linalg.diag(1.0)
    with pytest.raises(ValueError, match=r"MatrixDiagPart: input must be a matrix .*\(3,\)"):
        ag.linalg.diag_part([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"diagonal must have shape \(2,\)"):
        ag.linalg.set_diag(np.ones((2, 2)), np.ones(3))
    with pytest.raises(ValueError, match="square outputs"):
        ag.linalg.diag([1.0, 2.0], num_rows=5)


# ---- norms ------------------------------------------------------------------------------

NORM_CASES = [("euclidean", None), (1, None), (np.inf, None), (2, None), (3, None),
              (0.5, None), ("euclidean", 1), (1, 0), (np.inf, -1), (2.5, 1),
              ("fro", (1, 2)), ("euclidean", (0, 2)), (1, (1, 2)), (np.inf, (1, 2)),
              (2, (1, 2)), (2, (0, 2)), (1, (2, 1)), (np.inf, (-1, 0))]


def np_norm(x, ord, axis, keepdims):
    if axis is None:
        flat = x.reshape(-1)
        out = np.linalg.norm(flat, ord=None if ord == "euclidean" else ord)
        return np.reshape(out, (1,) * x.ndim) if keepdims else out
    return np.linalg.norm(x, ord=None if ord == "euclidean" else ord, axis=axis,
                          keepdims=keepdims)


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("ord,axis", NORM_CASES, ids=str)
def test_norm_matches_numpy(ord, axis, keepdims):
    x = rand(2, 3, 4)
    assert_tensor(ag.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims),
                  np_norm(x, ord, axis, keepdims), rtol=1e-10)
    assert_tensor(ag.linalg.norm(x.astype(np.float32), ord=ord, axis=axis, keepdims=keepdims),
                  np_norm(x, ord, axis, keepdims).astype(np.float32), rtol=1e-5)


@pytest.mark.parametrize("ord,axis", NORM_CASES, ids=str)
def test_norm_gradients(ord, axis):
    check_grad(lambda t: ag.linalg.norm(t, ord=ord, axis=axis), rand(2, 3, 4, seed=7))


def test_norm_of_zero_has_a_zero_gradient():
    x = ag.constant(np.zeros(3))
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = ag.linalg.norm(x)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), np.zeros(3))


def test_norm_errors():
    with pytest.raises(ValueError, match="vector norm"):
        ag.linalg.norm(np.ones(3), ord="fro")
    with pytest.raises(ValueError, match="matrix norm"):
        ag.linalg.norm(np.ones((3, 3)), ord=3, axis=(0, 1))
    with pytest.raises(ValueError, match="2 unique integers"):
        ag.linalg.norm(np.ones((3, 3)), axis=(1, 1))
    with pytest.raises(ValueError, match="vector norm"):
        ag.linalg.norm(np.ones(3), ord=-1)
    with pytest.raises(TypeError, match="norm does not accept int32"):
        ag.linalg.norm([1, 2])


# ---- decompositions ---------------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
def test_eigvals_and_eig_are_complex(dtype):
    a = np.array([[1.0, 2], [-5, 4]], dtype)
    e = ag.linalg.eigvals(a)
    assert e.dtype == (ag.complex64 if dtype == np.float32 else ag.complex128)
    np.testing.assert_allclose(np.sort_complex(e.numpy()), np.sort_complex(np.linalg.eigvals(a)),
                               rtol=1e-5)
    # Real eigenvalues stay complex-typed.
    assert ag.linalg.eigvals(np.diag([1.0, 2.0]).astype(dtype)).dtype.is_complex
    b = rand(2, 3, 3, dtype=dtype)
    w, v = ag.linalg.eig(b)
    np.testing.assert_allclose(b @ v.numpy(), v.numpy() * w.numpy()[..., None, :],
                               **tol(dtype))


def test_eigvals_gradient_matches_finite_differences():
    # Functions symmetric in the eigenvalues, so their order cannot matter.
    a = np.random.default_rng(1).standard_normal((4, 4))
    check_grad(lambda t: ag.reduce_sum(ag.math.real(ag.linalg.eigvals(t)) ** 3), a)
    check_grad(lambda t: ag.reduce_sum(ag.math.imag(ag.linalg.eig(t)[0]) ** 2), a)


def test_eig_gradient_of_the_trace_is_the_identity():
    x = ag.constant(np.random.default_rng(2).standard_normal((3, 3)))
    with ag.GradientTape() as tape:
        tape.watch(x)
        total = ag.math.real(ag.reduce_sum(ag.linalg.eigvals(x)))
    np.testing.assert_allclose(tape.gradient(total, x).numpy(), np.eye(3), atol=1e-10)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: np.dtype(d).name)
def test_eigh(dtype):
    a = spd(2, n=4).astype(dtype)
    e, v = ag.linalg.eigh(a)
    np_e, _ = np.linalg.eigh(a)
    assert_tensor(e, np_e, dtype=dtype, **tol(dtype))
    np.testing.assert_allclose(a @ v.numpy(), v.numpy() * e.numpy()[..., None, :],
                               rtol=1e-4, atol=1e-4)
    assert_tensor(ag.linalg.eigvalsh(a), np_e, **tol(dtype))


def test_eigh_gradients():
    a = rand(3, 3, seed=3)
    check_grad(lambda t: ag.linalg.eigh(sym(t))[0], a)
    check_grad(lambda t: ag.square(ag.linalg.eigh(sym(t))[1]), a)
    check_grad(lambda t: ag.linalg.eigvalsh(sym(t)), a)
    # Only the lower triangle is read, and only it gets a gradient.
    x = ag.constant(spd(n=3))
    with ag.GradientTape() as tape:
        tape.watch(x)
        e = ag.linalg.eigvalsh(x)
    assert np.all(np.triu(tape.gradient(e, x).numpy(), 1) == 0)


@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("shape", [(4, 3), (3, 3), (3, 5), (2, 4, 2)], ids=str)
def test_qr(shape, full):
    a = rand(*shape)
    q, r = ag.linalg.qr(a, full_matrices=full)
    np_q, np_r = np.linalg.qr(a, mode="complete" if full else "reduced")
    assert_tensor(q, np_q)
    assert_tensor(r, np_r)
    assert_tensor(q @ r, a, rtol=1e-12)


@pytest.mark.parametrize("shape", [(4, 3), (3, 3), (3, 5), (2, 4, 2)], ids=str)
def test_qr_gradients(shape):
    a = rand(*shape, seed=5)
    check_grad(lambda t: ag.linalg.qr(t).q, a)
    check_grad(lambda t: ag.linalg.qr(t).r, a)


@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("shape", [(4, 3), (3, 3), (3, 5), (2, 4, 2)], ids=str)
def test_svd(shape, full):
    a = rand(*shape)
    s, u, v = ag.linalg.svd(a, full_matrices=full)
    np_u, np_s, np_vh = np.linalg.svd(a, full_matrices=full)
    assert_tensor(s, np_s)
    assert_tensor(u, np_u)
    assert_tensor(v, np.swapaxes(np_vh, -1, -2))  # v itself, not its adjoint
    k = min(shape[-2:])
    rebuilt = u.numpy()[..., :k] * s.numpy()[..., None, :] @ np.swapaxes(v.numpy()[..., :k], -1, -2)
    np.testing.assert_allclose(rebuilt, a, atol=1e-12)
    assert_tensor(ag.linalg.svd(a, compute_uv=False), np_s)


@pytest.mark.parametrize("shape", [(4, 3), (3, 3), (3, 5), (2, 2, 3)], ids=str)
def test_svd_gradients(shape):
    a = rand(*shape, seed=6)
    check_grad(lambda t: ag.linalg.svd(t, compute_uv=False), a)
    check_grad(lambda t: ag.linalg.svd(t)[0], a)
    # Columns of u and v have arbitrary signs; their squares do not.
    check_grad(lambda t: ag.square(ag.linalg.svd(t)[1]), a, rtol=1e-4, atol=1e-6)
    check_grad(lambda t: ag.square(ag.linalg.svd(t)[2]), a, rtol=1e-4, atol=1e-6)
    k = min(shape[-2:])
    check_grad(lambda t: ag.square(ag.linalg.svd(t, full_matrices=True)[1]), a[..., :k, :k])


def test_cholesky():
    a = spd(2, n=3)
    assert_tensor(ag.linalg.cholesky(a), np.linalg.cholesky(a))
    assert_tensor(ag.linalg.cholesky(a.astype(np.float32)),
                  np.linalg.cholesky(a).astype(np.float32), rtol=1e-5, atol=1e-5)
    check_grad(lambda t: ag.linalg.cholesky(sym(t)), spd(n=3, seed=1))
    with pytest.raises(InvalidArgumentError, match="Cholesky"):
        ag.linalg.cholesky(-np.eye(2))


def test_decomposition_errors():
    with pytest.raises(ValueError, match=r"SelfAdjointEig: input must be square .*\(2, 3\)"):
        ag.linalg.eigh(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"Svd: input must be a matrix .*\(3,\)"):
        ag.linalg.svd(np.ones(3))
    with pytest.raises(ValueError, match=r"Eig: input must be square"):
        ag.linalg.eigvals(np.ones((2, 3)))
    with pytest.raises(TypeError, match="Qr does not accept int32"):
        ag.linalg.qr([[1, 2], [3, 4]])


# ---- infer rules ------------------------------------------------------------------------

INFER_CASES = [
    ("matmul", lambda: ag.matmul(rand(2, 3, 4), rand(4, 5), transpose_a=False)),
    ("inv", lambda: ag.linalg.inv(well_conditioned(2), adjoint=True)),
    ("det", lambda: ag.linalg.det(well_conditioned(2))),
    ("slogdet", lambda: ag.linalg.slogdet(well_conditioned(2))),
    ("trace", lambda: ag.linalg.trace(rand(2, 3, 4))),
    ("norm", lambda: ag.linalg.norm(rand(2, 3, 4), ord=2, axis=(0, 2), keepdims=True)),
    ("diag", lambda: ag.linalg.diag(rand(2, 3), k=-1)),
    ("diag_part", lambda: ag.linalg.diag_part(rand(2, 3, 4), k=1)),
    ("set_diag", lambda: ag.linalg.set_diag(rand(3, 4), rand(3))),
    ("band_part", lambda: ag.linalg.band_part(rand(3, 4), 1, -1)),
    ("eig", lambda: ag.linalg.eig(rand(2, 3, 3))),
    ("eigvals", lambda: ag.linalg.eigvals(rand(3, 3).astype(np.float32))),
    ("eigh", lambda: ag.linalg.eigh(spd(2))),
    ("eigvalsh", lambda: ag.linalg.eigvalsh(spd(2))),
    ("qr", lambda: ag.linalg.qr(rand(2, 5, 3))),
    ("qr full", lambda: ag.linalg.qr(rand(5, 3), full_matrices=True)),
    ("svd", lambda: ag.linalg.svd(rand(2, 3, 5))),
    ("svd full", lambda: ag.linalg.svd(rand(5, 3), full_matrices=True)),
    ("svd values", lambda: ag.linalg.svd(rand(5, 3), compute_uv=False)),
    ("cholesky", lambda: ag.linalg.cholesky(spd(2))),
    ("solve", lambda: ag.linalg.solve(well_conditioned(2), rand(3, 4))),
    ("triangular_solve", lambda: ag.linalg.triangular_solve(well_conditioned(), rand(3, 1))),
    ("tensordot", lambda: ag.linalg.tensordot(rand(2, 3, 4), rand(4, 3), [[1, 2], [1, 0]])),
    ("matvec", lambda: ag.linalg.matvec(rand(2, 3, 4), rand(4))),
    ("cross", lambda: ag.linalg.cross(rand(2, 3), rand(2, 3))),
    ("logdet", lambda: ag.linalg.logdet(spd(2))),
]


@pytest.mark.parametrize("name,fn", INFER_CASES, ids=[c[0] for c in INFER_CASES])
def test_infer_rules(name, fn):
    check_infer(fn)


@pytest.mark.parametrize("name,fn", [
    ("inv", lambda t: ag.linalg.inv(t)), ("det", ag.linalg.det),
    ("svd", lambda t: ag.linalg.svd(t)[0]), ("qr", lambda t: ag.linalg.qr(t).r),
    ("eigh", lambda t: ag.linalg.eigh(sym(t))[0]),
    ("cholesky", lambda t: ag.linalg.cholesky(sym(t))),
], ids=lambda v: v if isinstance(v, str) else "")
def test_gradient_graphs_pass_infer(name, fn):
    x = ag.constant(spd(2))
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    check_infer(tape.gradient, y, x)


def test_linalg_namespace():
    from ops import linalg
    for name in linalg.__all__:
        assert getattr(ag.linalg, name) is getattr(linalg, name)
    for name in ("matmul", "inv", "det", "trace", "norm", "diag", "eigvals", "qr", "svd"):
        assert callable(getattr(ag.linalg, name))
    assert ag.norm is ag.linalg.norm


# ---- the seed document's examples -------------------------------------------------------

def test_seed_matrix_examples():
    a = ag.constant([[1, 2], [3, 4]])
    b = ag.constant([[2, 0], [0, 2]])
    assert_tensor(a @ b, np.array([[2, 4], [6, 8]], np.int32))
    assert_tensor(ag.matmul(a, b), np.array([[2, 4], [6, 8]], np.int32))
    assert_tensor(ag.linalg.diag([1, 2, 3]), np.diag([1, 2, 3]).astype(np.int32))
    f = ag.constant([[1.0, 2], [3, 4]], dtype=ag.float32)
    assert_tensor(ag.linalg.inv(f), np.array([[-2, 1], [1.5, -0.5]], np.float32), rtol=1e-5)
    assert_tensor(ag.linalg.trace(f), np.float32(5.0))
    assert_tensor(ag.linalg.norm(f), np.float32(np.sqrt(30.0)), rtol=1e-6)
    assert_tensor(ag.linalg.det(f), np.float32(-2.0), rtol=1e-5)
    e = ag.linalg.eigvals(ag.constant([[1.0, 2], [-5, 4]]))
    assert e.dtype == ag.complex64
    np.testing.assert_allclose(np.sort_complex(e.numpy()),
                               [2.5 - 2.7838821j, 2.5 + 2.7838821j], rtol=1e-5)
    q, r = ag.linalg.qr(f)
    assert_tensor(q @ r, f.numpy(), rtol=1e-5)
    assert np.allclose(np.tril(r.numpy(), -1), 0)
    a = ag.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype=ag.float32)
    s, u, v = ag.linalg.svd(a)
    assert_tensor(u @ ag.linalg.diag(s) @ ag.transpose(v), a.numpy(), rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="ragged"):
        ag.linalg.det(ag.constant([[1, 0, 2], [3, 4]]))


def test_gradients_traced_with_unknown_batch_match_eager():
    def loss(a):
        with ag.GradientTape() as tape:
            tape.watch(a)
            y = (ag.reduce_sum(ag.linalg.inv(a)) + ag.reduce_sum(ag.linalg.det(a))
                 + ag.linalg.norm(a) + ag.reduce_sum(ag.linalg.svd(a, compute_uv=False))
                 + ag.reduce_sum(ag.linalg.qr(a).r) + ag.reduce_sum(ag.linalg.trace(a))
                 + ag.reduce_sum(ag.linalg.einsum("bij,bjk->bik", a, a))
                 + ag.reduce_sum(ag.linalg.eigvalsh(sym(a)))
                 + ag.reduce_sum(ag.linalg.cholesky(sym(a))))
        return y, tape.gradient(y, a)

    traced = ag.function(loss, input_signature=[ag.TensorSpec([None, 3, 3], ag.float64)])
    a = spd(2)
    for got, want in zip(traced(a), loss(ag.constant(a))):
        assert_tensor(got, want.numpy(), rtol=1e-10)


@given(batch_a=st.lists(st.sampled_from([1, 2]), max_size=2),
       batch_b=st.lists(st.sampled_from([1, 2]), max_size=2),
       m=st.integers(0, 3), k=st.integers(0, 3), n=st.integers(0, 3))
def test_matmul_broadcasts_batches_like_numpy(batch_a, batch_b, m, k, n):
    a, b = rand(*batch_a, m, k), rand(*batch_b, k, n, seed=1)
    assert_tensor(ag.matmul(a, b), np.matmul(a, b), rtol=1e-12)
    check_infer(ag.matmul, ag.constant(a), ag.constant(b))


def test_variables_are_differentiated_through_linalg_and_reductions():
    v = ag.Variable(well_conditioned())
    with ag.GradientTape() as tape:
        y = ag.reduce_sum(ag.linalg.inv(v)) + ag.linalg.det(v)
    g = tape.gradient(y, v)
    inv = np.linalg.inv(v.numpy())
    expected = -inv.T @ np.ones((3, 3)) @ inv.T + np.linalg.det(v.numpy()) * inv.T
    assert_tensor(g, expected, rtol=1e-10)
