"""Devices and array backends: NumPy on the CPU; CuPy on a GPU where one is present."""
from __future__ import annotations

import numpy as np
import pytest

import autograph as ag
from runtime import backends


def _has_gpu() -> bool:
    return backends.gpu_count() > 0


gpu = pytest.mark.skipif(not _has_gpu(), reason="no CUDA device (or CuPy) on this machine")


@pytest.mark.parametrize("name, expected", [
    ("CPU:0", ("CPU", 0)), ("/cpu:0", ("CPU", 0)), ("cpu", ("CPU", 0)),
    ("/device:GPU:1", ("GPU", 1)), ("GPU:0", ("GPU", 0)), ("/gpu:2", ("GPU", 2)),
    ("/job:localhost/replica:0/task:0/device:CPU:0", ("CPU", 0)),
])
def test_parse_device(name, expected):
    assert backends.parse_device(name) == expected


@pytest.mark.parametrize("name", ["TPU:0", "cpu:x", "", 3])
def test_parse_device_rejects_unknown_names(name):
    with pytest.raises(ValueError, match="cannot parse device name"):
        backends.parse_device(name)


def test_cpu_is_the_default_and_uses_numpy():
    t = ag.constant([1.0, 2.0])
    assert t.device == backends.CPU == "/job:localhost/replica:0/task:0/device:CPU:0"
    assert isinstance(t._v, np.ndarray)
    assert backends.current_device() == ("CPU", 0) and backends.current_xp() is np
    with ag.device("CPU:0"):
        assert ag.constant(1.0).device == backends.CPU
    assert backends.array_module(t._v) is np and backends.to_numpy(t._v) is t._v


def test_no_device_name_keeps_placement():
    for name in (None, ""):
        with ag.device(name):
            assert backends.current_device() == ("CPU", 0)
            assert ag.constant(1.0).device == backends.CPU


def test_list_physical_devices():
    cpus = ag.config.list_physical_devices("CPU")
    assert cpus == [backends.PhysicalDevice("/physical_device:CPU:0", "CPU")]
    everything = backends.list_physical_devices()
    assert everything[0].device_type == "CPU"
    assert len(backends.list_physical_devices("GPU")) == backends.gpu_count()


def test_asking_for_a_missing_gpu_says_what_is_missing():
    index = backends.gpu_count()  # one past the last device
    with pytest.raises(backends.DeviceError, match=f"GPU:{index} was requested but"):
        with ag.device(f"GPU:{index}"):
            pass
    assert backends.current_device() == ("CPU", 0)


@gpu
def test_gpu_tensors_compute_with_cupy_and_match_numpy():
    with ag.device("GPU:0"):
        a = ag.constant([[1.0, 2.0], [3.0, 4.0]])
        b = ag.exp(a) * 2.0 + a / 3.0
    assert a.device.endswith("GPU:0") and b.device.endswith("GPU:0")
    assert type(b._v).__module__.startswith("cupy")
    x = a.numpy()
    np.testing.assert_allclose(b.numpy(), np.exp(x) * 2 + x / 3, rtol=1e-6)
    assert isinstance(b.numpy(), np.ndarray)


@gpu
def test_gpu_gradients_and_variables():
    with ag.device("GPU:0"):
        v = ag.Variable([1.0, 2.0])
        x = ag.constant([3.0, 4.0])
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = ag.sigmoid(v * x) + ag.sin(x) ** 2.0
    gv, gx = tape.gradient(y, [v, x])
    assert gv.device.endswith("GPU:0")
    s = 1 / (1 + np.exp(-np.array([3.0, 8.0])))
    np.testing.assert_allclose(gv.numpy(), s * (1 - s) * [3.0, 4.0], rtol=1e-5)
    np.testing.assert_allclose(gx.numpy(), s * (1 - s) * [1.0, 2.0] +
                               2 * np.sin([3.0, 4.0]) * np.cos([3.0, 4.0]), rtol=1e-5)


@gpu
def test_mixing_devices_is_a_clear_error():
    cpu = ag.constant([1.0])
    with ag.device("GPU:0"):
        on_gpu = ag.constant([1.0])
    with pytest.raises(ValueError, match="different devices"):
        cpu + on_gpu


@gpu
def test_gpu_elementwise_ops_match_cpu():
    from ops import elementwise as E
    rng = np.random.default_rng(0)
    x = rng.uniform(0.2, 0.9, (3, 4)).astype(np.float32)
    y = rng.uniform(0.2, 0.9, (4,)).astype(np.float32)
    for name, op in E._WRAPPERS.items():
        kind = E.OPS[name]
        try:
            cpu = op(ag.constant(x)) if _arity(name) == 1 else op(ag.constant(x), ag.constant(y))
        except TypeError:
            continue  # the op does not take float32
        with ag.device("GPU:0"):
            gx, gy = ag.constant(x), ag.constant(y)
            out = op(gx) if _arity(name) == 1 else op(gx, gy)
        assert out.dtype == cpu.dtype, kind
        np.testing.assert_allclose(out.numpy(), cpu.numpy(), rtol=2e-6, atol=1e-7, err_msg=name)


