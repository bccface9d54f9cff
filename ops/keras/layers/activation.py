"""Activation layers with parameters: ``ReLU``, ``LeakyReLU``, ``ELU``, ``Softmax``,
``PReLU`` (whose negative slope is a trainable weight)."""
from __future__ import annotations

from runtime.shapes import TensorShape, fmt
from ops import nn_ops
from ops import elementwise as math_ops
from ops.keras import activations, constraints, initializers, regularizers
from ops.keras.layers.base import Layer, get_constraint, get_initializer, get_regularizer
from ops.keras.layers.input_spec import InputSpec

__all__ = ["ReLU", "LeakyReLU", "ELU", "Softmax", "PReLU"]


class _Elementwise(Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)


class ReLU(_Elementwise):
    """``relu(x, alpha=negative_slope, max_value=max_value, threshold=threshold)``."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0:
            raise ValueError(f"ReLU: max_value must be >= 0, got {max_value}")
        if negative_slope < 0:
            raise ValueError(f"ReLU: negative_slope must be >= 0, got {negative_slope}")
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold

    def call(self, inputs):
        return activations.relu(inputs, alpha=self.negative_slope, max_value=self.max_value,
                                threshold=self.threshold)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(_Elementwise):
    """``x`` if positive, else ``alpha * x`` (Keras 2's default ``alpha=0.3``)."""

    def __init__(self, alpha=0.3, **kwargs):
        alpha = kwargs.pop("negative_slope", alpha)
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs):
        return nn_ops.leaky_relu(inputs, alpha=self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class ELU(_Elementwise):
    """``x`` if positive, else ``alpha * (exp(x) - 1)``."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs):
        return activations.elu(inputs, alpha=self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class Softmax(_Elementwise):
    """Softmax along ``axis``; where ``mask`` is False the output is 0."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs, mask=None):
        if mask is not None:
            # a large negative logit: exp() underflows to 0 for masked positions
            penalty = (1.0 - math_ops.cast(mask, inputs.dtype)) * -1e9
            inputs = inputs + penalty
        return nn_ops.softmax(inputs, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class PReLU(Layer):
    """``x`` if positive, else ``alpha * x`` with a trainable ``alpha`` per input element
    (shared along ``shared_axes``, e.g. ``[1, 2]`` for one slope per image channel)."""

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None,
                 alpha_constraint=None, shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = get_initializer(alpha_initializer, "alpha_initializer")
        self.alpha_regularizer = get_regularizer(alpha_regularizer, "alpha_regularizer")
        self.alpha_constraint = get_constraint(alpha_constraint, "alpha_constraint")
        if shared_axes is None:
            self.shared_axes = None
        else:
            axes = shared_axes if isinstance(shared_axes, (list, tuple)) else [shared_axes]
            self.shared_axes = [int(a) for a in axes]

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            if not 1 <= axis < len(input_shape):
                raise ValueError(f'PReLU layer "{self.name}": shared axis {axis} is out of range '
                                 f"for inputs of shape {fmt(tuple(input_shape))}")
            shape[axis - 1] = 1
        if None in shape:
            raise ValueError(f'PReLU layer "{self.name}": every non-shared axis needs a known '
                             f"size, got input shape {fmt(tuple(input_shape))}")
        self.alpha = self.add_weight("alpha", shape, initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        axes = {i: input_shape[i] for i in range(1, len(input_shape))
                if i not in (self.shared_axes or [])}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)
        self.built = True

    def call(self, inputs):
        positive = nn_ops.relu(inputs)
        negative = -self._read(self.alpha) * nn_ops.relu(-inputs)
        return positive + negative

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        return {**super().get_config(),
                "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
                "alpha_constraint": constraints.serialize(self.alpha_constraint),
                "shared_axes": self.shared_axes}
