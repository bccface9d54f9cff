"""Weights files, whole-model saving, ``load_model``, configs and ``clone_model``.

``save_weights`` writes ``model.weights`` in order, as named arrays, to one file
(``ops.saved_model.weights``: atomic, no pickle). ``load_weights`` reads a file completely and
checks every shape against the model before assigning anything: a file from another
architecture is an error naming the layer, the weight and both shapes, and changes nothing.

``model.save(path)`` writes a saved_model directory whose root is callable (the model's
forward pass traced for its input signature, also ``serving_default``), holds the model's
variables, and carries a small JSON record (as a uint8 variable, so it is part of the saved
model's checked files): the model's config when it has one (Sequential, functional) and the
compile arguments. ``load_model`` rebuilds a Keras model from that record and the saved
weights; without a config (subclassed models) it returns the restored callable object.
"""
from __future__ import annotations

import json
import os
import warnings

import numpy as np

from runtime import dtypes as D
from runtime import nest
from runtime.shapes import fmt
from ops.module import Module
from ops.tensor_spec import TensorSpec
from ops.variables import Variable

__all__ = ["save_weights", "load_weights", "save_model", "load_model", "model_to_json",
           "model_from_json", "model_from_config", "clone_model"]

_FORMAT = "autograph-keras-model"


# ---- weights ------------------------------------------------------------------------------------

def _owners(model) -> dict:
    """id(weight) -> name of the innermost layer holding it."""
    owners = {}
    for layer in model._flatten_layers():
        for w in layer.weights:
            owners[id(w)] = layer.name
    return owners


def _weight_names(weights) -> list:
    names, seen = [], {}
    for w in weights:
        name = w.name
        if name in seen:
            seen[name] += 1
            name = f"{name}#{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    return names


def save_weights(model, filepath, overwrite=True) -> None:
    from ops.saved_model.weights import save_weights_file
    filepath = os.fspath(filepath)
    weights = model.weights
    if not weights and not model.built:
        raise ValueError(f'Unable to save the weights of model "{model.name}": it is not built '
                         "yet. Call it on data or call build(input_shape) first")
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"save_weights: {filepath} exists and overwrite=False")
    save_weights_file(filepath, list(zip(_weight_names(weights), weights)))


def load_weights(model, filepath, by_name=False, skip_mismatch=False):
    from ops.saved_model.weights import load_weights_file
    filepath = os.fspath(filepath)
    if os.path.isdir(filepath):
        return _load_weights_from_saved_model(model, filepath)
    pairs = load_weights_file(filepath)
    weights = model.weights
    if not weights:
        raise ValueError(f'Unable to load weights saved in {filepath} into model "{model.name}": '
                         "it has no weights yet (it is not built). Call it on data or call "
                         "build(input_shape) first")
    owners = _owners(model)
    if by_name:
        return _assign_by_name(model, weights, pairs, owners, filepath, skip_mismatch)
    assignments = []
    for i, (w, (name, value)) in enumerate(zip(weights, pairs)):
        if tuple(w.shape) != tuple(value.shape):
            message = (f'Cannot load weights into model "{model.name}": layer '
                       f'"{owners.get(id(w), model.name)}" weight "{w.name}" (#{i}) has shape '
                       f"{fmt(tuple(w.shape))} but the file {filepath} holds {name!r} with shape "
                       f"{fmt(tuple(value.shape))}; the file was saved from a model of another "
                       "architecture. No weight was changed.")
            if skip_mismatch:
                warnings.warn(message, stacklevel=3)
                continue
            raise ValueError(message)
        assignments.append((w, value))
    if len(pairs) != len(weights):
        detail = ""
        if len(pairs) > len(weights):
            detail = f"; unexpected in the file: {[n for n, _ in pairs[len(weights):]][:5]}"
        else:
            missing = weights[len(pairs):]
            detail = "; not in the file: " + ", ".join(
                f'layer "{owners.get(id(w), model.name)}" weight "{w.name}" '
                f"{fmt(tuple(w.shape))}" for w in missing[:5])
        raise ValueError(f"Cannot load weights into model \"{model.name}\": the file {filepath} "
                         f"holds {len(pairs)} weights but the model has {len(weights)}{detail}. "
                         "No weight was changed.")
    for w, value in assignments:
        w.assign(np.asarray(value, dtype=w.dtype.as_numpy_dtype))
    return None


