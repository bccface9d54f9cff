"""``ag.keras.activations``: activation functions by name or object.

``get("relu")`` returns the function, ``get(None)`` returns ``linear``, and a callable (a
function, or a layer such as ``LeakyReLU(0.1)``) is returned as is. ``serialize`` gives
what ``deserialize`` (and ``get``) turn back into the activation, which is how layer configs
store activations: a built-in function's name (``tf.nn.relu`` and ``"relu"`` give
``"relu"``), a user function's registered name, or for a layer its
``{"class_name": ..., "config": ...}``, which ``deserialize`` rebuilds as a new layer.
"""
from __future__ import annotations

from ops import nn_ops, reductions
from ops import elementwise as math_ops
from ops.keras.generic_utils import deserialize_keras_object, get_registered_name
from ops.tensor import convert_to_tensor

__all__ = [
    "relu", "relu6", "sigmoid", "hard_sigmoid", "tanh", "softmax", "log_softmax", "gelu", "elu",
    "selu", "softplus", "softsign", "swish", "silu", "mish", "exponential", "linear",
    "leaky_relu", "get", "serialize", "deserialize",
]


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """``max(x, 0)``; with ``alpha``, ``alpha * (x - threshold)`` below ``threshold``; with
    ``max_value``, clipped above."""
    x = convert_to_tensor(x)
    if alpha == 0 and max_value is None and threshold == 0:
        return nn_ops.relu(x)
    below = math_ops.less(x, threshold)
    out = math_ops.where_(below, math_ops.zeros_like(x), x)
    if alpha != 0:
        out = out + math_ops.where_(below, (x - threshold) * alpha, math_ops.zeros_like(x))
    if max_value is not None:
        out = math_ops.minimum(out, convert_to_tensor(max_value, dtype=x.dtype))
    return out


def relu6(x):
    return nn_ops.relu6(x)


def sigmoid(x):
    return math_ops.sigmoid(x)


def hard_sigmoid(x):
    """Piecewise-linear sigmoid: ``clip(0.2 * x + 0.5, 0, 1)`` (Keras 2's definition)."""
    x = convert_to_tensor(x)
    return reductions.clip_by_value(x * 0.2 + 0.5, 0.0, 1.0)


def tanh(x):
    return math_ops.tanh(x)


def softmax(x, axis=-1):
    """Exponentials normalised to sum to one along ``axis`` (the last by default)."""
    return nn_ops.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    return nn_ops.log_softmax(x, axis=axis)


def gelu(x, approximate=False):
    return nn_ops.gelu(x, approximate=approximate)


def elu(x, alpha=1.0):
    """``x`` if positive, else ``alpha * (exp(x) - 1)``."""
    out = nn_ops.elu(x)
    if alpha == 1.0:
        return out
    x = convert_to_tensor(x)
    return math_ops.where_(math_ops.greater(x, 0), out, out * alpha)


def selu(x):
    return nn_ops.selu(x)


def softplus(x):
    return nn_ops.softplus(x)


def softsign(x):
    return nn_ops.softsign(x)


def silu(x):
    """``x * sigmoid(x)`` (also called swish)."""
    return nn_ops.silu(x)


def swish(x):
    return nn_ops.silu(x)


def mish(x):
    """``x * tanh(softplus(x))``."""
    x = convert_to_tensor(x)
    return x * math_ops.tanh(nn_ops.softplus(x))


def exponential(x):
    return math_ops.exp(x)


def linear(x):
    """The identity: what ``activation=None`` means."""
    return x


def leaky_relu(x, alpha=0.2):
    """``x`` if positive, else ``alpha * x``."""
    return nn_ops.leaky_relu(x, alpha=alpha)


_BY_NAME = {fn.__name__: fn for fn in (
    relu, relu6, sigmoid, hard_sigmoid, tanh, softmax, log_softmax, gelu, elu, selu, softplus,
    softsign, swish, silu, mish, exponential, linear, leaky_relu)}
# The ag.nn / ag.math functions of the same name stand for the Keras activation.
_ALIASES = {nn_ops.relu: relu, nn_ops.relu6: relu6, math_ops.sigmoid: sigmoid,
            math_ops.tanh: tanh, nn_ops.softmax: softmax, nn_ops.log_softmax: log_softmax,
            nn_ops.gelu: gelu, nn_ops.elu: elu, nn_ops.selu: selu, nn_ops.softplus: softplus,
            nn_ops.softsign: softsign, nn_ops.silu: silu, nn_ops.swish: swish,
            nn_ops.leaky_relu: leaky_relu, math_ops.exp: exponential}


def serialize(activation):
    """The name of a built-in activation (``"relu"``); a config dict for activation objects
    with ``get_config`` (e.g. layers); the registered or plain ``__name__`` otherwise. A name
    or config is checked and given back in its canonical form."""
    if activation is None:
        return "linear"
    if isinstance(activation, (str, dict)):
        activation = deserialize(activation)
    activation = _ALIASES.get(activation, activation)
    if _BY_NAME.get(getattr(activation, "__name__", None)) is activation:
        return activation.__name__
    if hasattr(activation, "get_config"):
        from ops.keras.generic_utils import serialize_keras_object
        return serialize_keras_object(activation)
    name = getattr(activation, "__name__", None)
    if name is None:
        raise ValueError(f"cannot serialize activation {activation!r}: give it a __name__ or "
                         "a get_config()")
    return get_registered_name(activation).partition(">")[2] or name


def deserialize(name, custom_objects=None, argument: str | None = None):
    """The activation called ``name``, or described by a config dict: a layer's
    (``{"class_name": "LeakyReLU", "config": {...}}``, a new layer) or Keras 3's form for a
    function (``{"class_name": "function", "config": "relu"}``). A callable is returned as
    is (``ag.nn.relu`` as the Keras ``relu``)."""
    if isinstance(name, dict) and name.get("class_name") == "function":
        name = name.get("config")
    if callable(name):   # already an activation, as Keras 2 accepts
        return _ALIASES.get(name, name)
    if isinstance(name, dict):
        from ops.keras.layers import BUILTIN_LAYERS   # layers import this module
        return deserialize_keras_object(name, {**BUILTIN_LAYERS, **_BY_NAME}, "activation",
                                        custom_objects, argument=argument)
    return deserialize_keras_object(name, _BY_NAME, "activation function", custom_objects,
                                    argument=argument, instantiate_classes=False)


def get(identifier, argument: str | None = None):
    """An activation from a name, a config dict or a callable; ``None`` means ``linear``.
    ``argument`` names the layer argument being resolved in error messages."""
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier, argument=argument)
    if callable(identifier):
        return identifier
    where = f" for argument {argument}" if argument else ""
    raise TypeError(f"Could not interpret activation{where}: expected a name or a callable, "
                    f"got {type(identifier).__name__} {identifier!r}")
