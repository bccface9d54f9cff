"""Weights files, ``model.save`` / ``load_model``, summaries as text, configs as JSON."""
import json
import os

import numpy as np
import pytest

import autograph as ag
from ops.keras import layers
from ops.keras.engine import Input, Model, Sequential, load_model, model_from_json
from ops.saved_model import load
from tests.ops.keras.engine.support import compiled_mlp, digits, mlp


def test_save_and_load_weights_round_trip(tmp_path):
    x, y, _, _ = digits()
    model = compiled_mlp()
    model.fit(x[:64], y[:64], epochs=1, verbose=0)
    path = tmp_path / "mlp.weights"
    model.save_weights(path)
    other = mlp()
    other.load_weights(str(path))
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(model.predict(x[:8], verbose=0), other.predict(x[:8], verbose=0))


def test_loading_another_architecture_names_the_layer_and_shapes_and_changes_nothing(tmp_path):
    path = tmp_path / "w"
    mlp(hidden=32).save_weights(path)
    narrower = mlp(hidden=16)
    before = narrower.get_weights()
    with pytest.raises(ValueError) as info:
        narrower.load_weights(path)
    message = str(info.value)
    assert '"dense_' in message and "(64, 16)" in message and "(64, 32)" in message
    assert "No weight was changed" in message
    for a, b in zip(before, narrower.get_weights()):
        np.testing.assert_array_equal(a, b)
    deeper = Sequential([layers.Dense(32, input_shape=(64,)), layers.Dense(10),
                         layers.Dense(10)])
    before = deeper.get_weights()
    with pytest.raises(ValueError, match="holds 4 weights but the model has 6"):
        deeper.load_weights(path)
    for a, b in zip(before, deeper.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_unbuilt_models_cannot_load_or_save_weights(tmp_path):
    mlp().save_weights(tmp_path / "w")
    with pytest.raises(ValueError, match="not built"):
        Sequential([layers.Dense(32), layers.Dense(10)]).load_weights(tmp_path / "w")
    with pytest.raises(ValueError, match="not built"):
        Sequential([layers.Dense(3)]).save_weights(tmp_path / "v")


def test_save_and_load_model_gives_a_compiled_keras_model(tmp_path):
    x, y, x_test, y_test = digits()
    model = compiled_mlp()
    model.fit(x[:256], y[:256], epochs=2, verbose=0)
    model.save(tmp_path / "model")
    restored = load_model(tmp_path / "model")
    assert isinstance(restored, Sequential) and restored.name == model.name
    np.testing.assert_allclose(restored.predict(x_test, verbose=0),
                               model.predict(x_test, verbose=0), rtol=1e-6)
    assert restored.evaluate(x_test, y_test, verbose=0) == pytest.approx(
        model.evaluate(x_test, y_test, verbose=0), rel=1e-5)
    restored.fit(x[:64], y[:64], epochs=1, verbose=0)   # compiled: it trains


def test_saved_functional_model_is_callable_without_keras(tmp_path):
    a, b = Input(shape=(3,), name="a"), Input(shape=(2,), name="b")
    model = Model([a, b], layers.Dense(1)(layers.Concatenate()([a, b])))
    model.save(tmp_path / "two_inputs")
    raw = load(str(tmp_path / "two_inputs"))
    xa, xb = np.ones((4, 3), np.float32), np.ones((4, 2), np.float32)
    np.testing.assert_allclose(raw([ag.constant(xa), ag.constant(xb)]).numpy(),
                               model([xa, xb]).numpy(), rtol=1e-6)
    assert "serving_default" in raw.signatures
    assert isinstance(load_model(tmp_path / "two_inputs"), Model)


def test_subclassed_model_saves_its_forward_pass_and_loads_as_a_callable(tmp_path):
    class Scale(Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(2)

        def call(self, inputs):
            return self.dense(inputs) * 2.0

    model = Scale()
    with pytest.raises(ValueError, match="input shape is not available"):
        model.save(tmp_path / "unbuilt")
    x = np.ones((3, 4), np.float32)
    expected = model(x).numpy()
    model.save(tmp_path / "scale")
    restored = load_model(tmp_path / "scale")
    np.testing.assert_allclose(restored(ag.constant(np.ones((5, 4), np.float32))).numpy()[:3],
                               expected, rtol=1e-6)


def test_load_model_errors(tmp_path):
    with pytest.raises(OSError, match="No file or directory"):
        load_model(tmp_path / "missing")
    mlp().save_weights(tmp_path / "w")
    with pytest.raises(ValueError, match="not a saved model"):
        load_model(tmp_path / "w")


def test_summary_text_of_the_seed_003_model():
    model = Sequential([layers.Flatten(input_shape=(28, 28)),
                        layers.Dense(128, activation="relu"), layers.Dropout(0.2),
                        layers.Dense(10)])
    lines = []
    model.summary(print_fn=lines.append)
    assert lines[0] == 'Model: "sequential"'
    assert lines[2].split() == ["Layer", "(type)", "Output", "Shape", "Param", "#"]
    rows = {line.split()[0]: line for line in lines if "(" in line and line.startswith(" ")}
    assert rows["flatten"].split()[1:] == ["(Flatten)", "(None,", "784)", "0"]
    assert rows["dense"].split()[1:] == ["(Dense)", "(None,", "128)", "100480"]
    assert rows["dense_1"].split()[-1] == "1290"
    assert "Total params: 101770 (397.54 KB)" in lines
    assert "Trainable params: 101770 (397.54 KB)" in lines
    assert "Non-trainable params: 0 (0.00 Byte)" in lines
    assert all(len(line) == 65 for line in lines[1:] if not line.startswith(("Total", "Train",
                                                                            "Non", "Model")))


def test_summary_of_a_branching_model_has_connections():
    x = Input(shape=(4,), name="x")
    model = Model(x, layers.Add(name="sum")([layers.Dense(4, name="left")(x),
                                             layers.Dense(4, name="right")(x)]))
    text = []
    model.summary(print_fn=text.append)
    text = "\n".join(text)
    assert "Connected to" in text and "['left[0][0]', 'right[0][0]']" in text
    assert "[(None, 4)]" in text


def test_json_config_round_trip(tmp_path):
    model = Sequential([layers.Dense(4, activation="relu", input_shape=(3,)), layers.Dense(1)])
    text = model.to_json()
    assert json.loads(text)["class_name"] == "Sequential"
    clone = model_from_json(text)
    assert [w.shape for w in clone.weights] == [w.shape for w in model.weights]
    assert os.fspath(tmp_path)   # keeps tmp_path usage explicit for parallel runs


def test_registered_subclassed_model_loads_as_its_class(tmp_path):
    from ops.keras.generic_utils import register_keras_serializable

    @register_keras_serializable(package="engine_tests")
    class Doubler(Model):
        def __init__(self, units=2, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.dense = layers.Dense(units)

        def call(self, inputs):
            return 2.0 * self.dense(inputs)

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    model = Doubler(units=3)
    x = np.ones((2, 4), np.float32)
    expected = model(x).numpy()
    model.save(tmp_path / "doubler")
    restored = load_model(tmp_path / "doubler")
    assert isinstance(restored, Doubler) and restored.units == 3
    np.testing.assert_allclose(restored(x).numpy(), expected, rtol=1e-6)


def test_load_weights_by_name_takes_the_layers_that_match(tmp_path):
    from ops.keras.engine import save_model
    source = Sequential([layers.Dense(4, input_shape=(3,), name="a"),
                         layers.Dense(2, name="b")])
    source.save_weights(tmp_path / "w")
    target = Sequential([layers.Dense(4, input_shape=(3,), name="other"),
                         layers.Dense(2, name="b")])
    kept = target.get_layer("other").get_weights()
    target.load_weights(tmp_path / "w", by_name=True)
    for a, b in zip(target.get_layer("b").get_weights(), source.get_layer("b").get_weights()):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(target.get_layer("other").get_weights(), kept):
        np.testing.assert_array_equal(a, b)
    save_model(source, tmp_path / "m", save_format="h5")
    assert isinstance(load_model(tmp_path / "m"), Sequential)