def _assign_by_name(model, weights, pairs, owners, filepath, skip_mismatch):
    saved = dict(pairs)
    names = _weight_names(weights)
    assignments = []
    for w, name in zip(weights, names):
        if name not in saved:
            continue
        value = saved[name]
        if tuple(w.shape) != tuple(value.shape):
            message = (f'Cannot load weights into layer "{owners.get(id(w), model.name)}": '
                       f'weight "{w.name}" has shape {fmt(tuple(w.shape))} in the model but '
                       f"{fmt(tuple(value.shape))} in {filepath}. No weight was changed.")
            if skip_mismatch:
                warnings.warn(message, stacklevel=3)
                continue
            raise ValueError(message)
        assignments.append((w, value))
    for w, value in assignments:
        w.assign(np.asarray(value, dtype=w.dtype.as_numpy_dtype))


def _load_weights_from_saved_model(model, export_dir: str):
    from ops.saved_model import load
    restored = load(export_dir)
    source = getattr(restored, "keras_model", None)
    if source is None:
        raise ValueError(f"{export_dir} is a directory but not a model saved with model.save()")
    values = [v.numpy() for v in source.variables]
    model.set_weights(values)


# ---- whole models -------------------------------------------------------------------------------

def _input_signature(model):
    """The model's inputs as TensorSpecs (batch dim open), nested like its inputs."""
    network = model._network
    if network is not None:
        return nest.map_structure(
            lambda t: TensorSpec((None,) + tuple(t.shape)[1:], t.dtype, t.node.layer.name),
            _plain(network.nested_inputs))
    hint = getattr(model, "_saved_input_spec", None)
    if hint is not None:
        return hint
    raise ValueError(f'Model "{model.name}" cannot be saved because the input shape is not '
                     "available. Please specify an input shape either by calling "
                     "`build(input_shape)` directly, or by calling the model on actual data "
                     "using `Model()`, `Model.fit()`, or `Model.predict()`.")


