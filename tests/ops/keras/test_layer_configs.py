"""get_config/from_config round trips for every built-in layer: the config survives JSON,
rebuilds a layer of the same class with the same config, and with the same weights the new
layer computes the same outputs."""
import json

import numpy as np
import pytest

from ops.keras import layers
from ops.keras.generic_utils import custom_object_scope

RNG = np.random.default_rng(0)


def data(*shape):
    return RNG.normal(size=shape).astype(np.float32)


def ids(*shape):
    return RNG.integers(0, 10, size=shape)


def triple(x):
    return x * 3


# class name -> (a configured layer, example inputs)
CASES = {
    "Layer": lambda: (layers.Layer(name="plain", trainable=False), data(2, 3)),
    "Activation": lambda: (layers.Activation("softmax"), data(2, 3)),
    "ActivityRegularization": lambda: (layers.ActivityRegularization(l1=0.1, l2=0.2),
                                       data(2, 3)),
    "Dense": lambda: (layers.Dense(4, activation="relu", use_bias=False,
                                   kernel_initializer="he_normal", kernel_regularizer="l2",
                                   kernel_constraint="non_neg", activity_regularizer="l1",
                                   input_shape=(3,)), data(2, 3)),
    "Dropout": lambda: (layers.Dropout(0.3, noise_shape=(None, 1), seed=4), data(2, 3)),
    "Flatten": lambda: (layers.Flatten(data_format="channels_first"), data(2, 3, 4, 5)),
    "GaussianDropout": lambda: (layers.GaussianDropout(0.2, seed=1), data(2, 3)),
    "GaussianNoise": lambda: (layers.GaussianNoise(0.5), data(2, 3)),
    "InputLayer": lambda: (layers.InputLayer(input_shape=(3,), name="inputs"), data(2, 3)),
    "Lambda": lambda: (layers.Lambda(triple, output_shape=(3,)), data(2, 3)),
    "Permute": lambda: (layers.Permute((2, 1)), data(2, 3, 4)),
    "RepeatVector": lambda: (layers.RepeatVector(3), data(2, 4)),
    "Reshape": lambda: (layers.Reshape((2, -1)), data(2, 6)),
    "SpatialDropout1D": lambda: (layers.SpatialDropout1D(0.4), data(2, 3, 4)),
    "SpatialDropout2D": lambda: (layers.SpatialDropout2D(0.4, data_format="channels_first"),
                                 data(2, 3, 4, 4)),
    "Conv1D": lambda: (layers.Conv1D(3, 2, padding="causal", dilation_rate=2,
                                     activation="tanh"), data(2, 6, 2)),
    "Conv2D": lambda: (layers.Conv2D(4, (3, 2), strides=(2, 1), padding="same", groups=2,
                                     bias_initializer="ones", bias_regularizer="l1"),
                       data(2, 6, 5, 2)),
    "AveragePooling1D": lambda: (layers.AveragePooling1D(3, 1, "same"), data(2, 6, 2)),
    "AveragePooling2D": lambda: (layers.AveragePooling2D((2, 3), padding="same"),
                                 data(2, 5, 5, 2)),
    "MaxPooling1D": lambda: (layers.MaxPooling1D(2), data(2, 6, 2)),
    "MaxPooling2D": lambda: (layers.MaxPooling2D(3, 2, data_format="channels_first"),
                             data(2, 2, 7, 7)),
    "GlobalAveragePooling1D": lambda: (layers.GlobalAveragePooling1D(keepdims=True),
                                       data(2, 5, 3)),
    "GlobalAveragePooling2D": lambda: (layers.GlobalAveragePooling2D(), data(2, 4, 4, 3)),
    "GlobalMaxPooling1D": lambda: (layers.GlobalMaxPooling1D(), data(2, 5, 3)),
    "GlobalMaxPooling2D": lambda: (layers.GlobalMaxPooling2D(keepdims=True), data(2, 4, 4, 3)),
    "BatchNormalization": lambda: (layers.BatchNormalization(axis=1, momentum=0.8,
                                                             epsilon=1e-2, center=False,
                                                             gamma_regularizer="l2"),
                                   data(4, 3, 2)),
    "LayerNormalization": lambda: (layers.LayerNormalization(axis=[1, 2], scale=False),
                                   data(2, 3, 4)),
    "Embedding": lambda: (layers.Embedding(10, 3, mask_zero=True, input_length=4,
                                           embeddings_initializer="normal"), ids(2, 4)),
    "SimpleRNN": lambda: (layers.SimpleRNN(3, activation="relu", return_sequences=True,
                                           go_backwards=True), data(2, 4, 2)),
    "LSTM": lambda: (layers.LSTM(3, return_state=True, unit_forget_bias=False,
                                 recurrent_activation="hard_sigmoid", dropout=0.1),
                     data(2, 4, 2)),
    "GRU": lambda: (layers.GRU(3, reset_after=False, recurrent_regularizer="l1"),
                    data(2, 4, 2)),
    "RNN": lambda: (layers.RNN(layers.GRUCell(2), return_sequences=True), data(2, 3, 2)),
    "SimpleRNNCell": lambda: (layers.SimpleRNNCell(3), None),
    "LSTMCell": lambda: (layers.LSTMCell(3, dropout=0.2), None),
    "GRUCell": lambda: (layers.GRUCell(3, reset_after=False), None),
    "StackedRNNCells": lambda: (layers.StackedRNNCells([layers.LSTMCell(2),
                                                        layers.SimpleRNNCell(3)]), None),
    "Add": lambda: (layers.Add(), [data(2, 3), data(2, 3)]),
    "Subtract": lambda: (layers.Subtract(), [data(2, 3), data(2, 3)]),
    "Multiply": lambda: (layers.Multiply(), [data(2, 3), data(2, 3)]),
    "Average": lambda: (layers.Average(), [data(2, 3), data(2, 3)]),
    "Maximum": lambda: (layers.Maximum(), [data(2, 3), data(2, 3)]),
    "Minimum": lambda: (layers.Minimum(), [data(2, 3), data(2, 3)]),
    "Concatenate": lambda: (layers.Concatenate(axis=1), [data(2, 3), data(2, 4)]),
    "Dot": lambda: (layers.Dot(axes=(1, 1), normalize=True), [data(2, 3), data(2, 3)]),
    "ReLU": lambda: (layers.ReLU(max_value=1.0, negative_slope=0.1), data(2, 3)),
    "LeakyReLU": lambda: (layers.LeakyReLU(0.2), data(2, 3)),
    "ELU": lambda: (layers.ELU(0.7), data(2, 3)),
    "Softmax": lambda: (layers.Softmax(axis=1), data(2, 3, 2)),
    "PReLU": lambda: (layers.PReLU(alpha_initializer="ones", shared_axes=[1]), data(2, 3, 2)),
    "ZeroPadding2D": lambda: (layers.ZeroPadding2D(((1, 2), (0, 1))), data(1, 3, 3, 2)),
    "Cropping2D": lambda: (layers.Cropping2D((1, 0)), data(1, 3, 3, 2)),
    "UpSampling2D": lambda: (layers.UpSampling2D(3, data_format="channels_first"),
                             data(1, 2, 3, 3)),
    "Rescaling": lambda: (layers.Rescaling(0.5, offset=1.0), data(2, 3)),
    "TimeDistributed": lambda: (layers.TimeDistributed(layers.Dense(2, activation="relu")),
                                data(2, 3, 4)),
    "Bidirectional": lambda: (layers.Bidirectional(layers.SimpleRNN(2, return_sequences=True),
                                                   merge_mode="ave"), data(2, 3, 4)),
}

