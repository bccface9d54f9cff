"""Numerics of C kernels against the interpreter: dtypes, broadcasting, strides, 0-d and
empty shapes, NaN/Inf, reductions, and the errors integer kernels must raise."""
import numpy as np
import pytest

import autograph as ag
from runtime.fusion import layout, program
from runtime.interpreter import plan_for

from tests.runtime.fusion.helpers import (assert_same, check, compile_c, kernels, run_both,
                                          traced)

RNG = np.random.default_rng(7)
SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.5, -2.5, 3.0], np.float64)


def data(shape, dtype, special=True):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return RNG.random(shape) < 0.5
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return RNG.integers(max(info.min, -100), min(info.max, 100), size=shape, dtype=dtype)
    a = RNG.standard_normal(shape) * 3
    if special and a.size >= 8:
        a.reshape(-1)[:8] = SPECIAL
    return a.astype(dtype)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_float_arithmetic_is_bit_exact(dtype):
    x, y = data((4, 5), dtype), data((4, 5), dtype)
    check(lambda x, y: (x * y - x) / (y + 2.0) + ag.maximum(x, y) * ag.minimum(x, -y), x, y)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_float_math_functions_match_within_ulps(dtype):
    x = data((6, 7), dtype)
    check(lambda x: ag.tanh(x) + ag.exp(-ag.abs(x)) * ag.sigmoid(x) - ag.log1p(ag.abs(x)),
          x, rtol={"float16": 5e-3, "float32": 2e-6, "float64": 1e-14}[dtype],
          atol={"float16": 5e-3, "float32": 1e-6, "float64": 1e-14}[dtype])


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8", "uint16",
                                   "uint32", "uint64"])
def test_integer_arithmetic_wraps_like_numpy(dtype):
    info = np.iinfo(dtype)
    x = np.array([info.min, info.max, 0, 1, 7, 100 % info.max, info.max - 1, 3], dtype)
    y = np.array([1, 2, 3, info.max, 5, 6, 7, info.min or 9], dtype)
    check(lambda x, y: (x * y + x - y) * 3 + ag.abs(x) + ag.maximum(x, y), x, y)


