"""Elementwise ops against NumPy: every op, every dtype it accepts, 0-d / empty / broadcast
shapes, declared infer rules, finite-difference gradients, and the edge cases TensorFlow users
meet (division by zero, NaN, huge arguments to sigmoid, float16)."""
from __future__ import annotations

import math
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograph as ag
from ops import elementwise as E
from ops.errors import InvalidArgumentError
from runtime import dtypes as D
from tests.support import assert_tensor, check_grad, check_infer, check_second_grad

# ---- the ops, read from the declaration tables ------------------------------------------

UNARY = {row[0]: row for row in E._UNARY}
UNARY.update({name: (name, k, E.FLOAT, None, c) for name, k, c in E._PREDICATES})
BINARY = {row[0]: row for row in E._BINARY}

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_erf64 = np.vectorize(math.erf, otypes=[np.float64])

# NumPy oracles. Float inputs are computed in float64 (complex128) and compared with a
# tolerance for the dtype; integer and bool inputs are computed in their own dtype, exactly.
UNARY_ORACLE = {
    "Neg": np.negative, "Abs": np.abs, "Sign": np.sign, "Square": np.square, "Sqrt": np.sqrt,
    "Rsqrt": lambda x: 1 / np.sqrt(x), "Exp": np.exp, "Expm1": np.expm1, "Log": np.log,
    "Log1p": np.log1p, "Sin": np.sin, "Cos": np.cos, "Tan": np.tan, "Asin": np.arcsin,
    "Acos": np.arccos, "Atan": np.arctan, "Sinh": np.sinh, "Cosh": np.cosh, "Tanh": np.tanh,
    "Asinh": np.arcsinh, "Acosh": np.arccosh, "Atanh": np.arctanh,
    "Sigmoid": lambda x: 1 / (1 + np.exp(-x)), "Erf": _erf64, "Round": np.round,
    "Floor": np.floor, "Ceil": np.ceil, "Reciprocal": lambda x: 1 / x,
    "LogicalNot": np.logical_not, "Invert": np.invert, "Identity": lambda x: x,
    "StopGradient": lambda x: x, "ZerosLike": np.zeros_like, "OnesLike": np.ones_like,
    "Conj": np.conj, "IsNan": np.isnan, "IsInf": np.isinf, "IsFinite": np.isfinite,
}

BINARY_ORACLE = {
    "Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "RealDiv": np.true_divide,
    "FloorDiv": np.floor_divide, "FloorMod": np.mod, "Pow": np.power, "Maximum": np.maximum,
    "Minimum": np.minimum, "SquaredDifference": lambda x, y: np.square(x - y),
    "Atan2": np.arctan2, "DivNoNan": lambda x, y: np.where(y == 0, 0, x / np.where(y == 0, 1, y)),
    "Equal": np.equal, "NotEqual": np.not_equal, "Less": np.less, "LessEqual": np.less_equal,
    "Greater": np.greater, "GreaterEqual": np.greater_equal, "LogicalAnd": np.logical_and,
    "LogicalOr": np.logical_or, "LogicalXor": np.logical_xor, "BitwiseAnd": np.bitwise_and,
    "BitwiseOr": np.bitwise_or, "BitwiseXor": np.bitwise_xor,
}

# Ops whose result is exact in the input dtype (no rounding to compare with a tolerance).
EXACT = {"Neg", "Abs", "Sign", "Round", "Floor", "Ceil", "LogicalNot", "Invert", "Identity",
         "StopGradient", "ZerosLike", "OnesLike", "Conj", "IsNan", "IsInf", "IsFinite",
         "FloorDiv", "FloorMod", "Maximum", "Minimum", "Equal", "NotEqual", "Less",
         "LessEqual", "Greater", "GreaterEqual", "LogicalAnd", "LogicalOr", "LogicalXor",
         "BitwiseAnd", "BitwiseOr", "BitwiseXor"}

# Where each op is defined and smooth (floats); others use (-3, 3).
DOMAIN = {"Sqrt": (0.1, 5), "Rsqrt": (0.1, 5), "Log": (0.1, 5), "Log1p": (-0.9, 5),
          "Asin": (-0.9, 0.9), "Acos": (-0.9, 0.9), "Atanh": (-0.9, 0.9), "Acosh": (1.1, 5),
          "Tan": (-1.2, 1.2), "Reciprocal": (0.3, 3), "Pow": (0.2, 2.5), "RealDiv": (0.3, 3),
          "DivNoNan": (0.3, 3), "FloorDiv": (0.3, 3), "FloorMod": (0.3, 3)}