# Keras' alias names map to the classes above.
ALIASES = {"Convolution1D", "Convolution2D", "MaxPool1D", "MaxPool2D", "AvgPool1D",
           "AvgPool2D", "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalMaxPool1D",
           "GlobalMaxPool2D"}


def test_every_builtin_layer_has_a_case():
    assert set(layers.BUILTIN_LAYERS) - ALIASES == set(CASES)


def _through_json(config):
    return json.loads(json.dumps(config))


@pytest.mark.parametrize("name", sorted(CASES))
def test_config_round_trip(name):
    layer, inputs = CASES[name]()
    config = layer.get_config()
    assert type(layer).__name__ == name
    with custom_object_scope({"triple": triple}):
        clone = type(layer).from_config(_through_json(config))
        again = layers.deserialize(_through_json(layers.serialize(layer)))
    assert type(clone) is type(layer) and type(again) is type(layer)
    assert _through_json(clone.get_config()) == _through_json(config)
    assert _through_json(again.get_config()) == _through_json(config)
    assert not again.built or layer.batch_input_shape is not None
    if inputs is None:
        return
    expected = layer(inputs)
    out = clone(inputs)
    clone.set_weights(layer.get_weights())
    out = clone(inputs)
    for a, b in zip(expected if isinstance(expected, list) else [expected],
                    out if isinstance(out, list) else [out]):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6, atol=1e-6)


def test_unknown_layer_class_names_the_valid_ones():
    with pytest.raises(ValueError, match="Unknown layer 'Dense2'.*Did you mean 'Dense'"):
        layers.deserialize({"class_name": "Dense2", "config": {}})


def test_custom_layers_are_found_through_custom_objects():
    class Scale(layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, inputs):
            return inputs * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    config = layers.serialize(Scale(5.0))
    clone = layers.deserialize(config, custom_objects={"Scale": Scale})
    assert isinstance(clone, Scale) and clone.factor == 5.0
