"""Core layers: ``Dense``, ``Activation``, ``Flatten``, ``Reshape``, ``Permute``,
``RepeatVector``, ``Dropout`` (and its spatial and Gaussian cousins), ``Lambda``,
``InputLayer``."""
from __future__ import annotations

import numpy as np

from runtime.shapes import TensorShape, fmt
from ops import array_ops, linalg, nn_ops, random_ops
from ops import elementwise as math_ops
from ops.keras import activations, backend, regularizers
from ops.keras.layers.base import (Layer, get_activation, get_constraint, get_initializer,
                                   weights_config, get_regularizer, smart_cond, training_off)
from ops.keras.layers.input_spec import InputSpec
from ops.tensor import Tensor

__all__ = ["Dense", "Activation", "Flatten", "Reshape", "Permute", "RepeatVector", "Dropout",
           "SpatialDropout1D", "SpatialDropout2D", "GaussianNoise", "GaussianDropout",
           "ActivityRegularization", "Lambda", "InputLayer"]


def _positive_int(value, what: str, layer: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{layer}: {what} must be a positive integer, got {value!r}")
    return int(value)


def _dynamic_batch(x: Tensor):
    """The batch size of ``x``: a Python int when known, else a scalar tensor."""
    return x.shape[0] if x.shape[0] is not None else array_ops.shape(x)[0]


class Dense(Layer):
    """``activation(inputs @ kernel + bias)``; inputs of rank > 2 contract their last axis.

    ``Dense(units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
    bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
    activity_regularizer=None, kernel_constraint=None, bias_constraint=None)``
    """

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = _positive_int(units, "units", "Dense")
        self.activation = get_activation(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = get_initializer(kernel_initializer, "kernel_initializer")
        self.bias_initializer = get_initializer(bias_initializer, "bias_initializer")
        self.kernel_regularizer = get_regularizer(kernel_regularizer, "kernel_regularizer")
        self.bias_regularizer = get_regularizer(bias_regularizer, "bias_regularizer")
        self.kernel_constraint = get_constraint(kernel_constraint, "kernel_constraint")
        self.bias_constraint = get_constraint(bias_constraint, "bias_constraint")
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        last = input_shape[-1] if len(input_shape) else None
        if last is None:
            raise ValueError(f'The last dimension of the inputs to Dense layer "{self.name}" '
                             f"must be known, got input shape {fmt(tuple(input_shape))}")
        self.kernel = self.add_weight("kernel", (last, self.units),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.units,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: last})
        self.built = True

    def call(self, inputs):
        kernel = self._read(self.kernel)
        if inputs.ndim == 2:
            outputs = linalg.matmul(inputs, kernel)
        else:
            outputs = linalg.tensordot(inputs, kernel, [[inputs.ndim - 1], [0]])
        if self.bias is not None:
            outputs = nn_ops.bias_add(outputs, self._read(self.bias))
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape)
        if len(input_shape) < 2 or input_shape[-1] is None:
            raise ValueError(f'Dense layer "{self.name}": inputs need rank >= 2 and a known last '
                             f"dimension, got {fmt(tuple(input_shape))}")
        return input_shape[:-1] + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units, **weights_config(self),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
        })
        return config


