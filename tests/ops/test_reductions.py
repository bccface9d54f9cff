"""Reductions, scans, arg-extrema, top_k, add_n and clipping against NumPy oracles."""
import itertools

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograph as ag
from ops.errors import InvalidArgumentError
from tests.support import assert_tensor, check_grad, check_infer, check_second_grad

SHAPES = [(), (0,), (4,), (2, 3), (2, 0, 3), (2, 3, 4)]
DTYPES = [np.float32, np.float64, np.int32, np.int64]


def data(shape, dtype, low=-3, high=4, seed=0):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "b":
        return rng.integers(0, 2, size=shape).astype(bool)
    if np.dtype(dtype).kind in "iu":
        return rng.integers(low, high, size=shape).astype(dtype)
    return rng.uniform(low, high, size=shape).astype(dtype)


def axis_choices(rank):
    """None, every single axis (positive and negative), every subset as a list."""
    out = [None] + list(range(rank)) + [a - rank for a in range(rank)]
    for n in range(rank + 1):
        out += [list(c) for c in itertools.combinations(range(rank), n)]
    return out


def _np_mean(x, axis, keepdims):
    if x.dtype.kind in "iu":  # TensorFlow truncates integer means toward zero
        s = np.sum(x, axis=axis, keepdims=keepdims, dtype=np.int64)
        n = x.size // max(np.size(s), 1) if x.size else 1
        return np.fix(s / n).astype(x.dtype)
    return np.mean(x, axis=axis, keepdims=keepdims)


def _np_extreme(fn, lowest):
    def oracle(x, axis, keepdims):
        if x.dtype.kind == "f":
            initial = -np.inf if lowest else np.inf
        else:
            initial = np.iinfo(x.dtype).min if lowest else np.iinfo(x.dtype).max
        return fn(x, axis=axis, keepdims=keepdims, initial=initial)
    return oracle


def _np_logsumexp(x, axis, keepdims):
    with np.errstate(divide="ignore"):
        return np.log(np.sum(np.exp(x.astype(np.float64)), axis=axis,
                             keepdims=keepdims)).astype(x.dtype)


def _np_euclidean(x, axis, keepdims):
    return np.sqrt(np.sum(np.square(x.astype(np.float64)), axis=axis,
                          keepdims=keepdims)).astype(x.dtype)


def _np_count(x, axis, keepdims):
    return np.asarray(np.count_nonzero(x, axis=axis, keepdims=keepdims)).astype(np.int64)


def _tuple(axis):
    return tuple(axis) if isinstance(axis, list) else axis


# public function, NumPy oracle, dtypes it accepts
REDUCTIONS = [
    (ag.reduce_sum, lambda x, a, k: np.sum(x, axis=a, keepdims=k, dtype=x.dtype), DTYPES),
    (ag.reduce_mean, _np_mean, DTYPES),
    (ag.reduce_max, _np_extreme(np.max, True), DTYPES),
    (ag.reduce_min, _np_extreme(np.min, False), DTYPES),
    (ag.reduce_prod, lambda x, a, k: np.prod(x, axis=a, keepdims=k, dtype=x.dtype), DTYPES),
    (ag.reduce_all, lambda x, a, k: np.all(x, axis=a, keepdims=k), [np.bool_]),
    (ag.reduce_any, lambda x, a, k: np.any(x, axis=a, keepdims=k), [np.bool_]),
    (ag.reduce_logsumexp, _np_logsumexp, [np.float32, np.float64]),
    (ag.reduce_euclidean_norm, _np_euclidean, DTYPES),
    (ag.reduce_variance, lambda x, a, k: np.var(x, axis=a, keepdims=k), [np.float32, np.float64]),
    (ag.reduce_std, lambda x, a, k: np.std(x, axis=a, keepdims=k), [np.float32, np.float64]),
    (ag.count_nonzero, _np_count, DTYPES + [np.bool_]),
]
CASES = [(fn, oracle, dt) for fn, oracle, dts in REDUCTIONS for dt in dts]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("fn,oracle,dtype", CASES,
                         ids=[f"{f.__name__}-{np.dtype(d).name}" for f, _, d in CASES])