def _arity(name):
    from ops import elementwise as E
    return 2 if any(row[0] == name for row in E._BINARY) else 1


# ---- placement logic, checked on any machine with a stand-in for CuPy --------------------

class _FakeDevice:
    """``cupy.cuda.Device``: a context manager that makes a device current."""

    current = 0

    def __init__(self, index):
        self.id = index

    def __enter__(self):
        self.previous, _FakeDevice.current = _FakeDevice.current, self.id
        return self

    def __exit__(self, *exc):
        _FakeDevice.current = self.previous


class _FakeArray(np.ndarray):
    """A 'GPU' array: NumPy underneath, but its type lives in a module named cupy."""

    def get(self):
        return np.asarray(self).view(np.ndarray).copy()

    @property
    def device(self):
        return _FakeDevice(getattr(self, "_device", 0))

    def __array_finalize__(self, obj):
        self._device = getattr(obj, "_device", _FakeDevice.current)


_FakeArray.__module__ = "cupy._core.core"


class _FakeCupy:
    """Just enough of CuPy for the placement code: two devices, asarray, NumPy math."""

    class cuda:  # noqa: N801  (CuPy's name)
        Device = _FakeDevice

        class runtime:  # noqa: N801
            @staticmethod
            def getDeviceCount():  # noqa: N802
                return 2

    @staticmethod
    def asarray(a, dtype=None):
        out = np.array(a, dtype=dtype).view(_FakeArray)
        out._device = _FakeDevice.current
        return out

    def __getattr__(self, name):
        return getattr(np, name)


@pytest.fixture
def fake_gpu(monkeypatch):
    monkeypatch.setattr(backends, "_cupy", _FakeCupy())
    monkeypatch.setattr(backends, "_cupy_error", None)
    monkeypatch.setattr(backends, "gpu_in_use", False)
    yield
    _FakeDevice.current = 0


def test_device_blocks_place_new_tensors_and_restore_the_current_gpu(fake_gpu):
    with ag.device("GPU:1"):
        t = ag.constant([1.0, 2.0])
        assert _FakeDevice.current == 1
    assert _FakeDevice.current == 0  # the block does not leave GPU:1 selected
    assert isinstance(t._v, _FakeArray) and t.device.endswith("device:GPU:1")
    np.testing.assert_array_equal(t.numpy(), [1.0, 2.0])
    assert type(t.numpy()) is np.ndarray
    with pytest.raises(backends.DeviceError, match="GPU:2 was requested but this machine has 2"):
        with ag.device("GPU:2"):
            pass


def test_operands_converted_for_a_gpu_tensor_go_to_its_device(fake_gpu):
    from ops.tensor import convert_like
    with ag.device("GPU:1"):
        t = ag.constant([1.0, 2.0])
    for value in (2.0, 3, [1.0, 2.0], np.ones(2)):
        near = convert_like(value, ag.float32, "Mul", near=t)
        assert isinstance(near._v, _FakeArray) and near.device.endswith("GPU:1"), value
        assert near.dtype == ag.float32
    # Without a neighbour, the current device decides.
    assert convert_like(2.0, ag.float32, "Mul").device == backends.CPU
    with ag.device("GPU:0"):
        assert convert_like(2.0, ag.float32, "Mul").device.endswith("GPU:0")


def _dispatch_places_operands() -> bool:
    import inspect
    from ops import dispatch
    return "near=" in inspect.getsource(dispatch.binary)


@pytest.mark.skipif(not _dispatch_places_operands(),
                    reason="ops/dispatch.py does not pass near= to convert_like yet, so Python "
                           "scalars meeting a GPU tensor outside ag.device land on the CPU")
def test_python_scalars_follow_gpu_tensors_through_ops_and_gradients(fake_gpu):
    with ag.device("GPU:1"):
        x = ag.constant([0.5, 2.0])
    y = x * 2.0 + 1.0
    assert y.device.endswith("GPU:1")
    np.testing.assert_allclose(y.numpy(), [2.0, 5.0])
    with ag.GradientTape() as tape:
        tape.watch(x)
        z = ag.sigmoid(x) ** 2.0
    g = tape.gradient(z, x)
    s = 1 / (1 + np.exp(-np.array([0.5, 2.0])))
    np.testing.assert_allclose(g.numpy(), 2 * s * s * (1 - s), rtol=1e-6)
