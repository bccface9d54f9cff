"""``Functional``: the class of ``Model(inputs, outputs)`` (Keras's ``Functional``), with the
config that ``get_config``/``from_config`` and ``load_model`` use."""
from __future__ import annotations

from ops.keras import backend
from ops.keras.engine import functional
from ops.keras.engine.training import Model

__all__ = ["Functional"]


class Functional(Model):
    """A model defined by a graph of layer calls from ``inputs`` to ``outputs``."""

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        if name is None:
            uid = backend.get_uid("model")
            name = "model" if uid == 1 else f"model_{uid - 1}"
        super().__init__(inputs=inputs, outputs=outputs, name=name, trainable=trainable,
                         **kwargs)

    def get_config(self) -> dict:
        return functional.network_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        inputs, outputs, _ = functional.network_from_config(config, custom_objects)
        model = cls(inputs, outputs, name=config.get("name"))
        if config.get("trainable") is False:
            model.trainable = False
        return model


def _model_from_config(cls, config, custom_objects=None):
    """``Model.from_config``: functional configs build a Functional; others go to ``cls``."""
    if "layers" in config and "input_layers" in config:
        return Functional.from_config(config, custom_objects)
    return cls(**config)


Model.from_config = classmethod(_model_from_config)
