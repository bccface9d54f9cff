"""Core layers against NumPy: Dense, Activation, Flatten, Reshape, Permute, RepeatVector,
the dropout family, Lambda, InputLayer; gradients by finite differences."""
import numpy as np
import pytest

import autograph as ag
from ops.keras import layers
from tests.ops.keras.layer_support import check_layer_grad

RNG = np.random.default_rng(0)


def normal(*shape, dtype=np.float32):
    return RNG.normal(size=shape).astype(dtype)


# ---- Dense ------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(4, 3), (2, 5, 3), (2, 2, 2, 3)])
@pytest.mark.parametrize("use_bias", [True, False])
def test_dense_matches_numpy(shape, use_bias):
    dense = layers.Dense(4, activation="tanh", use_bias=use_bias,
                         bias_initializer="random_normal")
    x = normal(*shape)
    out = dense(x)
    weights = dense.get_weights()
    expected = x @ weights[0] + (weights[1] if use_bias else 0)
    np.testing.assert_allclose(out.numpy(), np.tanh(expected), rtol=1e-5, atol=1e-6)
    assert tuple(out.shape) == shape[:-1] + (4,)
    assert dense.compute_output_shape(shape) == ag.TensorShape(shape[:-1] + (4,))
    assert len(dense.weights) == (2 if use_bias else 1)


def test_dense_kernel_is_glorot_uniform_by_default():
    dense = layers.Dense(300, input_shape=(200,))
    limit = np.sqrt(6 / 500)
    kernel = dense.kernel.numpy()
    assert np.abs(kernel).max() <= limit and kernel.std() > 0.5 * limit / np.sqrt(3)
    np.testing.assert_array_equal(dense.bias.numpy(), np.zeros(300))


@pytest.mark.parametrize("shape", [(3, 2), (2, 2, 2)])
def test_dense_gradients(shape):
    dense = layers.Dense(3, activation="sigmoid", dtype="float64",
                         bias_initializer="random_normal")
    check_layer_grad(dense, normal(*shape, dtype=np.float64))


def test_dense_needs_a_known_last_dimension():
    with pytest.raises(ValueError, match='Dense layer "head".*must be known.*\\(None, None\\)'):
        layers.Dense(2, name="head").build(ag.TensorShape([None, None]))
    with pytest.raises(ValueError, match="units must be a positive integer"):
        layers.Dense(0)


# ---- Activation, Flatten, Reshape, Permute, RepeatVector -------------------------------------

def test_activation_layer():
    x = normal(2, 3)
    np.testing.assert_allclose(layers.Activation("relu")(x).numpy(), np.maximum(x, 0))
    np.testing.assert_allclose(layers.Activation(ag.nn.softplus)(x).numpy(),
                               np.log1p(np.exp(x)), rtol=1e-6)


@pytest.mark.parametrize("shape", [(2, 3, 4), (2, 3), (2,), (0, 3, 2), (2, 0)])
def test_flatten(shape):
    x = normal(*shape)
    out = layers.Flatten()(x)
    expected = x.reshape(shape[0], int(np.prod(shape[1:])) if len(shape) > 1 else 1)
    np.testing.assert_array_equal(out.numpy(), expected)
    assert layers.Flatten().compute_output_shape(shape) == ag.TensorShape(expected.shape)


def test_flatten_channels_first_and_unknown_sizes():
    x = normal(2, 3, 4, 5)
    np.testing.assert_array_equal(layers.Flatten("channels_first")(x).numpy(),
                                  x.transpose(0, 2, 3, 1).reshape(2, -1))
    flatten = layers.Flatten()
    run = ag.function(flatten, input_signature=[ag.TensorSpec([None, None, 5])])
    np.testing.assert_array_equal(run(x[:, 0]).numpy(), x[:, 0].reshape(2, -1))
    assert run.get_concrete_function().graph.outputs[0].shape == (None, None)
    assert flatten.compute_output_shape((None, None, 5)) == ag.TensorShape([None, None])


def test_reshape():
    x = normal(2, 12)
    np.testing.assert_array_equal(layers.Reshape((3, 4))(x).numpy(), x.reshape(2, 3, 4))
    np.testing.assert_array_equal(layers.Reshape((-1, 2))(x).numpy(), x.reshape(2, 6, 2))
    assert layers.Reshape((-1, 2)).compute_output_shape((None, 12)) == \
        ag.TensorShape([None, 6, 2])
    run = ag.function(layers.Reshape((2, -1)), input_signature=[ag.TensorSpec([None, None])])
    np.testing.assert_array_equal(run(x).numpy(), x.reshape(2, 2, 6))
    with pytest.raises(ValueError, match='Reshape layer "reshape_.*unchanged.*12 values'):
        layers.Reshape((5,))(x)
    with pytest.raises(ValueError, match="at most one -1"):
        layers.Reshape((-1, -1))


