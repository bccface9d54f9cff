"""Shape arithmetic on partially known shapes, and TensorShape as users see it."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis.extra import numpy as hnp

import autograph as ag
from runtime import shapes
from runtime.shapes import TensorShape


@given(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=5, min_side=0, max_side=4))
def test_broadcast_matches_numpy(case):
    a, b = case.input_shapes
    assert shapes.broadcast(a, b) == case.result_shape == np.broadcast_shapes(a, b)


@given(hnp.array_shapes(min_dims=1, max_dims=4, min_side=2, max_side=4),
       hnp.array_shapes(min_dims=1, max_dims=4, min_side=2, max_side=4))
def test_broadcast_refuses_what_numpy_refuses(a, b):
    try:
        expected = np.broadcast_shapes(a, b)
    except ValueError:
        expected = None
    assert shapes.broadcast(a, b) == expected


@pytest.mark.parametrize("a, b, expected", [
    ((None, 3), (3,), (None, 3)), ((None,), (1,), (None,)), ((None,), (4,), (4,)),
    ((1,), (None,), (None,)), ((None, None), (None,), (None, None)), ((0,), (None,), (0,)),
    ((None,), (), (None,)), ((2, None), (None, 1), (2, None)),
])
def test_broadcast_with_unknown_dims(a, b, expected):
    assert shapes.broadcast(a, b) == expected


def test_num_elements_and_fmt():
    assert shapes.num_elements((2, 3)) == 6 and shapes.num_elements(()) == 1
    assert shapes.num_elements((2, None)) is None and shapes.num_elements((0, 5)) == 0
    assert shapes.fmt(()) == "()" and shapes.fmt((3,)) == "(3,)"
    assert shapes.fmt((None, 3)) == "(None, 3)"


def test_normalize_axis():
    assert shapes.normalize_axis(-1, 3, "op") == 2 and shapes.normalize_axis(1, 3, "op") == 1
    with pytest.raises(IndexError, match="op: axis 3 is out of range for a tensor of rank 3"):
        shapes.normalize_axis(3, 3, "op")
    with pytest.raises(IndexError, match="axis -4"):
        shapes.normalize_axis(-4, 3, "op")


def test_tensor_shape_behaves_like_tensorflows():
    s = TensorShape([2, None, 3])
    assert s.rank == 3 and s.ndims == 3 and s.as_list() == [2, None, 3] and s.dims == [2, None, 3]
    assert repr(s) == "TensorShape([2, None, 3])" and str(s) == "(2, None, 3)"
    assert s == (2, None, 3) and s == [2, None, 3] and s != (2, 1, 3)
    assert s[0] == 2 and isinstance(s[1:], TensorShape) and s[1:] == (None, 3)
    assert not s.is_fully_defined() and s.num_elements() is None
    assert TensorShape([2, 3]).num_elements() == 6 and TensorShape([]).is_fully_defined()
    assert TensorShape(4) == (4,)
    assert hash(TensorShape([1, 2])) == hash((1, 2))
    with pytest.raises(ValueError, match="unknown rank"):
        TensorShape(None)


def test_tensor_shape_compatibility_and_merging():
    s = TensorShape([None, 3])
    assert s.is_compatible_with([5, 3]) and not s.is_compatible_with([5, 4])
    assert not s.is_compatible_with([3])
    assert s.merge_with([5, None]) == (5, 3)
    with pytest.raises(ValueError, match="incompatible"):
        s.merge_with([5, 4])
    assert TensorShape([2, 3]).most_specific_compatible_shape([2, 4]) == (2, None)
    assert s.concatenate([7]) == (None, 3, 7) and s + [7] == (None, 3, 7)
    assert [1] + s == (1, None, 3) and isinstance(s + (1,), TensorShape)
    assert s.with_rank(2) is s
    with pytest.raises(ValueError, match="rank 3"):
        s.with_rank(3)


def test_tensor_shapes_of_tensors():
    t = ag.constant(np.zeros((2, 3)))
    assert t.shape == TensorShape([2, 3]) and str(t.shape) == "(2, 3)"
    assert ag.constant(1.0).shape == () and str(ag.constant([1]).shape) == "(1,)"
