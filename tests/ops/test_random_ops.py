"""ag.random: TensorFlow's seed semantics, distribution sanity on 10^5 samples, dtypes, shapes,
fresh draws on every run of a traced graph, and the errors users see."""
import numpy as np
import pytest

import autograph as ag
from runtime.registry import get
from tests.support import assert_tensor, check_grad, check_infer

N = 100_000

DRAWS = {
    "uniform": lambda **kw: ag.random.uniform([50], **kw),
    "uniform_int": lambda **kw: ag.random.uniform([50], 0, 1000, ag.int32, **kw),
    "normal": lambda **kw: ag.random.normal([50], **kw),
    "truncated_normal": lambda **kw: ag.random.truncated_normal([50], **kw),
    "shuffle": lambda **kw: ag.random.shuffle(ag.range(50), **kw),
    "categorical": lambda **kw: ag.random.categorical(ag.zeros([1, 1000]), 50, **kw),
}


@pytest.fixture(autouse=True)
def _no_global_seed():
    ag.random.set_seed(None)
    yield
    ag.random.set_seed(None)


# ---- seeds -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(DRAWS))
def test_set_seed_repeats_the_sequence_and_calls_differ(name):
    draw = DRAWS[name]
    ag.random.set_seed(1)
    first, second = draw().numpy(), draw().numpy()
    ag.random.set_seed(1)
    np.testing.assert_array_equal(draw().numpy(), first)
    np.testing.assert_array_equal(draw().numpy(), second)
    assert not np.array_equal(first, second)
    ag.random.set_seed(2)
    assert not np.array_equal(draw().numpy(), first)


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_op_seed_gives_its_own_reproducible_stream(name):
    draw = DRAWS[name]
    ag.random.set_seed(1)
    a1, a2 = draw(seed=7).numpy(), draw(seed=7).numpy()
    ag.random.set_seed(1)
    draw()  # other random ops do not disturb the op's stream
    np.testing.assert_array_equal(draw(seed=7).numpy(), a1)
    np.testing.assert_array_equal(draw(seed=7).numpy(), a2)
    assert not np.array_equal(draw(seed=8).numpy(), a1)


def test_op_seed_without_global_seed_is_reproducible():
    a = ag.random.uniform([5], seed=3).numpy()
    ag.random.set_seed(None)
    np.testing.assert_array_equal(ag.random.uniform([5], seed=3).numpy(), a)


def test_no_seed_gives_different_values():
    assert not np.array_equal(ag.random.normal([20]).numpy(), ag.random.normal([20]).numpy())


def test_float_seed_from_the_seed_document():
    ag.random.set_seed(1.0)
    a = ag.random.uniform([5], minval=0, maxval=10)
    ag.random.set_seed(1.0)
    np.testing.assert_array_equal(ag.random.uniform([5], minval=0, maxval=10).numpy(), a.numpy())


# ---- distributions -----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [ag.float16, ag.float32, ag.float64])
def test_uniform_distribution(dtype):
    x = ag.random.uniform([N], minval=-2, maxval=3, dtype=dtype)
    assert x.dtype == dtype and tuple(x.shape) == (N,)
    v = x.numpy().astype(np.float64)
    assert v.min() >= -2 and v.max() < 3
    assert abs(v.mean() - 0.5) < 0.03 and abs(v.std() - 5 / np.sqrt(12)) < 0.03


def test_uniform_default_range_is_unit_interval():
    v = ag.random.uniform([N], dtype=ag.float16).numpy()
    assert v.min() >= 0 and v.max() < 1


@pytest.mark.parametrize("dtype", [ag.int32, ag.int64])
def test_uniform_int_distribution(dtype):
    x = ag.random.uniform([N], minval=-3, maxval=7, dtype=dtype)
    assert x.dtype == dtype
    counts = np.bincount(x.numpy() + 3, minlength=10)
    assert counts.sum() == N and len(counts) == 10
    assert np.all(np.abs(counts / N - 0.1) < 0.01)


@pytest.mark.parametrize("dtype", [ag.float32, ag.float64])
def test_normal_distribution(dtype):
    v = ag.random.normal([N], mean=3.0, stddev=2.0, dtype=dtype).numpy()
    assert v.dtype == dtype.np
    assert abs(v.mean() - 3) < 0.03 and abs(v.std() - 2) < 0.03


@pytest.mark.parametrize("dtype", [ag.float32, ag.float64])
def test_truncated_normal_bounds_and_spread(dtype):
    v = ag.random.truncated_normal([N], mean=1.0, stddev=0.5, dtype=dtype).numpy()
    assert v.dtype == dtype.np
    assert np.all(np.abs(v - 1.0) <= 2 * 0.5 + 1e-6)
    # The standard deviation of N(0, 1) truncated to [-2, 2] is 0.8796.
    assert abs(v.mean() - 1.0) < 0.01 and abs(v.std() - 0.5 * 0.8796) < 0.01


def test_categorical_follows_softmax_of_logits():
    with np.errstate(divide="ignore"):  # log(0) = -inf: a class that is never drawn
        logits = np.log(np.array([[0.2, 0.5, 0.3, 0.0], [0.0, 0.0, 0.0, 1.0]]))
    s = ag.random.categorical(ag.constant(logits, ag.float32), N)
    assert s.dtype == ag.int64 and tuple(s.shape) == (2, N)
    freq = np.bincount(s.numpy()[0], minlength=4) / N
    np.testing.assert_allclose(freq, [0.2, 0.5, 0.3, 0.0], atol=0.01)
    assert np.all(s.numpy()[1] == 3)
    assert ag.random.categorical([[0.0, 0.0]], 3, dtype=ag.int32).dtype == ag.int32


