"""Creation ops against NumPy: zeros, ones, fill, range, linspace, eye, meshgrid."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograph as ag
from ops import creation
from tests.support import assert_tensor, check_grad, check_infer

DTYPES = [ag.float32, ag.float64, ag.int32, ag.int64, ag.bool]
SHAPES = [[], [0], [3], (2, 3), [2, 0, 4]]


# ---- zeros, ones, fill -------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_zeros_and_ones(dtype, shape):
    assert_tensor(ag.zeros(shape, dtype), np.zeros(shape, dtype.np), dtype=dtype)
    assert_tensor(ag.ones(shape, dtype), np.ones(shape, dtype.np), dtype=dtype)


def test_defaults_follow_tensorflow():
    assert_tensor(ag.zeros([3, 3]), np.zeros((3, 3), np.float32), dtype=ag.float32)
    assert_tensor(ag.ones(3), np.ones(3, np.float32), dtype=ag.float32)  # an int is a 1-D shape
    assert_tensor(ag.zeros([2], "float64"), [0.0, 0.0], dtype=ag.float64)
    assert_tensor(ag.zeros([2], np.int64), [0, 0], dtype=ag.int64)
    assert ag.zeros([1], ag.string).numpy().tolist() == [b""]


def test_shape_may_be_a_tensor_or_tensorshape():
    x = ag.ones([2, 5])
    assert_tensor(ag.zeros(ag.shape(x)), np.zeros((2, 5), np.float32))
    assert_tensor(ag.ones(x.shape, ag.int32), np.ones((2, 5), np.int32))
    assert_tensor(ag.zeros([ag.constant(2), np.int64(3)]), np.zeros((2, 3), np.float32))


@pytest.mark.parametrize("value, dtype", [(5, ag.int32), (2.5, ag.float32), (True, ag.bool),
                                          (np.float64(1.5), ag.float64)])
def test_fill_takes_the_dtype_of_value(value, dtype):
    assert_tensor(ag.fill([3, 2], value), np.full((3, 2), value, dtype.np), dtype=dtype)


def test_fill_gradient_flows_to_value():
    check_grad(lambda v: ag.fill([2, 3], v) * ag.constant(np.arange(6.0).reshape(2, 3)), 1.5)


@pytest.mark.parametrize("fn", [lambda: ag.zeros([2, 3]), lambda: ag.fill([4], 7),
                                lambda: ag.ones([0, 2], ag.int64)])
def test_fill_infer(fn):
    _, names = check_infer(fn)
    assert names[-1] == "Fill"


def test_fill_with_runtime_dims_input():
    """The path taken while tracing when the shape is symbolic: dims travel as an input."""
    from ops import dispatch
    out = dispatch.execute(creation._FILL, (ag.constant(3.0), ag.constant([2, 2])),
                           {"shape": (None, 2)})
    assert_tensor(out, np.full((2, 2), 3.0, np.float32))


def test_zeros_inside_function_with_unknown_batch():
    f = ag.function(lambda x: ag.zeros(ag.shape(x)) + ag.ones([ag.shape(x)[0], 3]),
                    input_signature=[ag.TensorSpec([None, 3], ag.float32)])
    assert_tensor(f(ag.ones([4, 3])), np.ones((4, 3), np.float32))
    assert_tensor(f(ag.ones([1, 3])), np.ones((1, 3), np.float32))


def test_creation_errors():
    with pytest.raises(ValueError, match="negative dimension -1"):
        ag.zeros([2, -1])
    with pytest.raises(TypeError, match="must hold integers, got 2.5"):
        ag.ones([2.5])
    with pytest.raises(ValueError, match="unknown \\(None\\) dimension"):
        ag.zeros([None, 3])
    with pytest.raises(ValueError, match="Fill: value must be a scalar"):
        ag.fill([2], [1, 2])
    with pytest.raises(TypeError, match="1-D integer tensor"):
        ag.zeros(ag.constant([[2.0]]))
    with pytest.raises(TypeError, match="no 'one' of dtype string"):
        ag.ones([1], ag.string)


# ---- range -------------------------------------------------------------------------------

@pytest.mark.parametrize("args, kwargs, expected, dtype", [
    ((5,), {}, np.arange(5), ag.int32),
    ((1, 10), {"delta": 2}, np.arange(1, 10, 2), ag.int32),
    ((10, 0, -3), {}, np.arange(10, 0, -3), ag.int32),
    ((0, 1, 0.25), {}, np.arange(0, 1, 0.25), ag.float32),
    ((0.5, 3), {}, np.arange(0.5, 3), ag.float32),
    ((5,), {"dtype": ag.float64}, np.arange(5.0), ag.float64),
    ((3, 3), {}, np.arange(3, 3), ag.int32),
    ((ag.constant(2, ag.int64), 6), {}, np.arange(2, 6), ag.int64),
    ((ag.constant(1.0, ag.float64), 2, 0.5), {}, np.arange(1, 2, 0.5), ag.float64),
])
def test_range(args, kwargs, expected, dtype):
    assert_tensor(ag.range(*args, **kwargs), expected.astype(dtype.np), dtype=dtype)


@given(start=st.integers(-50, 50), length=st.integers(0, 40), delta=st.integers(1, 7),
       negative=st.booleans())
def test_range_matches_numpy_for_ints(start, length, delta, negative):
    delta = -delta if negative else delta
    limit = start + length * (1 if delta > 0 else -1)
    assert_tensor(ag.range(start, limit, delta), np.arange(start, limit, delta, dtype=np.int32))


def test_range_infer():
    _, names = check_infer(lambda: ag.range(1, 10, 3))
    assert names[-1] == "Range"


def test_range_errors():
    with pytest.raises(ValueError, match="delta must not be zero"):
        ag.range(0, 5, 0)
    with pytest.raises(ValueError, match="do not match the sign of delta"):
        ag.range(5, 0, 1)
    with pytest.raises(TypeError, match="cannot convert"):
        ag.range(0, 2.5, dtype=ag.int32)
    with pytest.raises(ValueError, match="Range: limit must be a scalar"):
        ag.range(0, ag.constant([3, 4]))


# ---- linspace ----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("start, stop, num", [(0.0, 6.28, 100), (10.0, 12.0, 3), (1.0, -1.0, 5),
                                              (2.0, 3.0, 1)])
def test_linspace(dtype, start, stop, num):
    got = ag.linspace(ag.constant(start, dtype), ag.constant(stop, dtype), num)
    assert_tensor(got, np.linspace(start, stop, num).astype(dtype), rtol=1e-6, dtype=dtype)
    assert got.numpy()[-1] == dtype(stop if num > 1 else start)


def test_linspace_python_scalars_give_float32_and_lin_space_alias():
    assert_tensor(ag.linspace(0, 10, 5), np.linspace(0, 10, 5).astype(np.float32),
                  dtype=ag.float32)
    assert ag.lin_space is ag.linspace


@pytest.mark.parametrize("axis", [0, -1, 1])
def test_linspace_nd(axis):
    start = np.array([0.0, 5.0], np.float32)
    stop = np.array([10.0, 40.0], np.float32)
    expected = np.linspace(start, stop, 5, axis=axis).astype(np.float32)
    assert_tensor(ag.linspace(start, stop, 5, axis=axis), expected, rtol=1e-6)
    check_infer(ag.linspace, ag.constant(start), ag.constant(stop), 5, None, axis)
    from_lists = ag.linspace([0.0, 5.0], [10.0, 40.0], 5, axis=axis)
    assert_tensor(from_lists, expected, rtol=1e-6, dtype=ag.float32)


def test_linspace_errors():
    with pytest.raises(ValueError, match="num must be positive"):
        ag.linspace(0.0, 1.0, 0)
    with pytest.raises(TypeError, match="LinSpace needs float start/stop"):
        ag.linspace(ag.constant(0), ag.constant(1), 3)


# ---- eye ---------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_eye(dtype):
    assert_tensor(ag.eye(3, dtype=dtype), np.eye(3, dtype=dtype.np), dtype=dtype)
    assert_tensor(ag.eye(2, 4, dtype=dtype), np.eye(2, 4, dtype=dtype.np), dtype=dtype)


def test_eye_batched_and_infer():
    expected = np.broadcast_to(np.eye(3, 2, dtype=np.float32), (2, 4, 3, 2))
    assert_tensor(ag.eye(3, 2, batch_shape=[2, 4]), expected)
    assert_tensor(ag.eye(3, 3), np.eye(3, dtype=np.float32))
    assert_tensor(ag.eye(0), np.zeros((0, 0), np.float32))
    _, names = check_infer(lambda: ag.eye(2, batch_shape=[3]))
    assert names == ["Eye"]


# ---- meshgrid ----------------------------------------------------------------------------

@pytest.mark.parametrize("indexing", ["xy", "ij"])
def test_meshgrid(indexing):
    x, y, z = np.arange(3), np.arange(4) * 10, np.arange(2) * 100
    for arrays in ([x], [x, y], [x, y, z]):
        got = ag.meshgrid(*[ag.constant(a) for a in arrays], indexing=indexing)
        for g, e in zip(got, np.meshgrid(*arrays, indexing=indexing)):
            assert_tensor(g, e.astype(np.int32))


def test_meshgrid_errors():
    with pytest.raises(ValueError, match="indexing must be 'xy' or 'ij'"):
        ag.meshgrid(ag.range(2), indexing="yx")


def test_creation_ops_have_no_gradient():
    from runtime.registry import get
    for name in ("Range", "LinSpace", "Eye"):
        assert not get(name).differentiable