TOL = {"float16": (2e-3, 2e-3), "float32": (3e-6, 1e-6), "float64": (1e-12, 1e-12),
       "complex64": (3e-6, 1e-6), "complex128": (1e-12, 1e-12)}

SHAPES = [(), (0,), (3,), (2, 3)]
BROADCAST_PAIRS = [((), ()), ((3,), ()), ((), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)),
                   ((0,), (1,)), ((0, 3), (3,)), ((4, 1, 3), (2, 1)), ((2, 3), (2, 3))]


def _dtype_id(d):
    return d.name


def _sample(name, dtype, shape, rng, second=False):
    """Random data of ``dtype`` inside the op's domain (divisors stay away from zero)."""
    low, high = DOMAIN.get(name, (-3, 3))
    if dtype.kind == "b":
        return rng.uniform(size=shape) > 0.5
    if dtype.kind in "iu":
        if name == "Pow" and second:
            return rng.integers(0, 4, shape).astype(dtype.np)
        if name in ("FloorDiv", "FloorMod", "DivNoNan", "RealDiv") and second:
            values = rng.integers(1, 6, shape)
            if dtype.kind == "i":
                values *= rng.choice([-1, 1], shape)
            return values.astype(dtype.np)
        lo = 0 if dtype.kind == "u" else -6
        return rng.integers(lo, 7, shape).astype(dtype.np)
    if dtype.kind == "c":
        return (rng.uniform(low, high, shape) + 1j * rng.uniform(-1, 1, shape)).astype(dtype.np)
    values = rng.uniform(low, high, shape)
    if name in ("FloorDiv", "FloorMod") and not second:
        values = rng.uniform(-3, 3, shape)
    return values.astype(dtype.np)


def _expected(name, oracle, dtype, *arrays):
    """Oracle result: exact in the dtype, or computed wide and rounded to the dtype."""
    with np.errstate(all="ignore"):
        if name in EXACT or dtype.kind in "iub" or dtype.kind == "O":
            return np.asarray(oracle(*arrays))
        wide = np.complex128 if dtype.kind == "c" else np.float64
        out = np.asarray(oracle(*[a.astype(wide) for a in arrays]))
        return out.astype(dtype.np) if out.dtype.kind != "b" else out


def _compare(got, expected, dtype, msg):
    assert isinstance(got, ag.Tensor), msg
    assert got.dtype == expected.dtype, f"{msg}: dtype {got.dtype.name} vs {expected.dtype}"
    assert tuple(got.shape) == expected.shape, f"{msg}: shape {got.shape} vs {expected.shape}"
    value = np.asarray(got.numpy())
    if expected.dtype.kind in "fc" and dtype.name in TOL:
        rtol, atol = TOL[dtype.name]
        np.testing.assert_allclose(value, expected, rtol=rtol, atol=atol, err_msg=msg)
    else:
        np.testing.assert_array_equal(value, expected, err_msg=msg)


def _unary_cases():
    for name, row in sorted(UNARY.items()):
        for dtype in sorted(row[2], key=_dtype_id):
            if dtype is not D.string:
                yield pytest.param(name, dtype, id=f"{name}-{dtype.name}")


def _binary_cases():
    for name, row in sorted(BINARY.items()):
        for dtype in sorted(row[2], key=_dtype_id):
            if dtype is not D.string:
                yield pytest.param(name, dtype, id=f"{name}-{dtype.name}")


# ---- values against NumPy -----------------------------------------------------------------

def test_every_op_has_an_oracle():
    assert set(UNARY) == set(UNARY_ORACLE)
    assert set(BINARY) == set(BINARY_ORACLE)


@pytest.mark.parametrize("name, dtype", list(_unary_cases()))
def test_unary_matches_numpy(name, dtype):
    rng = np.random.default_rng(1)
    op = E._WRAPPERS[name]
    for shape in SHAPES:
        x = _sample(name, dtype, shape, rng)
        expected = _expected(name, UNARY_ORACLE[name], dtype, x)
        _compare(op(ag.constant(x)), expected, dtype, f"{name}({dtype.name}{list(shape)})")


