"""The C loop of the fused Adam update: bitwise the NumPy kernel's results, and a fallback to
NumPy wherever it cannot run."""
import numpy as np
import pytest

import autograph as ag
from ops import training_kernels, training_ops
from runtime.fusion import cbuild

needs_compiler = pytest.mark.skipif(cbuild.toolchain() is None, reason="no C compiler")


def _step(arrays, native: bool, monkeypatch, t=3.0):
    """One ApplyAdam step on variables holding ``arrays`` (w, m, v) with gradient ``g``."""
    w0, m0, v0, g = arrays
    w, m, v = ag.Variable(w0), ag.Variable(m0), ag.Variable(v0)
    with monkeypatch.context() as patch:
        if native:     # the C loop for every size (small ones use NumPy in practice)
            patch.setattr(training_kernels, "NATIVE_MIN_SIZE", 0)
        else:
            patch.setattr(training_kernels, "adam", lambda *args: None)
        training_ops.apply_adam(w, m, v, ag.constant(g), 0.01, t, 0.9, 0.999, 1e-7)
    return [x.numpy() for x in (w, m, v)]


def _arrays(dtype, shape, seed=0):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(shape)
    g = rng.standard_normal(shape) * 10.0 ** rng.integers(-8, 8, shape)   # many magnitudes
    m, v = rng.standard_normal(shape) * 0.1, rng.random(shape) * 0.01
    return [a.astype(dtype) for a in (w, m, v, g)]


@needs_compiler
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(), (7,), (64, 33), (0, 4), (128, 130)])
def test_the_c_loop_is_bitwise_the_numpy_kernel(dtype, shape, monkeypatch):
    arrays = _arrays(dtype, shape)
    native, numpy = _step(arrays, True, monkeypatch), _step(arrays, False, monkeypatch)
    for a, b in zip(native, numpy):
        assert a.dtype == b.dtype == dtype
        np.testing.assert_array_equal(a.reshape(-1).view(np.uint8), b.reshape(-1).view(np.uint8))


@needs_compiler
def test_nan_inf_and_zero_gradients_match_numpy(monkeypatch):
    arrays = _arrays(np.float32, (6,))
    arrays[3] = np.float32([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-45])
    with np.errstate(all="ignore"):
        native, numpy = _step(arrays, True, monkeypatch), _step(arrays, False, monkeypatch)
    for a, b in zip(native, numpy):
        np.testing.assert_array_equal(a, b)


@needs_compiler
def test_large_variables_use_the_c_loop_and_small_ones_numpy():
    big = np.zeros(training_kernels.NATIVE_MIN_SIZE, np.float32)
    small = big[:-1]
    assert training_kernels.adam(big, big, big, big, 0.1, 0.001, 0.01, 1e-7) is not None
    assert training_kernels.adam(small, small, small, small, 0.1, 0.001, 0.01, 1e-7) is None


@needs_compiler
def test_non_contiguous_gradients_are_handled(monkeypatch):
    monkeypatch.setattr(training_kernels, "NATIVE_MIN_SIZE", 0)
    g = np.arange(12, dtype=np.float32).reshape(3, 4).T       # a transposed view
    w, m, v = (np.zeros((4, 3), np.float32) for _ in range(3))
    out = training_kernels.adam(w, m, v, g, np.float32(0.1), np.float32(0.001),
                                np.float32(0.01), np.float32(1e-7))
    np.testing.assert_allclose(out[1], np.ascontiguousarray(g) * np.float32(0.1), rtol=1e-7)


def test_other_dtypes_and_mismatched_shapes_fall_back_to_numpy():
    f16 = np.zeros(3, np.float16)
    assert training_kernels.adam(f16, f16, f16, f16, 0.1, 0.001, 0.01, 1e-7) is None
    a, b = np.zeros(3, np.float32), np.zeros((1, 3), np.float32)
    assert training_kernels.adam(a, a, a, b, 0.1, 0.001, 0.01, 1e-7) is None


def test_without_a_compiler_the_numpy_kernel_runs(monkeypatch):
    monkeypatch.setattr(training_kernels, "_loaded", {})
    monkeypatch.setattr(training_kernels, "NATIVE_MIN_SIZE", 0)
    monkeypatch.setattr(cbuild, "toolchain", lambda: None)
    w, m, v = ag.Variable([1.0, 2.0]), ag.Variable([0.0, 0.0]), ag.Variable([0.0, 0.0])
    training_ops.apply_adam(w, m, v, ag.constant([1.0, -1.0]), 0.1, 1.0, 0.9, 0.999, 1e-7)
    np.testing.assert_allclose(w.numpy(), [0.9, 2.1], rtol=1e-5)
    assert training_kernels._loaded == {np.dtype(np.float32): None}