def test_shuffle_permutes_rows():
    x = np.arange(40).reshape(10, 4)
    y = ag.random.shuffle(x).numpy()
    assert sorted(map(tuple, y)) == sorted(map(tuple, x))
    assert_tensor(ag.random.shuffle(ag.constant(5)), 5)


@pytest.mark.parametrize("shape", [[], [0], (2, 3), [1, 0, 4]])
def test_shapes(shape):
    for draw in (ag.random.uniform, ag.random.normal, ag.random.truncated_normal):
        assert tuple(draw(shape).shape) == tuple(shape)
    assert tuple(ag.random.uniform(shape, 0, 5, ag.int64).shape) == tuple(shape)
    assert tuple(ag.random.normal(ag.shape(ag.zeros(shape))).shape) == tuple(shape)


def test_mean_and_stddev_tensors_receive_gradients():
    def f(mean, stddev):
        return ag.random.stateless_normal([4], seed=[1, 2], mean=mean, stddev=stddev,
                                          dtype=ag.float64)
    check_grad(f, 0.5, 2.0)


# ---- stateless ops -----------------------------------------------------------------------

@pytest.mark.parametrize("fn", [ag.random.stateless_uniform, ag.random.stateless_normal,
                                ag.random.stateless_truncated_normal])
def test_stateless_is_a_function_of_the_seed(fn):
    a = fn([5], seed=[1, 2]).numpy()
    np.testing.assert_array_equal(fn([5], seed=[1, 2]).numpy(), a)
    np.testing.assert_array_equal(fn([5], seed=ag.constant([1, 2])).numpy(), a)
    assert not np.array_equal(fn([5], seed=[1, 3]).numpy(), a)


def test_stateless_uniform_int():
    a = ag.random.stateless_uniform([100], seed=[4, 2], minval=5, maxval=9, dtype=ag.int32)
    assert a.dtype == ag.int32 and set(a.numpy()) <= {5, 6, 7, 8}
    b = ag.random.stateless_uniform([100], seed=[4, 2], minval=5, maxval=9, dtype=ag.int32)
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_stateful_flags():
    for name in ("RandomUniform", "RandomStandardNormal", "TruncatedNormal", "RandomUniformInt",
                 "RandomShuffle", "Multinomial"):
        assert get(name).stateful and not get(name).differentiable
    for name in ("StatelessRandomUniform", "StatelessRandomNormal", "StatelessTruncatedNormal",
                 "StatelessRandomUniformInt"):
        assert not get(name).stateful


# ---- graphs ------------------------------------------------------------------------------

def test_traced_graph_draws_fresh_values_every_call():
    f = ag.function(lambda x: x + ag.random.uniform([8]))
    zero = ag.zeros([8])
    assert not np.array_equal(f(zero).numpy(), f(zero).numpy())


def test_traced_graph_repeats_after_set_seed():
    ag.random.set_seed(11)
    f = ag.function(lambda x: x + ag.random.normal(ag.shape(x)),
                    input_signature=[ag.TensorSpec([None], ag.float32)])
    first = [f(ag.zeros([6])).numpy() for _ in range(2)]
    ag.random.set_seed(11)
    again = [f(ag.zeros([6])).numpy() for _ in range(2)]
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first[0], first[1])


def test_infer_rules():
    cases = [
        lambda: ag.random.uniform([2, 3]), lambda: ag.random.uniform([2], 0, 4, ag.int64),
        lambda: ag.random.normal([3]), lambda: ag.random.truncated_normal([1, 2]),
        lambda: ag.random.shuffle(ag.range(4)), lambda: ag.random.categorical([[0.0, 1.0]], 3),
        lambda: ag.random.stateless_uniform([2], [1, 2]),
        lambda: ag.random.stateless_normal([2], [1, 2]),
        lambda: ag.random.stateless_uniform([2], [1, 2], 0, 3, ag.int32),
    ]
    for case in cases:
        check_infer(case)


# ---- errors ------------------------------------------------------------------------------

def test_errors():
    with pytest.raises(ValueError, match="maxval must be given for integer dtype int32"):
        ag.random.uniform([3], dtype=ag.int32)
    with pytest.raises(ValueError, match="need minval < maxval, got minval=5 and maxval=5"):
        ag.random.uniform([3], 5, 5, ag.int32)
    with pytest.raises(TypeError, match="integer dtype must be int32 or int64, got uint8"):
        ag.random.uniform([3], 0, 5, ag.uint8)
    with pytest.raises(TypeError, match="dtype must be a float type, got bool"):
        ag.random.normal([3], dtype=ag.bool)
    with pytest.raises(ValueError, match="seed must be a pair of integers"):
        ag.random.stateless_uniform([3], seed=5)
    with pytest.raises(ValueError, match="negative dimension"):
        ag.random.uniform([-1])
    with pytest.raises(ValueError, match="logits must be 2-D"):
        ag.random.categorical([0.0, 1.0], 2)


@pytest.mark.gpu
@pytest.mark.skipif(not ag.config.list_physical_devices("GPU"), reason="needs a CUDA GPU")
def test_draws_land_on_the_current_device():
    with ag.device("GPU:0"):
        for t in (ag.random.uniform([3]), ag.random.normal([3]), ag.random.uniform([3], 0, 9,
                                                                                  ag.int32),
                  ag.zeros([2]), ag.eye(2)):
            assert "GPU:0" in t.device