@pytest.mark.parametrize("name, dtype", list(_binary_cases()))
def test_binary_matches_numpy_with_broadcasting(name, dtype):
    rng = np.random.default_rng(2)
    op = E._WRAPPERS[name]
    for sx, sy in BROADCAST_PAIRS:
        x = _sample(name, dtype, sx, rng)
        y = _sample(name, dtype, sy, rng, second=True)
        expected = _expected(name, BINARY_ORACLE[name], dtype, x, y)
        got = op(ag.constant(x), ag.constant(y))
        _compare(got, expected, dtype, f"{name}({dtype.name}{list(sx)}, {dtype.name}{list(sy)})")


@pytest.mark.parametrize("name, dtype", list(_unary_cases()))
def test_unary_rejects_other_dtypes(name, dtype):
    op = E._WRAPPERS[name]
    accepted = UNARY[name][2]
    for other in D.ALL:
        if other in accepted:
            continue
        value = ag.constant(["a"]) if other is D.string else ag.constant(np.zeros(2, other.np))
        with pytest.raises(TypeError, match=f"{name} does not accept {other.name}.*ag.cast"):
            op(value)
    del dtype  # the parametrisation only spreads the ops over test ids


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_rejects_other_dtypes(name):
    op = E._WRAPPERS[name]
    accepted = BINARY[name][2]
    for other in D.ALL:
        if other in accepted:
            continue
        value = ag.constant(["a"]) if other is D.string else ag.constant(np.zeros(2, other.np))
        with pytest.raises(TypeError, match=f"{name} does not accept {other.name}"):
            op(value, value)


@given(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=4),
       st.sampled_from(["Add", "Sub", "Mul", "Maximum", "Minimum", "SquaredDifference",
                        "Less", "Equal", "RealDiv", "Pow", "Atan2"]),
       st.sampled_from([D.float32, D.float64]))
def test_random_broadcast_shapes_match_numpy(shapes, name, dtype):
    rng = np.random.default_rng(0)
    (sx, sy), result_shape = shapes.input_shapes, shapes.result_shape
    x = _sample(name, dtype, sx, rng)
    y = _sample(name, dtype, sy, rng, second=True)
    got = E._WRAPPERS[name](ag.constant(x), ag.constant(y))
    assert tuple(got.shape) == result_shape
    _compare(got, _expected(name, BINARY_ORACLE[name], dtype, x, y), dtype, name)


