"""map, filter, flat_map/interleave, batch, padded_batch, unbatch, repeat, take, skip,
enumerate, concatenate, reduce and apply, each against the same computation in plain Python."""
import itertools

import numpy as np
import pytest

import autograph as ag
from ops import data
from tests.ops.data.helpers import elements

Dataset = data.Dataset


# ---- map ----------------------------------------------------------------------------------

def test_map_unpacks_tuple_elements_into_arguments():
    ds = Dataset.from_tensor_slices(([1, 2, 3], [10, 20, 30])).map(lambda x, y: x + y)
    assert elements(ds) == [11, 22, 33]


def test_map_passes_a_dict_or_a_tensor_as_one_argument():
    ds = Dataset.from_tensor_slices({"a": [1, 2], "b": [3, 4]})
    assert elements(ds.map(lambda d: d["a"] * d["b"])) == [3, 8]
    assert elements(Dataset.range(3).map(lambda x: x * x)) == [0, 1, 4]


def test_map_results_become_tensors_and_lists_become_tuples():
    ds = Dataset.range(2).map(lambda x: [x, 2.5, {"s": "txt"}])
    got = list(ds)
    assert isinstance(got[0], tuple)
    assert all(isinstance(t, ag.Tensor) for t in (got[0][0], got[0][1], got[0][2]["s"]))
    assert elements(ds) == [(0, 2.5, {"s": b"txt"}), (1, 2.5, {"s": b"txt"})]


def test_map_runs_eagerly_once_per_element():
    seen = []

    def fn(x):
        seen.append(x.numpy())  # eager: the value is there
        return x

    assert elements(Dataset.range(4).map(fn)) == [0, 1, 2, 3]
    assert seen == [0, 1, 2, 3]


def test_map_element_spec_is_traced_from_the_input_spec():
    ds = Dataset.from_tensor_slices(np.zeros((5, 3), np.float32)).batch(2)
    mapped = ds.map(lambda x: (ag.reduce_sum(x, axis=1), ag.cast(x, ag.int32), 7))
    assert mapped.element_spec == (ag.TensorSpec([None], ag.float32),
                                   ag.TensorSpec([None, 3], ag.int32),
                                   ag.TensorSpec([], ag.int32))


def test_map_with_parallel_calls_keeps_the_order():
    ds = Dataset.range(20).map(lambda x: x * 3, num_parallel_calls=data.AUTOTUNE,
                               deterministic=False)
    assert elements(ds) == [3 * i for i in range(20)]
    with pytest.raises(ValueError, match="num_parallel_calls"):
        Dataset.range(2).map(lambda x: x, num_parallel_calls=0)
    with pytest.raises(TypeError, match="callable"):
        Dataset.range(2).map(3)


def test_map_errors_come_out_of_iteration():
    def fn(x):
        if int(x) == 2:
            raise KeyError("no label for 2")
        return x

    it = iter(Dataset.range(3).map(fn))
    assert int(next(it)) == 0 and int(next(it)) == 1
    with pytest.raises(KeyError, match="no label for 2"):
        next(it)


# ---- filter -------------------------------------------------------------------------------

def test_filter_keeps_true_elements():
    ds = Dataset.range(10).filter(lambda x: x % 3 == 0)
    assert elements(ds) == [0, 3, 6, 9]
    pairs = Dataset.from_tensor_slices(([1, 2, 3, 4], [0, 1, 0, 1]))
    assert elements(pairs.filter(lambda x, y: ag.equal(y, 1))) == [(2, 1), (4, 1)]
    assert elements(Dataset.range(4).filter(lambda x: bool(x > 1))) == [2, 3]


def test_filter_predicate_must_return_a_scalar_bool():
    with pytest.raises(TypeError, match="scalar bool"):
        list(Dataset.range(3).filter(lambda x: x))
    with pytest.raises(TypeError, match="scalar bool"):
        list(Dataset.from_tensor_slices(np.zeros((2, 2), bool)).filter(lambda x: x))


# ---- flat_map, interleave -------------------------------------------------------------------

def test_flat_map_concatenates_the_inner_datasets():
    ds = Dataset.range(1, 4).flat_map(lambda n: Dataset.range(n))
    assert elements(ds) == [0, 0, 1, 0, 1, 2]
    assert ds.element_spec == ag.TensorSpec([], ag.int64)


def _interleave_oracle(sources, cycle, block):
    """TensorFlow's interleave order, written out over Python lists."""
    sources, slots, out = iter(sources), [None] * cycle, []
    k, taken, end = 0, 0, False
    while not end or any(s is not None for s in slots):
        if slots[k] is not None:
            try:
                out.append(next(slots[k]))
                taken += 1
                if taken == block:
                    k, taken = (k + 1) % cycle, 0
            except StopIteration:
                slots[k] = None
                k, taken = (k + 1) % cycle, 0
        elif not end:
            nxt = next(sources, None)
            if nxt is None:
                end = True
            else:
                slots[k] = iter(nxt)
        else:
            k, taken = (k + 1) % cycle, 0
    return out


