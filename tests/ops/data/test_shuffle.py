"""shuffle: a permutation, TensorFlow's buffer semantics, and ag.random's seed rules."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograph as ag
from ops import data
from tests.ops.data.helpers import elements

Dataset = data.Dataset


@pytest.fixture(autouse=True)
def _no_global_seed():
    ag.random.set_seed(None)
    yield
    ag.random.set_seed(None)


@given(n=st.integers(0, 60), buffer=st.integers(1, 80), seed=st.integers(0, 2**31))
def test_shuffle_is_a_permutation(n, buffer, seed):
    got = elements(Dataset.range(n).shuffle(buffer, seed=seed))
    assert sorted(got) == list(range(n))


def test_buffer_of_one_keeps_the_order():
    assert elements(Dataset.range(10).shuffle(1)) == list(range(10))


@given(n=st.integers(2, 40), buffer=st.integers(1, 10), seed=st.integers(0, 2**31))
def test_an_element_moves_back_at_most_buffer_minus_one_places(n, buffer, seed):
    # The buffer holds `buffer` elements, so element i cannot come out before output
    # position i - (buffer - 1): the oracle for TensorFlow's algorithm.
    got = elements(Dataset.range(n).shuffle(buffer, seed=seed))
    for position, value in enumerate(got):
        assert position >= value - (buffer - 1)


def test_seeded_shuffle_is_reproducible_and_reshuffles_each_epoch():
    ds = Dataset.range(50).shuffle(50, seed=7)
    first, second = elements(ds), elements(ds)
    assert first != second  # a new order each epoch
    again = Dataset.range(50).shuffle(50, seed=7)
    assert elements(again) == first and elements(again) == second
    assert elements(Dataset.range(50).shuffle(50, seed=8)) != first


def test_reshuffle_each_iteration_false_repeats_the_order():
    ds = Dataset.range(30).shuffle(30, reshuffle_each_iteration=False)
    assert elements(ds) == elements(ds)
    assert elements(ds) != list(range(30))


def test_reshuffle_each_iteration_none_means_true():
    ds = Dataset.range(30).shuffle(30, seed=2, reshuffle_each_iteration=None)
    assert elements(ds) != elements(ds)


def test_unseeded_shuffles_differ():
    orders = {tuple(elements(Dataset.range(30).shuffle(30))) for _ in range(3)}
    assert len(orders) == 3


def test_global_seed_makes_the_program_reproducible():
    ag.random.set_seed(3)
    a, b = Dataset.range(40).shuffle(40), Dataset.range(40).shuffle(40)
    run = [elements(a), elements(b), elements(a)]
    assert run[0] != run[1]  # two shuffles get different op seeds
    ag.random.set_seed(3)
    a, b = Dataset.range(40).shuffle(40), Dataset.range(40).shuffle(40)
    assert [elements(a), elements(b), elements(a)] == run


def test_shuffle_then_repeat_reshuffles_each_repetition():
    got = elements(Dataset.range(20).shuffle(20, seed=1).repeat(2))
    assert sorted(got[:20]) == sorted(got[20:]) == list(range(20))
    assert got[:20] != got[20:]


def test_shuffle_keeps_structures_together():
    x = np.arange(30)
    ds = Dataset.from_tensor_slices({"x": x, "y": x * 2}).shuffle(30, seed=0)
    for e in elements(ds):
        assert e["y"] == 2 * e["x"]
    assert ds.element_spec == {"x": ag.TensorSpec([], ag.int64), "y": ag.TensorSpec([], ag.int64)}
    assert len(ds) == 30


def test_buffer_size_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        Dataset.range(3).shuffle(0)
    with pytest.raises(TypeError, match="buffer_size must be an integer"):
        Dataset.range(3).shuffle(None)
