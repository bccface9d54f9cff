"""Subclassed models: layers as attributes, ``call`` written by the user, ``build``, the
training flag, and what a model without ``call`` does."""
import numpy as np
import pytest

import autograph as ag
from ops.keras import layers
from ops.keras.engine import Model
from tests.ops.keras.engine.support import dense_forward


class TwoLayer(Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(6, activation="relu")
        self.dropout = layers.Dropout(0.5)
        self.out = layers.Dense(2)

    def call(self, inputs, training=None):
        return self.out(self.dropout(self.hidden(inputs), training=training))


def test_forward_matches_numpy_and_weights_follow_attribute_order():
    model = TwoLayer()
    assert not model.built and model.weights == []
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    out = model(x)
    assert model.built
    assert [w.name for w in model.weights] == ["two_layer/dense/kernel:0", "two_layer/dense/bias:0",
                                               "two_layer/dense_1/kernel:0",
                                               "two_layer/dense_1/bias:0"]
    np.testing.assert_allclose(out.numpy(), dense_forward(x, model.get_weights(),
                                                          ["relu", None]), rtol=1e-5, atol=1e-6)
    assert [layer.name for layer in model.layers] == ["dense", "dropout", "dense_1"]


def test_training_argument_reaches_call():
    model = TwoLayer()
    x = np.ones((64, 4), np.float32)
    np.testing.assert_array_equal(model(x).numpy(), model(x, training=False).numpy())
    assert not np.allclose(model(x, training=True).numpy(), model(x).numpy())


def test_build_creates_weights_without_data_and_summary_says_multiple():
    model = TwoLayer()
    model.build((None, 4))
    assert model.built and [w.shape for w in model.weights][0] == (4, 6)
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert 'Model: "two_layer"' in text and "multiple" in text
    assert "Total params: 44" in text


def test_unbuilt_model_summary_and_missing_call_are_errors():
    with pytest.raises(ValueError, match="not yet been built"):
        TwoLayer().summary()

    class NoCall(Model):
        pass

    with pytest.raises(NotImplementedError, match="call"):
        NoCall()(np.ones((1, 2), np.float32))


def test_user_build_runs_before_the_first_call():
    class WithBuild(Model):
        def build(self, input_shape):
            self.scale = self.add_weight("scale", (input_shape[-1],), initializer="ones")
            super().build(input_shape)

        def call(self, inputs):
            return inputs * self.scale

    model = WithBuild()
    np.testing.assert_allclose(model(np.full((1, 3), 2.0, np.float32)).numpy(), [[2, 2, 2]])
    assert len(model.weights) == 1


def test_tensor_control_flow_in_call_inside_a_traced_function(autograph_calls):
    class Clip(Model):
        def call(self, inputs):
            if ag.reduce_sum(inputs) > 0:
                return inputs
            return -inputs

    model = Clip()
    step = ag.function(lambda x: model(x))
    np.testing.assert_allclose(step(ag.constant([[-1.0, -2.0]])).numpy(), [[1.0, 2.0]])
    np.testing.assert_allclose(step(ag.constant([[1.0, 2.0]])).numpy(), [[1.0, 2.0]])


def test_get_layer_by_name_and_index():
    model = TwoLayer()
    model(np.ones((1, 4), np.float32))
    assert model.get_layer("dropout") is model.dropout
    assert model.get_layer(index=-1) is model.out
    with pytest.raises(ValueError, match="No such layer: nope"):
        model.get_layer("nope")