def test_reduction_matches_numpy(fn, oracle, dtype, shape):
    x = data(shape, dtype)
    for axis, keepdims in itertools.product(axis_choices(len(shape)), (False, True)):
        with np.errstate(all="ignore"):
            if x.size == 0 and fn in (ag.reduce_mean, ag.reduce_variance, ag.reduce_std) \
                    and x.dtype.kind == "f":  # the mean of nothing is NaN (NumPy also warns)
                expected = np.full(np.sum(x, axis=_tuple(axis), keepdims=keepdims).shape,
                                   np.nan, dtype)
            else:
                expected = np.asarray(oracle(x, _tuple(axis), keepdims))
            got = fn(ag.constant(x), axis=axis, keepdims=keepdims)
        rtol = 1e-5 if dtype == np.float32 else 1e-12
        assert_tensor(got, expected, rtol=rtol, atol=rtol,
                      dtype=ag.int64 if fn is ag.count_nonzero else dtype)


@given(shape=st.lists(st.integers(0, 4), max_size=4), data_=st.data(),
       keepdims=st.booleans())
def test_random_shapes_and_axes(shape, data_, keepdims):
    rank = len(shape)
    axes = data_.draw(st.lists(st.integers(-rank, rank - 1), unique_by=lambda a: a % rank)
                      if rank else st.just([]))
    x = data(tuple(shape), np.float64, seed=rank)
    for fn, np_fn in [(ag.reduce_sum, np.sum), (ag.reduce_prod, np.prod)]:
        assert_tensor(fn(x, axis=axes, keepdims=keepdims),
                      np_fn(x, axis=tuple(axes), keepdims=keepdims), rtol=1e-12)
    assert_tensor(ag.reduce_max(x, axis=axes, keepdims=keepdims),
                  np.max(x, axis=tuple(axes), keepdims=keepdims, initial=-np.inf))


def test_integer_mean_truncates_toward_zero():
    assert ag.reduce_mean([1, 2]).numpy() == 1
    assert ag.reduce_mean([-1, -2]).numpy() == -1
    assert_tensor(ag.reduce_mean([[1, 2], [-3, -4]], axis=1), np.array([1, -3], np.int32))


def test_empty_reductions_follow_tensorflow():
    empty = ag.constant([], dtype=ag.float32)
    assert ag.reduce_sum(empty).numpy() == 0
    assert ag.reduce_prod(empty).numpy() == 1
    assert ag.reduce_max(empty).numpy() == -np.inf
    assert ag.reduce_min(empty).numpy() == np.inf
    assert ag.reduce_max(np.array([], np.int32)).numpy() == np.iinfo(np.int32).min
    assert ag.reduce_logsumexp(empty).numpy() == -np.inf
    assert ag.reduce_all(np.array([], bool)).numpy()
    assert not ag.reduce_any(np.array([], bool)).numpy()


def test_logsumexp_is_stable():
    x = np.array([[1000.0, 1000.0], [-1000.0, -1000.0], [-np.inf, -np.inf]], np.float32)
    got = ag.reduce_logsumexp(x, axis=1).numpy()
    np.testing.assert_allclose(got, [1000 + np.log(2), -1000 + np.log(2), -np.inf])
    assert ag.reduce_logsumexp([np.inf, 1.0]).numpy() == np.inf


def test_integer_euclidean_norm_truncates():
    # TensorFlow's documented example: int32 input gives an int32 norm.
    assert_tensor(ag.reduce_euclidean_norm([[1, 2, 3], [1, 1, 1]]), np.int32(4), dtype=ag.int32)


def test_axis_accepts_tensors_and_arrays():
    x = np.arange(24.0).reshape(2, 3, 4)
    expected = x.sum(axis=(0, 2))
    for axis in (ag.constant([0, 2]), np.array([2, 0]), (0, -1), ag.constant(-1)):
        if isinstance(axis, ag.Tensor) and axis.ndim == 0:
            assert_tensor(ag.reduce_sum(x, axis=axis), x.sum(axis=-1))
        else:
            assert_tensor(ag.reduce_sum(x, axis=axis), expected)


def test_math_namespace_reexports():
    for name in ("reduce_sum", "reduce_logsumexp", "cumsum", "top_k", "argmax", "add_n",
                 "count_nonzero", "segment_sum", "bincount"):
        assert getattr(ag.math, name) is getattr(ag, name)


