"""Wrappers: ``TimeDistributed`` (apply a layer to every time step) and ``Bidirectional``
(run an RNN forwards and backwards and merge the two)."""
from __future__ import annotations

from runtime.shapes import TensorShape, fmt
from ops import array_ops
from ops.keras.layers.base import Layer
from ops.keras.layers.input_spec import InputSpec

__all__ = ["TimeDistributed", "Bidirectional"]


def _layers_module():
    from ops.keras import layers
    return layers


class TimeDistributed(Layer):
    """``TimeDistributed(Dense(8))`` on ``(batch, time, features)`` applies the same Dense to
    each step: the time axis is folded into the batch, the layer runs once, and it is
    unfolded again."""

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"TimeDistributed: expected a Layer, got {layer!r}")
        super().__init__(**kwargs)
        self.layer = layer
        self.supports_masking = True
        self.input_spec = InputSpec(min_ndim=3)

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        if len(input_shape) < 3:
            raise ValueError(f'TimeDistributed layer "{self.name}" needs inputs of rank >= 3 '
                             f"(batch, time, ...), got {fmt(tuple(input_shape))}")
        self.layer._maybe_build(self._inner_shape(input_shape))
        self.built = True

    @staticmethod
    def _inner_shape(input_shape) -> TensorShape:
        b, t = input_shape[0], input_shape[1]
        return TensorShape((None if b is None or t is None else b * t,) + tuple(input_shape[2:]))

    def call(self, inputs, training=None, mask=None):
        static = inputs.shape
        if None not in static[:2] and None not in static[2:]:
            folded = array_ops.reshape(inputs, (static[0] * static[1],) + tuple(static[2:]))
        else:
            rest = array_ops.shape(inputs)[2:]
            folded = array_ops.reshape(inputs, array_ops.concat([[-1], rest], 0))
        outputs = self.layer(folded, training=training)
        if None not in static[:2] and None not in outputs.shape[1:]:
            return array_ops.reshape(outputs, tuple(static[:2]) + tuple(outputs.shape[1:]))
        lead = array_ops.shape(inputs)[:2]
        return array_ops.reshape(outputs, array_ops.concat([lead, array_ops.shape(outputs)[1:]],
                                                           0))

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape)
        inner = self.layer.compute_output_shape(self._inner_shape(input_shape))
        return TensorShape(tuple(input_shape[:2]) + tuple(inner[1:]))

    def get_config(self):
        return {**super().get_config(), "layer": _layers_module().serialize(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["layer"] = _layers_module().deserialize(config["layer"], custom_objects)
        return cls(**config)


_MERGE_MODES = ("concat", "sum", "mul", "ave", None)


class Bidirectional(Layer):
    """Run an RNN layer forwards and a copy of it backwards over time and merge the outputs
    (``merge_mode``: ``"concat"`` (default), ``"sum"``, ``"mul"``, ``"ave"``, or ``None`` for
    ``[forward, backward]``). Backward sequence outputs are re-reversed so step ``t`` of both
    lines up. Weights: the forward layer's, then the backward layer's."""

    def __init__(self, layer, merge_mode="concat", backward_layer=None, **kwargs):
        if not isinstance(layer, Layer) or not hasattr(layer, "go_backwards"):
            raise ValueError(f"Bidirectional: expected an RNN layer, got {layer!r}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Bidirectional: merge_mode must be one of {_MERGE_MODES}, got "
                             f"{merge_mode!r}")
        super().__init__(**kwargs)
        layers = _layers_module()
        config = layers.serialize(layer)
        config["config"] = dict(config["config"], name=f"forward_{layer.name}")
        self.forward_layer = layers.deserialize(config)
        if backward_layer is None:
            config = layers.serialize(layer)
            config["config"] = dict(config["config"], name=f"backward_{layer.name}",
                                    go_backwards=not layer.go_backwards)
            backward_layer = layers.deserialize(config)
            self._custom_backward = False
        else:
            self._custom_backward = True
        self.backward_layer = backward_layer
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape):
        self.forward_layer._maybe_build(TensorShape(input_shape))
        self.backward_layer._maybe_build(TensorShape(input_shape))
        self.built = True

    def _merge(self, forward, backward):
        if self.merge_mode == "concat":
            return array_ops.concat([forward, backward], axis=-1)
        if self.merge_mode == "sum":
            return forward + backward
        if self.merge_mode == "mul":
            return forward * backward
        if self.merge_mode == "ave":
            return (forward + backward) / 2.0
        return [forward, backward]

    def call(self, inputs, training=None, mask=None, initial_state=None):
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        forward = self.forward_layer(inputs, training=training, mask=mask,
                                     initial_state=forward_state)
        backward = self.backward_layer(inputs, training=training, mask=mask,
                                       initial_state=backward_state)
        states = []
        if self.return_state:
            forward, states_f = forward[0], forward[1:]
            backward, states_b = backward[0], backward[1:]
            states = list(states_f) + list(states_b)
        if self.return_sequences:
            backward = array_ops.reverse(backward, [1])
        output = self._merge(forward, backward)
        if self.return_state:
            return (output if isinstance(output, list) else [output]) + states
        return output

    def compute_output_shape(self, input_shape):
        shape = self.forward_layer.compute_output_shape(input_shape)
        states = []
        if self.return_state:
            shape, states = shape[0], list(shape[1:])
            states = states + states
        if self.merge_mode == "concat":
            shape = TensorShape(tuple(shape[:-1]) + (shape[-1] * 2,))
        out = [shape, shape] if self.merge_mode is None else [shape]
        if self.return_state:
            return out + states
        return out if self.merge_mode is None else out[0]

    def reset_states(self) -> None:
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    def get_config(self):
        layers = _layers_module()
        config = layers.serialize(self.forward_layer)
        config["config"] = dict(config["config"],
                                name=config["config"]["name"][len("forward_"):])
        out = {**super().get_config(), "layer": config, "merge_mode": self.merge_mode}
        if self._custom_backward:
            out["backward_layer"] = layers.serialize(self.backward_layer)
        return out

    @classmethod
    def from_config(cls, config, custom_objects=None):
        layers = _layers_module()
        config = dict(config)
        config["layer"] = layers.deserialize(config["layer"], custom_objects)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = layers.deserialize(config["backward_layer"],
                                                          custom_objects)
        return cls(**config)
