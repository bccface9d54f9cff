"""The Tensor type: conversion rules, printing, Python protocols and operator overloads,
checked against TensorFlow's documented behaviour and NumPy."""
from __future__ import annotations

import copy
import decimal
import fractions
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograph as ag
from ops.errors import InvalidArgumentError
from tests.support import assert_tensor


# ---- the seed document's examples (001: 张量数据结构) -------------------------------------

def test_seed_constant_dtypes():
    assert ag.constant(1).dtype == ag.int32
    assert ag.constant(1, dtype=ag.int64).dtype == ag.int64
    assert ag.constant(1.23).dtype == ag.float32
    assert ag.constant(3.14, dtype=ag.double).dtype == ag.float64
    assert ag.constant("hello world").dtype == ag.string
    assert ag.constant(True).dtype == ag.bool
    assert ag.int64 == np.int64 and ag.double == np.double and ag.bool == np.bool_


def test_seed_double_keeps_full_precision():
    # A Python float given dtype=float64 must not pass through float32 on the way.
    assert ag.constant(3.14, dtype=ag.double).numpy() == 3.14
    assert ag.constant([0.1, 0.2], dtype=ag.float64).numpy().tolist() == [0.1, 0.2]
    assert ag.Variable(3.14, dtype=ag.float64).numpy() == 3.14


def test_seed_ranks_and_printing():
    assert str(ag.constant([1.0, 2.0])) == "tf.Tensor([1. 2.], shape=(2,), dtype=float32)"
    tensor3 = ag.constant([[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]])
    assert str(tensor3) == ("tf.Tensor(\n[[[1. 2.]\n  [3. 4.]]\n\n [[5. 6.]\n  [7. 8.]]], "
                            "shape=(2, 2, 2), dtype=float32)")
    assert tensor3.shape == (2, 2, 2) and tensor3.ndim == 3
    assert np.ndim(ag.constant(True).numpy()) == 0


