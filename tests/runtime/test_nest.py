"""Nested structures: flatten in TensorFlow's order and rebuild."""
from __future__ import annotations

import collections

import pytest

from runtime import nest

Point = collections.namedtuple("Point", ["x", "y"])


def test_flatten_order_sorts_dict_keys():
    assert nest.flatten({"b": 1, "a": [2, (3, 4)]}) == [2, 3, 4, 1]
    assert nest.flatten(5) == [5]
    assert nest.flatten([]) == [] and nest.flatten(None) == [None]
    assert nest.flatten(Point(1, [2, 3])) == [1, 2, 3]
    assert nest.flatten("abc") == ["abc"]


def test_is_nested():
    assert nest.is_nested([1]) and nest.is_nested((1,)) and nest.is_nested({"a": 1})
    assert nest.is_nested(Point(1, 2)) and not nest.is_nested("ab") and not nest.is_nested(3)


@pytest.mark.parametrize("structure", [
    [1, (2, 3), {"b": 4, "a": [5]}], Point(1, (2, {"k": 3})), {"z": 1, "y": {"x": 2}},
    collections.OrderedDict([("b", 1), ("a", 2)]), (), [[]], 7,
])
def test_pack_sequence_as_round_trips(structure):
    flat = nest.flatten(structure)
    rebuilt = nest.pack_sequence_as(structure, flat)
    assert rebuilt == structure and type(rebuilt) is type(structure)


def test_pack_keeps_dict_insertion_order_and_types():
    rebuilt = nest.pack_sequence_as({"b": 0, "a": 0}, [1, 2])
    assert list(rebuilt) == ["b", "a"] and rebuilt == {"a": 1, "b": 2}
    dd = collections.defaultdict(list, {"k": 0})
    packed = nest.pack_sequence_as(dd, [5])
    assert isinstance(packed, collections.defaultdict) and packed["k"] == 5
    assert packed.default_factory is list


def test_pack_with_the_wrong_number_of_values():
    with pytest.raises(ValueError, match="fewer values"):
        nest.pack_sequence_as([1, 2], [1])
    with pytest.raises(ValueError, match="1 more values"):
        nest.pack_sequence_as([1, 2], [1, 2, 3])


def test_map_structure():
    assert nest.map_structure(lambda a, b: a + b, [1, (2, 3)], [10, (20, 30)]) == [11, (22, 33)]
    assert nest.map_structure(str, {"a": 1}) == {"a": "1"}
    with pytest.raises(ValueError, match="differ"):
        nest.map_structure(lambda a, b: a, [1, 2], [1, 2, 3])
    with pytest.raises(TypeError, match="different sequence types"):
        nest.map_structure(lambda a, b: a, [1, 2], (1, 2))
    assert nest.map_structure(lambda a, b: b, [1, 2], (3, 4), check_types=False) == [3, 4]


def test_assert_same_structure_messages():
    nest.assert_same_structure([1, (2,)], [3, (4,)])
    with pytest.raises(ValueError, match=r"the two structures differ: \[., .\] vs \[., \(.,\)\]"):
        nest.assert_same_structure([1, 2], [1, (2,)])
    with pytest.raises(TypeError, match="sequence types"):
        nest.assert_same_structure([1], (1,))
    nest.assert_same_structure([1], (1,), check_types=False)


def test_map_leaves_visits_in_place_order_and_keeps_container_types():
    Pair = collections.namedtuple("Pair", "a b")
    seen = []

    def number(leaf):
        seen.append(leaf)
        return len(seen) - 1
    structure = collections.OrderedDict(z=[1, (2, 3)], a=Pair(4, {"y": 5, "b": 6}))
    out = nest.map_leaves(number, structure)
    assert seen == [1, 2, 3, 4, 5, 6]          # insertion order, not sorted keys
    assert type(out) is collections.OrderedDict and list(out) == ["z", "a"]
    assert out["z"] == [0, (1, 2)] and type(out["a"]) is Pair
    assert out["a"] == Pair(3, {"y": 4, "b": 5})
    assert nest.map_leaves(str, 7) == "7"
