"""``foldl``, ``foldr``, ``map_fn``, ``scan`` against Python's ``functools.reduce`` and
``itertools.accumulate``, eager and traced, with gradients against finite differences."""
import functools
import itertools

import numpy as np
import pytest

import autograph as ag
from tests.support import check_grad

MODES = ["eager", "function"]
XS = np.array([1.0, 2.0, 3.0, 4.0], np.float32)


def _run(mode, fn):
    return fn if mode == "eager" else ag.function(fn)


def _digits(a, e):
    return a * 10.0 + e


# ---- foldl / foldr -----------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_foldl_is_reduce_from_the_left(mode):
    f = _run(mode, lambda x: (ag.foldl(_digits, x), ag.foldl(_digits, x, initializer=5.0)))
    plain, seeded = f(ag.constant(XS))
    assert plain.numpy() == functools.reduce(_digits, XS.tolist())
    assert seeded.numpy() == functools.reduce(_digits, XS.tolist(), 5.0)


@pytest.mark.parametrize("mode", MODES)
def test_foldr_is_reduce_from_the_right(mode):
    f = _run(mode, lambda x: (ag.foldr(_digits, x), ag.foldr(_digits, x, initializer=5.0)))
    plain, seeded = f(ag.constant(XS))
    assert plain.numpy() == functools.reduce(_digits, XS[::-1].tolist())
    assert seeded.numpy() == functools.reduce(_digits, XS[::-1].tolist(), 5.0)


@pytest.mark.parametrize("mode", MODES)
def test_fold_over_nested_elems_with_a_nested_accumulator(mode):
    def f(x):
        return ag.foldl(lambda acc, e: (acc[0] + e["a"] * e["b"], acc[1] * e["b"]),
                        {"a": x, "b": x + 1.0}, initializer=(0.0, 1.0))

    total, prod = _run(mode, f)(ag.constant(XS))
    assert total.numpy() == sum(x * (x + 1) for x in XS)
    assert prod.numpy() == np.prod(XS + 1)


@pytest.mark.parametrize("mode", MODES)
def test_fold_over_rows_of_a_matrix(mode):
    m = np.arange(6, dtype=np.float32).reshape(3, 2)
    out = _run(mode, lambda m: ag.foldl(lambda a, row: a + row * row, m))(ag.constant(m))
    np.testing.assert_array_equal(out.numpy(), m[0] + (m[1:] ** 2).sum(0))


def test_folding_a_scalar_is_an_error():
    with pytest.raises(ValueError, match="scalar"):
        ag.foldl(_digits, ag.constant(1.0))


def test_a_traced_fold_is_one_while_node():
    g = ag.function(lambda x: ag.foldl(_digits, x)).get_concrete_function(
        ag.TensorSpec([4])).graph
    assert g.op_counts()["While"] == 1


def test_a_traced_fold_accepts_elems_of_unknown_length():
    f = ag.function(lambda x: ag.foldl(lambda a, r: a + r, x),
                    input_signature=[ag.TensorSpec([None, 3])])
    np.testing.assert_array_equal(f(ag.constant(np.ones((4, 3), np.float32))).numpy(), [4] * 3)
    np.testing.assert_array_equal(f(ag.constant(np.ones((1, 3), np.float32))).numpy(), [1] * 3)


# ---- map_fn ------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_map_fn_is_a_list_comprehension_stacked(mode):
    out = _run(mode, lambda x: ag.map_fn(lambda e: e * e + 1.0, x))(ag.constant(XS))
    np.testing.assert_array_equal(out.numpy(), [e * e + 1 for e in XS])


@pytest.mark.parametrize("mode", MODES)
def test_map_fn_may_change_the_element_shape(mode):
    out = _run(mode, lambda x: ag.map_fn(lambda e: ag.stack([e, e * 2.0]), x))(ag.constant(XS))
    np.testing.assert_array_equal(out.numpy(), np.stack([XS, XS * 2], 1))


@pytest.mark.parametrize("mode", MODES)
def test_map_fn_output_signature_gives_dtype_and_structure(mode):
    def f(x):
        as_int = ag.map_fn(lambda e: ag.cast(e, ag.int32), x, fn_output_signature=ag.int32)
        pair = ag.map_fn(lambda e: (e[0], e[1] * 2.0), (x, x),
                         fn_output_signature=(ag.float32, ag.float32))
        summed = ag.map_fn(lambda d: d["a"] + d["b"], {"a": x, "b": x},
                           fn_output_signature=ag.TensorSpec([], ag.float32))
        return as_int, pair, summed

    as_int, pair, summed = _run(mode, f)(ag.constant(XS))
    assert as_int.dtype == ag.int32
    np.testing.assert_array_equal(as_int.numpy(), XS.astype(np.int32))
    assert isinstance(pair, tuple)
    np.testing.assert_array_equal(pair[1].numpy(), XS * 2)
    np.testing.assert_array_equal(summed.numpy(), XS * 2)


