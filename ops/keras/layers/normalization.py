"""``BatchNormalization`` and ``LayerNormalization``.

Batch normalization normalises with the statistics of the batch while training
(``training=True``) and updates the moving averages
``moving = moving * momentum + batch_stat * (1 - momentum)``; at inference it uses the
moving averages. A frozen layer (``trainable=False``) always runs in inference mode, as in
TF 2 Keras. The moving variance is updated with the batch's (biased) variance, the
statistic the normalisation itself uses.

Layer normalization normalises each example over ``axis`` (the last by default) and has no
moving state.

Under a mixed policy (float16 compute, float32 weights) both compute in float32, as Keras
does: float16 statistics lose too much, and the moving averages stay float32. The output
is cast back to the input's dtype.
"""
from __future__ import annotations

from runtime.shapes import TensorShape, fmt
from ops import array_ops, nn_ops
from ops import elementwise as math_ops
from ops.keras import constraints, initializers, regularizers
from ops.keras.layers.base import (Layer, get_constraint, get_initializer, get_regularizer,
                                   smart_cond, training_off)
from ops.keras.layers.input_spec import InputSpec

__all__ = ["BatchNormalization", "LayerNormalization"]


def _axes(axis) -> list:
    if isinstance(axis, (list, tuple)):
        return [int(a) for a in axis]
    return [int(axis)]


def _resolve_axes(axes: list, rank: int, layer) -> list:
    resolved = []
    for a in axes:
        if not -rank <= a < rank:
            raise ValueError(f'{type(layer).__name__} layer "{layer.name}": axis {a} is out of '
                             f"range for inputs of rank {rank}")
        resolved.append(a % rank)
    if len(set(resolved)) != len(resolved):
        raise ValueError(f'{type(layer).__name__} layer "{layer.name}": duplicate axis in {axes}')
    return sorted(resolved)