# ---- errors -----------------------------------------------------------------------------

def test_axis_out_of_range_names_op_axis_and_rank():
    with pytest.raises(InvalidArgumentError, match=r"reduce_sum: axis 5 .* rank 2"):
        ag.reduce_sum(np.ones((2, 3)), axis=5)
    with pytest.raises(InvalidArgumentError, match="rank 0"):
        ag.reduce_max(ag.constant(1.0), axis=0)


def test_duplicate_axes_rejected():
    with pytest.raises(InvalidArgumentError, match="twice"):
        ag.reduce_mean(np.ones((2, 3)), axis=[1, -1])


@pytest.mark.parametrize("fn,value", [
    (ag.reduce_sum, [True, False]), (ag.reduce_all, [1.0]), (ag.reduce_max, ["a"]),
    (ag.reduce_logsumexp, [1, 2]), (ag.reduce_variance, [1, 2]),
])
def test_wrong_dtype_is_a_type_error(fn, value):
    with pytest.raises(TypeError, match=fn.__name__):
        fn(value)


def test_bad_axis_type():
    with pytest.raises(TypeError, match="integers"):
        ag.reduce_sum([1.0, 2.0], axis=[0.5])


# ---- infer rules ------------------------------------------------------------------------

@pytest.mark.parametrize("fn", [f for f, _, _ in REDUCTIONS], ids=lambda f: f.__name__)
def test_infer_rules(fn):
    x = data((2, 3, 4), np.bool_ if fn in (ag.reduce_all, ag.reduce_any) else np.float32)
    for axis, keepdims in [(None, False), (1, True), ([0, 2], False), ([], True)]:
        out, ops = check_infer(fn, ag.constant(x), axis=axis, keepdims=keepdims)
        assert ops


def test_infer_rules_of_the_other_ops():
    x = ag.constant(data((3, 4), np.float64))
    check_infer(ag.cumsum, x, axis=1, exclusive=True, reverse=True)
    check_infer(ag.cumprod, x, axis=-2)
    check_infer(ag.argmax, x, axis=1, output_type=ag.int32)
    check_infer(ag.argmin, x)
    check_infer(ag.math.top_k, x, k=2)
    check_infer(ag.add_n, [x, x, x])
    check_infer(ag.clip_by_value, x, -1.0, np.array([1.0, 2, 3, 4]))
    check_infer(ag.clip_by_norm, x, 2.0, axes=[1])
    check_infer(lambda a, b: ag.clip_by_global_norm([a, None, b], 1.0), x, x)
    check_infer(ag.math.unsorted_segment_sum, x, ag.constant([0, 2, 0]), 3)
    _, ops = check_infer(ag.reduce_std, x, axis=0)
    assert "Mean" in ops
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = ag.reduce_mean(x, axis=0)
    _, ops = check_infer(tape.gradient, y, x)
    assert "BroadcastReduced" in ops


def test_inside_a_traced_function_with_unknown_dims():
    @ag.function(input_signature=[ag.TensorSpec([None, 3], ag.float32)])
    def f(x):
        return ag.reduce_sum(x, axis=0), ag.reduce_max(x, axis=1, keepdims=True), \
            ag.cumsum(x, axis=1), ag.math.top_k(x, 2).values

    x = data((5, 3), np.float32)
    s, m, c, t = f(x)
    assert_tensor(s, x.sum(0), rtol=1e-5)
    assert_tensor(m, x.max(1, keepdims=True))
    assert_tensor(c, np.cumsum(x, 1), rtol=1e-5)
    assert_tensor(t, -np.sort(-x, axis=1)[:, :2])


# ---- gradients --------------------------------------------------------------------------

GRAD_AXES = [(None, False), (0, False), (1, True), ([0, 2], False), ([0, 1, 2], True), ([], False)]
DIFFERENTIABLE = [ag.reduce_sum, ag.reduce_mean, ag.reduce_max, ag.reduce_min, ag.reduce_prod,
                  ag.reduce_logsumexp, ag.reduce_euclidean_norm, ag.reduce_variance,
                  ag.reduce_std]