@pytest.mark.parametrize("cycle,block", [(1, 1), (2, 1), (2, 3), (3, 2), (5, 1)])
def test_interleave_order(cycle, block):
    lengths = [3, 1, 4, 0, 2, 5]
    ds = Dataset.from_tensor_slices(lengths).interleave(
        lambda n: Dataset.range(n).map(lambda i: 10 * n + ag.cast(i, ag.int32)),
        cycle_length=cycle, block_length=block)
    expected = _interleave_oracle([[10 * n + i for i in range(n)] for n in lengths], cycle, block)
    assert elements(ds) == expected
    # The documented example: blocks of 2 from 2 open datasets at a time.
    assert sorted(elements(ds)) == sorted(expected)


def test_interleave_needs_datasets():
    with pytest.raises(TypeError, match="must return a Dataset"):
        list(Dataset.range(2).flat_map(lambda x: x))


# ---- batch, padded_batch, unbatch ------------------------------------------------------------

@pytest.mark.parametrize("n,size,drop", [(10, 3, False), (10, 3, True), (9, 3, False),
                                         (9, 3, True), (2, 5, False), (2, 5, True), (0, 2, False)])
def test_batch_groups_consecutive_elements(n, size, drop):
    x = np.arange(n * 2).reshape(n, 2)
    ds = Dataset.from_tensor_slices((x, np.arange(n))).batch(size, drop_remainder=drop)
    stop = n - n % size if drop else n
    expected = [(x[i:min(i + size, stop)].tolist(), list(range(i, min(i + size, stop))))
                for i in range(0, stop, size)]
    assert elements(ds) == expected
    assert len(ds) == len(expected)
    assert ds.element_spec == (ag.TensorSpec([size if drop else None, 2], ag.int64),
                               ag.TensorSpec([size if drop else None], ag.int64))


def test_batch_of_nested_and_string_elements():
    ds = Dataset.from_tensor_slices({"t": ["a", "bb", "c"], "v": [[1.0], [2.0], [3.0]]}).batch(2)
    got = list(ds)
    assert got[0]["t"].dtype == ag.string
    assert elements(ds) == [{"t": [b"a", b"bb"], "v": [[1.0], [2.0]]},
                            {"t": [b"c"], "v": [[3.0]]}]


def test_batch_of_different_shapes_is_a_clear_error():
    ds = Dataset.range(1, 4).map(lambda n: ag.zeros([n])).batch(3)
    with pytest.raises(ValueError, match=r"different shapes in component 0: the first element "
                                         r"has shape \[1\] and element 1 has shape \[2\]"):
        list(ds)


def test_batch_arguments():
    with pytest.raises(ValueError, match="at least 1"):
        Dataset.range(3).batch(0)
    with pytest.raises(TypeError, match="integer"):
        Dataset.range(3).batch(2.0)
    assert elements(Dataset.range(3).batch(ag.constant(2))) == [[0, 1], [2]]


def test_padded_batch_pads_to_the_longest_in_each_batch():
    ds = Dataset.range(1, 5).map(lambda n: ag.fill([n], n)).padded_batch(2)
    assert elements(ds) == [[[1, 0], [2, 2]], [[3, 3, 3, 0], [4, 4, 4, 4]]]
    assert ds.element_spec == ag.TensorSpec([None, None], ag.int64)


def test_padded_batch_with_shapes_and_values():
    ds = Dataset.range(1, 4).map(lambda n: (ag.fill([n], n), ag.fill([2, n], "s")))
    ds = ds.padded_batch(3, padded_shapes=([5], [None, 3]), padding_values=(-1, b"-"))
    (nums, strs), = elements(ds)
    assert nums == [[1, -1, -1, -1, -1], [2, 2, -1, -1, -1], [3, 3, 3, -1, -1]]
    assert strs[0] == [[b"s", b"-", b"-"]] * 2
    assert strs[2] == [[b"s", b"s", b"s"]] * 2
    assert ds.element_spec == (ag.TensorSpec([None, 5], ag.int64),
                               ag.TensorSpec([None, None, 3], ag.string))
    with pytest.raises(ValueError, match="does not fit the padded shape"):
        list(Dataset.range(1, 4).map(lambda n: ag.fill([n], n)).padded_batch(3, [2]))


def test_padded_batch_of_slices_pads_to_the_given_shape():
    ds = Dataset.from_tensor_slices(np.ones((3, 2), np.int32)).padded_batch(2, [4])
    assert elements(ds) == [[[1, 1, 0, 0]] * 2, [[1, 1, 0, 0]]]


def test_unbatch_inverts_batch():
    x = np.arange(14).reshape(7, 2)
    ds = Dataset.from_tensor_slices((x, np.arange(7))).batch(3)
    assert elements(ds.unbatch()) == [(row.tolist(), i) for i, row in enumerate(x)]
    assert ds.unbatch().element_spec == (ag.TensorSpec([2], ag.int64),
                                         ag.TensorSpec([], ag.int64))


