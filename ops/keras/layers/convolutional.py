"""Convolution layers: ``Conv2D`` (and ``Conv1D``, run as a 2-D convolution of height 1).

Kernels are ``(kernel_h, kernel_w, in_channels / groups, filters)`` as in Keras, so weights
move between this stack and Keras unchanged. ``groups > 1`` splits the channels into groups
convolved separately (one ``conv2d`` per group).
"""
from __future__ import annotations

import numbers

from runtime.shapes import TensorShape, fmt
from ops import array_ops, nn_ops
from ops.keras import regularizers
from ops.keras.layers.base import (Layer, get_activation, get_constraint, get_initializer,
                                   weights_config, get_regularizer)
from ops.keras.layers.core import _data_format
from ops.keras.layers.input_spec import InputSpec

__all__ = ["Conv1D", "Conv2D", "Convolution1D", "Convolution2D", "conv_output_length",
           "normalize_tuple"]


def normalize_tuple(value, n: int, name: str, layer: str) -> tuple:
    """An int or a sequence of ``n`` positive ints, as an ``n``-tuple."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        values = (int(value),) * n
    else:
        try:
            values = tuple(int(v) for v in value)
        except TypeError:
            values = ()
    if len(values) != n or any(v < 1 for v in values):
        raise ValueError(f"{layer}: {name} must be a positive integer or a tuple of {n} "
                         f"positive integers, got {value!r}")
    return values


def conv_output_length(length, kernel: int, padding: str, stride: int, dilation: int = 1):
    """The output length of one spatial axis (``None`` stays ``None``)."""
    if length is None:
        return None
    span = (kernel - 1) * dilation + 1
    if padding in ("same", "causal"):
        out = length
    else:
        out = length - span + 1
    return max(0, (out + stride - 1) // stride)


class _Conv(Layer):
    """Shared by Conv1D and Conv2D: arguments, weights, config."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        cls = type(self).__name__
        if isinstance(filters, bool) or not isinstance(filters, numbers.Integral) or filters < 1:
            raise ValueError(f"{cls}: filters must be a positive integer, got {filters!r}")
        self.filters = int(filters)
        self.kernel_size = normalize_tuple(kernel_size, self.rank, "kernel_size", cls)
        self.strides = normalize_tuple(strides, self.rank, "strides", cls)
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, "dilation_rate", cls)
        padding = str(padding).lower()
        allowed = ("valid", "same", "causal") if self.rank == 1 else ("valid", "same")
        if padding not in allowed:
            raise ValueError(f"{cls}: padding must be one of {allowed}, got {padding!r}")
        self.padding = padding
        self.data_format = _data_format(data_format, cls)
        if isinstance(groups, bool) or not isinstance(groups, numbers.Integral) or groups < 1:
            raise ValueError(f"{cls}: groups must be a positive integer, got {groups!r}")
        if self.filters % groups:
            raise ValueError(f"{cls}: filters ({self.filters}) must be divisible by groups "
                             f"({groups})")
        self.groups = int(groups)
        self.activation = get_activation(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = get_initializer(kernel_initializer, "kernel_initializer")
        self.bias_initializer = get_initializer(bias_initializer, "bias_initializer")
        self.kernel_regularizer = get_regularizer(kernel_regularizer, "kernel_regularizer")
        self.bias_regularizer = get_regularizer(bias_regularizer, "bias_regularizer")
        self.kernel_constraint = get_constraint(kernel_constraint, "kernel_constraint")
        self.bias_constraint = get_constraint(bias_constraint, "bias_constraint")
        self.input_spec = InputSpec(min_ndim=self.rank + 2)

    @property
    def _channel_axis(self) -> int:
        return -1 if self.data_format == "channels_last" else 1

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        if len(input_shape) != self.rank + 2:
            raise ValueError(f'{type(self).__name__} layer "{self.name}" expects inputs of rank '
                             f"{self.rank + 2}, got shape {fmt(tuple(input_shape))}")
        channels = input_shape[self._channel_axis]
        if channels is None:
            raise ValueError(f'{type(self).__name__} layer "{self.name}": the channel dimension '
                             f"of the inputs must be known, got shape {fmt(tuple(input_shape))}")
        if channels % self.groups:
            raise ValueError(f'{type(self).__name__} layer "{self.name}": the input channels '
                             f"({channels}) must be divisible by groups ({self.groups})")
        kernel_shape = self.kernel_size + (channels // self.groups, self.filters)
        self.kernel = self.add_weight("kernel", kernel_shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.input_spec = InputSpec(min_ndim=self.rank + 2, axes={self._channel_axis: channels})
        self.built = True

    def _conv2d(self, x, kernel, strides, dilations, padding):
        """NHWC convolution, one ``conv2d`` per channel group."""
        if self.groups == 1:
            return nn_ops.conv2d(x, kernel, strides, padding, dilations=dilations)
        xs = array_ops.split(x, self.groups, axis=-1)
        ks = array_ops.split(kernel, self.groups, axis=-1)
        return array_ops.concat([nn_ops.conv2d(xi, ki, strides, padding, dilations=dilations)
                                 for xi, ki in zip(xs, ks)], axis=-1)

    def _finish(self, outputs):
        if self.bias is not None:
            outputs = nn_ops.bias_add(outputs, self._read(self.bias))
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape)
        first = self.data_format == "channels_last"
        spatial = input_shape[1:-1] if first else input_shape[2:]
        lengths = tuple(conv_output_length(n, k, self.padding, s, d) for n, k, s, d in
                        zip(spatial, self.kernel_size, self.strides, self.dilation_rate))
        if first:
            return TensorShape((input_shape[0],) + lengths + (self.filters,))
        return TensorShape((input_shape[0], self.filters) + lengths)

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters, "kernel_size": self.kernel_size, "strides": self.strides,
            "padding": self.padding, "data_format": self.data_format,
            "dilation_rate": self.dilation_rate, "groups": self.groups, **weights_config(self),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
        })
        return config


