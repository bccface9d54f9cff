"""Oracles shared by the tests: finite-difference gradient checks and NumPy comparisons."""
from __future__ import annotations

import numpy as np

import autograph as ag


def assert_tensor(t, expected, rtol=1e-6, atol=1e-6, dtype=None):
    """``t`` is a tensor equal (dtype, shape, values) to the NumPy result ``expected``."""
    expected = np.asarray(expected)
    assert isinstance(t, ag.Tensor), f"expected a Tensor, got {type(t).__name__}"
    got = t.numpy()
    if dtype is not None:
        assert t.dtype == dtype, f"dtype {t.dtype.name}, expected {ag.as_dtype(dtype).name}"
    assert tuple(t.shape) == expected.shape, f"shape {tuple(t.shape)}, expected {expected.shape}"
    if expected.dtype.kind in "fc":
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)
    else:
        np.testing.assert_array_equal(got, expected)


def _numeric_grads(f, arrays, weights, eps):
    grads = []
    for k, a in enumerate(arrays):
        g = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            plus = [x.copy() for x in arrays]
            minus = [x.copy() for x in arrays]
            plus[k][idx] += eps
            minus[k][idx] -= eps
            fp = np.asarray(f(*[ag.constant(x) for x in plus]))
            fm = np.asarray(f(*[ag.constant(x) for x in minus]))
            g[idx] = np.sum((fp - fm) * weights) / (2 * eps)
        grads.append(g)
    return grads


def check_grad(f, *arrays, eps=1e-6, rtol=1e-5, atol=1e-6, seed=0):
    """Compare ``GradientTape`` gradients of ``f`` with central finite differences.

    ``f`` takes tensors and returns one tensor; inputs should be float64 for accuracy. The
    output is contracted with random weights, so the whole Jacobian is exercised.
    """
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    tensors = [ag.constant(a) for a in arrays]
    with ag.GradientTape() as tape:
        tape.watch(tensors)
        y = f(*tensors)
    weights = np.random.default_rng(seed).uniform(0.5, 1.5, size=np.shape(y.numpy()))
    analytic = tape.gradient(y, tensors, output_gradients=ag.constant(weights))
    numeric = _numeric_grads(f, arrays, weights, eps)
    for k, (a, n) in enumerate(zip(analytic, numeric)):
        assert a is not None, f"gradient for input {k} is None"
        assert tuple(a.shape) == n.shape, f"input {k}: gradient shape {tuple(a.shape)} != {n.shape}"
        np.testing.assert_allclose(a.numpy(), n, rtol=rtol, atol=atol,
                                   err_msg=f"gradient of input {k}")


def check_second_grad(f, x, eps=1e-5, rtol=1e-4, atol=1e-5, weights=None):
    """Second derivative of ``f`` (summed output) by nested tapes vs differences: the
    gradient of ``sum(weights * dy/dx)`` (``weights`` default to ones; random weights
    exercise every direction of the Hessian)."""
    x = np.array(x, dtype=np.float64)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=np.float64)

    def first(xv):
        t = ag.constant(xv)
        with ag.GradientTape() as tape:
            tape.watch(t)
            y = f(t)
        return tape.gradient(y, t).numpy()

    t = ag.constant(x)
    with ag.GradientTape() as outer:
        outer.watch(t)
        with ag.GradientTape() as inner:
            inner.watch(t)
            y = f(t)
        g = ag.reduce_sum(inner.gradient(y, t) * w)
    second = outer.gradient(g, t).numpy()
    numeric = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        p, m = x.copy(), x.copy()
        p[idx] += eps
        m[idx] -= eps
        numeric[idx] = np.sum((first(p) - first(m)) * w) / (2 * eps)
    np.testing.assert_allclose(second, numeric, rtol=rtol, atol=atol)


# Ops whose output size depends on input values, so their infer rule leaves that dim None.
DATA_DEPENDENT_SHAPES = {"Where", "GetItem", "BooleanMask", "TensorArrayStack"}


class _InferSpy:
    """Stands in for a graph being traced: runs each op eagerly and checks its infer rule."""

    def __init__(self):
        self.checked: list[str] = []

    def add_op(self, op, inputs, attrs):
        from ops.dispatch import _eager
        from runtime.registry import Spec
        out = _eager(op, inputs, attrs)
        outs = out if op.multi else (out,)
        specs = [Spec(t.dtype, tuple(t.shape)) for t in inputs]
        declared = op.infer(*specs, **attrs)
        declared = list(declared) if op.multi else [declared]
        assert len(declared) == len(outs), f"{op.name}: infer gave {len(declared)} outputs"
        for d, o in zip(declared, outs):
            assert d.dtype is o.dtype, f"{op.name}: infer dtype {d.dtype} != {o.dtype}"
            # A declared None dim is allowed only where the size depends on the data.
            assert len(d.shape) == o.ndim and all(
                a is None or a == b for a, b in zip(d.shape, o.shape)), \
                f"{op.name}: infer shape {d.shape} != {tuple(o.shape)}"
            if op.name not in DATA_DEPENDENT_SHAPES:
                assert tuple(d.shape) == tuple(o.shape), \
                    f"{op.name}: infer shape {d.shape} != {tuple(o.shape)}"
        unknown = [Spec(s.dtype, (None,) * len(s.shape)) for s in specs]
        partial = op.infer(*unknown, **attrs)
        partial = list(partial) if op.multi else [partial]
        for d, o in zip(partial, outs):
            assert d.dtype is o.dtype, f"{op.name}: infer dtype with unknown dims {d.dtype}"
            assert len(d.shape) == o.ndim and all(
                a is None or a == b for a, b in zip(d.shape, o.shape)), \
                f"{op.name}: infer shape with unknown dims {d.shape} vs {tuple(o.shape)}"
        self.checked.append(op.name)
        return out

    def read_variable(self, var):
        from ops.context import state
        from ops.tensor import wrap
        t = wrap(var._v, var.dtype)
        for tape in state.tapes:
            tape._record_read(var, t)
        return t

    def assign_variable(self, var, value, what, read_value):
        var._v = value._v
        return var if read_value else None


def check_infer(fn, *args, **kwargs):
    """Run ``fn(*args)`` with every op checked against its declared infer rule.

    Each op call goes through the general path (as while tracing) and its infer rule must
    give the real dtype and shape, and must accept inputs whose dims are all unknown.
    Returns ``(result, names of the ops checked)``.
    """
    from ops.context import state
    spy = _InferSpy()
    saved = state.graph
    state.graph = spy
    state.refresh()
    try:
        result = fn(*args, **kwargs)
    finally:
        state.graph = saved
        state.refresh()
    assert spy.checked, "no op ran through dispatch.execute"
    return result, spy.checked


MODES = ["eager", "function"]


def run_in(mode: str, fn):
    """``fn`` as is ("eager") or wrapped in ``ag.function`` ("function")."""
    return fn if mode == "eager" else ag.function(fn)


def line_of(path: str, marker: str) -> int:
    """The line number of the first line of ``path`` containing ``marker``."""
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if marker in line and "line_of(" not in line:
                return number
    raise AssertionError(f"{marker!r} not found in {path}")