def test_unbatch_needs_agreeing_first_dimensions():
    ds = Dataset.from_tensors((np.zeros(2), np.zeros(3))).unbatch()
    with pytest.raises(ValueError, match=r"different first dimensions \(2 and 3\)"):
        list(ds)


# ---- repeat, take, skip ----------------------------------------------------------------------

@pytest.mark.parametrize("count", [0, 1, 3])
def test_repeat_count(count):
    assert elements(Dataset.range(3).repeat(count)) == list(range(3)) * count
    assert len(Dataset.range(3).repeat(count)) == 3 * count


def test_repeat_forever_with_take():
    ds = Dataset.range(3).repeat()
    assert elements(ds.take(8)) == [0, 1, 2, 0, 1, 2, 0, 1]
    assert int(ds.cardinality()) == data.INFINITE_CARDINALITY
    assert elements(Dataset.range(0).repeat()) == []  # empty stays empty, never hangs


@pytest.mark.parametrize("n,k", [(5, 0), (5, 2), (5, 5), (5, 9), (5, -1), (0, 3)])
def test_take_and_skip_counts(n, k):
    ds = Dataset.range(n)
    items = list(range(n))
    assert elements(ds.take(k)) == (items if k == -1 else items[:k])
    assert elements(ds.skip(k)) == ([] if k == -1 else items[k:])
    assert len(ds.take(k)) == len(items if k == -1 else items[:k])
    assert len(ds.skip(k)) == len([] if k == -1 else items[k:])


def test_take_does_not_pull_more_than_it_needs():
    pulled = []
    ds = Dataset.range(100).map(lambda x: pulled.append(int(x)) or x).take(3)
    assert elements(ds) == [0, 1, 2]
    assert pulled == [0, 1, 2]


def test_count_arguments():
    with pytest.raises(ValueError, match="non-negative"):
        Dataset.range(3).take(-2)
    with pytest.raises(TypeError, match="integer"):
        Dataset.range(3).repeat("2")


@pytest.mark.parametrize("n,shards", [(10, 3), (9, 3), (2, 4), (0, 2)])
def test_shard_takes_every_nth_element(n, shards):
    for index in range(shards):
        ds = Dataset.range(n).shard(shards, index)
        assert elements(ds) == list(range(n))[index::shards]
        assert len(ds) == len(range(n)[index::shards])
    with pytest.raises(ValueError, match="index < num_shards"):
        Dataset.range(n).shard(shards, shards)


def test_take_while_stops_at_the_first_false():
    ds = Dataset.from_tensor_slices([1, 3, 5, 2, 7]).take_while(lambda x: x % 2 == 1)
    assert elements(ds) == [1, 3, 5]
    assert int(ds.cardinality()) == data.UNKNOWN_CARDINALITY


def test_get_single_element():
    assert Dataset.from_tensors(([1, 2], 3.0)).get_single_element()[1].numpy() == 3.0
    with pytest.raises(ag.errors.InvalidArgumentError, match="more than one"):
        Dataset.range(2).get_single_element()
    with pytest.raises(ag.errors.InvalidArgumentError, match="empty"):
        Dataset.range(0).get_single_element()


# ---- enumerate, concatenate, reduce, apply --------------------------------------------------

def test_enumerate_counts_from_start():
    ds = Dataset.from_tensor_slices((["a", "b"], [1, 2])).enumerate(start=5)
    assert elements(ds) == [(5, (b"a", 1)), (6, (b"b", 2))]
    assert ds.element_spec[0] == ag.TensorSpec([], ag.int64)


def test_concatenate_appends_and_checks_types():
    a = Dataset.from_tensor_slices(np.zeros((2, 3)))
    b = Dataset.from_tensor_slices(np.ones((1, 3)))
    assert elements(a.concatenate(b)) == [[0.0] * 3] * 2 + [[1.0] * 3]
    assert len(a.concatenate(b)) == 3
    varying = Dataset.range(2).batch(2).concatenate(Dataset.range(3).batch(3, True))
    assert varying.element_spec == ag.TensorSpec([None], ag.int64)
    with pytest.raises(TypeError, match="incompatible elements"):
        a.concatenate(Dataset.range(3))


def test_reduce_and_apply():
    total = Dataset.range(5).reduce(np.int64(0), lambda s, x: s + x)
    assert int(total) == 10
    assert elements(Dataset.range(4).apply(lambda d: d.skip(1).take(2))) == [1, 2]
    with pytest.raises(TypeError, match="must return a Dataset"):
        Dataset.range(2).apply(lambda d: 3)


def test_combinations_match_itertools():
    ds = (Dataset.range(20).filter(lambda x: x % 2 == 0).map(lambda x: x * 10)
          .skip(2).take(5).repeat(2).batch(4))
    flat = list(itertools.islice((x * 10 for x in range(20) if x % 2 == 0), 2, 7)) * 2
    assert elements(ds) == [flat[i:i + 4] for i in range(0, len(flat), 4)]
