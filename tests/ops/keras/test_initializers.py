"""ag.keras.initializers: shapes, dtypes, the statistics each one promises, seeds, lookup by
name and config round trips."""
import math

import numpy as np
import pytest

import autograph as ag
from ops.keras import initializers

SHAPE = (200, 300)
FAN_IN, FAN_OUT = SHAPE


@pytest.mark.parametrize("name, std", [
    ("glorot_uniform", math.sqrt(2 / (FAN_IN + FAN_OUT))),
    ("glorot_normal", math.sqrt(2 / (FAN_IN + FAN_OUT))),
    ("he_uniform", math.sqrt(2 / FAN_IN)),
    ("he_normal", math.sqrt(2 / FAN_IN)),
    ("lecun_uniform", math.sqrt(1 / FAN_IN)),
    ("lecun_normal", math.sqrt(1 / FAN_IN)),
    ("random_normal", 0.05),
    ("random_uniform", 0.1 / math.sqrt(12)),
    ("truncated_normal", 0.05 * 0.8796),
])
def test_random_initializers_have_the_promised_spread(name, std):
    values = initializers.get(name)(SHAPE).numpy()
    assert values.shape == SHAPE and values.dtype == np.float32
    assert abs(values.mean()) < 0.05 * std + 1e-3
    np.testing.assert_allclose(values.std(), std, rtol=0.05)


def test_uniform_limits_and_truncation():
    limit = math.sqrt(6 / (FAN_IN + FAN_OUT))
    assert np.abs(initializers.GlorotUniform()(SHAPE).numpy()).max() <= limit
    stddev = math.sqrt(2 / FAN_IN) / 0.87962566103423978
    assert np.abs(initializers.HeNormal()(SHAPE).numpy()).max() <= 2 * stddev + 1e-6


def test_conv_kernels_count_the_receptive_field():
    assert initializers.compute_fans((3, 3, 16, 32)) == (144, 288)
    assert initializers.compute_fans((5,)) == (5, 5)
    assert initializers.compute_fans(()) == (1, 1)


def test_constant_zeros_ones_identity():
    np.testing.assert_array_equal(initializers.get("zeros")((2, 3)).numpy(), np.zeros((2, 3)))
    np.testing.assert_array_equal(initializers.Ones()((2,), dtype="int32").numpy(), [1, 1])
    np.testing.assert_array_equal(initializers.Constant(7)((2, 2)).numpy(), np.full((2, 2), 7))
    np.testing.assert_array_equal(initializers.Identity(gain=2)((2, 3)).numpy(),
                                  2 * np.eye(2, 3))
    with pytest.raises(ValueError, match="Constant: value has shape"):
        initializers.Constant([1, 2, 3])((2, 2))


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (3, 2, 4)])
def test_orthogonal_rows_or_columns_are_orthonormal(shape):
    q = initializers.Orthogonal(gain=1.5)(shape).numpy().reshape(-1, shape[-1])
    small = q.T @ q if q.shape[0] >= q.shape[1] else q @ q.T
    np.testing.assert_allclose(small, 1.5 ** 2 * np.eye(len(small)), atol=1e-5)


def test_seeded_initializers_repeat_unseeded_follow_the_global_seed():
    a = initializers.GlorotUniform(seed=3)((4, 4)).numpy()
    np.testing.assert_array_equal(a, initializers.GlorotUniform(seed=3)((4, 4)).numpy())
    assert not np.array_equal(a, initializers.GlorotUniform(seed=4)((4, 4)).numpy())
    ag.random.set_seed(11)
    first = initializers.RandomNormal()((3,)).numpy()
    ag.random.set_seed(11)
    np.testing.assert_array_equal(first, initializers.RandomNormal()((3,)).numpy())
    ag.random.set_seed(None)


def test_float64_and_bad_dtypes():
    assert initializers.HeNormal()((2, 2), dtype=ag.float64).dtype == ag.float64
    with pytest.raises(ValueError, match="expected a float dtype"):
        initializers.GlorotUniform()((2, 2), dtype="int32")


@pytest.mark.parametrize("name", sorted(initializers._BY_NAME))
def test_get_by_name_and_config_round_trip(name):
    init = initializers.get(name)
    assert isinstance(init, initializers.Initializer)
    again = initializers.deserialize(initializers.serialize(init))
    assert type(again) is type(init) and again.get_config() == init.get_config()


def test_get_passes_objects_and_callables_and_none():
    init = initializers.RandomNormal(stddev=2.0)
    assert initializers.get(init) is init
    assert initializers.get(np.zeros) is np.zeros
    assert initializers.get(None) is None
    assert initializers.get({"class_name": "RandomUniform",
                             "config": {"minval": 0, "maxval": 2}}).maxval == 2


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError) as e:
        initializers.get("glorot_unifrom", argument="kernel_initializer")
    message = str(e.value)
    assert "'glorot_unifrom'" in message and "kernel_initializer" in message
    assert "Did you mean 'glorot_uniform'" in message and "he_normal" in message
