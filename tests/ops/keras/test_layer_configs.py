"""get_config/from_config round trips for every built-in layer, each built with every argument
it takes set to something other than its default (where arguments exclude each other, a second
case covers the other). For each: every ``__init__`` argument has a config entry, every
argument given shows in the config (it differs from the default layer's), the config survives
JSON and rebuilds a layer of the same class with the same config, and with the same weights
the new layer computes the same outputs."""
import inspect
import json

import numpy as np
import pytest

from ops.keras import initializers, layers
from ops.keras.generic_utils import custom_object_scope

RNG = np.random.default_rng(0)


def data(*shape):
    return RNG.normal(size=shape).astype(np.float32)


def ids(*shape):
    return RNG.integers(0, 10, size=shape)


def triple(x):
    return x * 3


def scale(x, factor=1.0):
    return x * factor


def keep_mask(inputs, mask=None):
    return mask


def input_shapes(shape):
    return shape


NAMED_FUNCTIONS = {f.__name__: f for f in (triple, scale, keep_mask, input_shapes)}

# Base-layer arguments every case sets (InputLayer takes its own).
BASE = {"trainable": False, "dtype": "float64"}
# Arguments a config stores under another key.
STORED_AS = {"input_shape": "batch_input_shape", "batch_size": "batch_input_shape",
             "input_dim": "batch_input_shape"}
# __init__ arguments a config leaves out, as Keras does: ``dynamic`` is not saved; an
# InputLayer's shape arguments are stored as ``batch_input_shape``, and a tensor or a type
# spec cannot be held by a config.
NOT_STORED = {"dynamic", "args", "kwargs"}
NOT_STORED_BY = {"InputLayer": {"input_shape", "batch_size", "input_tensor", "type_spec"}}


class Fresh:
    """An argument made anew for each layer built from a case (layers, cells)."""

    def __init__(self, make):
        self.make = make


class Case:
    """``cls(*args, **BASE, **kwargs)`` and example inputs; ``default()`` is ``cls(*args)``."""

    def __init__(self, cls, *args, inputs=None, base=True, **kwargs):
        self.cls, self.args, self.inputs = cls, args, inputs
        self.kwargs = {**(BASE if base else {}), **kwargs}

    def _args(self):
        return [a.make() if isinstance(a, Fresh) else a for a in self.args]

    def make(self):
        kwargs = {k: v.make() if isinstance(v, Fresh) else v for k, v in self.kwargs.items()}
        return self.cls(*self._args(), **kwargs)

    def default(self):
        return self.cls(*self._args())


REGULARIZED = dict(kernel_initializer="he_uniform", bias_initializer="ones",
                   kernel_regularizer="l1", bias_regularizer="l2",
                   kernel_constraint="unit_norm", bias_constraint="non_neg")
RECURRENT = dict(REGULARIZED, activation="relu", use_bias=False, recurrent_initializer="ones",
                 recurrent_regularizer="l1_l2", recurrent_constraint="max_norm", dropout=0.1,
                 recurrent_dropout=0.2)
GATED = dict(RECURRENT, recurrent_activation="hard_sigmoid")
SEQUENCE_ARGS = dict(return_sequences=True, return_state=True, go_backwards=True,
                     stateful=True, unroll=True)
RNN_ARGS = dict(SEQUENCE_ARGS, time_major=True)

