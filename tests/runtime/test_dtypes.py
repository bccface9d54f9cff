"""DTypes: TensorFlow's names and aliases, equality with NumPy, properties."""
from __future__ import annotations

import pickle

import numpy as np
import pytest

import autograph as ag
from runtime import dtypes as D

NUMPY_OF = {
    "float16": np.float16, "float32": np.float32, "float64": np.float64, "int8": np.int8,
    "int16": np.int16, "int32": np.int32, "int64": np.int64, "uint8": np.uint8,
    "uint16": np.uint16, "uint32": np.uint32, "uint64": np.uint64, "bool": np.bool_,
    "complex64": np.complex64, "complex128": np.complex128, "string": np.object_,
}


@pytest.mark.parametrize("dtype", D.ALL, ids=lambda d: d.name)
def test_each_dtype_equals_its_numpy_type_and_name(dtype):
    np_type = NUMPY_OF[dtype.name]
    assert dtype == np_type and dtype == np.dtype(np_type) and dtype == dtype.name
    assert D.as_dtype(dtype.name) is dtype
    assert D.as_dtype(np_type) is dtype and D.as_dtype(np.dtype(np_type)) is dtype
    assert dtype.as_numpy_dtype is np_type
    assert getattr(ag, dtype.name if dtype.name != "bool" else "bool") is dtype
    assert pickle.loads(pickle.dumps(dtype)) is dtype
    assert repr(dtype) == f"tf.{dtype.name}"
    assert str(dtype) == f"<dtype: '{dtype.name}'>"
    assert not dtype != dtype.name


def test_aliases():
    assert ag.double is ag.float64 and ag.half is ag.float16
    assert D.as_dtype("double") is ag.float64 and D.as_dtype("half") is ag.float16
    assert D.as_dtype("float") is ag.float32
    assert ag.as_dtype(float) is ag.float32 and ag.as_dtype(int) is ag.int32
    assert ag.as_dtype(bool) is ag.bool and ag.as_dtype(str) is ag.string
    assert ag.as_dtype(complex) is ag.complex128


def test_seed_comparisons():
    assert ag.int64 == np.int64
    assert ag.double == np.double
    assert ag.bool == np.bool_
    assert not ag.string == np.str_  # the seed prints False: strings are bytes objects
    assert ag.as_dtype(np.str_) is ag.string  # but NumPy text still converts to strings


def test_inequalities():
    assert ag.float32 != ag.float64 and ag.float32 != np.float64
    assert ag.float32 != "float64" and ag.float32 != "nonsense" and ag.float32 != None  # noqa
    assert ag.float32 != np.array([1.0, 2.0]) and ag.float32 != 3


def test_unknown_names_and_values():
    with pytest.raises(TypeError, match="unknown dtype name 'float33'; known names: "):
        D.as_dtype("float33")
    with pytest.raises(TypeError, match="None"):
        D.as_dtype(None)
    with pytest.raises(TypeError, match="cannot interpret"):
        D.as_dtype(object())
    with pytest.raises(TypeError, match="datetime64.*no autograph equivalent"):
        D.as_dtype(np.datetime64)


def test_properties():
    assert ag.float16.is_floating and not ag.int8.is_floating
    assert ag.uint8.is_integer and ag.uint8.is_unsigned and not ag.int8.is_unsigned
    assert ag.bool.is_bool and ag.complex64.is_complex and ag.int32.is_numeric
    assert not ag.string.is_numeric
    assert ag.complex64.real_dtype is ag.float32 and ag.float64.real_dtype is ag.float64
    assert ag.float32.size == 4 and ag.int64.itemsize == 8 and ag.float32.base_dtype is ag.float32
    assert ag.uint8.min == 0 and ag.uint8.max == 255 and ag.int8.limits == (-128, 127)
    assert ag.float16.max == np.finfo(np.float16).max
    assert ag.bool.min is False and ag.bool.max is True
    with pytest.raises(TypeError, match="no minimum"):
        ag.string.min


def test_from_numpy_fast_path():
    assert D.from_numpy(np.dtype(np.float32)) is ag.float32
    assert D.from_numpy(np.dtype("U3")) is ag.string


def test_dtypes_hash_by_name_and_work_as_keys():
    table = {ag.float32: "f", ag.int32: "i"}
    assert table[D.as_dtype("float32")] == "f"
    assert len({ag.float32, D.as_dtype(np.float32), D.as_dtype("float")}) == 1