@pytest.mark.parametrize("axis,keepdims", GRAD_AXES, ids=str)
@pytest.mark.parametrize("fn", DIFFERENTIABLE, ids=lambda f: f.__name__)
def test_reduction_gradients(fn, axis, keepdims):
    if fn is ag.reduce_std and axis == []:
        pytest.skip("the standard deviation of single values is 0, where sqrt has no gradient")
    x = data((2, 3, 2), np.float64, low=0.5, high=2.0, seed=3)
    check_grad(lambda t: fn(t, axis=axis, keepdims=keepdims), x)


def test_max_gradient_shares_ties_equally():
    x = ag.constant([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = ag.reduce_max(x, axis=1)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(),
                               [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-6)


@pytest.mark.parametrize("axis", [None, 0, 1, [0, 1]], ids=str)
def test_prod_gradient_with_zeros(axis):
    x = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 5.0], [1.5, 2.0, -1.0]])
    check_grad(lambda t: ag.reduce_prod(t, axis=axis), x)
    t = ag.constant(x[0])
    with ag.GradientTape() as tape:
        tape.watch(t)
        y = ag.reduce_prod(t)
    np.testing.assert_allclose(tape.gradient(y, t).numpy(), [0.0, 6.0, 0.0])


def test_second_order_gradients():
    check_second_grad(lambda t: ag.reduce_sum(t * t * t), [0.5, -1.0, 2.0])
    check_second_grad(lambda t: ag.reduce_logsumexp(t), [0.5, -1.0, 2.0])
    check_second_grad(lambda t: ag.reduce_mean(ag.exp(t), axis=0), [[0.5, -1.0], [2.0, 0.1]])
    check_second_grad(lambda t: ag.reduce_prod(t), [0.5, -1.0, 2.0])
    check_second_grad(lambda t: ag.reduce_variance(t), [0.5, -1.0, 2.0])


def test_non_differentiable_reductions_give_none():
    x = ag.constant([1.0, -2.0, 3.0])
    with ag.GradientTape(persistent=True) as tape:
        tape.watch(x)
        outs = [ag.argmax(x), ag.argmin(x), ag.count_nonzero(x),
                ag.reduce_all(ag.greater(x, 0.0))]
    for y in outs:
        assert tape.gradient(y, x) is None


# ---- scans ------------------------------------------------------------------------------

def np_scan(x, axis, exclusive, reverse, fn, identity):
    if reverse:
        x = np.flip(x, axis)
    out = fn(x, axis=axis, dtype=x.dtype)
    if exclusive:
        out = np.concatenate([np.full_like(np.take(out, [0], axis), identity),
                              np.delete(out, -1, axis)], axis) if x.shape[axis] else out
    return np.flip(out, axis) if reverse else out


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("which", ["cumsum", "cumprod"])
@pytest.mark.parametrize("shape", [(5,), (0,), (2, 3), (2, 0, 3), (2, 3, 4)], ids=str)
def test_scans_match_numpy(which, dtype, shape):
    x = data(shape, dtype, low=1, high=3)
    fn, np_fn, identity = ((ag.cumsum, np.cumsum, 0) if which == "cumsum"
                           else (ag.cumprod, np.cumprod, 1))
    for axis in range(-len(shape), len(shape)):
        for exclusive, reverse in itertools.product((False, True), repeat=2):
            got = fn(x, axis=axis, exclusive=exclusive, reverse=reverse)
            assert_tensor(got, np_scan(x, axis % len(shape), exclusive, reverse, np_fn,
                                       identity), rtol=1e-5, dtype=dtype)


def test_scan_examples_from_tensorflow_docs():
    assert ag.cumsum([1, 2, 3], exclusive=True).numpy().tolist() == [0, 1, 3]
    assert ag.cumsum([1, 2, 3], reverse=True).numpy().tolist() == [6, 5, 3]
    assert ag.cumprod([2, 3, 4], exclusive=True, reverse=True).numpy().tolist() == [12, 4, 1]


@pytest.mark.parametrize("exclusive,reverse", list(itertools.product((False, True), repeat=2)))
@pytest.mark.parametrize("fn", [ag.cumsum, ag.cumprod], ids=lambda f: f.__name__)
def test_scan_gradients(fn, exclusive, reverse):
    x = data((3, 4), np.float64, low=0.5, high=2.0)
    check_grad(lambda t: fn(t, axis=1, exclusive=exclusive, reverse=reverse), x)
    check_grad(lambda t: fn(t, axis=0, exclusive=exclusive, reverse=reverse), x)


