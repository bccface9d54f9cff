"""Pooling layers: ``MaxPooling2D``, ``AveragePooling2D`` (and their 1-D forms, run as 2-D
pools of height 1), and the global poolings that reduce every spatial axis."""
from __future__ import annotations

from runtime.shapes import TensorShape
from ops import array_ops, nn_ops, reductions
from ops import elementwise as math_ops
from ops.keras.layers.base import Layer
from ops.keras.layers.convolutional import conv_output_length, normalize_tuple
from ops.keras.layers.core import _data_format
from ops.keras.layers.input_spec import InputSpec

__all__ = ["MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D",
           "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D",
           "GlobalMaxPooling2D", "MaxPool1D", "MaxPool2D", "AvgPool1D", "AvgPool2D",
           "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalMaxPool1D", "GlobalMaxPool2D"]


class _Pooling(Layer):
    """``pool_size`` windows moved by ``strides`` (default: ``pool_size``)."""

    rank = 2
    _pool = None        # nn_ops.max_pool2d or nn_ops.avg_pool2d

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.pool_size = normalize_tuple(pool_size, self.rank, "pool_size", cls)
        self.strides = self.pool_size if strides is None else normalize_tuple(
            strides, self.rank, "strides", cls)
        padding = str(padding).lower()
        if padding not in ("valid", "same"):
            raise ValueError(f"{cls}: padding must be 'valid' or 'same', got {padding!r}")
        self.padding = padding
        self.data_format = _data_format(data_format, cls)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        pool = type(self)._pool
        first = self.data_format == "channels_first"
        x = inputs
        if self.rank == 1:
            if first:
                x = array_ops.transpose(x, [0, 2, 1])
            out = pool(array_ops.expand_dims(x, 1), (1,) + self.pool_size, (1,) + self.strides,
                       self.padding.upper())
            out = array_ops.squeeze(out, [1])
            return array_ops.transpose(out, [0, 2, 1]) if first else out
        return pool(x, self.pool_size, self.strides, self.padding.upper(),
                    data_format="NCHW" if first else "NHWC")

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape)
        last = self.data_format == "channels_last"
        spatial = input_shape[1:-1] if last else input_shape[2:]
        lengths = tuple(conv_output_length(n, k, self.padding, s)
                        for n, k, s in zip(spatial, self.pool_size, self.strides))
        channels = input_shape[-1] if last else input_shape[1]
        if last:
            return TensorShape((input_shape[0],) + lengths + (channels,))
        return TensorShape((input_shape[0], channels) + lengths)

    def get_config(self):
        config = super().get_config()
        config.update({"pool_size": self.pool_size, "strides": self.strides,
                       "padding": self.padding, "data_format": self.data_format})
        return config


class MaxPooling2D(_Pooling):
    """Maximum over each ``pool_size`` window of ``(batch, rows, cols, channels)`` inputs."""
    rank = 2
    _pool = staticmethod(nn_ops.max_pool2d)


class AveragePooling2D(_Pooling):
    """Mean over each ``pool_size`` window (``padding="same"`` does not count the padding)."""
    rank = 2
    _pool = staticmethod(nn_ops.avg_pool2d)


class MaxPooling1D(_Pooling):
    rank = 1
    _pool = staticmethod(nn_ops.max_pool2d)

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format="channels_last",
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling1D(_Pooling):
    rank = 1
    _pool = staticmethod(nn_ops.avg_pool2d)

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format="channels_last",
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class _GlobalPooling(Layer):
    """Reduce every spatial axis; ``keepdims=True`` keeps them with size 1."""

    rank = 2
    _reduce = None

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format, type(self).__name__)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _axes(self) -> list:
        if self.data_format == "channels_last":
            return list(range(1, self.rank + 1))
        return list(range(2, self.rank + 2))

    def call(self, inputs):
        return type(self)._reduce(inputs, axis=self._axes(), keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape)
        axes = self._axes()
        if self.keepdims:
            return TensorShape(1 if i in axes else d for i, d in enumerate(input_shape))
        return TensorShape(d for i, d in enumerate(input_shape) if i not in axes)

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config


class GlobalAveragePooling2D(_GlobalPooling):
    """``(batch, rows, cols, channels) -> (batch, channels)`` by averaging."""
    rank = 2
    _reduce = staticmethod(reductions.reduce_mean)


class GlobalMaxPooling2D(_GlobalPooling):
    rank = 2
    _reduce = staticmethod(reductions.reduce_max)


class GlobalAveragePooling1D(_GlobalPooling):
    """``(batch, steps, features) -> (batch, features)`` by averaging; with a ``mask``
    (``(batch, steps)``), only the unmasked steps are averaged."""
    rank = 1
    _reduce = staticmethod(reductions.reduce_mean)

    def __init__(self, data_format="channels_last", keepdims=False, **kwargs):
        super().__init__(data_format, keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        steps = 1 if self.data_format == "channels_last" else 2
        weights = math_ops.cast(mask, inputs.dtype)
        weights = array_ops.expand_dims(weights, 2 if steps == 1 else 1)
        total = reductions.reduce_sum(inputs * weights, axis=steps, keepdims=self.keepdims)
        count = reductions.reduce_sum(weights, axis=steps, keepdims=self.keepdims)
        return total / count

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalMaxPooling1D(_GlobalPooling):
    rank = 1
    _reduce = staticmethod(reductions.reduce_max)

    def __init__(self, data_format="channels_last", keepdims=False, **kwargs):
        super().__init__(data_format, keepdims, **kwargs)


MaxPool1D, MaxPool2D, AvgPool1D, AvgPool2D = (MaxPooling1D, MaxPooling2D, AveragePooling1D,
                                              AveragePooling2D)
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D