@pytest.mark.parametrize("dtype", ["int8", "int32", "int64", "uint16", "uint64"])
def test_integer_floor_division_and_modulo(dtype):
    info = np.iinfo(dtype)
    x = np.array([info.min, info.max, -7 if info.min else 7, 7, 0, 5], dtype)
    y = np.array([-1 if info.min else 1, 3, 2, -2 if info.min else 2, 3, 5], dtype)
    check(lambda x, y: (x // y) * 2 + x % y, x, y)


def test_integer_division_by_zero_raises_the_ops_error():
    x, y = np.array([4, 5], np.int32), np.array([2, 0], np.int32)
    graph = traced(lambda x, y: (x // y) + x * 2, x, y)
    fused = compile_c(graph)
    assert kernels(fused)
    with pytest.raises(ag.errors.InvalidArgumentError, match="FloorDiv: integer division by zero"):
        plan_for(fused).run([x, y])


def test_integer_power_and_its_negative_exponent_error():
    x, y = np.array([3, -2, 5], np.int64), np.array([3, 5, 0], np.int64)
    check(lambda x, y: ag.pow(x, y) + 1, x, y)
    fused = compile_c(traced(lambda x, y: ag.pow(x, y) + 1, x, y))
    with pytest.raises(ag.errors.InvalidArgumentError, match="negative integer powers"):
        plan_for(fused).run([x, np.array([1, -1, 2], np.int64)])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_float_floor_division_and_modulo_follow_numpy(dtype):
    x = np.array([7, -7, 7, -7, np.inf, 1, np.nan, 0, 5.5], dtype)
    y = np.array([2, 2, -2, -2, 3, np.inf, 1, 0, 0], dtype)
    check(lambda x, y: (x // y) + (x % y) * 10.0, x, y)


def test_comparisons_logic_select_and_casts():
    x, y = data((3, 4), "float32"), data((3, 4), "float32")
    check(lambda x, y: ag.where(ag.logical_and(x > y, ag.logical_not(ag.math.is_nan(x))),
                                ag.cast(x > 0, ag.float32) + x, y * 2.0), x, y)
    i = data((3, 4), "int32")
    check(lambda i: ag.cast(ag.cast(i, ag.int8) * 3, ag.float16) + ag.cast(i > 2, ag.float16),
          i)


def test_nan_propagates_through_relu_and_max_like_numpy():
    x = np.array([np.nan, -1.0, 2.0, 7.0, -np.inf, np.inf], np.float32)
    check(lambda x: ag.nn.relu(x) * 2.0 + ag.nn.relu6(x), x)


@pytest.mark.parametrize("shape", [(), (0,), (0, 3), (1,), (5,), (2, 3, 4)])
def test_zero_d_empty_and_nd_shapes(shape):
    x = data(shape, "float32")
    check(lambda x: ag.exp(x) * 2.0 + x * x, x, rtol=2e-6)


@pytest.mark.parametrize("other", [(4,), (3, 1), (1, 4), (), (1, 1)])
def test_broadcast_operands_are_index_math(other):
    x, y = data((3, 4), "float64"), data(other, "float64")
    check(lambda x, y: (x - y) * (x + y) + y, x, y)


def test_strided_and_transposed_inputs():
    base = data((6, 8), "float32")
    graph = traced(lambda x, y: x * y + x, base[::2, ::2], base[:3, :4].T.copy().T)
    for x, y in [(base[::2, ::2], base[:4:, :3].T), (base[1::2, 1::2], base[:3, :4])]:
        fused, got, want = run_both(graph, [x, y])
        assert_same(got[0], want[0])


def test_one_layout_per_pattern_sizes_are_parameters():
    graph = traced(lambda x, y: x * y + 1.0, np.ones((2, 3), np.float32), np.ones(3, np.float32))
    g = ag.function(lambda x, y: x * y + 1.0, input_signature=[
        ag.TensorSpec([None, 3], ag.float32), ag.TensorSpec([3], ag.float32)])
    graph = g.get_concrete_function().optimized_graph
    fused = compile_c(graph)
    [node] = kernels(fused)
    prog = program.program_for(node.attrs["graph"], node.attrs["name"])
    for rows in (1, 2, 5, 0):
        x, y = data((rows, 3), "float32"), data((3,), "float32")
        assert_same(plan_for(fused).run([x, y])[0], plan_for(graph).run([x, y])[0])
    specs = {prog.layout_for([data((r, 3), "float32"), data((3,), "float32")]).spec
             for r in (2, 5, 9)}
    assert len(specs) == 1


@pytest.mark.parametrize("reduce", ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min",
                                    "reduce_prod"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_float_reductions_with_producers_and_epilogue(reduce, axis, keepdims):
    x = data((5, 6), "float32", special=False) * 0.5
    x[2, 3] = np.nan if reduce in ("reduce_max", "reduce_min") else x[2, 3]
    fn = getattr(ag, reduce) if hasattr(ag, reduce) else getattr(ag.math, reduce)
    check(lambda x: fn(ag.abs(x) + 0.25, axis=axis, keepdims=keepdims) * 2.0 - 1.0, x,
          rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", ["int8", "int32", "int64", "uint8"])
def test_integer_reductions_wrap_and_mean_truncates_toward_zero(dtype):
    x = data((4, 7), dtype)
    check(lambda x: (ag.reduce_sum(x * 3, axis=1), ag.reduce_mean(x - 5, axis=0),
                     ag.reduce_max(x), ag.reduce_prod(x % 3 + 1, axis=0)), x)


@pytest.mark.parametrize("shape,axis", [((0,), None), ((0, 3), 0), ((3, 0), 1), ((3, 0), 0)])
def test_empty_reductions_give_the_identity(shape, axis):
    x = np.zeros(shape, np.float32)
    check(lambda x: (ag.reduce_sum(x * 2.0, axis=axis), ag.reduce_max(x + 1.0, axis=axis),
                     ag.reduce_mean(x * 2.0, axis=axis)), x)


def test_float16_sums_accumulate_in_float64():
    # NumPy adds float16 columns in float16; the kernel's float64 accumulator is at least as
    # close to the exact sum (the interpreter is not the oracle for the rounding here).
    x = data((64, 33), "float16", special=False)
    graph = traced(lambda x: ag.reduce_sum(x * 2.0, axis=0), x)
    fused, got, want = run_both(graph, [x])
    exact = (x.astype(np.float64) * 2).sum(axis=0)
    assert got[0].dtype == np.float16
    assert np.all(np.abs(got[0] - exact) <= np.abs(want[0] - exact) + 1e-9)
    assert np.all(np.abs(got[0] - exact) <= np.abs(exact) * 2 ** -10 + 1e-3)


def test_index_width_is_32_bits_when_sizes_allow():
    f = ag.function(lambda x: ag.exp(x) + x, input_signature=[ag.TensorSpec([None], ag.float32)])
    graph = f.get_concrete_function().optimized_graph
    [node] = kernels(compile_c(graph))
    prog = program.program_for(node.attrs["graph"], node.attrs["name"])

    class Big:   # stands for a 2**31-element array without allocating it
        shape, strides, size = (2 ** 31,), (4,), 2 ** 31
        dtype = np.dtype(np.float32)
        flags = np.empty(0).flags

    assert prog.layout_for([np.ones(8, np.float32)]).index == "int32"
    assert prog.layout_for([Big()]).index == "int64"
    assert "typedef int64_t idx_t;" in prog.source(prog.layout_for([Big()]).spec, "c")
    assert layout.INT32_LIMIT <= 2 ** 31
