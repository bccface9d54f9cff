"""Sequential: building (with and without an input shape), the forward pass against NumPy,
add/pop, masks, and the errors a user meets first."""
import numpy as np
import pytest

import autograph as ag
from ops.keras import layers
from ops.keras.engine import Input, Sequential
from tests.ops.keras.engine.support import dense_forward


def test_input_shape_on_the_first_layer_builds_at_once_and_matches_numpy():
    model = Sequential([layers.Dense(8, activation="relu", input_shape=(5,)), layers.Dense(3)])
    assert model.built and [w.shape for w in model.get_weights()] == [(5, 8), (8,), (8, 3), (3,)]
    assert model.input_shape == (None, 5) and model.output_shape == (None, 3)
    x = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    expected = dense_forward(x, model.get_weights(), ["relu", None])
    np.testing.assert_allclose(model(x).numpy(), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_deferred_build_on_first_call_leaves_the_batch_size_open():
    model = Sequential()
    model.add(layers.Dense(4))
    model.add(layers.Dense(2))
    assert not model.built and model.weights == []
    model(np.ones((3, 6), np.float32))
    assert model.built and model.input_shape == (None, 6)
    assert model(np.ones((7, 6), np.float32)).shape == (7, 2)


def test_input_layer_or_keras_input_first_and_layers_excludes_it():
    a = Sequential([layers.InputLayer(input_shape=(4,)), layers.Dense(2)])
    b = Sequential([Input(shape=(4,)), layers.Dense(2)])
    for model in (a, b):
        assert model.built and len(model.layers) == 1
        assert isinstance(model.layers[0], layers.Dense)


def test_pop_removes_the_last_layer_and_rebuilds_shapes():
    model = Sequential([layers.Dense(4, input_shape=(3,)), layers.Dense(5), layers.Dense(6)])
    model.pop()
    assert [layer.units for layer in model.layers] == [4, 5]
    assert model.output_shape == (None, 5)
    assert model(np.ones((2, 3), np.float32)).shape == (2, 5)
    model.pop()
    model.pop()
    with pytest.raises(TypeError, match="no layers"):
        model.pop()


def test_add_rejects_non_layers_duplicate_names_and_leaves_the_model_unchanged():
    model = Sequential([layers.Dense(4, input_shape=(3,), name="hidden")])
    with pytest.raises(TypeError, match="instance of class Layer"):
        model.add(lambda x: x)
    with pytest.raises(ValueError, match="unique names"):
        model.add(layers.Dense(2, name="hidden"))
    with pytest.raises(ValueError, match="Reshape"):
        model.add(layers.Reshape((5,)))      # 4 values cannot become 5
    assert [layer.name for layer in model.layers] == ["hidden"]


def test_mismatched_input_shape_names_the_model_and_both_shapes():
    model = Sequential([layers.Dense(4, input_shape=(3,))])
    with pytest.raises(ValueError) as info:
        model(np.ones((2, 5), np.float32))
    message = str(info.value)
    assert '"sequential"' in message and "(None, 3)" in message and "(2, 5)" in message


def test_deferred_model_checks_shapes_in_its_layers_not_against_the_first_call():
    model = Sequential([layers.Dense(4)])
    model(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match='layer "dense".*(2, 6)'):
        model(np.ones((2, 6), np.float32))


def test_a_trailing_axis_of_one_is_added_as_keras_does():
    model = Sequential([layers.Dense(2, input_shape=(1,))])
    assert model(np.ones((5,), np.float32)).shape == (5, 2)


def test_training_reaches_dropout_inside_the_model():
    model = Sequential([layers.Dropout(0.5, input_shape=(1000,))])
    x = np.ones((1, 1000), np.float32)
    np.testing.assert_array_equal(model(x).numpy(), x)
    dropped = model(x, training=True).numpy()
    assert 0.3 < np.mean(dropped == 0) < 0.7


def test_masks_flow_from_embedding_to_the_layers_after_it():
    model = Sequential([layers.Embedding(10, 3, mask_zero=True),
                        layers.SimpleRNN(4, return_sequences=False)])
    ids = np.array([[1, 2, 0, 0], [3, 0, 0, 0]])
    full = model(ids).numpy()
    truncated = model(ids[:, :2]).numpy()
    # Masked steps do not change the state: padding is as if the sequence were shorter.
    np.testing.assert_allclose(full, truncated, rtol=1e-5, atol=1e-6)


def test_nested_sequential_counts_weights_once_and_trains_as_one_model():
    inner = Sequential([layers.Dense(4, input_shape=(3,)), layers.Dense(4)])
    outer = Sequential([inner, layers.Dense(1)])
    assert len(outer.weights) == 6
    assert outer(np.ones((2, 3), np.float32)).shape == (2, 1)
    inner.trainable = False
    assert len(outer.trainable_weights) == 2


def test_seed_001_sequential_module_introspection():
    model = Sequential()
    model.add(layers.Dense(4, input_shape=(10,)))
    model.add(layers.Dense(2))
    model.add(layers.Dense(1))
    assert [v.name for v in model.variables][:2] == ["dense/kernel:0", "dense/bias:0"]
    model.layers[0].trainable = False
    assert len(model.trainable_variables) == 4
    assert set(map(id, model.layers)) <= set(map(id, model.submodules))
    assert model.name == "sequential" and model.name_scope() == "sequential/"


def test_seed_003_stack_builds_with_keras_shapes():
    model = Sequential([layers.Flatten(input_shape=(28, 28)),
                        layers.Dense(128, activation="relu"), layers.Dropout(0.2),
                        layers.Dense(10)])
    assert model.count_params() == 101770
    out = model(ag.zeros((2, 28, 28)))
    assert out.shape == (2, 10)
