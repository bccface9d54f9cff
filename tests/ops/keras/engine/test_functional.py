"""Functional models: symbolic KerasTensors, the recorded graph re-run on real tensors, several
inputs and outputs, shared layers, operators, configs and clones."""
import numpy as np
import pytest

from ops.keras import layers
from ops.keras.engine import (Functional, Input, KerasTensor, Model, Sequential, clone_model,
                              model_from_config)
from tests.ops.keras.engine.support import dense_forward

RNG = np.random.default_rng(0)


def test_input_and_layer_calls_give_keras_tensors_with_shapes():
    x = Input(shape=(28, 28), name="image")
    assert isinstance(x, KerasTensor) and x.shape == (None, 28, 28) and x.dtype.name == "float32"
    h = layers.Flatten()(x)
    assert h.shape == (None, 784)
    assert "KerasTensor" in repr(h) and "flatten" in repr(h)
    with pytest.raises(TypeError, match="symbolic KerasTensor"):
        bool(h)
    with pytest.raises(TypeError, match="symbolic KerasTensor"):
        np.asarray(h)


def test_model_of_inputs_and_outputs_is_functional_and_matches_numpy():
    inputs = Input(shape=(6,))
    hidden = layers.Dense(5, activation="relu")(inputs)
    outputs = layers.Dense(2)(hidden)
    model = Model(inputs, outputs)
    assert isinstance(model, Functional) and model.name == "model"
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "Dense", "Dense"]
    x = RNG.standard_normal((3, 6)).astype(np.float32)
    expected = dense_forward(x, model.get_weights(), ["relu", None])
    np.testing.assert_allclose(model(x).numpy(), expected, rtol=1e-5, atol=1e-6)
    assert model(x, training=True).shape == (3, 2)


def test_multiple_inputs_and_outputs_by_position_and_by_name():
    a, b = Input(shape=(3,), name="a"), Input(shape=(2,), name="b")
    merged = layers.Concatenate()([a, b])
    out1 = layers.Dense(1, name="first")(merged)
    out2 = layers.Dense(4, name="second")(merged)
    model = Model(inputs=[a, b], outputs=[out1, out2])
    assert model.input_names == ["a", "b"] and model.output_names == ["first", "second"]
    xa, xb = np.ones((2, 3), np.float32), np.ones((2, 2), np.float32)
    y1, y2 = model([xa, xb])
    assert y1.shape == (2, 1) and y2.shape == (2, 4)
    by_name = model({"b": xb, "a": xa})
    np.testing.assert_allclose(by_name[0].numpy(), y1.numpy())
    with pytest.raises(ValueError, match="expects 2 input"):
        model(xa)


def test_dict_inputs_and_outputs():
    a, b = Input(shape=(2,), name="left"), Input(shape=(2,), name="right")
    model = Model({"left": a, "right": b}, {"sum": layers.Add()([a, b])})
    out = model({"left": np.ones((1, 2), np.float32), "right": np.full((1, 2), 2, np.float32)})
    np.testing.assert_allclose(out["sum"].numpy(), [[3.0, 3.0]])


def test_a_shared_layer_is_called_twice_and_its_weights_count_once():
    shared = layers.Dense(3, name="shared")
    a, b = Input(shape=(4,)), Input(shape=(4,))
    model = Model([a, b], layers.Add()([shared(a), shared(b)]))
    assert len(model.weights) == 2
    x = RNG.standard_normal((2, 4)).astype(np.float32)
    w, bias = shared.get_weights()
    np.testing.assert_allclose(model([x, x]).numpy(), 2 * (x @ w + bias), rtol=1e-5)
    summary = []
    model.summary(print_fn=summary.append)
    assert any("shared (Dense)" in line and "multiple" in line for line in summary)


