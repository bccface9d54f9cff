"""Scalar while loops compile into one C loop; results and errors match the interpreter."""
import numpy as np
import pytest

import autograph as ag
from runtime import fusion
from runtime.interpreter import plan_for

from tests.runtime.fusion.helpers import check, compile_c, kernels, traced


def staged_sum(n):
    _, s = ag.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s + i),
                         [ag.constant(0), ag.constant(0)])
    return s


def gcd(a, b):
    return ag.while_loop(lambda a, b: b != 0, lambda a, b: (b, a % b), [a, b])[0]


def newton_sqrt(x):
    def body(y, k):
        return 0.5 * (y + x / y), k + 1
    return ag.while_loop(lambda y, k: k < 30, body, [x, ag.constant(0)])[0]


@pytest.mark.parametrize("n", [0, 1, 10, 100_000])
def test_staged_sum_is_one_native_loop(n):
    fused = check(staged_sum, np.int32(n))
    assert [k.op.name for k in kernels(fused)] == ["FusedWhile"]


def test_int32_sum_wraps_like_numpy_scalars():
    check(staged_sum, np.int32(200_000))      # the sum passes 2**31


@pytest.mark.parametrize("a,b", [(48, 18), (17, 5), (0, 7), (7, 0), (-12, 8)])
def test_gcd(a, b):
    check(gcd, np.int64(a), np.int64(b))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("x", [2.0, 1e-6, 1e6, np.inf, np.nan])
def test_newton_iteration_on_scalars(dtype, x):
    check(newton_sqrt, np.dtype(dtype).type(x))


def test_maximum_iterations_is_part_of_the_loop():
    def fn(n):
        return ag.while_loop(lambda i: i < n, lambda i: (i + 3,), [ag.constant(0)],
                             maximum_iterations=5)[0]
    fused = check(fn, np.int32(100))
    assert [k.op.name for k in kernels(fused)] == ["FusedWhile"]


def test_errors_inside_the_loop_are_the_ops_errors():
    def fn(a, b):
        return ag.while_loop(lambda a, b: a > 0, lambda a, b: (a - 1, b + a // b), [a, b])[1]
    graph = traced(fn, np.int32(3), np.int32(1))
    fused = compile_c(graph)
    assert plan_for(fused).run([np.int32(3), np.int32(1)]) == \
        plan_for(graph).run([np.int32(3), np.int32(1)])
    with pytest.raises(ag.errors.InvalidArgumentError, match="integer division by zero"):
        plan_for(fused).run([np.int32(3), np.int32(0)])


def test_loops_over_tensors_stay_in_the_interpreter_with_a_reason():
    def fn(x):
        return ag.while_loop(lambda v: ag.reduce_sum(v) < 100.0, lambda v: (v * 2.0,), [x])[0]
    fused = check(fn, np.ones(3, np.float32))
    assert not [k for k in kernels(fused) if k.op.name == "FusedWhile"]
    assert any("loop not compiled" in note and "not a scalar" in note
               for note in fusion.explain(fused))


def test_a_loop_with_a_stateful_body_is_not_compiled():
    v = ag.Variable(0.0)

    def fn(n):
        def body(i):
            v.assign_add(1.0)
            return (i + 1,)
        return ag.while_loop(lambda i: i < n, body, [ag.constant(0)])[0]
    fused = compile_c(traced(fn, np.int32(3)))
    assert not [k for k in kernels(fused) if k.op.name == "FusedWhile"]
    assert any("loop not compiled" in note for note in fusion.explain(fused))
