"""Activation layers, image reshaping layers and the TimeDistributed / Bidirectional wrappers
against NumPy."""
import numpy as np
import pytest

import autograph as ag
from ops.keras import layers
from tests.ops.keras.layer_support import check_layer_grad

RNG = np.random.default_rng(0)


def normal(*shape, dtype=np.float32):
    return RNG.normal(size=shape).astype(dtype)


def test_activation_layers():
    x = normal(3, 4) * 3
    np.testing.assert_allclose(layers.ReLU(max_value=2.0)(x).numpy(), np.clip(x, 0, 2))
    np.testing.assert_allclose(layers.ReLU(negative_slope=0.1)(x).numpy(),
                               np.where(x > 0, x, 0.1 * x), rtol=1e-6)
    np.testing.assert_allclose(layers.LeakyReLU()(x).numpy(), np.where(x > 0, x, 0.3 * x),
                               rtol=1e-6)
    np.testing.assert_allclose(layers.ELU(0.5)(x).numpy(), np.where(x > 0, x, 0.5 * np.expm1(x)),
                               rtol=1e-5, atol=1e-7)
    e = np.exp(x - x.max(1, keepdims=True))
    np.testing.assert_allclose(layers.Softmax()(x).numpy(), e / e.sum(1, keepdims=True),
                               rtol=1e-5)
    mask = np.array([[1, 1, 0, 0]] * 3, bool)
    masked = layers.Softmax()(x, mask=ag.constant(mask)).numpy()
    em = np.exp(x[:, :2] - x[:, :2].max(1, keepdims=True))
    np.testing.assert_allclose(masked[:, :2], em / em.sum(1, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(masked[:, 2:], 0, atol=1e-7)


def test_prelu_slopes_are_trainable():
    prelu = layers.PReLU(alpha_initializer="random_uniform", shared_axes=[1], dtype="float64")
    x = normal(2, 3, 4, dtype=np.float64)
    out = prelu(x)
    alpha = prelu.alpha.numpy()
    assert alpha.shape == (1, 4)
    np.testing.assert_allclose(out.numpy(), np.where(x > 0, x, alpha * x))
    check_layer_grad(prelu, np.where(np.abs(x) < 0.1, 0.5, x))


def test_zero_padding_cropping_upsampling():
    x = normal(2, 3, 4, 2)
    np.testing.assert_array_equal(layers.ZeroPadding2D(((1, 0), (2, 1)))(x).numpy(),
                                  np.pad(x, ((0, 0), (1, 0), (2, 1), (0, 0))))
    np.testing.assert_array_equal(layers.ZeroPadding2D(1, data_format="channels_first")(x)
                                  .numpy(), np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1))))
    np.testing.assert_array_equal(layers.Cropping2D(((1, 0), (1, 2)))(x).numpy(),
                                  x[:, 1:, 1:2])
    np.testing.assert_array_equal(layers.UpSampling2D((2, 3))(x).numpy(),
                                  x.repeat(2, axis=1).repeat(3, axis=2))
    run = ag.function(layers.UpSampling2D(), input_signature=[ag.TensorSpec([None, None, 4, 2])])
    np.testing.assert_array_equal(run(x).numpy(), x.repeat(2, 1).repeat(2, 2))
    assert layers.UpSampling2D(2).compute_output_shape((None, 3, 4, 2)) == (None, 6, 8, 2)
    assert layers.ZeroPadding2D(2).compute_output_shape((None, 3, 4, 2)) == (None, 7, 8, 2)
    assert layers.Cropping2D(1).compute_output_shape((None, 3, 4, 2)) == (None, 1, 2, 2)


def test_rescaling():
    pixels = np.array([[0, 128, 255]], np.uint8)
    out = layers.Rescaling(1 / 255.0, offset=-0.5)(ag.constant(pixels))
    assert out.dtype == ag.float32
    np.testing.assert_allclose(out.numpy(), pixels / 255.0 - 0.5, atol=1e-7)


def test_time_distributed_applies_the_layer_to_each_step():
    x = normal(2, 5, 3)
    td = layers.TimeDistributed(layers.Dense(4))
    out = td(x)
    kernel, bias = td.layer.get_weights()
    np.testing.assert_allclose(out.numpy(), x @ kernel + bias, rtol=1e-5, atol=1e-6)
    assert [w.name for w in td.weights] == ["time_distributed/dense/kernel:0",
                                            "time_distributed/dense/bias:0"]
    run = ag.function(td, input_signature=[ag.TensorSpec([None, None, 3])])
    np.testing.assert_allclose(run(x).numpy(), out.numpy(), rtol=1e-6)
    assert td.compute_output_shape((None, 5, 3)) == (None, 5, 4)
    images = normal(2, 3, 6, 6, 1)
    conv = layers.TimeDistributed(layers.Conv2D(2, 3))
    assert tuple(conv(images).shape) == (2, 3, 4, 4, 2)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
def test_bidirectional_merges_forward_and_reversed_backward(merge_mode):
    x = normal(2, 4, 3)
    bi = layers.Bidirectional(layers.GRU(3, return_sequences=True), merge_mode=merge_mode)
    out = bi(x)
    forward = layers.GRU(3, return_sequences=True)
    backward = layers.GRU(3, return_sequences=True)
    forward(x)
    backward(x[:, ::-1])
    forward.set_weights(bi.forward_layer.get_weights())
    backward.set_weights(bi.backward_layer.get_weights())
    f = forward(x).numpy()
    b = backward(x[:, ::-1]).numpy()[:, ::-1]
    expected = {"concat": np.concatenate([f, b], -1), "sum": f + b, "mul": f * b,
                "ave": (f + b) / 2, None: [f, b]}[merge_mode]
    for got, want in zip(out if merge_mode is None else [out],
                         expected if merge_mode is None else [expected]):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-6)
    assert len(bi.trainable_weights) == 6
    assert bi.weights[0].name == "bidirectional/forward_gru/gru_cell/kernel:0"


def test_bidirectional_states():
    bi = layers.Bidirectional(layers.LSTM(2, return_state=True))
    out, *states = bi(normal(2, 3, 4))
    assert tuple(out.shape) == (2, 4) and len(states) == 4
    assert bi.compute_output_shape((2, 3, 4)) == [(2, 4), (2, 2), (2, 2), (2, 2), (2, 2)]
    with pytest.raises(ValueError, match="expected an RNN layer"):
        layers.Bidirectional(layers.Dense(2))
