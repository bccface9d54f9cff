"""Spatial reshaping of images: ``ZeroPadding2D``, ``Cropping2D``, ``UpSampling2D``
(nearest neighbour), and ``Rescaling`` (``x * scale + offset``)."""
from __future__ import annotations

import numbers

from runtime.shapes import TensorShape
from ops import array_ops
from ops import elementwise as math_ops
from ops.keras.layers.base import Layer
from ops.keras.layers.core import _data_format
from ops.keras.layers.input_spec import InputSpec

__all__ = ["ZeroPadding2D", "Cropping2D", "UpSampling2D", "Rescaling"]


def _pairs(value, layer: str, what: str) -> tuple:
    """``n`` -> ``((n, n), (n, n))``; ``(h, w)`` -> ``((h, h), (w, w))``; pairs as given."""
    if isinstance(value, numbers.Integral):
        value = (value, value)
    value = tuple(value)
    if len(value) != 2:
        raise ValueError(f"{layer}: {what} must be an int, 2 ints or 2 pairs of ints, got "
                         f"{value!r}")
    out = tuple((int(v), int(v)) if isinstance(v, numbers.Integral) else tuple(int(x) for x in v)
                for v in value)
    if any(len(p) != 2 or min(p) < 0 for p in out):
        raise ValueError(f"{layer}: {what} must hold non-negative ints, got {value!r}")
    return out


class _Spatial(Layer):
    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format, type(self).__name__)
        self.input_spec = InputSpec(ndim=4)

    def _spatial_axes(self) -> tuple:
        return (1, 2) if self.data_format == "channels_last" else (2, 3)


class ZeroPadding2D(_Spatial):
    """Pad rows and columns with zeros: ``padding`` is ``n``, ``(rows, cols)`` or
    ``((top, bottom), (left, right))``."""

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.padding = _pairs(padding, "ZeroPadding2D", "padding")

    def call(self, inputs):
        pads = [[0, 0]] * 4
        for axis, pair in zip(self._spatial_axes(), self.padding):
            pads[axis] = list(pair)
        return array_ops.pad(inputs, pads)

    def compute_output_shape(self, input_shape):
        shape = list(TensorShape(input_shape))
        for axis, (a, b) in zip(self._spatial_axes(), self.padding):
            shape[axis] = None if shape[axis] is None else shape[axis] + a + b
        return TensorShape(shape)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class Cropping2D(_Spatial):
    """Remove rows and columns at the edges: ``cropping`` as ``ZeroPadding2D``'s padding."""

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.cropping = _pairs(cropping, "Cropping2D", "cropping")

    def call(self, inputs):
        index = [slice(None)] * 4
        for axis, (a, b) in zip(self._spatial_axes(), self.cropping):
            index[axis] = slice(a, -b if b else None)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        shape = list(TensorShape(input_shape))
        for axis, (a, b) in zip(self._spatial_axes(), self.cropping):
            shape[axis] = None if shape[axis] is None else shape[axis] - a - b
        return TensorShape(shape)

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping,
                "data_format": self.data_format}


class UpSampling2D(_Spatial):
    """Repeat rows ``size[0]`` times and columns ``size[1]`` times (nearest neighbour)."""

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(data_format, **kwargs)
        if interpolation != "nearest":
            raise ValueError(f"UpSampling2D: only interpolation='nearest' is supported, got "
                             f"{interpolation!r}")
        size = (size, size) if isinstance(size, numbers.Integral) else tuple(size)
        if len(size) != 2 or min(size) < 1:
            raise ValueError(f"UpSampling2D: size must be a positive int or 2 positive ints, "
                             f"got {size!r}")
        self.size = tuple(int(s) for s in size)
        self.interpolation = interpolation

    def call(self, inputs):
        x = inputs
        for axis, factor in zip(self._spatial_axes(), self.size):
            if factor == 1:
                continue
            # (..., n, ...) -> (..., n, factor, ...) -> (..., n * factor, ...)
            expanded = array_ops.expand_dims(x, axis + 1)
            multiples = [1] * 5
            multiples[axis + 1] = factor
            tiled = array_ops.tile(expanded, multiples)
            if None not in x.shape:
                new_shape = list(x.shape)
                new_shape[axis] *= factor
            else:
                shape = array_ops.shape(x)
                new_shape = array_ops.concat([shape[:axis], shape[axis:axis + 1] * factor,
                                              shape[axis + 1:]], 0)
            x = array_ops.reshape(tiled, new_shape)
        return x

    def compute_output_shape(self, input_shape):
        shape = list(TensorShape(input_shape))
        for axis, factor in zip(self._spatial_axes(), self.size):
            shape[axis] = None if shape[axis] is None else shape[axis] * factor
        return TensorShape(shape)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}


class Rescaling(Layer):
    """``inputs * scale + offset`` (e.g. ``Rescaling(1 / 255)`` for image bytes), computed
    in the layer's float dtype."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.offset = scale, offset

    def call(self, inputs):
        x = math_ops.cast(inputs, self._compute)
        return x * self.scale + self.offset

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}