class Activation(Layer):
    """Apply an activation function (by name or callable) to the inputs."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = get_activation(activation)
        self.supports_masking = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config


def _data_format(value, layer: str) -> str:
    value = value or backend.image_data_format()
    if value not in ("channels_last", "channels_first"):
        raise ValueError(f"{layer}: data_format must be 'channels_last' or 'channels_first', "
                         f"got {value!r}")
    return value


class Flatten(Layer):
    """Collapse every axis but the batch axis: ``(batch, d1, d2, ...) -> (batch, d1*d2*...)``.
    ``data_format="channels_first"`` moves channels last first (Keras' weight order)."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format, "Flatten")
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim >= 3:
            inputs = array_ops.transpose(inputs, [0] + list(range(2, inputs.ndim)) + [1])
        if inputs.ndim == 1:
            return array_ops.expand_dims(inputs, 1)
        rest = inputs.shape[1:]
        size = None if None in rest else int(np.prod(rest))
        batch = inputs.shape[0]
        if batch is not None and size is not None:
            return array_ops.reshape(inputs, (batch, size))
        if size:
            return array_ops.reshape(inputs, (-1, size))
        # Unknown sizes (or an empty example, where -1 would be ambiguous): read the batch.
        dims = array_ops.concat([array_ops.shape(inputs)[:1], [-1 if size is None else size]], 0)
        return array_ops.reshape(inputs, dims)

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape)
        if len(input_shape) == 1:
            return TensorShape((input_shape[0], 1))
        rest = input_shape[1:]
        return TensorShape((input_shape[0], None if None in rest else int(np.prod(rest))))

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class Reshape(Layer):
    """Reshape each example to ``target_shape`` (the batch axis is kept; one entry may be
    -1)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in target) > 1 or any(d < -1 or d == 0 for d in target if d != -1):
            raise ValueError(f"Reshape: target_shape must hold positive sizes and at most one "
                             f"-1, got {tuple(target_shape)}")
        self.target_shape = target

    def _resolved(self, input_shape) -> tuple:
        """``target_shape`` with -1 worked out from ``input_shape`` (``None`` if unknown)."""
        size = TensorShape(input_shape[1:]).num_elements()
        known = int(np.prod([d for d in self.target_shape if d != -1]))
        if -1 not in self.target_shape:
            if size is not None and size != known:
                raise ValueError(f'Reshape layer "{self.name}": the total size of each example '
                                 f"must be unchanged: input shape {fmt(tuple(input_shape))} has "
                                 f"{size} values per example, target_shape "
                                 f"{self.target_shape} has {known}")
            return self.target_shape
        if size is None:
            return tuple(None if d == -1 else d for d in self.target_shape)
        if size % known:
            raise ValueError(f'Reshape layer "{self.name}": cannot reshape input shape '
                             f"{fmt(tuple(input_shape))} to target_shape {self.target_shape}: "
                             f"{size} values per example do not divide by {known}")
        return tuple(size // known if d == -1 else d for d in self.target_shape)

    def call(self, inputs):
        resolved = self._resolved(inputs.shape)
        if None in resolved:
            dims = array_ops.concat([array_ops.shape(inputs)[:1], list(self.target_shape)], 0)
            return array_ops.reshape(inputs, dims)
        batch = inputs.shape[0]
        if batch is None:
            batch = -1 if np.prod(resolved) else array_ops.shape(inputs)[0]
        if isinstance(batch, Tensor):
            return array_ops.reshape(inputs, array_ops.concat([[batch], list(resolved)], 0))
        return array_ops.reshape(inputs, (batch,) + resolved)

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape)
        return TensorShape((input_shape[0],) + self._resolved(input_shape))

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = self.target_shape
        return config


class Permute(Layer):
    """Permute the non-batch axes: ``dims`` is a permutation of ``1..rank-1``."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Permute: dims must be a permutation of 1..{len(self.dims)} "
                             f"(the batch axis 0 stays first), got {tuple(dims)}")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs):
        return array_ops.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape)
        return TensorShape((input_shape[0],) + tuple(input_shape[d] for d in self.dims))

    def get_config(self):
        config = super().get_config()
        config["dims"] = self.dims
        return config


