"""Sources: from_tensor_slices, from_tensors, range, zip and from_generator, against the
Python data they are made from."""
import collections

import numpy as np
import pytest

import autograph as ag
from ops import data
from tests.ops.data.helpers import elements, to_python

Dataset = data.Dataset
Point = collections.namedtuple("Point", ["x", "y"])


# ---- from_tensor_slices ---------------------------------------------------------------------

def test_slices_of_a_tuple_are_tuples_of_rows():
    features = np.arange(12, dtype=np.float32).reshape(4, 3)
    labels = np.array([0, 1, 0, 1])
    ds = Dataset.from_tensor_slices((features, labels))
    got = list(ds)
    assert len(got) == 4
    for i, (x, y) in enumerate(got):
        assert isinstance(x, ag.Tensor) and isinstance(y, ag.Tensor)
        assert x.dtype == ag.float32 and y.dtype == ag.int64
        np.testing.assert_array_equal(x.numpy(), features[i])
        assert y.numpy() == labels[i]


def test_slices_of_a_dict_keep_its_keys_and_order():
    ds = Dataset.from_tensor_slices({"b": [1, 2], "a": [[1.0, 2.0], [3.0, 4.0]]})
    got = elements(ds)
    assert got == [{"b": 1, "a": [1.0, 2.0]}, {"b": 2, "a": [3.0, 4.0]}]
    assert list(got[0]) == ["b", "a"]


def test_nested_structures_and_namedtuples():
    ds = Dataset.from_tensor_slices(((np.arange(3), {"k": np.arange(3) * 10}),
                                     Point(x=[1, 2, 3], y=[4, 5, 6])))
    first = next(iter(ds))
    assert isinstance(first[1], Point)
    assert to_python(first) == ((0, {"k": 0}), Point(1, 4))
    assert elements(ds)[2] == ((2, {"k": 20}), Point(3, 6))


def test_a_list_is_one_tensor_not_a_structure():
    # As tf.data: a Python list is converted to a tensor, so slicing takes its rows.
    assert elements(Dataset.from_tensor_slices([[1, 2], [3, 4]])) == [[1, 2], [3, 4]]
    ds = Dataset.from_tensor_slices([np.zeros(2), np.ones(2)])
    assert ds.element_spec.shape == [2]
    assert elements(ds) == [[0.0, 0.0], [1.0, 1.0]]


def test_python_data_gets_tensorflow_dtypes():
    ds = Dataset.from_tensor_slices(([1, 2], [1.5, 2.5], ["a", "b"], [True, False]))
    spec = ds.element_spec
    assert [s.dtype for s in spec] == [ag.int32, ag.float32, ag.string, ag.bool]
    assert elements(ds) == [(1, 1.5, b"a", True), (2, 2.5, b"b", False)]


def test_slices_of_tensors_and_of_an_empty_array():
    assert elements(Dataset.from_tensor_slices(ag.constant([[1, 2], [3, 4]]))) == [[1, 2], [3, 4]]
    empty = Dataset.from_tensor_slices(np.zeros((0, 3)))
    assert list(empty) == [] and len(empty) == 0
    assert empty.element_spec == ag.TensorSpec([3], ag.float64)


def test_first_dimensions_must_agree():
    with pytest.raises(ValueError, match=r"component \[0\] has 3 and component \[1\] has 4"):
        Dataset.from_tensor_slices((np.zeros(3), np.zeros(4)))
    with pytest.raises(ValueError, match=r"\['a'\] has 2 and component \['b'\] has 5"):
        Dataset.from_tensor_slices({"a": np.zeros((2, 7)), "b": np.zeros(5)})


def test_bad_slices_inputs():
    with pytest.raises(ValueError, match="scalar"):
        Dataset.from_tensor_slices(5)
    with pytest.raises(TypeError, match="None"):
        Dataset.from_tensor_slices((np.zeros(2), None))
    with pytest.raises(ValueError, match="no tensors"):
        Dataset.from_tensor_slices(())
    with pytest.raises((TypeError, ValueError), match="from_tensor_slices"):
        Dataset.from_tensor_slices([[1, 2], [3]])  # ragged


def test_slices_refuse_symbolic_tensors():
    @ag.function
    def make(x):
        return Dataset.from_tensor_slices(x)

    with pytest.raises(TypeError, match="symbolic tensor"):
        make(ag.constant([1.0, 2.0]))


def test_slices_do_not_alias_the_callers_array():
    a = np.arange(3)
    ds = Dataset.from_tensor_slices(a)
    a[0] = 100
    assert elements(ds) == [0, 1, 2]


# ---- from_tensors, range ----------------------------------------------------------------------

def test_from_tensors_is_one_element():
    ds = Dataset.from_tensors(([1, 2, 3], {"y": 2.0}))
    assert elements(ds) == [([1, 2, 3], {"y": 2.0})]
    assert ds.element_spec == (ag.TensorSpec([3], ag.int32), {"y": ag.TensorSpec([], ag.float32)})
    assert len(ds) == 1


@pytest.mark.parametrize("args", [(5,), (2, 7), (10, 0, -3), (3, 3), (0, 10, 4)])
def test_range_matches_python(args):
    ds = Dataset.range(*args)
    assert elements(ds) == list(range(*args))
    assert len(ds) == len(range(*args))
    assert ds.element_spec == ag.TensorSpec([], ag.int64)