class Conv2D(_Conv):
    """2-D convolution: ``activation(conv2d(inputs, kernel) + bias)``.

    ``Conv2D(filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
    dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
    kernel_initializer="glorot_uniform", bias_initializer="zeros", ...)``; inputs are
    ``(batch, rows, cols, channels)`` (``channels_first``: ``(batch, channels, rows, cols)``).
    """

    rank = 2

    def call(self, inputs):
        x = inputs
        if self.data_format == "channels_first":
            x = array_ops.transpose(x, [0, 2, 3, 1])
        out = self._conv2d(x, self._read(self.kernel), self.strides, self.dilation_rate,
                           self.padding.upper())
        out = self._finish(out)
        if self.data_format == "channels_first":
            out = array_ops.transpose(out, [0, 3, 1, 2])
        return out


class Conv1D(_Conv):
    """1-D convolution over ``(batch, steps, channels)`` inputs; ``padding="causal"`` pads
    the start so step ``t`` sees only steps ``<= t``."""

    rank = 1

    def call(self, inputs):
        x = inputs
        if self.data_format == "channels_first":
            x = array_ops.transpose(x, [0, 2, 1])
        padding = self.padding.upper()
        if self.padding == "causal":
            left = (self.kernel_size[0] - 1) * self.dilation_rate[0]
            x = array_ops.pad(x, [[0, 0], [left, 0], [0, 0]])
            padding = "VALID"
        x = array_ops.expand_dims(x, 1)                       # (batch, 1, steps, channels)
        kernel = array_ops.expand_dims(self._read(self.kernel), 0)
        out = self._conv2d(x, kernel, (1,) + self.strides, (1,) + self.dilation_rate, padding)
        out = self._finish(array_ops.squeeze(out, [1]))
        if self.data_format == "channels_first":
            out = array_ops.transpose(out, [0, 2, 1])
        return out


Convolution1D, Convolution2D = Conv1D, Conv2D