def test_permute_and_repeat_vector():
    x = normal(2, 3, 4)
    np.testing.assert_array_equal(layers.Permute((2, 1))(x).numpy(), x.transpose(0, 2, 1))
    assert layers.Permute((2, 1)).compute_output_shape((None, 3, 4)) == (None, 4, 3)
    with pytest.raises(ValueError, match="permutation of 1..2"):
        layers.Permute((0, 1))
    y = normal(2, 3)
    np.testing.assert_array_equal(layers.RepeatVector(4)(y).numpy(),
                                  np.repeat(y[:, None], 4, axis=1))


# ---- dropout family ------------------------------------------------------------------------

def test_dropout_passes_through_at_inference():
    x = normal(3, 4)
    drop = layers.Dropout(0.5)
    np.testing.assert_array_equal(drop(x).numpy(), x)
    np.testing.assert_array_equal(drop(x, training=False).numpy(), x)


def test_dropout_in_training_zeroes_at_rate_and_rescales():
    x = np.ones((200, 100), np.float32)
    out = layers.Dropout(0.3)(x, training=True).numpy()
    kept = out != 0
    assert abs(1 - kept.mean() - 0.3) < 0.02
    np.testing.assert_allclose(out[kept], 1 / 0.7, rtol=1e-6)


def test_dropout_noise_shape_and_spatial_dropout_share_decisions():
    x = np.ones((4, 50, 3), np.float32)
    out = layers.Dropout(0.5, noise_shape=(None, 1, None))(x, training=True).numpy()
    assert (out == out[:, :1, :]).all()
    out = layers.SpatialDropout1D(0.5)(x, training=True).numpy()
    assert (out == out[:, :1, :]).all()
    images = np.ones((2, 5, 5, 8), np.float32)
    out = layers.SpatialDropout2D(0.5)(images, training=True).numpy()
    assert (out == out[:, :1, :1, :]).all()


def test_dropout_training_flag_as_tensor_inside_function():
    drop = layers.Dropout(0.5)
    run = ag.function(lambda x, training: drop(x, training=training))
    x = np.ones((50, 50), np.float32)
    assert (run(x, ag.constant(True)).numpy() == 0).any()
    np.testing.assert_array_equal(run(x, ag.constant(False)).numpy(), x)


def test_dropout_rate_is_checked():
    with pytest.raises(ValueError, match=r"Dropout: rate must be a float in the range \[0, 1\)"):
        layers.Dropout(1.5)


def test_gaussian_noise_and_dropout():
    x = np.ones((400, 100), np.float32)
    np.testing.assert_array_equal(layers.GaussianNoise(0.5)(x).numpy(), x)
    noisy = layers.GaussianNoise(0.5)(x, training=True).numpy()
    np.testing.assert_allclose([noisy.mean(), noisy.std()], [1.0, 0.5], atol=0.02)
    scaled = layers.GaussianDropout(0.2)(x, training=True).numpy()
    np.testing.assert_allclose([scaled.mean(), scaled.std()], [1.0, np.sqrt(0.25)], atol=0.02)


def test_activity_regularization_layer():
    layer = layers.ActivityRegularization(l1=0.1)
    x = normal(4, 3)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    np.testing.assert_allclose(float(layer.losses[0]), 0.1 * np.abs(x).sum() / 4, rtol=1e-6)


# ---- Lambda and InputLayer -----------------------------------------------------------------

def double(x, factor=2.0):
    return x * factor


def test_lambda_layer_and_its_config():
    x = normal(2, 3)
    layer = layers.Lambda(double, arguments={"factor": 3.0})
    np.testing.assert_allclose(layer(x).numpy(), 3 * x)
    clone = layers.Lambda.from_config(layer.get_config(), custom_objects={"double": double})
    np.testing.assert_allclose(clone(x).numpy(), 3 * x)
    with pytest.raises(ValueError, match="anonymous function"):
        layers.Lambda(lambda v: v).get_config()
    assert layers.Lambda(lambda v: v[:, :1]).compute_output_shape((None, 3)) == (None, 1)


def test_input_layer_passes_through():
    inp = layers.InputLayer(input_shape=(3,))
    assert inp.name.startswith("input_") and inp.built
    assert inp.get_config()["batch_input_shape"] == (None, 3)
    x = normal(2, 3)
    np.testing.assert_array_equal(inp(x).numpy(), x)
