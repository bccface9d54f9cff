"""Keras models: ``Model`` (subclassed and functional), ``Sequential``, ``Input``, training
(``compile``/``fit``/``evaluate``/``predict``), ``summary``, weights files, saving and
``load_model``.

Modules, one job each: ``keras_tensor`` (symbolic inputs and recorded layer calls),
``functional`` (the graph of a functional model: order, running, configs), ``training``
(``Model``), ``training_loops`` (the fit/evaluate/predict loops), ``data_adapter`` (arrays,
datasets and iterators into batches), ``compile_utils`` (compiled losses and metrics),
``functional_model`` (``Functional``), ``sequential``, ``summary``, ``saving``.
"""
from ops.keras.engine.keras_tensor import Input, KerasTensor, OperatorLayer  # noqa: F401
from ops.keras.engine.training import Model  # noqa: F401
from ops.keras.engine.functional_model import Functional  # noqa: F401
from ops.keras.engine.sequential import Sequential  # noqa: F401
from ops.keras.engine.data_adapter import (  # noqa: F401
    pack_x_y_sample_weight, unpack_x_y_sample_weight,
)
from ops.keras.engine.saving import (  # noqa: F401
    clone_model, load_model, model_from_config, model_from_json, save_model,
)


def model_classes() -> dict:
    """The classes model configs name (``"Sequential"``, ``"Functional"``/``"Model"``, the
    operator layers of functional graphs), for deserializing them with the layer table. They
    are passed as custom objects rather than added to ``layers.BUILTIN_LAYERS``, which lists
    the layers of ``ag.keras.layers`` only."""
    return {"Sequential": Sequential, "Functional": Functional, "Model": Functional,
            "OperatorLayer": OperatorLayer}


__all__ = ["Input", "KerasTensor", "Model", "Functional", "Sequential", "clone_model",
           "load_model", "save_model", "model_from_config", "model_from_json", "model_classes",
           "pack_x_y_sample_weight", "unpack_x_y_sample_weight"]
