"""``Sequential``: a plain stack of layers, each with one input and one output.

Given an input shape (``input_shape=`` on the first layer, an ``InputLayer`` or
``ag.keras.Input`` first), the model is built as layers are added: each new layer is called
on the previous layer's KerasTensor, which builds it and records output shapes for
``summary``. Otherwise it builds on the first call, for the shape of that batch (batch size
left open). A call runs the layers in order, passing masks along as Keras does.
"""
from __future__ import annotations

from ops.keras import backend
from ops.keras.layers.base import Layer
from ops.keras.layers.core import InputLayer
from ops.keras.engine import functional
from ops.keras.engine.keras_tensor import KerasTensor, input_tensor_of
from ops.keras.engine.training import Model

__all__ = ["Sequential"]


def _declared_input(layer):
    """(batch shape, dtype) the layer declares for its input, or None: ``input_shape=`` and
    the like (Embedding's automatic shape does not count), or the single Input of a
    functional or Sequential model given as a layer."""
    if layer.batch_input_shape is not None:
        if getattr(layer, "_default_input_shape", False) and \
                not getattr(layer, "input_length", None):
            return None
        return tuple(layer.batch_input_shape), layer.dtype
    network = getattr(layer, "_network", None)
    if network is not None and len(network.inputs) == 1 and \
            not getattr(layer, "_inferred_input", False):
        kt = network.inputs[0]
        return tuple(kt.shape), kt.dtype.name
    return None


class Sequential(Model):
    """``Sequential(layers=None, name=None)``; then ``add(layer)`` and ``pop()``."""

    def __init__(self, layers=None, name=None, **kwargs):
        if name is None:
            uid = backend.get_uid("sequential")
            name = "sequential" if uid == 1 else f"sequential_{uid - 1}"
        super().__init__(name=name, **kwargs)
        self._layers = []             # the first layer-holding attribute: the weights' order
        self._input_layer = None
        self._input_kt = None
        self._layer_outputs = None    # the KerasTensor after each layer, once built
        self._inferred_input = False  # built from a first call's shape, not a declared one
        if layers is not None:
            for layer in layers if isinstance(layers, (list, tuple)) else [layers]:
                self.add(layer)

    # ---- structure --------------------------------------------------------------------------
    @property
    def layers(self) -> list:
        """The layers added, without the InputLayer (as Keras)."""
        return list(self._layers)

    def add(self, layer) -> None:
        """Append ``layer`` (a Layer, an InputLayer first, or an ``ag.keras.Input``)."""
        if isinstance(layer, KerasTensor):
            if layer.node is None or not layer.node.is_input:
                raise TypeError("Sequential.add: only an ag.keras.Input tensor can be added, "
                                f"got {layer!r}")
            layer = layer.node.layer
        if not isinstance(layer, Layer):
            raise TypeError(f"The added layer must be an instance of class Layer. Received: "
                            f"layer={layer!r} of type {type(layer).__name__}.")
        if isinstance(layer, InputLayer):
            if self._layers or self._input_layer is not None:
                raise ValueError(f'Sequential model "{self.name}": an InputLayer (or Input) '
                                 "can only be its first layer")
            self._input_layer = layer
            self._build_graph()
            return
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError(f"All layers added to a Sequential model should have unique names. "
                             f"Name '{layer.name}' is already the name of a layer in this "
                             "model. Update the `name` argument to pass a unique name.")
        self._layers.append(layer)
        created_input = False
        try:
            declared = _declared_input(layer) if len(self._layers) == 1 else None
            if self._input_layer is None and declared is not None:
                self._input_layer = InputLayer(batch_input_shape=declared[0],
                                               dtype=declared[1])
                created_input = True
                self._build_graph()
            elif self._layer_outputs is not None:
                self._extend_graph(layer)
        except Exception:
            # Leave the model as it was: the layer is not added.
            self._layers.pop()
            if created_input:
                self._input_layer = None
                self._layer_outputs = None
            raise
        self._reset_step_functions()

    def pop(self) -> None:
        """Remove the last layer."""
        if not self._layers:
            raise TypeError("There are no layers in the model.")
        self._layers.pop()
        if self._input_layer is not None:
            self._build_graph()
        self._reset_step_functions()

    def _build_graph(self) -> None:
        self._layer_outputs = []
        self._mask_producers = set()
        x = input_tensor_of(self._input_layer)
        self._input_kt = x
        self._finish_graph(x)
        for layer in self._layers:
            self._extend_graph(layer)
        self.built = True

    def _extend_graph(self, layer) -> None:
        previous = self._layer_outputs[-1] if self._layer_outputs else self._input_kt
        out = layer(previous)
        if not isinstance(out, KerasTensor):
            raise ValueError("All layers in a Sequential model should have a single output "
                             "tensor. For multi-output layers, use the functional API.")
        self._layer_outputs.append(out)
        if type(layer).compute_mask is not Layer.compute_mask:
            self._mask_producers.add(id(layer))
        self._finish_graph(out)

    def _finish_graph(self, output) -> None:
        self._network = functional.Network(self._input_kt, output, self.name)
        self.inputs = [self._input_kt]
        self.outputs = [output]
        self._build_input_shape = self._input_kt.shape

    # ---- building and calling ---------------------------------------------------------------
    def build(self, input_shape=None) -> None:
        """Build for inputs of ``input_shape`` (the batch size is left open)."""
        if self._layer_outputs is not None:
            self.built = True
            return
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        shape = (None,) + tuple(input_shape)[1:]
        spec = getattr(self, "_saved_input_spec", None)
        dtype = spec.dtype.name if hasattr(spec, "dtype") else self.dtype
        self._input_layer = InputLayer(batch_input_shape=shape, dtype=dtype)
        self._inferred_input = True
        try:
            self._build_graph()
        except Exception:
            self._input_layer = None
            self._inferred_input = False
            self._layer_outputs = None
            self._network = None
            raise

    def call(self, inputs, training=None, mask=None):
        if self._layer_outputs is not None and not self._inferred_input:
            # A declared input shape is checked (Keras's input_spec); one inferred from a
            # first call is not, so later calls may differ where the layers allow it (the
            # time axis of an RNN), and the layers themselves report what they refuse.
            inputs = functional.conform_input(inputs, self._input_kt, 0, self.name, cast=False)
        x = inputs
        producers = getattr(self, "_mask_producers", ())
        for layer in self._layers:
            outputs = layer(x) if mask is None else layer(x, mask=mask)
            if mask is not None or id(layer) in producers:
                mask = layer.compute_mask(x, mask)
            x = outputs
        return x

    def _output_names_for_compile(self):
        return [self._layers[-1].name] if self._layers else None

    @property
    def output_names(self):
        return self._output_names_for_compile()

    # ---- configs ----------------------------------------------------------------------------
    def get_config(self) -> dict:
        from ops.keras.layers import serialize
        layers = [serialize(layer) for layer in self._layers]
        if self._input_layer is not None and not self._inferred_input:
            layers.insert(0, serialize(self._input_layer))
        return {"name": self.name, "layers": layers}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        model = cls(name=config.get("name"))
        for layer_config in config.get("layers", []):
            model.add(functional.deserialize_layer(layer_config, custom_objects))
        return model