# name -> Case: every built-in layer class, some twice.
CASES = {
    "Layer": Case(layers.Layer, name="plain", activity_regularizer="l2", inputs=data(2, 3)),
    "Activation": Case(layers.Activation, "softmax", inputs=data(2, 3)),
    "ActivityRegularization": Case(layers.ActivityRegularization, l1=0.1, l2=0.2,
                                   inputs=data(2, 3)),
    "Dense": Case(layers.Dense, 4, activation="relu", use_bias=False,
                  activity_regularizer="l1", input_shape=(3,), inputs=data(2, 3),
                  **REGULARIZED),
    "Dense/activation_layer": Case(layers.Dense, 2, inputs=data(2, 3), activation=Fresh(
        lambda: layers.LeakyReLU(0.2, name="leaky"))),
    "Dropout": Case(layers.Dropout, 0.3, noise_shape=(None, 1), seed=4, inputs=data(2, 3)),
    "Flatten": Case(layers.Flatten, data_format="channels_first", inputs=data(2, 3, 4, 5)),
    "GaussianDropout": Case(layers.GaussianDropout, 0.2, seed=1, inputs=data(2, 3)),
    "GaussianNoise": Case(layers.GaussianNoise, 0.5, seed=2, inputs=data(2, 3)),
    "InputLayer": Case(layers.InputLayer, base=False, input_shape=(3,), batch_size=2,
                       dtype="float64", name="inputs", inputs=data(2, 3)),
    "InputLayer/batch_input_shape": Case(layers.InputLayer, base=False,
                                         batch_input_shape=(None, 4), inputs=data(2, 4)),
    "Lambda": Case(layers.Lambda, scale, output_shape=(3,), mask=keep_mask,
                   arguments={"factor": 3.0}, inputs=data(2, 3)),
    "Lambda/output_shape_function": Case(layers.Lambda, triple, output_shape=input_shapes,
                                         inputs=data(2, 3)),
    "Permute": Case(layers.Permute, (2, 1), inputs=data(2, 3, 4)),
    "RepeatVector": Case(layers.RepeatVector, 3, inputs=data(2, 4)),
    "Reshape": Case(layers.Reshape, (2, -1), inputs=data(2, 6)),
    "SpatialDropout1D": Case(layers.SpatialDropout1D, 0.4, inputs=data(2, 3, 4)),
    "SpatialDropout2D": Case(layers.SpatialDropout2D, 0.4, data_format="channels_first",
                             inputs=data(2, 3, 4, 4)),
    "Conv1D": Case(layers.Conv1D, 4, 3, strides=2, padding="same",
                   data_format="channels_first", groups=2, activation="tanh", use_bias=False,
                   activity_regularizer="l1", inputs=data(2, 2, 7), **REGULARIZED),
    "Conv1D/dilated": Case(layers.Conv1D, 3, 2, padding="causal", dilation_rate=2,
                           inputs=data(2, 6, 2)),
    "Conv2D": Case(layers.Conv2D, 4, (3, 2), strides=(2, 1), padding="same", groups=2,
                   data_format="channels_first", activation="relu", use_bias=False,
                   activity_regularizer="l2", inputs=data(2, 2, 6, 5), **REGULARIZED),
    "Conv2D/dilated": Case(layers.Conv2D, 2, 2, dilation_rate=(2, 1), inputs=data(1, 5, 5, 2)),
    "AveragePooling1D": Case(layers.AveragePooling1D, pool_size=3, strides=1, padding="same",
                             data_format="channels_first", inputs=data(2, 2, 6)),
    "AveragePooling2D": Case(layers.AveragePooling2D, pool_size=(2, 3), strides=(1, 2),
                             padding="same", data_format="channels_first",
                             inputs=data(2, 2, 5, 5)),
    "MaxPooling1D": Case(layers.MaxPooling1D, pool_size=3, strides=1, padding="same",
                         data_format="channels_first", inputs=data(2, 2, 7)),
    "MaxPooling2D": Case(layers.MaxPooling2D, pool_size=3, strides=1, padding="same",
                         data_format="channels_first", inputs=data(2, 2, 7, 7)),
    "GlobalAveragePooling1D": Case(layers.GlobalAveragePooling1D, keepdims=True,
                                   data_format="channels_first", inputs=data(2, 5, 3)),
    "GlobalAveragePooling2D": Case(layers.GlobalAveragePooling2D, keepdims=True,
                                   data_format="channels_first", inputs=data(2, 4, 4, 3)),
    "GlobalMaxPooling1D": Case(layers.GlobalMaxPooling1D, keepdims=True,
                               data_format="channels_first", inputs=data(2, 5, 3)),
    "GlobalMaxPooling2D": Case(layers.GlobalMaxPooling2D, keepdims=True,
                               data_format="channels_first", inputs=data(2, 4, 4, 3)),
    "BatchNormalization": Case(layers.BatchNormalization, axis=1, momentum=0.8, epsilon=1e-2,
                               center=False, scale=False, beta_initializer="ones",
                               gamma_initializer="zeros", moving_mean_initializer="ones",
                               moving_variance_initializer=initializers.Constant(2.0),
                               beta_regularizer="l1", gamma_regularizer="l2",
                               beta_constraint="non_neg", gamma_constraint="unit_norm",
                               synchronized=True, inputs=data(4, 3, 2)),
    "BatchNormalization/affine": Case(layers.BatchNormalization, beta_initializer="ones",
                                      gamma_initializer="random_normal", inputs=data(4, 3)),
    "LayerNormalization": Case(layers.LayerNormalization, axis=[1, 2], epsilon=1e-2,
                               center=False, scale=False, beta_initializer="ones",
                               gamma_initializer="zeros", beta_regularizer="l1",
                               gamma_regularizer="l2", beta_constraint="non_neg",
                               gamma_constraint="unit_norm", inputs=data(2, 3, 4)),
    "LayerNormalization/affine": Case(layers.LayerNormalization, beta_initializer="ones",
                                      gamma_initializer="random_normal", inputs=data(2, 3)),
    "Embedding": Case(layers.Embedding, 10, 3, embeddings_initializer="normal",
                      embeddings_regularizer="l2", activity_regularizer="l1",
                      embeddings_constraint="non_neg", mask_zero=True, input_length=4,
                      inputs=ids(2, 4)),
    "SimpleRNNCell": Case(layers.SimpleRNNCell, 3, **RECURRENT),
    "LSTMCell": Case(layers.LSTMCell, 3, unit_forget_bias=False, **GATED),
    "GRUCell": Case(layers.GRUCell, 3, reset_after=False, **GATED),
    "StackedRNNCells": Case(layers.StackedRNNCells,
                            Fresh(lambda: [layers.LSTMCell(2), layers.SimpleRNNCell(3)])),
    "RNN": Case(layers.RNN, Fresh(lambda: layers.GRUCell(2, dtype="float64")),
                batch_input_shape=(3, 2, 2),
                inputs=data(3, 2, 2), **RNN_ARGS),
    "SimpleRNN": Case(layers.SimpleRNN, 3, batch_input_shape=(2, 4, 2), inputs=data(2, 4, 2),
                      **RECURRENT, **SEQUENCE_ARGS),
    "LSTM": Case(layers.LSTM, 3, unit_forget_bias=False, batch_input_shape=(2, 4, 2),
                 inputs=data(2, 4, 2), **GATED, **SEQUENCE_ARGS),
    "GRU": Case(layers.GRU, 3, reset_after=False, batch_input_shape=(2, 4, 2),
                inputs=data(2, 4, 2), **GATED, **SEQUENCE_ARGS),
    "Add": Case(layers.Add, inputs=[data(2, 3), data(2, 3)]),
    "Subtract": Case(layers.Subtract, inputs=[data(2, 3), data(2, 3)]),
    "Multiply": Case(layers.Multiply, inputs=[data(2, 3), data(2, 3)]),
    "Average": Case(layers.Average, inputs=[data(2, 3), data(2, 3)]),
    "Maximum": Case(layers.Maximum, inputs=[data(2, 3), data(2, 3)]),
    "Minimum": Case(layers.Minimum, inputs=[data(2, 3), data(2, 3)]),
    "Concatenate": Case(layers.Concatenate, axis=1, inputs=[data(2, 3), data(2, 4)]),
    "Dot": Case(layers.Dot, (1, 1), normalize=True, inputs=[data(2, 3), data(2, 3)]),
    "ReLU": Case(layers.ReLU, max_value=1.0, negative_slope=0.1, threshold=0.2,
                 inputs=data(2, 3)),
    "LeakyReLU": Case(layers.LeakyReLU, alpha=0.2, inputs=data(2, 3)),
    "ELU": Case(layers.ELU, alpha=0.7, inputs=data(2, 3)),
    "Softmax": Case(layers.Softmax, axis=1, inputs=data(2, 3, 2)),
    "PReLU": Case(layers.PReLU, alpha_initializer="ones", alpha_regularizer="l2",
                  alpha_constraint="non_neg", shared_axes=[1], inputs=data(2, 3, 2)),
    "ZeroPadding2D": Case(layers.ZeroPadding2D, padding=((1, 2), (0, 1)),
                          data_format="channels_first", inputs=data(1, 2, 3, 3)),
    "Cropping2D": Case(layers.Cropping2D, cropping=((1, 0), (0, 1)),
                       data_format="channels_first", inputs=data(1, 2, 3, 3)),
    "UpSampling2D": Case(layers.UpSampling2D, size=3, data_format="channels_first",
                         inputs=data(1, 2, 3, 3)),
    "Rescaling": Case(layers.Rescaling, 0.5, offset=1.0, inputs=data(2, 3)),
    "TimeDistributed": Case(layers.TimeDistributed,
                            Fresh(lambda: layers.Dense(2, activation="relu")),
                            inputs=data(2, 3, 4)),
    "Bidirectional": Case(layers.Bidirectional,
                          Fresh(lambda: layers.SimpleRNN(2, return_sequences=True)),
                          merge_mode="ave",
                          backward_layer=Fresh(lambda: layers.SimpleRNN(
                              2, return_sequences=True, go_backwards=True, name="back")),
                          inputs=data(2, 3, 4)),
}