@given(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
def test_random_broadcast_gradients_reduce_to_operand_shapes(shapes):
    sx, sy = shapes.input_shapes
    rng = np.random.default_rng(0)
    x = ag.constant(rng.uniform(0.5, 2, sx))
    y = ag.constant(rng.uniform(0.5, 2, sy))
    with ag.GradientTape() as tape:
        tape.watch([x, y])
        z = x * y + x / y
    gx, gy = tape.gradient(z, [x, y])
    assert tuple(gx.shape) == sx and tuple(gy.shape) == sy
    ones = np.ones(shapes.result_shape)
    np.testing.assert_allclose(gx.numpy(), _sum_to(ones * (y.numpy() + 1 / y.numpy()), sx))
    np.testing.assert_allclose(gy.numpy(), _sum_to(ones * (x.numpy() - x.numpy() / y.numpy() ** 2),
                                                   sy))


def _sum_to(g, shape):
    g = np.asarray(g)
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


def test_string_add_and_compare():
    a = ag.constant(["ab", "c"])
    assert_tensor(a + "!", np.array([b"ab!", b"c!"], dtype=object))
    assert ag.add(ag.constant("x"), "y").numpy() == b"xy"
    assert_tensor(ag.equal(a, "c"), [False, True])
    assert_tensor(ag.not_equal(a, ag.constant(["ab", "d"])), [False, True])
    with pytest.raises(TypeError, match="Add: cannot convert Python value 1 to dtype string"):
        a + 1


# ---- infer rules --------------------------------------------------------------------------

@pytest.mark.parametrize("name, dtype", list(_unary_cases()))
def test_unary_infer_rule_matches_kernel(name, dtype):
    x = ag.constant(_sample(name, dtype, (2, 3), np.random.default_rng(3)))
    _, checked = check_infer(E._WRAPPERS[name], x)
    assert checked == [name]


@pytest.mark.parametrize("name, dtype", list(_binary_cases()))
def test_binary_infer_rule_matches_kernel(name, dtype):
    rng = np.random.default_rng(4)
    x = ag.constant(_sample(name, dtype, (2, 1), rng))
    y = ag.constant(_sample(name, dtype, (3,), rng, second=True))
    _, checked = check_infer(E._WRAPPERS[name], x, y)
    assert checked == [name]


def test_infer_rules_of_cast_select_and_shape_helpers():
    x = ag.constant(np.arange(6.0).reshape(2, 3))
    assert check_infer(ag.cast, x, ag.int32)[1] == ["Cast"]
    assert check_infer(E.where_, x > 2.0, x, ag.zeros_like(x))[1] == ["Select"]
    assert check_infer(E.sum_like, x, ag.constant([[1.0, 2.0, 3.0]]))[1] == ["SumLike"]
    assert check_infer(E.broadcast_like, ag.constant([1.0, 2.0, 3.0]), x)[1] == ["BroadcastLike"]
    assert check_infer(ag.divide, ag.constant([1, 2]), 2)[1] == ["Cast", "Cast", "RealDiv"]


def test_infer_rules_report_bad_inputs():
    from runtime.registry import Spec
    with pytest.raises(TypeError, match="Add: cannot combine float32 and int32"):
        E.OPS["Add"].infer(Spec(D.float32, (2,)), Spec(D.int32, (2,)))
    with pytest.raises(ValueError, match=r"Mul: shapes \(2,\) and \(3,\) are not broadcast"):
        E.OPS["Mul"].infer(Spec(D.float32, (2,)), Spec(D.float32, (3,)))
    # Unknown dims broadcast against anything.
    assert E.OPS["Mul"].infer(Spec(D.float32, (None, 1)), Spec(D.float32, (3,))).shape == (None, 3)


# ---- gradients ----------------------------------------------------------------------------

DIFFERENTIABLE_UNARY = sorted(n for n, row in UNARY.items()
                              if row[3] not in (None, E.NOT_DIFFERENTIABLE)
                              and D.float64 in row[2])
DIFFERENTIABLE_BINARY = sorted(n for n, row in BINARY.items()
                               if row[3] is not E.NOT_DIFFERENTIABLE and D.float64 in row[2])


def _grad_input(name, shape, seed, second=False):
    rng = np.random.default_rng(seed)
    if name in ("FloorMod",):
        # Keep x / y away from integers, where floormod jumps.
        return rng.uniform(0.3, 0.7, shape) + rng.integers(-2, 3, shape) if not second \
            else rng.uniform(1.1, 1.3, shape)
    if name in ("Maximum", "Minimum"):
        return rng.uniform(-3, 3, shape) + (4 if second else 0) * rng.choice([-1, 1], shape)
    if name == "Abs":
        return rng.uniform(0.3, 3, shape) * rng.choice([-1, 1], shape)
    low, high = DOMAIN.get(name, (-2, 2))
    return rng.uniform(low, high, shape)


def test_differentiable_ops_are_all_checked():
    declared = {n for n, row in UNARY.items() if row[3] not in (None, E.NOT_DIFFERENTIABLE)}
    assert declared - set(DIFFERENTIABLE_UNARY) == {"Conj"}  # complex only: tested below
    assert {"Add", "Sub", "Mul", "RealDiv", "Pow", "Maximum", "Minimum", "FloorMod",
            "SquaredDifference", "Atan2", "DivNoNan"} == set(DIFFERENTIABLE_BINARY)


@pytest.mark.parametrize("name", DIFFERENTIABLE_UNARY)
def test_unary_gradient_matches_finite_differences(name):
    check_grad(E._WRAPPERS[name], _grad_input(name, (2, 3), 5))


@pytest.mark.parametrize("name", DIFFERENTIABLE_BINARY)
@pytest.mark.parametrize("sx, sy", [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)),
                                    ((), (3,))])
def test_binary_gradient_matches_finite_differences(name, sx, sy):
    x = _grad_input(name, sx, 6)
    y = _grad_input(name, sy, 7, second=True)
    check_grad(E._WRAPPERS[name], x, y)


@pytest.mark.parametrize("name", ["Exp", "Log", "Sin", "Cos", "Tan", "Tanh", "Sigmoid", "Sqrt",
                                  "Rsqrt", "Reciprocal", "Erf", "Atan", "Asin", "Square",
                                  "Sinh", "Asinh", "Log1p", "Expm1"])
