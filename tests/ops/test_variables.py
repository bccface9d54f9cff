"""``ag.Variable``: creation, assignment, sliced assignment, reading, printing, and how
variables take part in ops and tapes."""
from __future__ import annotations

import copy

import numpy as np
import pytest

import autograph as ag
from tests.support import assert_tensor


def test_seed_variable_assign_add_keeps_identity():
    v = ag.Variable([1.0, 2.0], name="v")
    assert repr(v) == ("<tf.Variable 'v:0' shape=(2,) dtype=float32, "
                       "numpy=array([1., 2.], dtype=float32)>")
    before = id(v)
    v.assign_add([1.0, 1.0])
    assert id(v) == before
    assert repr(v) == ("<tf.Variable 'v:0' shape=(2,) dtype=float32, "
                       "numpy=array([2., 3.], dtype=float32)>")


def test_seed_scalar_variable():
    x = ag.Variable(0.0, name="x", dtype=ag.float32)
    assert repr(x) == "<tf.Variable 'x:0' shape=() dtype=float32, numpy=0.0>"
    assert type(x.numpy()) is np.float32


def test_creation_and_properties():
    v = ag.Variable([[1, 2], [3, 4]])
    assert v.dtype == ag.int32 and v.shape == (2, 2) and v.ndim == 2
    assert v.name == "Variable:0" and v.trainable
    assert v.device.endswith("CPU:0")
    assert not ag.Variable(1.0, trainable=False).trainable
    assert ag.Variable(3.14, dtype=ag.float64).numpy() == 3.14
    assert ag.Variable([1, 2], dtype=ag.float32).dtype == ag.float32
    assert_tensor(ag.Variable(lambda: ag.constant([1.0, 2.0])).read_value(), [1.0, 2.0])
    assert_tensor(ag.Variable(ag.constant([5.0])).value(), [5.0])
    assert_tensor(ag.Variable(np.arange(3.0)).read_value(), [0.0, 1.0, 2.0], dtype=ag.float64)


def test_creation_errors():
    with pytest.raises(ValueError, match="initial_value is required"):
        ag.Variable()
    with pytest.raises(ValueError, match="ragged"):
        ag.Variable([[1.0], [2.0, 3.0]])
    with pytest.raises(TypeError, match="cannot convert Python value 1.5 to dtype int32"):
        ag.Variable(1.5, dtype=ag.int32)
    with pytest.raises(ValueError, match="does not fit the shape"):
        ag.Variable([1.0, 2.0], shape=(3,))


def test_initial_value_is_copied():
    data = np.ones(2)
    v = ag.Variable(data)
    data[0] = 9.0
    assert v.numpy()[0] == 1.0


def test_assign_family():
    v = ag.Variable([1.0, 2.0])
    assert v.assign([3, 4]) is v
    assert_tensor(v.read_value(), [3.0, 4.0])
    v.assign_sub(1)
    assert_tensor(v.read_value(), [2.0, 3.0])
    v.assign_add(0.5)
    assert_tensor(v.read_value(), [2.5, 3.5])
    v.assign(ag.constant([0.0, 1.0]))
    assert_tensor(v.read_value(), [0.0, 1.0])
    assert v.assign([9.0, 9.0], read_value=False) is None
    assert_tensor(v.read_value(), [9.0, 9.0])
    w = ag.Variable([1, 2])
    w.assign_add(1)
    assert_tensor(w.read_value(), [2, 3], dtype=ag.int32)