def test_operators_on_keras_tensors_become_layers():
    x = Input(shape=(3,))
    y = -(2.0 * x + 1.0) / 4.0
    z = y[:, :2]
    model = Model(x, [y, z])
    data = RNG.standard_normal((2, 3)).astype(np.float32)
    out_y, out_z = model(data)
    np.testing.assert_allclose(out_y.numpy(), -(2 * data + 1) / 4, rtol=1e-6)
    np.testing.assert_allclose(out_z.numpy(), (-(2 * data + 1) / 4)[:, :2], rtol=1e-6)


def test_training_flag_reaches_layers_and_recorded_kwargs_stay():
    x = Input(shape=(500,))
    always = layers.Dropout(0.5)(x, training=True)
    model = Model(x, [layers.Dropout(0.5)(x), always])
    ones = np.ones((1, 500), np.float32)
    inference, forced = model(ones)
    np.testing.assert_array_equal(inference.numpy(), ones)
    assert (forced.numpy() == 0).any()
    trained, _ = model(ones, training=True)
    assert (trained.numpy() == 0).any()


def test_disconnected_graph_and_non_input_tensors_are_errors():
    a, b = Input(shape=(2,)), Input(shape=(2,))
    out = layers.Add()([a, b])
    with pytest.raises(ValueError, match="Graph disconnected"):
        Model(a, out)
    with pytest.raises(TypeError, match="KerasTensors"):
        Model(a, np.ones(2))
    hidden = layers.Dense(2)(a)
    with pytest.raises(ValueError, match="must come from ag.keras.Input"):
        Model(hidden, layers.Dense(1)(hidden))


def test_input_shape_mismatch_names_the_model_and_both_shapes():
    x = Input(shape=(8, 8))
    model = Model(x, layers.Flatten()(x), name="digits")
    with pytest.raises(ValueError) as info:
        model(np.ones((4, 8, 7), np.float32))
    assert '"digits"' in str(info.value) and "(None, 8, 8)" in str(info.value)
    assert "(4, 8, 7)" in str(info.value)


def test_integer_inputs_are_cast_to_the_input_dtype():
    ids = Input(shape=(3,), dtype="int32")
    model = Model(ids, layers.Embedding(5, 2)(ids))
    assert model(np.array([[0, 1, 4]], np.int64)).shape == (1, 3, 2)


def test_nested_models_are_layers_of_a_functional_model():
    block = Sequential([layers.Dense(4, activation="relu", input_shape=(3,)), layers.Dense(3)])
    x = Input(shape=(3,))
    model = Model(x, block(x) + x)
    assert len(model.weights) == 4
    data = RNG.standard_normal((2, 3)).astype(np.float32)
    np.testing.assert_allclose(model(data).numpy(), block(data).numpy() + data, rtol=1e-6)


def test_config_round_trip_rebuilds_the_same_graph():
    a, b = Input(shape=(4,), name="a"), Input(shape=(4,), name="b")
    shared = layers.Dense(3, name="shared")
    out = layers.Dense(1, name="head")(layers.Concatenate()([shared(a), shared(b)]) * 0.5)
    model = Model([a, b], out, name="siamese")
    config = {"class_name": "Functional", "config": model.get_config()}
    clone = model_from_config(config)
    assert isinstance(clone, Functional) and clone.name == "siamese"
    assert [w.shape for w in clone.weights] == [w.shape for w in model.weights]
    clone.set_weights(model.get_weights())
    xa, xb = RNG.standard_normal((2, 4)), RNG.standard_normal((2, 4))
    np.testing.assert_allclose(clone([xa, xb]).numpy(), model([xa, xb]).numpy(), rtol=1e-6)


def test_clone_model_makes_new_weights_for_functional_and_sequential():
    x = Input(shape=(3,))
    functional = Model(x, layers.Dense(2)(layers.Dense(4)(x)))
    sequential = Sequential([layers.Dense(4, input_shape=(3,)), layers.Dense(2)])
    for model in (functional, sequential):
        clone = clone_model(model)
        assert type(clone) is type(model)
        assert [w.shape for w in clone.weights] == [w.shape for w in model.weights]
        assert not any(w1 is w2 for w1, w2 in zip(clone.weights, model.weights))
        assert clone(np.ones((1, 3), np.float32)).shape == (1, 2)