def test_unary_second_derivative(name):
    check_second_grad(E._WRAPPERS[name], _grad_input(name, (3,), 8))


@pytest.mark.parametrize("f", [
    lambda x: x * x * x,
    lambda x: 1.0 / x,
    lambda x: x ** 3.0,
    lambda x: ag.pow(2.0, x) if False else ag.pow(ag.constant(np.full(3, 2.0)), x),
    lambda x: ag.maximum(x, 1.0) * x,
    lambda x: ag.atan2(x, x * x + 1.0),
    lambda x: ag.squared_difference(x, 0.5) * x,
    lambda x: ag.divide_no_nan(x, x * x + 1.0),
], ids=["cube", "inverse", "pow", "pow-exponent", "maximum", "atan2", "sqdiff", "div-no-nan"])
def test_binary_second_derivative(f):
    check_second_grad(f, np.array([0.6, 1.4, 2.2]))


def test_gradients_of_cast_select_and_shape_helpers():
    check_grad(lambda x: E.where_(x > 0.0, x * x, -x), np.array([-1.5, 0.5, 2.0]))
    check_grad(lambda x: E.sum_like(x, ag.constant(np.ones((1, 3)))), np.ones((2, 3)))
    check_grad(lambda x: E.broadcast_like(x, ag.constant(np.ones((2, 3)))), np.ones((1, 3)))
    x = ag.constant(np.array([1.0, 2.0]))
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = ag.cast(x, ag.float32) * 3.0
    g = tape.gradient(y, x)
    assert g.dtype == ag.float64
    np.testing.assert_allclose(g.numpy(), [3.0, 3.0])


def test_gradient_is_none_for_ops_without_one():
    x = ag.constant(np.array([1.3, -2.7]))
    for f in (ag.floor, ag.ceil, ag.round, ag.sign, lambda t: ag.floordiv(t, 2.0),
              lambda t: ag.cast(ag.cast(t, ag.int32), ag.float64), ag.stop_gradient):
        with ag.GradientTape() as tape:
            tape.watch(x)
            y = f(x)
        g = tape.gradient(y, x)
        assert g is None or np.all(g.numpy() == 0), f


def test_complex_gradients_are_conjugated_as_in_tensorflow():
    z = ag.constant(np.array([1 + 2j, -0.5 + 0.25j]))
    for f, df in [(lambda t: t * t, lambda v: 2 * v), (ag.exp, np.exp),
                  (ag.sin, np.cos), (lambda t: 1.0 / t, lambda v: -1 / v ** 2),
                  (ag.conj, None)]:
        with ag.GradientTape() as tape:
            tape.watch(z)
            y = f(z)
        g = tape.gradient(y, z).numpy()
        expected = np.ones(2) if df is None else np.conj(df(z.numpy()))
        np.testing.assert_allclose(g, expected, rtol=1e-12)
    assert ag.conj(ag.constant(1.5)).numpy() == 1.5
    assert_tensor(ag.conj(ag.constant([1 - 1j])), [1 + 1j])


def test_pow_gradient_at_zero_and_negative_base_follows_tensorflow():
    x = ag.constant(np.array([0.0, -2.0, 3.0]))
    p = ag.constant(np.array([2.0, 2.0, 2.0]))
    with ag.GradientTape() as tape:
        tape.watch([x, p])
        y = x ** p
    gx, gp = tape.gradient(y, [x, p])
    np.testing.assert_allclose(gx.numpy(), [0.0, -4.0, 6.0])
    # d/dp x**p = x**p log(x), taken as 0 where log is undefined (x <= 0).
    np.testing.assert_allclose(gp.numpy(), [0.0, 0.0, 9 * np.log(3.0)])


def test_integer_pow_has_no_gradient():
    x = ag.constant(3)
    with ag.GradientTape() as tape:
        tape.watch(ag.constant(1.0))
        y = x ** 2
    assert tape.gradient(y, x) is None


# ---- TensorFlow semantics and edge cases --------------------------------------------------