class RepeatVector(Layer):
    """``(batch, features) -> (batch, n, features)``."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = _positive_int(n, "n", "RepeatVector")
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return array_ops.tile(array_ops.expand_dims(inputs, 1), [1, self.n, 1])

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape)
        return TensorShape((input_shape[0], self.n, input_shape[1]))

    def get_config(self):
        config = super().get_config()
        config["n"] = self.n
        return config


def _check_rate(rate, layer: str) -> float:
    if isinstance(rate, (int, float, np.floating)) and not 0 <= rate < 1:
        raise ValueError(f"{layer}: rate must be a float in the range [0, 1), got {rate}")
    return rate


class Dropout(Layer):
    """During training (``training=True``), zero each input with probability ``rate`` and
    scale the others by ``1 / (1 - rate)``; at inference, pass inputs through.

    ``noise_shape`` shares one keep/drop decision along its size-1 axes (``None`` entries
    take the input's size).
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _check_rate(rate, "Dropout")
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self.supports_masking = True

    def _noise_shape(self, inputs):
        return self.noise_shape

    def call(self, inputs, training=None):
        if training_off(training) or self.rate == 0:
            return inputs
        return smart_cond(
            training,
            lambda: nn_ops.dropout(inputs, self.rate, noise_shape=self._noise_shape(inputs),
                                   seed=self.seed),
            lambda: math_ops.identity(inputs))

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed})
        return config


class SpatialDropout1D(Dropout):
    """Dropout of whole feature channels of ``(batch, steps, channels)`` inputs."""

    def __init__(self, rate, **kwargs):
        kwargs.pop("noise_shape", None)
        super().__init__(rate, **kwargs)
        self.input_spec = InputSpec(ndim=3)

    def _noise_shape(self, inputs):
        return [None, 1, None]

    def get_config(self):
        config = super().get_config()
        config.pop("noise_shape")
        return config


class SpatialDropout2D(Dropout):
    """Dropout of whole feature maps of 4-D inputs."""

    def __init__(self, rate, data_format=None, **kwargs):
        kwargs.pop("noise_shape", None)
        super().__init__(rate, **kwargs)
        self.data_format = _data_format(data_format, "SpatialDropout2D")
        self.input_spec = InputSpec(ndim=4)

    def _noise_shape(self, inputs):
        if self.data_format == "channels_first":
            return [None, None, 1, 1]
        return [None, 1, 1, None]

    def get_config(self):
        config = super().get_config()
        config.pop("noise_shape")
        config["data_format"] = self.data_format
        return config


class _TrainingNoise(Layer):
    """Inputs changed by random noise during training only; subclasses give ``_noisy``."""

    _config_keys: tuple = ()

    def call(self, inputs, training=None):
        if training_off(training) or self._inactive():
            return inputs
        return smart_cond(training, lambda: self._noisy(inputs),
                          lambda: math_ops.identity(inputs))

    def _inactive(self) -> bool:
        return False

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({key: getattr(self, key) for key in self._config_keys})
        return config


class GaussianNoise(_TrainingNoise):
    """Add zero-mean Gaussian noise of ``stddev`` during training."""

    _config_keys = ("stddev", "seed")

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev, self.seed = float(stddev), seed
        self.supports_masking = True

    def _noisy(self, inputs):
        return inputs + random_ops.normal(array_ops.shape(inputs), stddev=self.stddev,
                                          dtype=inputs.dtype, seed=self.seed)


class GaussianDropout(_TrainingNoise):
    """Multiply by noise ``N(1, rate / (1 - rate))`` during training."""

    _config_keys = ("rate", "seed")

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate, self.seed = _check_rate(rate, "GaussianDropout"), seed
        self.supports_masking = True

    def _inactive(self) -> bool:
        return self.rate == 0

    def _noisy(self, inputs):
        stddev = float(np.sqrt(self.rate / (1.0 - self.rate)))
        return inputs * random_ops.normal(array_ops.shape(inputs), mean=1.0, stddev=stddev,
                                          dtype=inputs.dtype, seed=self.seed)


class ActivityRegularization(Layer):
    """Pass inputs through, adding an L1/L2 penalty on them to ``losses``."""

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = l1, l2
        self.supports_masking = True

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)
        config.update({"l1": self.l1, "l2": self.l2})
        return config