def test_scan_errors():
    with pytest.raises(ValueError, match="rank >= 1"):
        ag.cumsum(ag.constant(1.0))
    with pytest.raises(InvalidArgumentError, match="axis 2"):
        ag.cumsum([[1, 2]], axis=2)
    with pytest.raises(TypeError, match="single integer"):
        ag.cumprod([1, 2], axis=[0])


# ---- argmax / argmin --------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES + [np.bool_], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shape", [(5,), (2, 3), (3, 1, 4)], ids=str)
def test_argmax_argmin_match_numpy(dtype, shape):
    x = data(shape, dtype)
    for axis in [None] + list(range(-len(shape), len(shape))):
        np_axis = 0 if axis is None else axis
        assert_tensor(ag.argmax(x, axis=axis), np.argmax(x, axis=np_axis), dtype=ag.int64)
        assert_tensor(ag.argmin(x, axis=axis, output_type=ag.int32),
                      np.argmin(x, axis=np_axis).astype(np.int32), dtype=ag.int32)


def test_argmax_errors():
    with pytest.raises(InvalidArgumentError, match="empty"):
        ag.argmax(ag.constant([], dtype=ag.float32))
    with pytest.raises(InvalidArgumentError, match="scalar"):
        ag.argmin(3.0)
    with pytest.raises(TypeError, match="output_type"):
        ag.argmax([1.0], output_type=ag.float32)


# ---- top_k ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shape", [(6,), (3, 5), (2, 2, 4)], ids=str)
def test_top_k_matches_a_stable_sort(dtype, shape):
    x = data(shape, dtype, low=0, high=4)  # small range: many ties
    order = np.argsort(-x.astype(np.float64), axis=-1, kind="stable")
    for k in range(shape[-1] + 1):
        values, indices = ag.math.top_k(x, k=k)
        assert_tensor(indices, order[..., :k].astype(np.int32), dtype=ag.int32)
        assert_tensor(values, np.take_along_axis(x, order[..., :k], -1), dtype=dtype)


def test_top_k_result_has_names():
    result = ag.math.top_k([1.0, 5.0, 3.0], 2)
    assert result.values.numpy().tolist() == [5.0, 3.0]
    assert result.indices.numpy().tolist() == [1, 2]


def test_top_k_gradient_scatters_into_indices():
    x = data((3, 5), np.float64, seed=4)
    check_grad(lambda t: ag.math.top_k(t, 3).values, x)
    t = ag.constant([1.0, 4.0, 2.0, 3.0])
    with ag.GradientTape() as tape:
        tape.watch(t)
        v = ag.math.top_k(t, 2).values
    np.testing.assert_allclose(tape.gradient(v, t, output_gradients=ag.constant([10.0, 1.0]))
                               .numpy(), [0, 10, 0, 1])


def test_top_k_errors():
    with pytest.raises(InvalidArgumentError, match="k = 4"):
        ag.math.top_k([1, 2, 3], 4)
    with pytest.raises(ValueError, match="rank >= 1"):
        ag.math.top_k(1.0)


# ---- add_n ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("count", [1, 2, 5])
def test_add_n(dtype, count):
    xs = [data((2, 3), dtype, seed=i) for i in range(count)]
    assert_tensor(ag.add_n([ag.constant(x) for x in xs]), np.sum(xs, axis=0, dtype=dtype),
                  rtol=1e-6)
    assert_tensor(ag.add_n([ag.constant(x) for x in xs[:1]] + xs[1:]),
                  np.sum(xs, axis=0, dtype=dtype), rtol=1e-6)


def test_add_n_gradient_and_errors():
    check_grad(lambda a, b, c: ag.add_n([a, b, c]), *[data((2, 2), np.float64, seed=i)
                                                       for i in range(3)])
    with pytest.raises(ValueError, match="same shape"):
        ag.add_n([np.ones(2), np.ones(3)])
    with pytest.raises(TypeError, match="float32 and int32"):
        ag.add_n([ag.constant([1.0]), ag.constant([1])])
    with pytest.raises(ValueError, match="non-empty"):
        ag.add_n([])