def test_true_division_of_integers_is_floating():
    assert_tensor(ag.constant([1, 2]) / ag.constant([2, 4]), [0.5, 0.5], dtype=ag.float64)
    assert_tensor(ag.constant(7) / 2, 3.5, dtype=ag.float64)
    assert_tensor(ag.constant(7, ag.int16) / 2, 3.5, dtype=ag.float32)
    assert_tensor(ag.constant(7, ag.uint8) / ag.constant(2, ag.uint8), 3.5, dtype=ag.float32)
    assert_tensor(ag.divide(7, 2), 3.5, dtype=ag.float64)
    assert_tensor(2 / ag.Variable(4.0), 0.5, dtype=ag.float32)
    with pytest.raises(TypeError, match="truediv: cannot convert Python value 1.0 to dtype int16"):
        1.0 / ag.constant(2, ag.int16)


def test_floor_division_and_modulo_follow_python_signs():
    a = ag.constant([-7, 7, -7, 7])
    b = ag.constant([2, -2, -2, 2])
    assert_tensor(a // b, np.array([-7, 7, -7, 7]) // np.array([2, -2, -2, 2]))
    assert_tensor(a % b, np.array([-7, 7, -7, 7]) % np.array([2, -2, -2, 2]))
    assert_tensor(ag.constant(-7.5) % 2.0, 0.5)
    assert_tensor(ag.constant([5.5, -5.5]) // 2.0, [2.0, -3.0])


@pytest.mark.parametrize("op", ["//", "%"])
@pytest.mark.parametrize("dtype", [ag.int8, ag.int32, ag.int64, ag.uint8])
def test_integer_division_by_zero_is_invalid_argument(op, dtype):
    a = ag.constant([4, 5], dtype)
    b = ag.constant([1, 0], dtype)
    with pytest.raises(InvalidArgumentError, match="integer division by zero"):
        eval(f"a {op} b")


def test_float_division_by_zero_matches_numpy():
    x = ag.constant([1.0, -1.0, 0.0, np.nan])
    with np.errstate(all="ignore"):
        results = {"/": x / 0.0, "//": x // 0.0, "%": x % 0.0, "log": ag.math.log(x),
                   "sqrt": ag.sqrt(-x), "reciprocal": ag.reciprocal(x * 0.0)}
    xs = np.array([1.0, -1.0, 0.0, np.nan], np.float32)
    with np.errstate(all="ignore"):
        expected = {"/": xs / np.float32(0), "//": xs // np.float32(0), "%": xs % np.float32(0),
                    "log": np.log(xs), "sqrt": np.sqrt(-xs), "reciprocal": 1 / (xs * 0)}
    for key, value in results.items():
        np.testing.assert_array_equal(value.numpy(), expected[key], err_msg=key)
    assert_tensor(ag.divide_no_nan(x, 0.0), [0.0, 0.0, 0.0, 0.0])


def test_floating_point_edge_cases_do_not_warn():
    # TensorFlow computes 1/0 and log(0) silently. The filter is installed at import, so check
    # in a fresh interpreter (pytest resets warning filters around each test).
    code = ("import warnings; warnings.simplefilter('default'); import autograph as ag; "
            "x = ag.constant([1.0, 0.0, -1.0]); x / 0.0; ag.math.log(x); ag.sqrt(x); "
            "x // 0.0; x % 0.0; ag.exp(x * 1e3); ag.cast(x / 0.0, ag.int32); "
            "ag.constant(1e300); ag.constant([1.0], ag.float16) * 1e6")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr, done.stderr


@pytest.mark.parametrize("dtype", [ag.float16, ag.float32, ag.float64])
def test_sigmoid_is_exact_for_large_arguments(dtype):
    with np.errstate(over="ignore"):
        x = ag.constant(np.array([-1e4, -100.0, -20.0, 0.0, 20.0, 100.0, 1e4, np.inf, -np.inf]),
                        dtype)
    got = ag.sigmoid(x)
    assert got.dtype == dtype
    with np.errstate(over="ignore"):
        wide = 1 / (1 + np.exp(-x.numpy().astype(np.float64)))
    np.testing.assert_allclose(got.numpy(), wide.astype(dtype.np), rtol=TOL[dtype.name][0])
    assert not np.isnan(got.numpy()).any()
    # The gradient stays finite and tiny far from zero.
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = ag.sigmoid(x)
    g = tape.gradient(y, x).numpy()
    assert np.all(np.isfinite(g)) and g[0] == 0 and g[3] == 0.25


@pytest.mark.parametrize("name", sorted(n for n, row in UNARY.items() if D.float32 in row[2]))
def test_unary_special_values_match_numpy(name):
    values = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e30, -1e30, 0.5], np.float32)
    with np.errstate(all="ignore"):  # keeps NumPy quiet under pytest, which resets filters
        got = E._WRAPPERS[name](ag.constant(values)).numpy()
        expected = UNARY_ORACLE[name](values.astype(np.float64))
        expected = np.asarray(expected).astype(got.dtype)
    np.testing.assert_allclose(got, expected, rtol=3e-6, equal_nan=True, err_msg=name)


