"""Keras optimizers (``tf.keras.optimizers``): the ``Optimizer`` base, SGD, Adam, AdamW,
RMSprop, Adagrad, Adamax, Nadam, Adadelta, Lion, ``LossScaleOptimizer`` (mixed precision),
learning-rate ``schedules``, and ``get``/``serialize``/``deserialize``."""
from __future__ import annotations

from ops.keras.optimizers import schedules
from ops.keras.optimizers.base import Optimizer
from ops.keras.optimizers.sgd import SGD
from ops.keras.optimizers.adam import Adam, AdamW
from ops.keras.optimizers.rmsprop import RMSprop
from ops.keras.optimizers.adagrad import Adagrad
from ops.keras.optimizers.adamax import Adamax
from ops.keras.optimizers.nadam import Nadam
from ops.keras.optimizers.adadelta import Adadelta
from ops.keras.optimizers.lion import Lion
from ops.keras.optimizers.loss_scale_optimizer import LossScaleOptimizer

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "Nadam",
           "Adadelta", "Lion", "LossScaleOptimizer", "schedules", "get", "serialize",
           "deserialize"]

# Lower-case names are what ``compile(optimizer="adam")`` passes; class names work as well.
_BY_NAME = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop, "adagrad": Adagrad,
            "adamax": Adamax, "nadam": Nadam, "adadelta": Adadelta, "lion": Lion}
_BY_CLASS = {cls.__name__: cls for cls in (*_BY_NAME.values(), LossScaleOptimizer)}


def serialize(optimizer) -> dict:
    """``{"class_name": ..., "config": ...}``."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizers.serialize: expected an Optimizer, got "
                        f"{type(optimizer).__name__}")
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config, custom_objects=None):
    """The optimizer a ``serialize`` dict (or a name) describes."""
    from ops.keras.generic_utils import deserialize_keras_object
    if isinstance(config, dict) and isinstance(config.get("class_name"), str):
        key = config["class_name"]
        if key.lower() in _BY_NAME and key not in _BY_CLASS:
            config = dict(config, class_name=_BY_NAME[key.lower()].__name__)
    return deserialize_keras_object(config, _BY_CLASS, "optimizer",
                                    custom_objects=custom_objects)


def get(identifier, custom_objects=None):
    """An optimizer from a name (``"adam"``, ``"SGD"``, ...; case-insensitive), a config dict,
    or an ``Optimizer`` (returned as is). Unknown names raise ValueError listing the valid
    ones."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower())
        if cls is not None:
            return cls()
        from ops.keras.generic_utils import get_registered_object
        found = get_registered_object(identifier, custom_objects)
        if found is not None:
            return found() if isinstance(found, type) else found
        raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}. Valid "
                         f"names: {', '.join(sorted(_BY_NAME))} (any case)")
    if isinstance(identifier, dict):
        return deserialize(identifier, custom_objects)
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r} (expected a "
                     "name, a config dict or an Optimizer)")
