"""BatchNormalization (training, inference, moving statistics, freezing) and
LayerNormalization against NumPy; Embedding and the merge layers."""
import numpy as np
import pytest

import autograph as ag
from ops.keras import layers
from tests.ops.keras.layer_support import check_layer_grad

RNG = np.random.default_rng(0)


def normal(*shape, dtype=np.float32):
    return RNG.normal(size=shape).astype(dtype)


def batch_norm_np(x, axes, gamma, beta, eps):
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta, mean, var


# ---- BatchNormalization ----------------------------------------------------------------------

def test_batch_norm_training_normalises_with_batch_statistics_and_updates_moving_ones():
    bn = layers.BatchNormalization(momentum=0.9, gamma_initializer="random_normal",
                                   beta_initializer="random_normal")
    x = normal(8, 5, 5, 3) * 3 + 1
    out = bn(x, training=True)
    gamma, beta, moving_mean, moving_var = bn.get_weights()
    expected, mean, var = batch_norm_np(x, (0, 1, 2), gamma, beta, 1e-3)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(moving_mean, 0.1 * mean.ravel(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(moving_var, 0.9 + 0.1 * var.ravel(), rtol=1e-5)
    assert [w.name for w in bn.weights] == [
        "batch_normalization/gamma:0", "batch_normalization/beta:0",
        "batch_normalization/moving_mean:0", "batch_normalization/moving_variance:0"]
    assert [w.trainable for w in bn.weights] == [True, True, False, False]


def test_batch_norm_inference_uses_moving_statistics():
    bn = layers.BatchNormalization(epsilon=0.01)
    x = normal(4, 3)
    bn(x)
    bn.set_weights([np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, -1.0]),
                    np.array([0.5, 0.0, -0.5]), np.array([4.0, 1.0, 0.25])])
    expected = (x - [0.5, 0.0, -0.5]) / np.sqrt(np.array([4.0, 1.0, 0.25]) + 0.01) * \
        [1.0, 2.0, 3.0] + [0.0, 1.0, -1.0]
    for training in (None, False):
        np.testing.assert_allclose(bn(x, training=training).numpy(), expected, rtol=1e-5)
    np.testing.assert_allclose(bn.moving_mean.numpy(), [0.5, 0.0, -0.5])   # unchanged


def test_frozen_batch_norm_runs_in_inference_mode_even_when_training():
    bn = layers.BatchNormalization()
    x = normal(6, 2) + 5
    bn(x)
    bn.trainable = False
    np.testing.assert_allclose(bn(x, training=True).numpy(), bn(x, training=False).numpy())
    np.testing.assert_array_equal(bn.moving_mean.numpy(), [0, 0])
    assert bn.trainable_weights == [] and len(bn.non_trainable_weights) == 4


def test_batch_norm_axis_1_and_options():
    bn = layers.BatchNormalization(axis=1, center=False, scale=False)
    x = normal(4, 3, 5)
    out = bn(x, training=True)
    expected, _, _ = batch_norm_np(x, (0, 2), 1.0, 0.0, 1e-3)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-4, atol=1e-5)
    assert len(bn.weights) == 2 and bn.moving_mean.shape == (3,)


def test_batch_norm_in_function_updates_moving_statistics_per_call():
    bn = layers.BatchNormalization(momentum=0.5)
    step = ag.function(lambda x: bn(x, training=True))
    x = normal(16, 2) + 2
    step(x)
    step(x)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.75 * x.mean(0), rtol=1e-5)


def test_batch_norm_gradients():
    bn = layers.BatchNormalization(dtype="float64", gamma_initializer="random_normal",
                                   beta_initializer="random_normal")
    check_layer_grad(bn, normal(4, 3, dtype=np.float64), training=True)
    check_layer_grad(bn, normal(4, 3, dtype=np.float64), training=False)


def test_batch_norm_checks_the_channel_axis():
    bn = layers.BatchNormalization(name="bn")
    bn(normal(2, 3))
    with pytest.raises(ValueError, match='layer "bn".*axis 1 of input shape to have value 3.*'
                                         r'\(2, 4\)'):
        bn(normal(2, 4))


# ---- LayerNormalization ------------------------------------------------------------------------

