"""Weights files: named arrays in order, any dtype including strings, written atomically, read
without pickle, and checked against the expected names and shapes."""
import os

import numpy as np
import pytest

import autograph as ag
from ops.saved_model import SerializationError, load_weights_file, save_weights_file

WEIGHTS = [
    ("dense/kernel:0", np.arange(6, dtype=np.float32).reshape(2, 3)),
    ("dense/bias:0", np.zeros(3, np.float32)),
    ("step", np.array(7, np.int64)),
    ("mask", np.array([True, False])),
    ("phase", np.array([1 + 2j], np.complex128)),
    ("empty", np.zeros((0, 4), np.float16)),
    ("vocab", np.array([b"a", b"", "\u00e9".encode()], dtype=object)),
    ("unicode name \u2713", np.array(1.5)),
]


def test_weights_round_trip_in_order_with_dtypes_and_shapes(tmp_path):
    path = tmp_path / "model.weights.npz"
    save_weights_file(path, WEIGHTS)
    loaded = load_weights_file(path)
    assert [n for n, _ in loaded] == [n for n, _ in WEIGHTS]
    for (_, got), (_, want) in zip(loaded, WEIGHTS):
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got, want)
        assert not got.flags.writeable


def test_variables_and_tensors_are_saved_by_value(tmp_path):
    v = ag.Variable([1.0, 2.0])
    save_weights_file(tmp_path / "w", [("v", v), ("t", ag.constant([[3]]))])
    (name_v, a), (name_t, b) = load_weights_file(tmp_path / "w")
    np.testing.assert_array_equal(a, [1.0, 2.0])
    assert b.dtype == np.int32 and b.tolist() == [[3]]


def test_expected_names_and_shapes_are_checked(tmp_path):
    path = tmp_path / "w.npz"
    save_weights_file(path, WEIGHTS[:2])
    kernel = ag.Variable(np.ones((2, 3), np.float32))
    expected = [("dense/kernel:0", kernel), ("dense/bias:0", (None,))]
    assert len(load_weights_file(path, expected)) == 2
    with pytest.raises(SerializationError, match=r"w\.npz: holds 2 weights but 1 are expected; "
                                                 r"unexpected \['dense/bias:0'\]"):
        load_weights_file(path, [("dense/kernel:0", (2, 3))])
    with pytest.raises(SerializationError, match=r"weight #1 is named 'dense/bias:0' but "
                                                 r"'dense/beta:0' is expected"):
        load_weights_file(path, [("dense/kernel:0", (2, 3)), ("dense/beta:0", (3,))])
    with pytest.raises(SerializationError, match=r"weight 'dense/kernel:0' has shape \(2, 3\) "
                                                 r"but shape \(3, 2\) is expected"):
        load_weights_file(path, [("dense/kernel:0", (3, 2)), ("dense/bias:0", (3,))])


def test_bad_input_is_refused(tmp_path):
    with pytest.raises(SerializationError, match="two arrays are named 'a'"):
        save_weights_file(tmp_path / "w", [("a", np.zeros(1)), ("a", np.zeros(2))])
    with pytest.raises(TypeError, match=r"\(name, array\) pairs"):
        save_weights_file(tmp_path / "w", [np.zeros(1)])
    with pytest.raises(SerializationError, match="holds a int"):
        save_weights_file(tmp_path / "w", [("o", np.array([1], dtype=object))])
    assert os.listdir(tmp_path) == []


def test_a_truncated_weights_file_is_refused_naming_it(tmp_path):
    path = tmp_path / "w.npz"
    save_weights_file(path, WEIGHTS)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(SerializationError, match=r"w\.npz: not a readable \.npz"):
        load_weights_file(path)


def test_saving_over_a_file_replaces_it_whole(tmp_path):
    path = tmp_path / "w.npz"
    save_weights_file(path, WEIGHTS)
    save_weights_file(path, [("only", np.ones(2))])
    assert [n for n, _ in load_weights_file(path)] == ["only"]
    assert os.listdir(tmp_path) == ["w.npz"]