def _plain(structure):
    """KerasTensor structures as lists/dicts nest can walk (KerasTensors are leaves)."""
    if isinstance(structure, dict):
        return {k: _plain(v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return [_plain(v) for v in structure]
    return structure


def _config_or_none(model):
    try:
        return {"class_name": _class_name(model), "config": model.get_config()}
    except NotImplementedError:
        return None


def _class_name(model) -> str:
    from ops.keras.generic_utils import get_registered_name
    return get_registered_name(type(model)).partition(">")[2] or type(model).__name__


def _training_config(model):
    from ops.keras import losses, metrics, optimizers
    if not getattr(model, "_is_compiled", False):
        return None
    config = model._compile_config

    def metric(m):
        return m if isinstance(m, str) else metrics.serialize(m)

    def loss(value):
        return value if isinstance(value, str) else losses.serialize(value)
    try:
        record = {
            "optimizer": optimizers.serialize(model.optimizer),
            "loss": _encode(config["loss"], loss),
            "metrics": _encode(config["metrics"], metric),
            "weighted_metrics": _encode(config["weighted_metrics"], metric),
            "loss_weights": config["loss_weights"],
        }
        json.dumps(record)
    except (TypeError, ValueError) as e:
        warnings.warn(f'model.save: the compile arguments of "{model.name}" cannot be stored '
                      f"({e}); load_model will return an uncompiled model", stacklevel=4)
        return None
    return record


def _encode(value, serialize):
    """Compile arguments (single, per-output lists and dicts) as JSON; the tags keep
    per-output dicts apart from the config dicts of the objects inside."""
    if value is None:
        return None
    if isinstance(value, dict):
        return {"dict": {k: _encode(v, serialize) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"list": [_encode(v, serialize) for v in value]}
    return {"object": serialize(value)}


def _decode(value, deserialize):
    if value is None:
        return None
    if "dict" in value:
        return {k: _decode(v, deserialize) for k, v in value["dict"].items()}
    if "list" in value:
        return [_decode(v, deserialize) for v in value["list"]]
    return deserialize(value["object"])


def _export_class(model, signature):
    from autograph.function import function

    def serve(self, inputs):
        return self.keras_model(inputs, training=False)

    name = type(model).__name__
    return type(name, (Module,), {"__call__": function(serve, input_signature=[signature])})


def save_model(model, filepath, overwrite=True, include_optimizer=True, save_format=None,
               signatures=None, options=None, save_traces=True):
    """``tf.keras.models.save_model``: ``model.save(filepath)`` (the saved_model format
    whatever ``save_format`` or the file name says)."""
    from ops.saved_model import save
    filepath = os.fspath(filepath)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"model.save: {filepath} exists and overwrite=False")
    signature = _input_signature(model)
    shape = None
    if model._network is None and isinstance(signature, TensorSpec):
        shape = list(signature.shape)    # subclassed models are built again from it
    record = {"format": _FORMAT, "version": 1, "model": _config_or_none(model),
              "input_shape": shape,
              "training_config": _training_config(model) if include_optimizer else None}
    blob = np.frombuffer(json.dumps(record).encode("utf-8"), dtype=np.uint8).copy()
    export = _export_class(model, signature)(name="keras_model_export")
    export.keras_model = model
    export.keras_metadata = Variable(blob, trainable=False, name="keras_metadata",
                                     dtype=D.uint8)
    save(export, filepath, signatures=signatures)


def _known_class(name: str, custom_objects) -> bool:
    """Whether ``load_model`` can make the saved model's class again (built-in, registered,
    or given in ``custom_objects``); otherwise the restored callable is returned."""
    from ops.keras.generic_utils import get_registered_object
    from ops.keras.layers import BUILTIN_LAYERS
    from ops.keras.engine import model_classes
    return get_registered_object(name, custom_objects,
                                 {**BUILTIN_LAYERS, **model_classes()}) is not None


def _read_metadata(restored):
    blob = getattr(restored, "keras_metadata", None)
    if blob is None:
        return None
    record = json.loads(bytes(np.asarray(blob.numpy(), dtype=np.uint8)).decode("utf-8"))
    return record if record.get("format") == _FORMAT else None


def load_model(filepath, custom_objects=None, compile=True, options=None):
    """A model saved by ``model.save``: a Keras model again when the save held its config
    (Sequential and functional models), else the restored callable object."""
    from ops.saved_model import load
    from ops.saved_model.files import is_saved_model
    from ops.keras.generic_utils import custom_object_scope
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise OSError(f"No file or directory found at {filepath}")
    if not os.path.isdir(filepath) or not is_saved_model(filepath):
        raise ValueError(f"load_model: {filepath} is not a saved model directory (a weights file "
                         "is read with model.load_weights)")
    restored = load(filepath)
    record = _read_metadata(restored)
    if record is None or record.get("model") is None or \
            not _known_class(record["model"]["class_name"], custom_objects):
        return restored
    with custom_object_scope(custom_objects or {}):
        model = model_from_config(record["model"], custom_objects)
        if not model.built and record.get("input_shape") is not None:
            model.build(tuple(record["input_shape"]))
        model.set_weights([v.numpy() for v in restored.keras_model.variables])
        training = record.get("training_config")
        if compile and training:
            from ops.keras import losses, metrics, optimizers

            def metric(m):
                return m if isinstance(m, str) else metrics.deserialize(m)
            model.compile(optimizer=optimizers.deserialize(training["optimizer"]),
                          loss=_decode(training["loss"], losses.deserialize),
                          metrics=_decode(training.get("metrics"), metric),
                          weighted_metrics=_decode(training.get("weighted_metrics"), metric),
                          loss_weights=training.get("loss_weights"))
    return model


# ---- configs and cloning ------------------------------------------------------------------------

def model_from_config(config, custom_objects=None):
    """A new model (or layer) from ``{"class_name": ..., "config": ...}``."""
    from ops.keras.engine.functional import deserialize_layer
    if not isinstance(config, dict) or "class_name" not in config:
        raise TypeError("model_from_config expects a dict with 'class_name' and 'config'; for "
                        "a model's get_config() output use Model.from_config or "
                        "Sequential.from_config")
    return deserialize_layer(config, custom_objects)


def model_to_json(model, **kwargs) -> str:
    config = _config_or_none(model)
    if config is None:
        raise NotImplementedError(f'Model "{model.name}" ({type(model).__name__}) has no config '
                                  "(subclassed models must implement get_config)")
    return json.dumps(config, **kwargs)


def model_from_json(json_string, custom_objects=None):
    return model_from_config(json.loads(json_string), custom_objects)


def _clone_layer(layer):
    return type(layer).from_config(layer.get_config())


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with the same architecture and freshly initialised (new) weights.
    ``clone_function(layer)`` makes each new layer (default: from its config)."""
    from ops.keras.engine.functional_model import Functional
    from ops.keras.engine.sequential import Sequential
    from ops.keras.engine import functional
    clone_function = clone_function or _clone_layer
    if input_tensors is not None:
        raise NotImplementedError("clone_model: input_tensors is not supported")
    if isinstance(model, Sequential):
        layers = [clone_function(layer) for layer in model.layers]
        clone = Sequential(name=model.name)
        if model._input_layer is not None:
            clone.add(_clone_layer(model._input_layer))
        for layer in layers:
            clone.add(layer)
        return clone
    if model._network is None:
        raise ValueError("Expected `model` argument to be a functional `Model` instance, but got "
                         "a subclassed model instead")
    inputs, outputs = functional.clone_network(model, clone_function)
    return Functional(inputs, outputs, name=model.name)