def test_range_dtype_and_errors():
    assert next(iter(Dataset.range(3, output_type=ag.int32))).dtype == ag.int32
    with pytest.raises(TypeError, match="integers"):
        Dataset.range(2.5)
    with pytest.raises(ValueError):
        Dataset.range(0, 5, 0)
    with pytest.raises(TypeError, match="1 to 3"):
        Dataset.range()


# ---- zip ----------------------------------------------------------------------------------

def test_zip_pairs_elements_and_stops_at_the_shortest():
    a, b = Dataset.range(5), Dataset.range(10, 13)
    assert elements(Dataset.zip((a, b))) == list(zip(range(5), range(10, 13)))
    assert elements(Dataset.zip(a, b)) == list(zip(range(5), range(10, 13)))
    assert len(Dataset.zip((a, b))) == 3


def test_zip_of_nested_structures_and_dicts():
    a = Dataset.from_tensor_slices(([1, 2], [3, 4]))
    b = Dataset.range(2)
    ds = Dataset.zip({"pair": a, "n": b})
    assert elements(ds) == [{"pair": (1, 3), "n": 0}, {"pair": (2, 4), "n": 1}]
    assert ds.element_spec["pair"] == a.element_spec


def test_zip_cardinality_follows_tensorflow():
    finite, forever = Dataset.range(4), Dataset.range(2).repeat()
    unknown = Dataset.range(9).filter(lambda x: x > 2)
    assert int(Dataset.zip((finite, forever)).cardinality()) == 4
    assert int(Dataset.zip((forever, forever)).cardinality()) == data.INFINITE_CARDINALITY
    assert int(Dataset.zip((finite, unknown)).cardinality()) == data.UNKNOWN_CARDINALITY


def test_zip_refuses_non_datasets():
    with pytest.raises(TypeError, match="datasets, found int"):
        Dataset.zip((Dataset.range(2), 3))
    with pytest.raises(TypeError, match="at least one"):
        Dataset.zip()


# ---- from_generator -------------------------------------------------------------------------

def _pairs():
    for i in range(4):
        yield np.full([i % 2 + 1], i, np.float64), i


def test_generator_with_output_signature_converts_to_its_dtypes():
    signature = (ag.TensorSpec([None], ag.float32), ag.TensorSpec([], ag.int32))
    ds = Dataset.from_generator(_pairs, output_signature=signature)
    got = list(ds)
    assert [(x.dtype, y.dtype) for x, y in got] == [(ag.float32, ag.int32)] * 4
    assert elements(ds) == [([0.0], 0), ([1.0, 1.0], 1), ([2.0], 2), ([3.0, 3.0], 3)]
    assert ds.element_spec == signature
    assert int(ds.cardinality()) == data.UNKNOWN_CARDINALITY


def test_generator_with_output_types_and_shapes():
    ds = Dataset.from_generator(lambda: iter([{"a": 1, "b": [1, 2]}]),
                                output_types={"a": ag.int64, "b": ag.float32},
                                output_shapes={"a": [], "b": [2]})
    assert elements(ds) == [{"a": 1, "b": [1.0, 2.0]}]
    assert ds.element_spec == {"a": ag.TensorSpec([], ag.int64),
                               "b": ag.TensorSpec([2], ag.float32)}


def test_generator_is_called_anew_each_epoch_and_gets_args():
    calls = []

    def gen(n):
        calls.append(n)
        yield from range(int(n))

    ds = Dataset.from_generator(gen, output_signature=ag.TensorSpec([], ag.int64), args=(3,))
    assert elements(ds) == [0, 1, 2]
    assert elements(ds) == [0, 1, 2]
    assert len(calls) == 2


def test_generator_elements_are_checked_against_the_signature():
    spec = ag.TensorSpec([2], ag.float32)
    with pytest.raises(ag.errors.InvalidArgumentError, match=r"shape \[3\] where an element of "
                                                             r"shape \[2\]"):
        list(Dataset.from_generator(lambda: iter([[1.0, 2.0, 3.0]]), output_signature=spec))
    pair = (ag.TensorSpec([], ag.int32), ag.TensorSpec([], ag.int32))
    with pytest.raises(TypeError, match="did not match the expected structure"):
        list(Dataset.from_generator(lambda: iter([(1, 2, 3)]), output_signature=pair))
    with pytest.raises(TypeError, match="expected type int32"):
        list(Dataset.from_generator(lambda: iter([(1.5, 2)]), output_signature=pair))


def test_generator_argument_errors():
    with pytest.raises(TypeError, match="output_signature"):
        Dataset.from_generator(_pairs)
    with pytest.raises(TypeError, match="callable"):
        Dataset.from_generator(_pairs(), output_types=ag.int32)
    with pytest.raises(TypeError, match="TensorSpec"):
        Dataset.from_generator(_pairs, output_signature=(ag.float32, ag.int32))
    no_shapes = Dataset.from_generator(lambda: iter([1]), output_types=ag.int32)
    assert elements(no_shapes) == [1]
    with pytest.raises(ValueError, match="output_shapes"):
        no_shapes.element_spec