def test_seed_cast_numpy_and_strings():
    h = ag.constant([123, 456], dtype=ag.int32)
    f = ag.cast(h, ag.float32)
    assert str(h.dtype) == "<dtype: 'int32'>" and str(f.dtype) == "<dtype: 'float32'>"
    y = ag.constant([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(y.numpy(), [[1.0, 2.0], [3.0, 4.0]])
    assert y.shape == (2, 2)
    u = ag.constant("你好 世界")
    assert u.numpy() == "你好 世界".encode("utf-8")
    assert u.numpy().decode("utf-8") == "你好 世界"


def test_seed_constants_are_immutable_values():
    c = ag.constant([1.0, 2.0])
    before = id(c)
    c = c + ag.constant([1.0, 1.0])
    assert id(c) != before
    assert str(c) == "tf.Tensor([2. 3.], shape=(2,), dtype=float32)"


def test_seed_operator_overloads():
    a = ag.constant([[1.0, 2], [-3, 4.0]])
    b = ag.constant([[5.0, 6], [7.0, 8.0]])
    an, bn = a.numpy(), b.numpy()
    assert_tensor(a + b, an + bn)
    assert_tensor(a - b, an - bn)
    assert_tensor(a * b, an * bn)
    assert_tensor(a / b, an / bn)
    assert_tensor(a ** 2, an ** 2)
    with np.errstate(invalid="ignore"):
        assert_tensor(a ** 0.5, an ** np.float32(0.5))
    assert_tensor(a % 3, an % 3)
    assert_tensor(a // 3, an // 3)
    assert_tensor(a >= 2, an >= 2)
    assert_tensor((a >= 2) & (a <= 3), (an >= 2) & (an <= 3))
    assert_tensor((a >= 2) | (a <= 3), (an >= 2) | (an <= 3))
    assert_tensor(a == 5, an == 5)
    with np.errstate(invalid="ignore"):
        assert_tensor(ag.sqrt(a), np.sqrt(an))


# ---- conversion rules ------------------------------------------------------------------

@pytest.mark.parametrize("value, dtype", [
    (1, ag.int32), (-2**31, ag.int32), (2**31 - 1, ag.int32), (2**31, ag.int64),
    (-2**31 - 1, ag.int64), (1.5, ag.float32), (True, ag.bool), ("s", ag.string),
    (b"s", ag.string), (1 + 2j, ag.complex128), ([1, 2], ag.int32), ([1, 2**40], ag.int64),
    ([1, 2.5], ag.float32), ([[True], [False]], ag.bool), (["a", b"b"], ag.string),
    ((1, 2), ag.int32), ([], ag.float32), ([[], []], ag.float32), (range(3), ag.int32),
    (np.float64(1.5), ag.float64), (np.int64(3), ag.int64), (np.arange(3), ag.int64),
    (np.ones(2, np.float16), ag.float16), (np.array(["a"]), ag.string),
    (np.array([b"a"]), ag.string), (np.uint8(3), ag.uint8),
])
def test_default_dtypes(value, dtype):
    t = ag.constant(value)
    assert t.dtype == dtype
    assert dtype == ag.string or t.numpy().dtype == dtype.as_numpy_dtype


def test_other_python_numbers():
    assert_tensor(ag.constant(fractions.Fraction(1, 4)), 0.25, dtype=ag.float32)
    assert_tensor(ag.constant([np.int8(1), 2]), [1, 2], dtype=ag.int32)


def test_empty_lists_keep_their_shape():
    assert ag.constant([]).shape == (0,)
    assert ag.constant([[], []]).shape == (2, 0)


def test_strings_are_held_as_utf8_bytes():
    t = ag.constant(["ab", "ç"])
    assert t.numpy().tolist() == [b"ab", "ç".encode()]
    assert ag.constant(np.array(["x", "yz"])).numpy().tolist() == [b"x", b"yz"]
    assert ag.constant(np.array([["a", "b"], ["c", "d"]])).numpy().tolist() == \
        [[b"a", b"b"], [b"c", b"d"]]
    assert ag.constant(np.array("x")).numpy() == b"x"
    assert ag.constant(np.str_("xy")).numpy() == b"xy"
    assert ag.constant(np.array([], dtype="U1")).shape == (0,)
    assert ag.constant(np.array([[b"a"]], dtype=object)).numpy().tolist() == [[b"a"]]


@pytest.mark.parametrize("value, dtype, expected", [
    (1, ag.float32, 1.0), (1, ag.float64, 1.0), (1, ag.int8, 1), (255, ag.uint8, 255),
    (2**63, ag.uint64, 2**63), (1.5, ag.float16, 1.5), (1.5, ag.complex64, 1.5 + 0j),
    (3, ag.complex128, 3 + 0j), ([1, 2], ag.float64, [1.0, 2.0]),
    (np.arange(3), ag.float32, [0.0, 1.0, 2.0]), (np.ones(2), ag.float32, [1.0, 1.0]),
])
def test_explicit_dtype_converts_when_exact(value, dtype, expected):
    t = ag.constant(value, dtype=dtype)
    assert t.dtype == dtype
    np.testing.assert_array_equal(t.numpy(), expected)


@pytest.mark.parametrize("value, dtype, fragment", [
    (1.5, ag.int32, "cannot convert Python value 1.5 to dtype int32"),
    (1.0, ag.int64, "cannot convert Python value 1.0 to dtype int64"),
    (True, ag.int32, "cannot convert Python value True to dtype int32"),
    (1, ag.bool, "cannot convert Python value 1 to dtype bool"),
    (1, ag.string, "dtype string"),
    ("a", ag.float32, "dtype float32"),
    (300, ag.int8, "value 300 does not fit in int8"),
    (-1, ag.uint8, "value -1 does not fit in uint8"),
    (2**31, ag.int32, "does not fit in int32"),
    ([1, 2**40], ag.int32, "does not fit in int32"),
    (np.array([1.5]), ag.int32, "float64 array [1.5] to dtype int32"),
    (np.array([1 + 1j]), ag.float64, "complex128 array"),
    (2**64, ag.uint64, "too large for any integer dtype"),
])
def test_explicit_dtype_refuses_what_tensorflow_refuses(value, dtype, fragment):
    with pytest.raises(TypeError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        ag.constant(value, dtype=dtype)


def test_huge_python_ints_are_clear_errors():
    with pytest.raises(TypeError, match="constant: the integer .* is too large"):
        ag.constant(2**70)
    with pytest.raises(TypeError, match="too large"):
        ag.constant([1, 2**70])
    with pytest.raises(TypeError, match="does not fit in int64"):
        ag.constant(2**63)


@pytest.mark.parametrize("value, error, fragment", [
    ([[1, 2], [3]], ValueError, "ragged nested list.*rows of different lengths"),
    ([[1], 2], ValueError, "mixes scalars and lists"),
    ([1, [2]], ValueError, "ragged"),
    ([1, "a"], TypeError, "mixes strings with numbers"),
    ([1.0, True], TypeError, "mixes bools with numbers"),
    ([None], TypeError, "holds None of type NoneType; elements must be numbers, bools or strings"),
    ([1, object()], TypeError, "of type object; elements must be"),
    (None, TypeError, "cannot convert None of type NoneType"),
    ({"a": 1}, TypeError, "of type dict"),
    (np.array([1, None], dtype=object), TypeError, "NumPy object array"),
    (np.datetime64("2020-01-01"), TypeError, "datetime64.* has no tensor equivalent"),
    ([np.ones(2), np.ones(3)], ValueError, "elements have different shapes"),
    (decimal.Decimal("1.5"), TypeError, "of type Decimal"),
    ([decimal.Decimal("1.5")], TypeError, "of type Decimal; elements must be numbers"),
])
def test_bad_data_is_one_clear_exception(value, error, fragment):
    with pytest.raises(error, match=fragment) as info:
        ag.constant(value)
    assert str(info.value).startswith("constant:")


def test_unknown_dtype_names_list_the_known_ones():
    with pytest.raises(TypeError, match="unknown dtype name 'floot'; known names: .*float32"):
        ag.constant(1.0, dtype="floot")
    with pytest.raises(TypeError, match="None"):
        ag.as_dtype(None)


def test_constant_copies_numpy_input():
    data = np.ones(3)
    t = ag.constant(data)
    data[0] = 7.0
    assert t.numpy()[0] == 1.0
    out = t.numpy()
    out[1] = 5.0
    assert t.numpy()[1] == 1.0  # numpy() hands out a copy too


def test_constant_shape_argument():
    assert_tensor(ag.constant(1, shape=[2, 3]), np.ones((2, 3), np.int32))
    assert_tensor(ag.constant([1, 2, 3, 4], shape=(2, 2)), [[1, 2], [3, 4]])
    with pytest.raises(TypeError, match="3 elements, which cannot fill shape \\[2, 2\\]"):
        ag.constant([1, 2, 3], shape=(2, 2))


def test_constant_of_a_tensor():
    t = ag.constant([1.0])
    assert ag.constant(t) is t
    with pytest.raises(TypeError, match="float32 tensor but dtype int32"):
        ag.constant(t, dtype=ag.int32)


def test_lists_of_tensors_pack_with_the_tensors_dtype():
    assert_tensor(ag.constant([ag.constant(1.0, ag.float64), 2.0]), [1.0, 2.0], dtype=ag.float64)
    assert_tensor(ag.constant([ag.constant([1, 2]), ag.constant([3, 4])]), [[1, 2], [3, 4]])


def test_convert_to_tensor():
    t = ag.constant([1.0])
    assert ag.convert_to_tensor(t) is t
    assert ag.convert_to_tensor(t, dtype=ag.float32) is t
    with pytest.raises(ValueError, match="requested dtype int32 for a tensor with dtype float32"):
        ag.convert_to_tensor(t, dtype=ag.int32)
    assert ag.convert_to_tensor([1, 2], dtype_hint=ag.float32).dtype == ag.float32
    assert ag.convert_to_tensor([1.5], dtype_hint=ag.int32).dtype == ag.float32  # only a hint
    assert_tensor(ag.convert_to_tensor(ag.Variable([2.0])), [2.0])


# ---- Python scalars meeting tensors (TF's binary-op rule) -------------------------------

@pytest.mark.parametrize("dtype", [ag.float16, ag.float32, ag.float64, ag.complex64])
def test_python_numbers_adopt_a_float_tensors_dtype(dtype):
    t = ag.constant([1.0, 2.0], dtype)
    for value in (t + 1, 1 + t, t * 2.5, 2.5 * t, t - 1, t + [1, 2],
                  t + [1.5, 2.5], t + np.float64(1.0), t + np.ones(2)):
        assert value.dtype == dtype


@pytest.mark.parametrize("dtype", [ag.int8, ag.int16, ag.int32, ag.int64, ag.uint8, ag.uint32])
def test_python_ints_adopt_an_int_tensors_dtype_when_they_fit(dtype):
    t = ag.constant([1, 2], dtype)
    assert (t + 1).dtype == dtype and (3 * t).dtype == dtype and (t + [1, 2]).dtype == dtype
    with pytest.raises(TypeError, match=r"Add: cannot convert Python value 1.5 to dtype "
                                        f"{dtype.name}.*ag.cast"):
        t + 1.5
    with pytest.raises(TypeError, match=f"does not fit in {dtype.name}"):
        t + 2**64 // 2


def test_int32_plus_float_is_a_type_error_naming_the_op():
    with pytest.raises(TypeError, match="Add: cannot convert Python value 1.5 to dtype int32"):
        ag.constant(1) + 1.5
    with pytest.raises(TypeError, match="Mul"):
        2.5 * ag.constant([1, 2])
    with pytest.raises(TypeError, match="cannot convert Python value True to dtype float32"):
        ag.constant(1.0) + True


def test_two_tensors_of_different_dtypes_is_a_type_error():
    with pytest.raises(TypeError) as info:
        ag.constant([1.0, 2.0]) * ag.constant([1, 2])
    text = str(info.value)
    assert "Mul" in text and "float32" in text and "int32" in text and "ag.cast" in text


def test_numpy_operands_on_either_side():
    t = ag.constant([1.0, 2.0])
    for value in (np.ones(2) + t, t + np.ones(2), np.float32(2) * t, np.float64(2) * t):
        assert isinstance(value, ag.Tensor) and value.dtype == ag.float32
    with pytest.raises(TypeError, match="float64 array"):
        ag.constant([1, 2]) + np.array([0.5, 1.5])


@given(st.integers(-2**40, 2**40), st.sampled_from([ag.int8, ag.int16, ag.int32, ag.int64,
                                                    ag.uint8, ag.uint16]))
def test_int_conversion_is_exact_or_an_error(value, dtype):
    info = np.iinfo(dtype.as_numpy_dtype)
    if info.min <= value <= info.max:
        assert int(ag.constant(value, dtype)) == value
        assert int(ag.constant(0, dtype) + value) == value
    else:
        with pytest.raises(TypeError, match="does not fit"):
            ag.constant(value, dtype)


@given(st.floats(allow_nan=False, width=64))
def test_float_conversion_rounds_like_numpy(value):
    with np.errstate(over="ignore"):
        expected = np.float32(value)  # values beyond float32's range become inf, as in TF
    assert ag.constant(value).numpy() == expected
    assert ag.constant(value, ag.float64).numpy() == value


# ---- printing ----------------------------------------------------------------------------

def test_repr_matches_tensorflow():
    assert repr(ag.constant(1.23)) == "<tf.Tensor: shape=(), dtype=float32, numpy=1.23>"
    assert repr(ag.constant(1)) == "<tf.Tensor: shape=(), dtype=int32, numpy=1>"
    assert repr(ag.constant(True)) == "<tf.Tensor: shape=(), dtype=bool, numpy=True>"
    assert repr(ag.constant("hi")) == "<tf.Tensor: shape=(), dtype=string, numpy=b'hi'>"
    assert repr(ag.constant([1.0, 2.0])) == \
        "<tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>"
    assert repr(ag.constant([[1, 2], [3, 4]])) == (
        "<tf.Tensor: shape=(2, 2), dtype=int32, numpy=\narray([[1, 2],\n       [3, 4]], "
        "dtype=int32)>")


def test_str_matches_tensorflow():
    assert str(ag.constant(-2.0)) == "tf.Tensor(-2.0, shape=(), dtype=float32)"
    assert str(ag.constant([b"a", b"b"])) == "tf.Tensor([b'a' b'b'], shape=(2,), dtype=string)"
    assert str(ag.constant([[1, 2], [3, 4]])) == \
        "tf.Tensor(\n[[1 2]\n [3 4]], shape=(2, 2), dtype=int32)"
    assert f"{ag.constant(1.5):.2f}" == "1.50"
    assert "%s" % ag.constant(1) == "tf.Tensor(1, shape=(), dtype=int32)"


# ---- Python protocols --------------------------------------------------------------------

def test_numpy_returns_numpy_scalars_for_0d():
    assert type(ag.constant(1.5).numpy()) is np.float32
    assert type(ag.constant(1).numpy()) is np.int32
    assert ag.constant(b"x").numpy() == b"x"
    assert isinstance(ag.constant([1.0]).numpy(), np.ndarray)
    assert type((ag.constant(1.5) * 2).numpy()) is np.float32


def test_array_protocol():
    t = ag.constant([[1.0, 2.0], [3.0, 4.0]])
    assert np.asarray(t).dtype == np.float32
    np.testing.assert_array_equal(np.asarray(t, dtype=np.float64), [[1, 2], [3, 4]])
    np.testing.assert_allclose(np.exp(t), np.exp(t.numpy()))
    assert np.array(ag.constant(1.5)).shape == ()


def test_scalar_conversions():
    assert bool(ag.constant(True)) is True and bool(ag.constant(0.0)) is False
    assert int(ag.constant(2.7)) == 2 and float(ag.constant(3)) == 3.0
    assert float(ag.constant([[2.5]])) == 2.5
    assert complex(ag.constant(1 + 2j)) == 1 + 2j
    assert [10, 11, 12][ag.constant(1)] == 11
    assert range(10)[ag.constant(2, ag.int64)] == 2
    with pytest.raises(TypeError, match="only integer tensors can be used as an index"):
        [1, 2][ag.constant(1.0)]
    with pytest.raises(ValueError, match=r"bool\(\) of a tensor with shape \(2,\) is ambiguous"):
        bool(ag.constant([1, 2]))
    with pytest.raises(ValueError, match="ambiguous"):
        int(ag.constant([1, 2]))


def test_len_and_iteration_over_the_first_axis():
    t = ag.constant([[1, 2], [3, 4], [5, 6]])
    assert len(t) == 3
    rows = list(t)
    assert len(rows) == 3 and all(isinstance(r, ag.Tensor) for r in rows)
    np.testing.assert_array_equal(rows[2].numpy(), [5, 6])
    with pytest.raises(TypeError, match=r"len\(\) is not defined for a scalar"):
        len(ag.constant(1))
    with pytest.raises(TypeError, match="cannot iterate over a scalar"):
        iter(ag.constant(1))


def test_tensors_are_unhashable_but_have_refs():
    t = ag.constant([1.0])
    with pytest.raises(TypeError, match="unhashable; use tensor.ref"):
        hash(t)
    refs = {t.ref(): "x"}
    assert refs[t.ref()] == "x" and t.ref().deref() is t
    assert ag.constant([1.0]).ref() != t.ref()


def test_tensors_cannot_be_built_directly():
    with pytest.raises(TypeError, match="use ag.constant"):
        ag.Tensor()


def test_copy_and_pickle():
    t = ag.constant([[1.0, 2.0]])
    assert copy.copy(t) is t and copy.deepcopy(t) is t
    back = pickle.loads(pickle.dumps(t))
    assert back.dtype == ag.float32
    np.testing.assert_array_equal(back.numpy(), t.numpy())
    assert pickle.loads(pickle.dumps(ag.float16)) is ag.float16


def test_shape_device_and_properties():
    t = ag.constant(np.zeros((2, 3)))
    assert t.shape == (2, 3) and t.get_shape().as_list() == [2, 3]
    assert isinstance(t.shape, ag.TensorShape) and t.ndim == 2
    assert t.device.endswith("device:CPU:0")
    assert t.dtype == ag.float64


# ---- operators ---------------------------------------------------------------------------

@pytest.mark.parametrize("expr, oracle", [
    ("a + b", np.add), ("a - b", np.subtract), ("a * b", np.multiply),
    ("a / b", np.true_divide), ("a // b", np.floor_divide), ("a % b", np.mod),
    ("a ** b", np.power), ("a < b", np.less), ("a <= b", np.less_equal),
    ("a > b", np.greater), ("a >= b", np.greater_equal), ("a == b", np.equal),
    ("a != b", np.not_equal),
])
@pytest.mark.parametrize("left, right", [("tensor", "tensor"), ("tensor", "python"),
                                         ("python", "tensor"), ("variable", "tensor"),
                                         ("tensor", "variable")])
def test_binary_operators_and_reflections(expr, oracle, left, right):
    x = np.array([[1.5, 2.0], [3.0, 4.5]], np.float32)
    y = np.float32(1.25) if right == "python" else np.array([0.5, 2.0], np.float32)
    wrap = {"tensor": ag.constant, "variable": ag.Variable,
            "python": lambda v: v.tolist() if np.ndim(v) else float(v)}
    if left == "python":
        x, y = np.float32(2.5), x
    a, b = wrap[left](x), wrap[right](y)
    got = eval(expr, {"a": a, "b": b})
    assert isinstance(got, ag.Tensor), type(got)
    assert_tensor(got, oracle(x, y))


def test_unary_operators():
    t = ag.constant([-1.5, 2.0])
    assert_tensor(-t, [1.5, -2.0])
    assert_tensor(abs(t), [1.5, 2.0])
    assert +t is t
    assert_tensor(~ag.constant([True, False]), [False, True])


def test_logical_operators_with_numpy_operands():
    t = ag.constant([True, False])
    assert_tensor(np.array([True, True]) & t, [True, False])
    assert_tensor(t | np.array([False, False]), [True, False])
    assert_tensor(np.array([True, False]) ^ t, [False, False])
    assert_tensor(np.array([6, 5], np.int32) & ag.constant([3, 3]), [2, 1])


def test_matmul_operator():
    a = ag.constant([[1.0, 2.0], [3.0, 4.0]])
    assert_tensor(a @ a, a.numpy() @ a.numpy())
    assert_tensor([[1.0, 0.0]] @ a, [[1.0, 2.0]])
    assert_tensor(ag.Variable([[1.0, 0.0]]) @ a, [[1.0, 2.0]])


def test_equality_with_incompatible_values_is_false():
    t = ag.constant([1.0, 2.0])
    assert (t == None) is False and (t != None) is True  # noqa: E711  (TF's rule)
    assert (t == "a") is False
    assert (t == ag.constant([1.0, 2.0, 3.0])) is False
    assert_tensor(t == 1.0, [True, False])


def test_integer_division_semantics():
    assert_tensor(ag.constant(7) / 2, 3.5, dtype=ag.float64)
    assert_tensor(ag.constant(-7) // 2, -4, dtype=ag.int32)
    assert_tensor(ag.constant(-7) % 3, 2, dtype=ag.int32)
    with pytest.raises(InvalidArgumentError, match="FloorDiv: integer division by zero"):
        ag.constant(7) // 0
    with pytest.raises(InvalidArgumentError, match="FloorMod: integer division by zero"):
        ag.constant([7, 1]) % ag.constant([1, 0])


@given(hnp.arrays(st.sampled_from([np.float64, np.int64, np.bool_, np.float32, np.int8,
                                   np.uint16, np.complex128]),
                  hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)))
def test_random_data_converts_like_tensorflow(array):
    # NumPy data keeps its dtype; the same data as Python lists gets TF's Python defaults.
    t = ag.constant(array)
    assert t.dtype == array.dtype and t.shape == array.shape
    np.testing.assert_array_equal(t.numpy(), array)
    listed = ag.constant(array.tolist())
    kind = array.dtype.kind
    fits32 = array.size == 0 or (array.min() >= -2**31 and array.max() < 2**31)
    if array.ndim and array.size == 0:
        expected_dtype = ag.float32  # TF's dtype for empty lists
    elif kind == "f":
        expected_dtype = ag.float32
    elif kind in "iu":
        expected_dtype = ag.int32 if fits32 else ag.int64
    else:
        expected_dtype = {"b": ag.bool, "c": ag.complex128}[kind]
    assert listed.dtype == expected_dtype
    assert listed.shape == np.array(array.tolist()).shape  # [] loses trailing empty dims
    if array.size == 0:
        expected = np.zeros(listed.shape, expected_dtype.as_numpy_dtype)
    else:
        with np.errstate(over="ignore"):  # float64 beyond float32's range becomes inf
            expected = array.astype(expected_dtype.as_numpy_dtype)
    np.testing.assert_array_equal(listed.numpy(), expected)