def test_map_fn_returning_another_dtype_asks_for_fn_output_signature():
    with pytest.raises(TypeError, match="fn_output_signature"):
        ag.map_fn(lambda e: ag.cast(e, ag.int32), ag.constant(XS))


def test_map_fn_over_nested_elems_without_a_signature_is_an_error():
    with pytest.raises(TypeError, match="fn_output_signature"):
        ag.map_fn(lambda e: e[0] + e[1], (ag.constant(XS), ag.constant(XS)))


def test_traced_map_fn_over_an_empty_batch_keeps_the_element_shape():
    f = ag.function(lambda x: ag.map_fn(lambda r: r * 2.0, x),
                    input_signature=[ag.TensorSpec([None, 3])])
    assert f(ag.constant(np.zeros((0, 3), np.float32))).shape == (0, 3)
    assert f(ag.constant(np.ones((2, 3), np.float32))).shape == (2, 3)


def test_eager_map_fn_over_an_empty_batch_keeps_the_element_shape():
    assert ag.map_fn(lambda r: r * 2.0, ag.constant(np.zeros((0, 3), np.float32))).shape == (0, 3)


# ---- scan --------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_scan_is_accumulate(mode):
    f = _run(mode, lambda x: (ag.scan(lambda a, e: a + e, x),
                              ag.scan(lambda a, e: a + e, x, initializer=10.0)))
    plain, seeded = f(ag.constant(XS))
    np.testing.assert_array_equal(plain.numpy(), list(itertools.accumulate(XS)))
    np.testing.assert_array_equal(seeded.numpy(),
                                  list(itertools.accumulate(XS, initial=10.0))[1:])


@pytest.mark.parametrize("mode", MODES)
def test_reverse_scan_accumulates_from_the_end(mode):
    out = _run(mode, lambda x: ag.scan(lambda a, e: a + e, x, reverse=True))(ag.constant(XS))
    np.testing.assert_array_equal(out.numpy(), list(itertools.accumulate(XS[::-1]))[::-1])


@pytest.mark.parametrize("mode", MODES)
def test_scan_with_a_nested_accumulator(mode):
    def f(x):
        return ag.scan(lambda a, e: (a[0] + e, a[1] * e), x, initializer=(0.0, 1.0))

    sums, prods = _run(mode, f)(ag.constant(XS))
    np.testing.assert_array_equal(sums.numpy(), np.cumsum(XS))
    np.testing.assert_array_equal(prods.numpy(), np.cumprod(XS))


def test_traced_scan_over_unknown_length_keeps_the_row_shape():
    f = ag.function(lambda x: ag.scan(lambda a, r: a + r, x),
                    input_signature=[ag.TensorSpec([None, 3])])
    assert tuple(f.get_concrete_function().graph.outputs[0].shape) == (None, 3)
    np.testing.assert_array_equal(f(ag.constant(np.ones((4, 3), np.float32))).numpy(),
                                  np.cumsum(np.ones((4, 3)), 0))


# ---- gradients ---------------------------------------------------------------------------

_GRAD_FNS = {
    "foldl": lambda x: ag.foldl(lambda a, e: a * e + ag.sin(e), x),
    "foldr": lambda x: ag.foldr(lambda a, e: a * e + e, x,
                                initializer=ag.constant(1.0, ag.float64)),
    "map_fn": lambda x: ag.map_fn(lambda e: ag.sin(e) * e, x),
    "scan": lambda x: ag.scan(lambda a, e: a * e + 1.0, x),
    "scan-reverse": lambda x: ag.scan(lambda a, e: a * e, x, reverse=True),
    "scan-nested": lambda x: ag.scan(lambda a, e: (a[0] * e, a[1] + a[0]), x,
                                     initializer=(ag.constant(1.0, ag.float64),
                                                  ag.constant(0.0, ag.float64)))[1],
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", sorted(_GRAD_FNS))
def test_gradients_match_finite_differences(mode, name):
    check_grad(_run(mode, _GRAD_FNS[name]), np.array([0.5, 1.5, -2.0]))


def test_gradient_reaches_a_tensor_the_mapped_function_closes_over():
    def f(x, w):
        return ag.map_fn(lambda e: e * w[0] + w[1], x)

    check_grad(f, np.array([0.5, 1.5, -2.0]), np.array([2.0, 3.0]))
    check_grad(ag.function(f), np.array([0.5, 1.5, -2.0]), np.array([2.0, 3.0]))