@pytest.mark.parametrize("axis, shape", [(-1, (3, 5)), (-1, (2, 3, 4)), ([1, 2], (2, 3, 4))])
def test_layer_norm_matches_numpy(axis, shape):
    ln = layers.LayerNormalization(axis=axis, gamma_initializer="random_normal",
                                   beta_initializer="random_normal")
    x = normal(*shape) * 2 + 1
    out = ln(x)
    gamma, beta = ln.get_weights()
    axes = tuple(a % len(shape) for a in (axis if isinstance(axis, list) else [axis]))
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    np.testing.assert_allclose(out.numpy(), (x - mean) / np.sqrt(var + 1e-3) * gamma + beta,
                               rtol=1e-4, atol=1e-5)
    assert gamma.shape == tuple(shape[a] for a in axes)


def test_layer_norm_gradients():
    ln = layers.LayerNormalization(dtype="float64", gamma_initializer="random_normal")
    check_layer_grad(ln, normal(2, 4, dtype=np.float64))


# ---- Embedding ---------------------------------------------------------------------------------

def test_embedding_looks_rows_up():
    emb = layers.Embedding(10, 3)
    ids = np.array([[1, 2, 9], [0, 0, 4]])
    out = emb(ids)
    table = emb.get_weights()[0]
    np.testing.assert_array_equal(out.numpy(), table[ids])
    assert np.abs(table).max() <= 0.05       # "uniform" = RandomUniform(-0.05, 0.05)
    assert emb.built and emb.embeddings.name == "embedding/embeddings:0"
    assert emb.compute_output_shape((None, 3)) == (None, 3, 3)
    np.testing.assert_array_equal(emb(ids.astype(np.float32)).numpy(), table[ids])


def test_embedding_mask_and_gradient():
    emb = layers.Embedding(5, 2, mask_zero=True)
    ids = ag.constant([[3, 0], [1, 3]])
    np.testing.assert_array_equal(emb.compute_mask(ids).numpy(), [[True, False], [True, True]])
    assert layers.Embedding(5, 2).compute_mask(ids) is None
    with ag.GradientTape() as tape:
        loss = ag.reduce_sum(emb(ids))
    grad = ag.convert_to_tensor(tape.gradient(loss, emb.embeddings)).numpy()
    np.testing.assert_array_equal(grad[:, 0], [1, 1, 0, 2, 0])


def test_embedding_rejects_out_of_range_ids():
    with pytest.raises(Exception, match="embedding|GatherV2|range"):
        layers.Embedding(3, 2)(np.array([[5]]))


# ---- merge layers ------------------------------------------------------------------------------

def test_merge_layers_match_numpy():
    a, b, c = normal(2, 3), normal(2, 3), normal(2, 3)
    np.testing.assert_allclose(layers.Add()([a, b, c]).numpy(), a + b + c, rtol=1e-6)
    np.testing.assert_allclose(layers.Subtract()([a, b]).numpy(), a - b)
    np.testing.assert_allclose(layers.Multiply()([a, b]).numpy(), a * b)
    np.testing.assert_allclose(layers.Average()([a, b]).numpy(), (a + b) / 2, rtol=1e-6)
    np.testing.assert_allclose(layers.Maximum()([a, b]).numpy(), np.maximum(a, b))
    np.testing.assert_allclose(layers.Minimum()([a, b]).numpy(), np.minimum(a, b))
    np.testing.assert_allclose(layers.concatenate([a, b], axis=0).numpy(),
                               np.concatenate([a, b]))
    np.testing.assert_allclose(layers.Dot(axes=1)([a, b]).numpy(),
                               (a * b).sum(1, keepdims=True), rtol=1e-5)
    x3, y3 = normal(2, 4, 3), normal(2, 5, 3)
    np.testing.assert_allclose(layers.Dot(axes=(2, 2))([x3, y3]).numpy(),
                               np.einsum("bik,bjk->bij", x3, y3), rtol=1e-5)
    assert layers.Dot(axes=(2, 2)).compute_output_shape([(None, 4, 3), (None, 5, 3)]) == \
        (None, 4, 5)
    assert layers.Concatenate().compute_output_shape([(None, 3), (None, 4)]) == (None, 7)


def test_merge_errors():
    with pytest.raises(ValueError, match=r'Layer "sub" \(Subtract\) expects 2 inputs, got 3'):
        layers.Subtract(name="sub")([normal(1), normal(1), normal(1)])
    with pytest.raises(ValueError, match="cannot be combined elementwise"):
        layers.Add()([normal(2, 3), normal(2, 4)])
    with pytest.raises(ValueError, match="matching shapes except for the concatenation axis"):
        layers.Concatenate(axis=1)([normal(2, 3), normal(3, 3)])