# ---- clipping ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_clip_by_value_broadcasts_bounds(dtype):
    x = data((3, 4), dtype, low=-5, high=5)
    lo = np.array([-1, -2, 0, -3], dtype)
    assert_tensor(ag.clip_by_value(x, lo, 2), np.clip(x, lo, 2), dtype=dtype)
    assert_tensor(ag.clip_by_value(ag.constant(x), -1, 1), np.clip(x, -1, 1))


def test_clip_by_value_gradient_is_a_pass_through_mask():
    x = ag.constant([-3.0, -1.0, 0.5, 1.0, 4.0])
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = ag.clip_by_value(x, -1.0, 1.0)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [0, 1, 1, 1, 0])
    check_grad(lambda t: ag.clip_by_value(t, -0.5, 0.7), [-1.0, 0.1, 0.3, 2.0])


def test_clip_by_value_rejects_bounds_that_grow_the_shape():
    with pytest.raises(ValueError, match="broadcast to t's shape"):
        ag.clip_by_value([1.0, 2.0], np.zeros((3, 2), np.float32), 5.0)


def np_clip_by_norm(x, c, axes=None):
    n = np.sqrt(np.sum(x * x, axis=axes, keepdims=True))
    return x * c / np.maximum(n, c)


def test_clip_by_norm():
    x = data((3, 4), np.float64, seed=5)
    for axes in (None, 0, [1], [0, 1]):
        assert_tensor(ag.clip_by_norm(x, 1.5, axes=axes),
                      np_clip_by_norm(x, 1.5, axes if axes is None or isinstance(axes, int)
                                      else tuple(axes)), rtol=1e-12)
        check_grad(lambda t: ag.clip_by_norm(t, 1.5, axes=axes), x)
    assert_tensor(ag.clip_by_norm(np.zeros(3), 1.0), np.zeros(3))


def test_clip_by_global_norm():
    a, b = data((2, 3), np.float64, seed=1), data((4,), np.float64, seed=2)
    norm = np.sqrt(np.sum(a * a) + np.sum(b * b))
    clipped, got_norm = ag.clip_by_global_norm([a, None, b], 2.0)
    assert clipped[1] is None
    assert_tensor(got_norm, norm, rtol=1e-12)
    assert_tensor(clipped[0], a * 2.0 / norm, rtol=1e-12)
    assert_tensor(clipped[2], b * 2.0 / norm, rtol=1e-12)
    same, _ = ag.clip_by_global_norm([a], 1e6)
    assert_tensor(same[0], a, rtol=1e-12)
    with np.errstate(invalid="ignore"):  # inf - inf is how the NaN is made
        nans, _ = ag.clip_by_global_norm([np.array([np.inf, 1.0])], 1.0)
    assert np.all(np.isnan(nans[0].numpy()))
    assert_tensor(ag.linalg.global_norm([a, b]), norm, rtol=1e-12)
    with pytest.raises(TypeError, match="list or tuple"):
        ag.clip_by_global_norm(ag.constant(a), 1.0)


def test_clip_by_global_norm_gradient():
    a, b = data((2, 2), np.float64, seed=1), data((3,), np.float64, seed=2)
    check_grad(lambda s, t: ag.clip_by_global_norm([s, t], 1.0)[0][0], a, b)


# ---- segments and bincount --------------------------------------------------------------

def test_segment_sums():
    data_ = np.array([[1, 2, 3, 4], [4, 3, 2, 1], [5, 6, 7, 8]], np.int32)
    assert_tensor(ag.math.segment_sum(data_, [0, 0, 1]),
                  np.array([[5, 5, 5, 5], [5, 6, 7, 8]], np.int32))
    assert_tensor(ag.math.unsorted_segment_sum(data_, [0, 1, 0], num_segments=2),
                  np.array([[6, 8, 10, 12], [4, 3, 2, 1]], np.int32))
    assert_tensor(ag.math.unsorted_segment_sum([1.0, 2.0, 3.0], [2, -1, 2], 4),
                  np.array([0, 0, 4.0, 0], np.float32))
    with pytest.raises(InvalidArgumentError, match="sorted"):
        ag.math.segment_sum([1, 2], [1, 0])
    with pytest.raises(InvalidArgumentError, match="out of range"):
        ag.math.unsorted_segment_sum([1, 2], [0, 5], 2)
    check_grad(lambda t: ag.math.unsorted_segment_sum(t, ag.constant([1, -1, 1, 0]), 3),
               data((4, 2), np.float64))