def test_assign_checks_dtype_and_shape():
    v = ag.Variable([1.0, 2.0], name="w")
    with pytest.raises(TypeError, match="assign: variable 'w' has dtype float32 but the value "
                                        "has dtype int32; use ag.cast"):
        v.assign(ag.constant([1, 2]))
    with pytest.raises(ValueError, match=r"assign: variable 'w' has shape \(2,\) but the value "
                                         r"has shape \(3,\)"):
        v.assign([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="shape"):
        v.assign(2.0)
    with pytest.raises(TypeError, match="cannot convert Python value 1.5 to dtype int32"):
        ag.Variable([1, 2]).assign_add(1.5)


def test_declared_shape_with_unknown_dims_allows_reshaping_assignments():
    v = ag.Variable([1.0, 2.0], shape=ag.TensorShape([None]))
    assert v.shape.as_list() == [None]
    v.assign([1.0, 2.0, 3.0])
    assert_tensor(v.read_value(), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="shape"):
        v.assign([[1.0]])
    loose = ag.Variable([1.0], validate_shape=False)
    loose.assign([[1.0, 2.0]])
    assert loose.shape == (1, 2)


def test_reads_keep_their_values_after_assignment():
    v = ag.Variable([1.0, 2.0])
    before = v.read_value()
    v.assign([5.0, 6.0])
    assert_tensor(before, [1.0, 2.0])


def test_variables_in_ops():
    v = ag.Variable([1.0, 2.0])
    assert_tensor(v + 1, [2.0, 3.0])
    assert_tensor(1 + v, [2.0, 3.0])
    assert_tensor(v * v, [1.0, 4.0])
    assert_tensor(ag.exp(v), np.exp(np.array([1.0, 2.0], np.float32)))
    assert_tensor(ag.cast(v, ag.int32), [1, 2])
    assert_tensor(-v, [-1.0, -2.0])
    assert_tensor(v > 1, [False, True])
    assert_tensor(ag.convert_to_tensor(v), [1.0, 2.0])
    assert_tensor(ag.constant(v), [1.0, 2.0])
    assert isinstance(np.ones(2) * v, ag.Tensor)
    with pytest.raises(TypeError, match="Add: cannot combine .*float32.*int32.*ag.cast"):
        v + ag.constant([1, 2])
    with pytest.raises(TypeError, match="Mul: cannot combine .*float32.*int32.*ag.cast"):
        ag.constant([1, 2]) * v


def test_python_protocols():
    s = ag.Variable(2.5)
    assert float(s) == 2.5 and int(s) == 2 and bool(s)
    assert f"{s:.1f}" == "2.5"
    i = ag.Variable(1)
    assert [5, 6][i] == 6
    v = ag.Variable([[1.0, 2.0], [3.0, 4.0]])
    assert len(v) == 2
    np.testing.assert_array_equal([r.numpy() for r in v], [[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(np.asarray(v), [[1.0, 2.0], [3.0, 4.0]])
    assert np.asarray(v, dtype=np.float64).dtype == np.float64
    assert {v: 1}[v] == 1  # variables hash by identity
    assert v.ref() is v


def test_deepcopy_is_independent():
    v = ag.Variable([1.0], name="orig", trainable=False)
    w = copy.deepcopy(v)
    w.assign([2.0])
    assert v.numpy()[0] == 1.0 and not w.trainable and w.name == "orig:0"


def test_name_scope_prefixes_names():
    if not hasattr(ag, "name_scope"):
        pytest.skip("ag.name_scope (ops/scopes.py) is not available yet")
    with ag.name_scope("layer"):
        v = ag.Variable(1.0, name="w")
    assert v.name == "layer/w:0"


# ---- slicing ---------------------------------------------------------------------------

def _need_indexing():
    try:
        ag.constant([1])[0]
    except TypeError:
        pytest.skip("Tensor.__getitem__ (ops/indexing.py) is not available yet")


def test_seed_sliced_assign():
    _need_indexing()
    v = ag.Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    v[1, :].assign(ag.constant([0.0, 0.0, 0.0]))
    v[2, 0].assign(-1.0)
    expected = np.array([[1, 2, 3], [0, 0, 0], [-1, 8, 9]], np.float32)
    np.testing.assert_array_equal(v.numpy(), expected)
    assert_tensor(v[0], [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="int32"):
        v[0, :].assign(ag.constant([1, 2, 3]))


def test_gradient_flows_through_variable_slices():
    _need_indexing()
    v = ag.Variable([[1.0, 2.0], [3.0, 4.0]])
    with ag.GradientTape() as tape:
        y = v[0] * 3.0 + v[:, 1]
    g = tape.gradient(y, v)
    np.testing.assert_array_equal(g.numpy(), [[3.0, 4.0], [0.0, 1.0]])


def test_in_place_operators_are_refused_as_in_tensorflow():
    v = ag.Variable(1.0)
    with pytest.raises(RuntimeError, match=r"variable \+= value.*assign_add"):
        v += 1.0
    with pytest.raises(RuntimeError, match="assign_sub"):
        v -= 1.0
    with pytest.raises(RuntimeError, match="not supported"):
        v *= 2.0
    assert isinstance(v, ag.Variable) and float(v) == 1.0
