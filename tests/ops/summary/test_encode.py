"""NumPy values to TensorBoard protos: tensors read back by TensorBoard's own decoder."""
import numpy as np
import pytest
from tensorboard.util import tensor_util

from ops.summary import encode


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int8, np.int16,
                                   np.int32, np.int64, np.uint8, np.uint16, np.uint32,
                                   np.uint64, np.bool_, np.complex64, np.complex128])
@pytest.mark.parametrize("shape", [(), (0,), (2, 3)])
def test_tensor_proto_round_trips(dtype, shape):
    if shape == (0,) and dtype in (np.uint32, np.uint64):
        pytest.skip("tensorboard's make_ndarray has no reader for empty uint32/uint64 tensors")
    array = (np.arange(int(np.prod(shape))) % 3).reshape(shape).astype(dtype)
    back = tensor_util.make_ndarray(encode.tensor_proto(array))
    assert back.dtype == array.dtype and back.shape == shape
    np.testing.assert_array_equal(back, array)


def test_tensor_proto_of_strings():
    array = np.array([[b"a", "\u00e9"]], dtype=object)
    back = tensor_util.make_ndarray(encode.tensor_proto(array))
    assert back.tolist() == [[b"a", "\u00e9".encode()]]


def test_big_endian_arrays_are_stored_little_endian():
    array = np.arange(4, dtype=">i4")
    np.testing.assert_array_equal(tensor_util.make_ndarray(encode.tensor_proto(array)), array)


def test_histogram_buckets_leave_out_non_finite_values():
    buckets = encode.histogram_buckets(np.array([0.0, np.nan, 1.0, np.inf, 1.0]), 2)
    np.testing.assert_array_equal(buckets, [[0.0, 0.5, 1], [0.5, 1.0, 2]])


def test_histogram_last_edge_is_the_maximum_exactly():
    data = np.array([0.1, 0.7, 0.3])
    assert encode.histogram_buckets(data, 7)[-1, 1] == 0.7
