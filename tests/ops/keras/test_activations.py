"""ag.keras.activations: each function against NumPy, lookup by name or object, and the
serialize/deserialize round trip layer configs rely on."""
import math

import numpy as np
import pytest

import autograph as ag
from ops.keras import activations

X = np.linspace(-4, 4, 17).astype(np.float32)
_erf = np.vectorize(math.erf)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


EXPECTED = {
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.clip(x, 0, 6),
    "sigmoid": sigmoid,
    "hard_sigmoid": lambda x: np.clip(0.2 * x + 0.5, 0, 1),
    "tanh": np.tanh,
    "softmax": lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True),
    "log_softmax": lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True)),
    "gelu": lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2))),
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x)),
    "softplus": lambda x: np.log1p(np.exp(x)),
    "softsign": lambda x: x / (1 + np.abs(x)),
    "swish": lambda x: x * sigmoid(x),
    "silu": lambda x: x * sigmoid(x),
    "mish": lambda x: x * np.tanh(np.log1p(np.exp(x))),
    "exponential": np.exp,
    "linear": lambda x: x,
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_activation_matches_numpy(name):
    fn = activations.get(name)
    got = fn(ag.constant(X.reshape(1, -1)))
    np.testing.assert_allclose(np.asarray(got), EXPECTED[name](X.reshape(1, -1)), rtol=1e-5,
                               atol=1e-6)
    assert activations.serialize(fn) == name
    assert activations.deserialize(name) is fn


def test_relu_options():
    x = ag.constant([-2.0, -0.5, 0.5, 3.0, 8.0])
    np.testing.assert_allclose(activations.relu(x, alpha=0.1).numpy(), [-0.2, -0.05, 0.5, 3, 8])
    np.testing.assert_allclose(activations.relu(x, max_value=6.0).numpy(), [0, 0, 0.5, 3, 6])
    np.testing.assert_allclose(activations.relu(x, threshold=1.0).numpy(), [0, 0, 0, 3, 8])


def test_elu_alpha():
    np.testing.assert_allclose(activations.elu(ag.constant([-1.0, 1.0]), alpha=2.0).numpy(),
                               [2 * np.expm1(-1), 1.0], rtol=1e-6)


def test_none_is_linear_and_callables_pass_through():
    assert activations.get(None) is activations.linear
    assert activations.serialize(None) == "linear"
    fn = lambda x: x * 3  # noqa: E731
    assert activations.get(fn) is fn


def test_ag_nn_functions_serialize_by_name():
    assert activations.serialize(ag.nn.relu) == "relu"
    assert activations.serialize(ag.nn.softmax) == "softmax"
    assert activations.serialize(ag.sigmoid) == "sigmoid"


def test_unknown_activation_names_the_argument_and_lists_valid_names():
    with pytest.raises(ValueError) as e:
        activations.get("rleu", argument="activation")
    message = str(e.value)
    assert "'rleu'" in message and "argument activation" in message
    assert "Did you mean 'relu'" in message and "softmax" in message and "tanh" in message


def test_get_refuses_non_callables():
    with pytest.raises(TypeError, match="Could not interpret activation"):
        activations.get(3)


# ---- serialize / deserialize / get for names, functions and layer objects --------------------

@pytest.mark.parametrize("identifier", ["gelu", activations.gelu, ag.nn.gelu,
                                        {"class_name": "function", "config": "gelu"}])
def test_names_functions_and_keras3_dicts_serialize_to_the_name(identifier):
    # Keras 3 stores a function as {"class_name": "function", "config": name}.
    assert activations.serialize(identifier) == "gelu"
    assert activations.deserialize(identifier) is activations.gelu
    assert activations.get(identifier) is (identifier if callable(identifier)
                                           else activations.gelu)


@pytest.mark.parametrize("make", [lambda: ag.keras.layers.LeakyReLU(0.1),
                                  lambda: ag.keras.layers.ReLU(max_value=2.0, threshold=0.5),
                                  lambda: ag.keras.layers.Softmax(axis=0),
                                  lambda: ag.keras.layers.Activation("tanh")])
def test_layer_objects_serialize_to_their_config_and_come_back_equal(make):
    layer = make()
    config = activations.serialize(layer)
    assert config == {"class_name": type(layer).__name__, "config": layer.get_config()}
    restored = activations.deserialize(config)
    assert type(restored) is type(layer) and restored is not layer
    assert restored.get_config() == layer.get_config()
    assert activations.get(layer) is layer
    assert activations.get(config).get_config() == layer.get_config()
    x = ag.constant([[-2.0, 0.7, 3.0]])
    np.testing.assert_allclose(restored(x).numpy(), layer(x).numpy())


def test_a_dense_layer_with_a_layer_activation_round_trips():
    dense = ag.keras.layers.Dense(2, activation=ag.keras.layers.LeakyReLU(0.3))
    clone = ag.keras.layers.Dense.from_config(dense.get_config())
    assert type(clone.activation).__name__ == "LeakyReLU" and clone.activation.alpha == 0.3


def test_user_functions_round_trip_through_custom_objects():
    def scaled_tanh(x):
        return 2 * ag.tanh(x)

    assert activations.serialize(scaled_tanh) == "scaled_tanh"
    assert activations.deserialize("scaled_tanh",
                                   custom_objects={"scaled_tanh": scaled_tanh}) is scaled_tanh
    with pytest.raises(ValueError, match="Unknown activation function 'scaled_tanh'"):
        activations.deserialize("scaled_tanh")


def test_unknown_names_and_layer_configs_fail_listing_valid_names():
    with pytest.raises(ValueError, match="Unknown activation function 'nope'.*relu"):
        activations.serialize("nope")
    with pytest.raises(ValueError, match="Unknown activation 'LeakyRelu'.*Did you mean "
                                         "'LeakyReLU'"):
        activations.deserialize({"class_name": "LeakyRelu", "config": {}})