def test_nan_propagates_through_maximum_and_minimum():
    x = ag.constant([np.nan, 1.0, np.nan])
    y = ag.constant([1.0, np.nan, np.nan])
    assert np.isnan(ag.maximum(x, y).numpy()).all()
    assert np.isnan(ag.minimum(x, y).numpy()).all()


def test_nan_comparisons_follow_ieee():
    x = ag.constant([np.nan, 1.0])
    assert_tensor(x == x, [False, True])
    assert_tensor(x != x, [True, False])
    assert_tensor(x < np.inf, [False, True])


def test_float16_arithmetic_stays_float16():
    h = ag.constant([1.0, 2.0, 65504.0], ag.float16)
    with np.errstate(over="ignore"):
        for value in (h + h, h * 2, h - 1.0, h / 2, ag.exp(h), ag.sqrt(h), -h, h ** 2.0):
            assert value.dtype == ag.float16
        assert np.isinf((h + h).numpy()[2])
    np.testing.assert_array_equal((h / 2).numpy(), np.array([0.5, 1.0, 32752.0], np.float16))


def test_rounding_is_half_to_even_as_in_tensorflow():
    assert_tensor(ag.round(ag.constant([0.5, 1.5, 2.5, -0.5, -1.5])), [0.0, 2.0, 2.0, -0.0, -2.0])
    assert_tensor(ag.math.floor(ag.constant([2.6, -2.7])), [2.0, -3.0])
    assert_tensor(ag.math.ceil(ag.constant([2.6, -2.7])), [3.0, -2.0])


def test_integer_pow_by_negative_exponent_is_invalid_argument():
    with pytest.raises(InvalidArgumentError, match="Pow: integers to negative integer powers"):
        ag.constant([2, 3]) ** ag.constant([1, -1])
    assert_tensor(ag.constant([2, 3]) ** 2, [4, 9], dtype=ag.int32)


def test_logical_and_bitwise_operators_pick_by_dtype():
    p = ag.constant([True, False, True])
    q = ag.constant([True, True, False])
    assert_tensor(p & q, [True, False, False])
    assert_tensor(p | q, [True, True, True])
    assert_tensor(p ^ q, [False, True, True])
    assert_tensor(~p, [False, True, False])
    assert_tensor(True & p, [True, False, True])
    i = ag.constant([6, 5], ag.int32)
    assert_tensor(i & 3, [2, 1], dtype=ag.int32)
    assert_tensor(i | 3, [7, 7])
    assert_tensor(i ^ 3, [5, 6])
    assert_tensor(~i, [-7, -6])
    assert_tensor(3 & i, [2, 1])
    assert_tensor(ag.invert(ag.constant(5, ag.uint8)), 250, dtype=ag.uint8)
    with pytest.raises(TypeError, match="BitwiseAnd does not accept float32"):
        ag.constant(1.5) & 1.0
    with pytest.raises(TypeError, match="Invert does not accept float32"):
        ~ag.constant(1.5)


def test_cast_follows_tensorflow():
    x = ag.constant([1.7, -1.7, 2.5])
    assert_tensor(ag.cast(x, ag.int32), [1, -1, 2], dtype=ag.int32)  # truncates toward zero
    assert_tensor(ag.cast(ag.constant([300, -1]), ag.uint8), [44, 255], dtype=ag.uint8)
    assert_tensor(ag.cast(ag.constant([0.0, 0.5]), ag.bool), [False, True])
    assert_tensor(ag.cast(True, ag.float32), 1.0, dtype=ag.float32)
    assert_tensor(ag.cast([1, 2], "float64"), [1.0, 2.0], dtype=ag.float64)
    assert_tensor(ag.cast(ag.constant([1 + 2j]), ag.float32), [1.0], dtype=ag.float32)
    assert ag.cast(x, ag.float32) is x
    with pytest.raises(TypeError, match="unknown dtype name 'foo'"):
        ag.cast(x, "foo")
    with pytest.raises(TypeError, match="Cast: casting a string tensor"):
        ag.cast(ag.constant(["1"]), ag.float32)