class Lambda(Layer):
    """Wrap a function as a layer: ``Lambda(lambda x: x ** 2)``.

    ``arguments`` are extra keyword arguments for the function. ``get_config`` stores the
    function by name (configs hold no code), and so a callable ``mask`` or ``output_shape``,
    so ``from_config`` finds them through ``custom_objects`` or
    ``register_keras_serializable``; lambdas cannot be restored.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(function, str):
            from ops.keras.generic_utils import get_registered_object
            found = get_registered_object(function)
            if found is None:
                raise ValueError(f"Lambda: no function named {function!r} is known; pass it "
                                 "in custom_objects or register it with "
                                 "register_keras_serializable")
            function = found
        if not callable(function):
            raise TypeError(f"Lambda: function must be callable, got {type(function).__name__}")
        self.function = function
        self.arguments = dict(arguments or {})
        self._output_shape = output_shape
        self._mask = mask
        import inspect
        params = inspect.signature(function).parameters
        self._fn_training = "training" in params
        self._fn_mask = "mask" in params

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_mask:
            kwargs["mask"] = mask
        if self._fn_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        if callable(self._mask):
            return self._mask(inputs, mask)
        return self._mask

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return TensorShape(self._output_shape(input_shape))
        return TensorShape((TensorShape(input_shape)[0],) + tuple(self._output_shape))

    def get_config(self):
        config = super().get_config()
        output_shape = self._output_shape
        if output_shape is not None:
            output_shape = self._function_name(output_shape, "output_shape") if callable(
                output_shape) else tuple(output_shape)
        mask = self._mask
        if mask is not None and not callable(mask):
            raise ValueError(f'Lambda layer "{self.name}": a constant mask cannot be stored in '
                             "a config; pass a function computing it")
        config.update({"function": self._function_name(self.function, "function"),
                       "output_shape": output_shape, "arguments": self.arguments,
                       "mask": None if mask is None else self._function_name(mask, "mask")})
        return config

    def _function_name(self, fn, argument: str) -> str:
        name = getattr(fn, "__name__", None)
        if name is None or name == "<lambda>":
            raise ValueError(f'Lambda layer "{self.name}": its {argument} is an anonymous '
                             "function, which a config cannot hold; use a named function "
                             "registered with register_keras_serializable")
        from ops.keras.generic_utils import get_registered_name
        return get_registered_name(fn).partition(">")[2] or name

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ops.keras.generic_utils import get_registered_object
        config = dict(config)
        for key in ("function", "mask", "output_shape"):
            value = config.get(key)
            if isinstance(value, str):
                found = get_registered_object(value, custom_objects)
                if found is None:
                    raise ValueError(f"Lambda.from_config: no function named {value!r} (the "
                                     f"{key}) is known; pass it in custom_objects or register "
                                     "it with register_keras_serializable")
                config[key] = found
        return cls(**config)


class InputLayer(Layer):
    """The entry point of a model: passes inputs through and records their shape.

    ``InputLayer(input_shape=None, batch_size=None, dtype=None, name=None)``; also accepts
    ``batch_input_shape``. Sequential models put one first when the first layer has an
    ``input_shape``.
    """

    def __init__(self, input_shape=None, batch_size=None, dtype=None, input_tensor=None,
                 sparse=None, name=None, ragged=None, type_spec=None, batch_input_shape=None,
                 **kwargs):
        if sparse or ragged:
            raise ValueError("InputLayer: sparse and ragged inputs are not supported")
        if name is None:
            name = f"input_{backend.get_uid('input')}"
        if batch_input_shape is None and input_shape is not None:
            if isinstance(input_shape, (int, np.integer)):
                input_shape = (input_shape,)
            batch_input_shape = (batch_size,) + tuple(input_shape)
        if batch_input_shape is None and input_tensor is not None:
            batch_input_shape = tuple(input_tensor.shape)
        kwargs.pop("trainable", None)
        super().__init__(dtype=dtype, name=name, batch_input_shape=batch_input_shape, **kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        return {"batch_input_shape": None if self._batch_input_shape is None else
                tuple(self._batch_input_shape), "dtype": self.dtype, "sparse": False,
                "ragged": False, "name": self.name}