def test_bincount():
    values = np.array([1, 1, 2, 3, 2, 4, 4, 5], np.int32)
    assert_tensor(ag.math.bincount(values), np.bincount(values).astype(np.int32))
    assert_tensor(ag.math.bincount(values, minlength=8),
                  np.bincount(values, minlength=8).astype(np.int32))
    assert_tensor(ag.math.bincount(values, maxlength=3), np.bincount(values)[:3].astype(np.int32))
    w = np.linspace(0.5, 4, 8).astype(np.float32)
    assert_tensor(ag.math.bincount(values, weights=w), np.bincount(values, w).astype(np.float32),
                  rtol=1e-6)
    assert_tensor(ag.math.bincount(values, binary_output=True),
                  (np.bincount(values) > 0).astype(np.int32))


# ---- the seed document's examples -------------------------------------------------------

def test_seed_vector_reductions():
    a = ag.range(1, 10)
    assert ag.reduce_sum(a).numpy() == 45
    assert ag.reduce_mean(a).numpy() == 5
    assert ag.reduce_max(a).numpy() == 9
    assert ag.reduce_min(a).numpy() == 1
    assert ag.reduce_prod(a).numpy() == 362880
    b = ag.reshape(a, (3, 3))
    assert_tensor(ag.reduce_sum(b, axis=1, keepdims=True), np.array([[6], [15], [24]], np.int32))
    assert not ag.reduce_all(ag.constant([True, False, False])).numpy()
    assert ag.reduce_any(ag.constant([False, False, True])).numpy()


def test_seed_scans_args_and_top_k():
    a = ag.range(1, 10)
    assert_tensor(ag.math.cumsum(a), np.cumsum(np.arange(1, 10)).astype(np.int32))
    assert_tensor(ag.math.cumprod(a), np.cumprod(np.arange(1, 10)).astype(np.int32))
    assert_tensor(ag.argmax(a), np.int64(8), dtype=ag.int64)
    assert_tensor(ag.argmin(a), np.int64(0), dtype=ag.int64)
    values, indices = ag.math.top_k(ag.constant([1, 3, 7, 5, 4, 8]), 3, sorted=True)
    assert values.numpy().tolist() == [8, 7, 5]
    assert indices.numpy().tolist() == [5, 2, 3]


def test_seed_add_n_and_clipping():
    a = ag.constant([2.6, -2.7])
    b = ag.constant([5.0, 6.0])
    c = ag.constant([6.0, 7.0])
    assert_tensor(ag.add_n([a, b, c]), np.array([13.6, 10.3], np.float32), rtol=1e-6)
    x = ag.constant([0.9, -0.8, 100.0, -20.0, 0.7])
    assert_tensor(ag.clip_by_value(x, clip_value_min=-1, clip_value_max=1),
                  np.array([0.9, -0.8, 1, -1, 0.7], np.float32))
    expected = np_clip_by_norm(np.array([0.9, -0.8, 100.0, -20.0, 0.7]), 3.0)
    assert_tensor(ag.clip_by_norm(x, clip_norm=3), expected.astype(np.float32), rtol=1e-6)


def test_gradients_traced_with_unknown_dims_match_eager():
    def loss(x):
        with ag.GradientTape() as tape:
            tape.watch(x)
            y = (ag.reduce_sum(ag.reduce_logsumexp(x, axis=1)) + ag.reduce_prod(x)
                 + ag.reduce_max(x) + ag.reduce_std(x, axis=0)[0]
                 + ag.reduce_sum(ag.cumprod(x, axis=1, reverse=True))
                 + ag.reduce_sum(ag.math.top_k(x, 2).values) + ag.reduce_mean(x)
                 + ag.reduce_euclidean_norm(x, axis=[0, 1]))
        return y, tape.gradient(y, x)

    traced = ag.function(loss, input_signature=[ag.TensorSpec([None, None], ag.float64)])
    x = data((4, 3), np.float64, low=0.5, high=2.0)
    for got, want in zip(traced(x), loss(ag.constant(x))):
        assert_tensor(got, want.numpy(), rtol=1e-12)