class _Normalization(Layer):
    """Shared arguments and weights of the two normalisations."""

    def __init__(self, axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                 beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
                 **kwargs):
        super().__init__(**kwargs)
        self.axis = axis if isinstance(axis, int) else _axes(axis)
        self.epsilon = float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = get_initializer(beta_initializer, "beta_initializer")
        self.gamma_initializer = get_initializer(gamma_initializer, "gamma_initializer")
        self.beta_regularizer = get_regularizer(beta_regularizer, "beta_regularizer")
        self.gamma_regularizer = get_regularizer(gamma_regularizer, "gamma_regularizer")
        self.beta_constraint = get_constraint(beta_constraint, "beta_constraint")
        self.gamma_constraint = get_constraint(gamma_constraint, "gamma_constraint")
        self.supports_masking = True

    def _build_params(self, input_shape):
        """Resolve axes against the input rank; create gamma and beta. Returns the param
        shape."""
        input_shape = TensorShape(input_shape)
        rank = len(input_shape)
        self._resolved_axes = _resolve_axes(_axes(self.axis), rank, self)
        param_shape = tuple(input_shape[a] for a in self._resolved_axes)
        if None in param_shape:
            raise ValueError(f'{type(self).__name__} layer "{self.name}": the normalised axes '
                             f"{self._resolved_axes} of the input must have known sizes, got "
                             f"shape {fmt(tuple(input_shape))}")
        # gamma and beta broadcast against the inputs: size 1 on the other axes.
        self._broadcast_shape = [input_shape[i] if i in self._resolved_axes else 1
                                 for i in range(rank)]
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight("gamma", param_shape, initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight("beta", param_shape, initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint)
        self.input_spec = InputSpec(ndim=rank, axes={a: input_shape[a]
                                                     for a in self._resolved_axes})
        return param_shape

    def _upcast(self, inputs):
        """The inputs in the dtype the statistics are computed in: float32 for float16
        inputs of a layer with float32 weights (mixed precision), else as they are."""
        if inputs.dtype.name == "float16" and self.variable_dtype == "float32":
            return math_ops.cast(inputs, "float32")
        return inputs

    def _broadcast(self, param, dtype):
        """A parameter, read as ``dtype``, shaped to broadcast against the inputs."""
        if param is None:
            return None
        param = self._read(param, dtype)
        if len(self._resolved_axes) == 1 and self._resolved_axes[0] == len(
                self._broadcast_shape) - 1:
            return param
        return array_ops.reshape(param, self._broadcast_shape)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def _config(self) -> dict:
        return {
            "axis": self.axis, "epsilon": self.epsilon, "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }


class BatchNormalization(_Normalization):
    """Normalise over the batch (and every axis but ``axis``), then scale by ``gamma`` and
    shift by ``beta``.

    ``BatchNormalization(axis=-1, momentum=0.99, epsilon=0.001, center=True, scale=True,
    beta_initializer="zeros", gamma_initializer="ones", moving_mean_initializer="zeros",
    moving_variance_initializer="ones", ...)``; weights ``[gamma, beta, moving_mean,
    moving_variance]``.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=0.001, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, synchronized=False, **kwargs):
        kwargs.pop("fused", None)
        kwargs.pop("renorm", None)
        kwargs.pop("virtual_batch_size", None)
        kwargs.pop("adjustment", None)
        super().__init__(axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
                         **kwargs)
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"BatchNormalization: momentum must be in [0, 1], got {momentum}")
        self.momentum = float(momentum)
        self.moving_mean_initializer = get_initializer(moving_mean_initializer,
                                                       "moving_mean_initializer")
        self.moving_variance_initializer = get_initializer(moving_variance_initializer,
                                                           "moving_variance_initializer")
        self.synchronized = bool(synchronized)

    def build(self, input_shape):
        param_shape = self._build_params(input_shape)
        self.moving_mean = self.add_weight("moving_mean", param_shape,
                                           initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight("moving_variance", param_shape,
                                               initializer=self.moving_variance_initializer,
                                               trainable=False)
        rank = len(input_shape)
        self._reduction_axes = [i for i in range(rank) if i not in self._resolved_axes]
        self.built = True

    def call(self, inputs, training=None):
        x = self._upcast(inputs)
        if training_off(training) or not self.trainable:
            outputs = self._inference(x)
        else:
            outputs = smart_cond(training, lambda: self._training(x),
                                 lambda: self._inference(x))
        return outputs if outputs.dtype is inputs.dtype else math_ops.cast(outputs, inputs.dtype)

    def _normalize(self, inputs, mean, variance):
        return nn_ops.batch_normalization(inputs, mean, variance,
                                          self._broadcast(self.beta, inputs.dtype),
                                          self._broadcast(self.gamma, inputs.dtype),
                                          self.epsilon)

    def _inference(self, inputs):
        return self._normalize(inputs, self._broadcast(self.moving_mean, inputs.dtype),
                               self._broadcast(self.moving_variance, inputs.dtype))

    def _training(self, inputs):
        mean, variance = nn_ops.moments(inputs, self._reduction_axes, keepdims=True)
        outputs = self._normalize(inputs, mean, variance)
        decay = 1.0 - self.momentum
        for moving, batch_stat in ((self.moving_mean, mean), (self.moving_variance, variance)):
            stat = array_ops.reshape(batch_stat, moving.shape)
            if stat.dtype is not moving.dtype:
                stat = math_ops.cast(stat, moving.dtype)
            # The stored value, not the float16 read a mixed layer's call would give.
            current = self._read(moving, moving.dtype)
            moving.assign_sub((current - stat) * decay)
        return outputs

    def get_config(self):
        config = super().get_config()
        config.update(self._config())
        config.update({
            "momentum": self.momentum,
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer":
                initializers.serialize(self.moving_variance_initializer),
            "synchronized": self.synchronized,
        })
        return config


class LayerNormalization(_Normalization):
    """Normalise each example over ``axis`` (default: the last), then scale by ``gamma`` and
    shift by ``beta`` (both shaped like the normalised axes)."""

    def __init__(self, axis=-1, epsilon=0.001, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
                         **kwargs)

    def build(self, input_shape):
        self._build_params(input_shape)
        self.built = True

    def call(self, inputs):
        x = self._upcast(inputs)
        mean, variance = nn_ops.moments(x, self._resolved_axes, keepdims=True)
        outputs = nn_ops.batch_normalization(x, mean, variance,
                                             self._broadcast(self.beta, x.dtype),
                                             self._broadcast(self.gamma, x.dtype), self.epsilon)
        return outputs if outputs.dtype is inputs.dtype else math_ops.cast(outputs, inputs.dtype)

    def get_config(self):
        config = super().get_config()
        config.update(self._config())
        return config