def test_zeros_like_and_ones_like():
    x = ag.constant([[1.5, 2.0]])
    assert_tensor(ag.zeros_like(x), [[0.0, 0.0]], dtype=ag.float32)
    assert_tensor(ag.ones_like(x, dtype=ag.int32), [[1, 1]], dtype=ag.int32)
    assert_tensor(ag.zeros_like([True]), [False])


@pytest.mark.parametrize("dtype", [ag.float16, ag.float32, ag.float64, ag.int8, ag.int32,
                                   ag.int64, ag.uint8, ag.complex64, ag.bool])
def test_zeros_like_and_ones_like_of_scalars_keep_the_dtype(dtype):
    x = ag.cast(ag.constant(3), dtype)      # held as a NumPy scalar, as scalar results are
    for fn, value in ((ag.zeros_like, 0), (ag.ones_like, 1)):
        got = fn(x)
        assert got.dtype == dtype and got.shape == ()
        assert got.numpy() == np.array(value).astype(dtype.as_numpy_dtype)


def test_public_names_are_exported():
    for name in E.__all__:
        assert getattr(ag, name) is getattr(E, name), name
    assert ag.math.log is E.log and ag.math.sigmoid is E.sigmoid


# ---- errors name the op and the culprit ---------------------------------------------------

def test_mixed_dtypes_name_the_op_both_dtypes_and_cast():
    with pytest.raises(TypeError) as info:
        ag.constant([1.0]) + ag.constant([1])
    message = str(info.value)
    assert "Add" in message and "float32" in message and "int32" in message
    assert "ag.cast" in message
    with pytest.raises(TypeError, match="Maximum: cannot combine float64 and float32"):
        ag.maximum(ag.constant(1.0, ag.float64), ag.constant(1.0))


def test_broadcast_errors_name_the_op_and_both_shapes():
    with pytest.raises(ValueError, match=r"Sub: shapes \(2, 3\) and \(4,\) are not broadcast"):
        ag.constant(np.ones((2, 3))) - ag.constant(np.ones(4))
    with pytest.raises(ValueError, match=r"Less: shapes \(2,\) and \(3,\)"):
        ag.less(ag.constant([1, 2]), ag.constant([1, 2, 3]))


def test_kernel_failures_never_leak_numpy_tracebacks():
    with pytest.raises(ValueError) as info:
        ag.multiply(ag.constant(np.ones((2, 2))), ag.constant(np.ones((3, 1))))
    assert "Mul" in str(info.value) and "(2, 2)" in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_conversion_errors_name_the_op():
    with pytest.raises(ValueError, match="Cast: cannot convert a ragged nested list"):
        ag.cast([[1], [2, 3]], ag.float32)
    with pytest.raises(TypeError, match="Invert: cannot convert None"):
        ag.invert(None)
    with pytest.raises(TypeError, match="truediv: cannot convert .* mixes strings"):
        ag.divide([1, "a"], 2)
    with pytest.raises(TypeError, match="Add: cannot convert None"):
        ag.constant([1.0]) + None
    with pytest.raises(ValueError, match="Mul: cannot convert a ragged nested list"):
        ag.constant([1.0]) * [[1.0], [1.0, 2.0]]


def test_real_and_imag_split_complex_tensors_and_pass_reals():
    z = ag.constant(np.array([1 + 2j, 3 - 1j], np.complex64))
    assert_tensor(ag.math.real(z), np.array([1, 3], np.float32), dtype=ag.float32)
    assert_tensor(ag.math.imag(z), np.array([2, -1], np.float32), dtype=ag.float32)
    x = ag.constant([1.0, 2.0])
    assert ag.math.real(x) is x
    assert_tensor(ag.math.imag(x), np.zeros(2, np.float32))


def test_real_and_imag_gradients():
    check_grad(lambda x: ag.math.real(ag.cast(x, ag.complex128) * (2 + 1j)), np.array([1.0, 2.0]))
    check_grad(lambda x: ag.math.imag(ag.cast(x, ag.complex128) * (2 + 1j)), np.array([1.0, 2.0]))
