"""``ag.keras.layers``: the base ``Layer`` and the built-in layers, one module per family.

``serialize(layer)`` gives ``{"class_name": ..., "config": ...}`` and ``deserialize`` makes a
new (unbuilt) layer from it; user layers are found through ``custom_objects=``,
``custom_object_scope`` or ``register_keras_serializable``.
"""
from ops.keras.layers.base import Layer, InputSpec  # noqa: F401
from ops.keras.layers.core import (  # noqa: F401
    Activation, ActivityRegularization, Dense, Dropout, Flatten, GaussianDropout, GaussianNoise,
    InputLayer, Lambda, Permute, RepeatVector, Reshape, SpatialDropout1D, SpatialDropout2D,
)
from ops.keras.layers.convolutional import (  # noqa: F401
    Conv1D, Conv2D, Convolution1D, Convolution2D,
)
from ops.keras.layers.pooling import (  # noqa: F401
    AveragePooling1D, AveragePooling2D, AvgPool1D, AvgPool2D, GlobalAveragePooling1D,
    GlobalAveragePooling2D, GlobalAvgPool1D, GlobalAvgPool2D, GlobalMaxPool1D, GlobalMaxPool2D,
    GlobalMaxPooling1D, GlobalMaxPooling2D, MaxPool1D, MaxPool2D, MaxPooling1D, MaxPooling2D,
)
from ops.keras.layers.normalization import BatchNormalization, LayerNormalization  # noqa: F401
from ops.keras.layers.embedding import Embedding  # noqa: F401
from ops.keras.layers.recurrent import (  # noqa: F401
    GRU, GRUCell, LSTM, LSTMCell, RNN, SimpleRNN, SimpleRNNCell, StackedRNNCells,
)
from ops.keras.layers.merge import (  # noqa: F401
    Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract, add, average,
    concatenate, dot, maximum, minimum, multiply, subtract,
)
from ops.keras.layers.activation import ELU, LeakyReLU, PReLU, ReLU, Softmax  # noqa: F401
from ops.keras.layers.reshaping import (  # noqa: F401
    Cropping2D, Rescaling, UpSampling2D, ZeroPadding2D,
)
from ops.keras.layers.wrappers import Bidirectional, TimeDistributed  # noqa: F401
from ops.keras.generic_utils import deserialize_keras_object, serialize_keras_object

# Every built-in layer class by its name (what configs store as "class_name").
BUILTIN_LAYERS = {cls.__name__: cls for cls in (
    Layer, Activation, ActivityRegularization, Dense, Dropout, Flatten, GaussianDropout,
    GaussianNoise, InputLayer, Lambda, Permute, RepeatVector, Reshape, SpatialDropout1D,
    SpatialDropout2D, Conv1D, Conv2D, AveragePooling1D, AveragePooling2D,
    GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D,
    MaxPooling1D, MaxPooling2D, BatchNormalization, LayerNormalization, Embedding, GRU, GRUCell,
    LSTM, LSTMCell, RNN, SimpleRNN, SimpleRNNCell, StackedRNNCells, Add, Average, Concatenate,
    Dot, Maximum, Minimum, Multiply, Subtract, ELU, LeakyReLU, PReLU, ReLU, Softmax, Cropping2D,
    Rescaling, UpSampling2D, ZeroPadding2D, Bidirectional, TimeDistributed)}
# Keras' alias names.
BUILTIN_LAYERS.update({"Convolution1D": Conv1D, "Convolution2D": Conv2D, "MaxPool1D": MaxPool1D,
                       "MaxPool2D": MaxPool2D, "AvgPool1D": AvgPool1D, "AvgPool2D": AvgPool2D,
                       "GlobalAvgPool1D": GlobalAvgPool1D, "GlobalAvgPool2D": GlobalAvgPool2D,
                       "GlobalMaxPool1D": GlobalMaxPool1D, "GlobalMaxPool2D": GlobalMaxPool2D})


__all__ = sorted(BUILTIN_LAYERS) + [
    "InputSpec", "serialize", "deserialize", "register_layer_class", "add", "average",
    "concatenate", "dot", "maximum", "minimum", "multiply", "subtract"]


def register_layer_class(cls, name=None) -> None:
    """Make ``deserialize`` find ``cls`` by name (how Model/Sequential join the table)."""
    BUILTIN_LAYERS[name or cls.__name__] = cls


def serialize(layer) -> dict:
    """``{"class_name": "Dense", "config": layer.get_config()}``."""
    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """A new layer from ``serialize``'s output (a ``{"class_name", "config"}`` dict)."""
    if not isinstance(config, dict):
        raise TypeError(f"layers.deserialize: expected a dict with 'class_name' and 'config', "
                        f"got {type(config).__name__}")
    return deserialize_keras_object(config, BUILTIN_LAYERS, "layer", custom_objects)
