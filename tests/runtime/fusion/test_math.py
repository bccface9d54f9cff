"""Accuracy of the transcendental ops C kernels compute, against higher-precision references.

The float32 sweep takes every 4099th bit pattern of each sign (subnormals, normals and huge
values alike) plus the specials; errors are in units in the last place of the correctly
rounded result (the subnormal spacing below the normal range). On the reference machine, over
every 37th float32 bit pattern, the kernels' tanh (libmvec tanhf) is within 1.37 ulp, as
NumPy's float32 tanh, and the sigmoid within 3.57 ulp (NumPy's split form, which the
interpreter uses: 3.54); the bounds leave a margin for other libm versions.
"""
import numpy as np
import pytest

import autograph as ag

from tests.runtime.fusion.helpers import check

BOUND_ULPS = {"tanh": 2.0, "sigmoid": 4.0}
SPECIALS = np.array([np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-45, -1e-45, 1e-40,
                     -1e-40, 3.4e38, -3.4e38, 1e30, -1e30, 9.5, -9.5, 88.0, -88.0, -89.0,
                     -100.0, -103.5, -104.5, 200.0, -200.0], np.float32)


def sweep() -> np.ndarray:
    bits = np.arange(0, 0x7F800000, 4099, dtype=np.uint32)
    pos = bits.view(np.float32)
    return np.concatenate([pos, -pos, SPECIALS])


def reference(op: str, x: np.ndarray) -> np.ndarray:
    """The op in long double (80-bit on x86; float64 elsewhere, still ample for float32)."""
    x = x.astype(np.longdouble)
    if op == "tanh":
        return np.tanh(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def ulps(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    """|got - want| in units of the spacing of ``want`` rounded to ``got.dtype``."""
    info = np.finfo(got.dtype)
    rounded = np.abs(want).astype(got.dtype)
    spacing = np.where(rounded < info.tiny, info.smallest_subnormal, np.spacing(rounded))
    return np.abs(got.astype(np.longdouble) - want) / spacing.astype(np.longdouble)


def compiled(op: str):
    """``op`` in a C kernel: ``x * one`` (exact, even for -0 and NaN) joins it in a group, as
    one op alone is left to the interpreter; the check below keeps that true."""
    fn = getattr(ag, op)
    f = ag.function(lambda x, one: fn(x * one), jit_compile=True)

    def run(x):
        args = ag.constant(x), ag.constant(np.ones((), x.dtype))
        graph = f.get_concrete_function(*args).optimized_graph
        assert [n.op.name for n in graph.nodes] == ["Fused"]
        return f(*args)
    return run


@pytest.mark.parametrize("op", ["tanh", "sigmoid"])
def test_float32_ulp_error_over_a_sweep_of_bit_patterns(op):
    x = sweep()
    got = compiled(op)(x).numpy()
    want = reference(op, x)
    finite = ~np.isnan(x)
    err = ulps(got[finite], want[finite])
    worst = x[finite][err.argmax()]
    assert err.max() <= BOUND_ULPS[op], f"{op}: {err.max():.2f} ulp at x={worst!r}"
    assert np.array_equal(np.isnan(got), np.isnan(x))


@pytest.mark.parametrize("op", ["tanh", "sigmoid"])
def test_specials_are_exactly_numpys(op):
    got = compiled(op)(SPECIALS).numpy()
    e = np.exp(-np.abs(SPECIALS))
    want = np.tanh(SPECIALS) if op == "tanh" else np.where(SPECIALS >= 0, 1 / (1 + e), e / (1 + e))
    assert np.array_equal(np.isnan(got), np.isnan(SPECIALS))
    exact = np.isinf(SPECIALS) | (np.abs(SPECIALS) < 1e-30) | (np.abs(SPECIALS) > 20)
    np.testing.assert_array_equal(got[exact], want[exact])
    assert np.array_equal(np.signbit(got[exact]), np.signbit(want[exact]))  # tanh(-0) is -0


def test_sigmoid_keeps_tiny_results_for_large_negative_inputs():
    # 1 / (1 + exp(-x)) overflows exp below -88.7 and gave 0; the true values are subnormal.
    x = np.linspace(-103.5, -88.0, 4001, dtype=np.float32)
    got = compiled("sigmoid")(x).numpy()
    assert np.all(got > 0)
    assert ulps(got, reference("sigmoid", x)).max() <= 1.0
    check(lambda x, one: ag.sigmoid(x * one), x, np.float32(1), atol=2e-45)  # interpreter


def test_float64_sigmoid_stays_accurate():
    x = np.concatenate([np.linspace(-745, 40, 100_001), [np.nan, np.inf, -np.inf, -0.0]])
    got = compiled("sigmoid")(x).numpy()
    want = reference("sigmoid", x)
    finite = ~np.isnan(x)
    if np.finfo(np.longdouble).nmant > 52:      # a reference more precise than the result
        assert ulps(got[finite], want[finite]).max() <= 4.0
    assert got[-3] == 1.0 and got[-2] == 0.0 and got[-1] == 0.5 and np.isnan(got[-4])