# Keras' alias names map to the classes above.
ALIASES = {"Convolution1D", "Convolution2D", "MaxPool1D", "MaxPool2D", "AvgPool1D",
           "AvgPool2D", "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalMaxPool1D",
           "GlobalMaxPool2D"}


def test_every_exported_layer_class_has_a_case():
    import autograph.keras.layers as public
    exported = {name for name in dir(public) if isinstance(getattr(public, name), type) and
                issubclass(getattr(public, name), layers.Layer)}
    assert exported - ALIASES == {c.cls.__name__ for c in CASES.values()}
    assert set(layers.BUILTIN_LAYERS) == exported


def _through_json(config):
    return json.loads(json.dumps(config))


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_argument_reaches_the_config(name):
    spec = CASES[name]
    with custom_object_scope(NAMED_FUNCTIONS):
        config = spec.make().get_config()
        default = spec.default().get_config()
    params = set(inspect.signature(spec.cls.__init__).parameters) - {"self"}
    missing = params - NOT_STORED - NOT_STORED_BY.get(spec.cls.__name__, set()) - set(config)
    assert not missing, f"{name}: __init__ arguments missing from get_config(): {missing}"
    for key in spec.kwargs:
        stored = STORED_AS.get(key, key)
        assert stored in config, f"{name}: argument {key} is not in the config"
        assert config[stored] != default.get(stored), \
            f"{name}: argument {key} was given but the config holds the default"


@pytest.mark.parametrize("name", sorted(CASES))
def test_config_round_trip(name):
    spec = CASES[name]
    with custom_object_scope(NAMED_FUNCTIONS):
        layer = spec.make()
        config = layer.get_config()
        clone = type(layer).from_config(_through_json(config))
        again = layers.deserialize(_through_json(layers.serialize(layer)))
    assert type(clone) is type(layer) and type(again) is type(layer)
    assert _through_json(clone.get_config()) == _through_json(config)
    assert _through_json(again.get_config()) == _through_json(config)
    assert not again.built or layer.batch_input_shape is not None
    if spec.inputs is None:
        return
    layer(spec.inputs)
    clone(spec.inputs)
    clone.set_weights(layer.get_weights())
    if layer.stateful:   # both start again from zero states
        layer.reset_states()
        clone.reset_states()
    expected, out = layer(spec.inputs), clone(spec.inputs)
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
