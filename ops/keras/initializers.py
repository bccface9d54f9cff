"""``ag.keras.initializers``: the first values of weights.

An initializer is a callable ``init(shape, dtype=None) -> Tensor`` with a ``get_config``.
Random initializers without a ``seed`` draw from ``ag.random`` (so ``ag.random.set_seed``
makes them reproducible); with a ``seed`` they are stateless: every call gives the same
values, as in TF 2.7+.

Fans (used by the variance-scaling family) follow Keras: a kernel ``(..., fan_in, fan_out)``
multiplies both by the receptive field size ``prod(shape[:-2])``.
"""
from __future__ import annotations

import math

import numpy as np

from runtime import dtypes as D
from ops import array_ops, creation, linalg, random_ops
from ops import elementwise as math_ops
from ops.keras import backend
from ops.keras.generic_utils import deserialize_keras_object, serialize_keras_object

__all__ = [
    "Initializer", "Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform",
    "TruncatedNormal", "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeUniform",
    "HeNormal", "LecunUniform", "LecunNormal", "Orthogonal", "Identity", "get", "serialize",
    "deserialize", "zeros", "ones", "constant", "random_normal", "random_uniform",
    "truncated_normal", "glorot_uniform", "glorot_normal", "he_uniform", "he_normal",
    "lecun_uniform", "lecun_normal", "orthogonal", "identity", "variance_scaling",
]

# stddev of a unit normal truncated to [-2, 2]: dividing by it keeps the wanted variance.
_TRUNCATED_STDDEV = 0.87962566103423978


def _dtype(dtype, kind: str, allow_int: bool = False) -> D.DType:
    dtype = D.as_dtype(dtype or backend.floatx())
    if not (dtype.is_floating or (allow_int and (dtype.is_integer or dtype.is_bool))):
        raise ValueError(f"{kind}: expected a float dtype, got {dtype.name}")
    return dtype


def _shape(shape) -> tuple:
    dims = tuple(shape.as_list() if hasattr(shape, "as_list") else shape)
    if any(d is None for d in dims):
        raise ValueError(f"initializers need a fully known shape, got {dims}")
    return tuple(int(d) for d in dims)


def compute_fans(shape) -> tuple:
    """``(fan_in, fan_out)`` of a weight of this shape."""
    shape = _shape(shape)
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Base class: subclasses define ``__call__(shape, dtype=None, **kwargs)``."""

    def __call__(self, shape, dtype=None, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define __call__")

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config.pop("dtype", None)   # TF 1 configs carried one
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Zeros(Initializer):
    def __call__(self, shape, dtype=None, **kwargs):
        return creation.zeros(_shape(shape), dtype=_dtype(dtype, "Zeros", allow_int=True))


class Ones(Initializer):
    def __call__(self, shape, dtype=None, **kwargs):
        return creation.ones(_shape(shape), dtype=_dtype(dtype, "Ones", allow_int=True))


class Constant(Initializer):
    """Every element equal to ``value`` (a scalar, or an array of exactly ``shape``)."""

    def __init__(self, value=0):
        self.value = value

    def __call__(self, shape, dtype=None, **kwargs):
        shape = _shape(shape)
        dtype = _dtype(dtype, "Constant", allow_int=True)
        value = np.asarray(self.value, dtype=dtype.as_numpy_dtype)
        if value.ndim and value.shape != shape:
            raise ValueError(f"Constant: value has shape {value.shape} but the weight has shape "
                             f"{shape}; give a scalar or an array of that shape")
        from ops.tensor import constant
        return constant(np.broadcast_to(value, shape).copy(), dtype=dtype)

    def get_config(self) -> dict:
        value = self.value
        if isinstance(value, np.ndarray):
            value = value.tolist()
        return {"value": value}


class _Random(Initializer):
    """Shared seed handling: stateless (same values every call) when seeded."""

    def __init__(self, seed=None):
        self.seed = seed

    def _draw(self, kind: str, shape, dtype, **params):
        if self.seed is None:
            return getattr(random_ops, kind)(shape, dtype=dtype, **params)
        return getattr(random_ops, "stateless_" + kind)(shape, seed=(int(self.seed), 0),
                                                        dtype=dtype, **params)


class RandomNormal(_Random):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None, **kwargs):
        return self._draw("normal", _shape(shape), _dtype(dtype, "RandomNormal"),
                          mean=self.mean, stddev=self.stddev)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(_Random):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None, **kwargs):
        dtype = _dtype(dtype, "RandomUniform", allow_int=True)
        return self._draw("uniform", _shape(shape), dtype, minval=self.minval,
                          maxval=self.maxval)

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class TruncatedNormal(_Random):
    """Normal values redrawn where they fall more than two ``stddev`` from ``mean``."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None, **kwargs):
        return self._draw("truncated_normal", _shape(shape), _dtype(dtype, "TruncatedNormal"),
                          mean=self.mean, stddev=self.stddev)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class VarianceScaling(_Random):
    """Values with variance ``scale / n``, ``n`` being fan_in, fan_out or their mean."""

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        if scale <= 0.0:
            raise ValueError(f"VarianceScaling: scale must be positive, got {scale}")
        if distribution == "normal":
            distribution = "truncated_normal"   # Keras' historical alias
        if mode not in self._MODES:
            raise ValueError(f"VarianceScaling: mode must be one of {self._MODES}, got {mode!r}")
        if distribution not in self._DISTRIBUTIONS:
            raise ValueError(f"VarianceScaling: distribution must be one of "
                             f"{self._DISTRIBUTIONS}, got {distribution!r}")
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype=None, **kwargs):
        shape = _shape(shape)
        dtype = _dtype(dtype, type(self).__name__)
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        if self.distribution == "truncated_normal":
            return self._draw("truncated_normal", shape, dtype, mean=0.0,
                              stddev=math.sqrt(variance) / _TRUNCATED_STDDEV)
        if self.distribution == "untruncated_normal":
            return self._draw("normal", shape, dtype, mean=0.0, stddev=math.sqrt(variance))
        limit = math.sqrt(3.0 * variance)
        return self._draw("uniform", shape, dtype, minval=-limit, maxval=limit)

    def get_config(self) -> dict:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed}


def _preset(name: str, scale: float, mode: str, distribution: str, doc: str):
    """A VarianceScaling subclass with fixed parameters (only ``seed`` is configurable)."""
    def __init__(self, seed=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    def get_config(self) -> dict:
        return {"seed": self.seed}

    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config,
                                           "__doc__": doc, "__module__": __name__})


GlorotUniform = _preset("GlorotUniform", 1.0, "fan_avg", "uniform",
                        "Uniform in [-limit, limit], limit = sqrt(6 / (fan_in + fan_out)).")
GlorotNormal = _preset("GlorotNormal", 1.0, "fan_avg", "truncated_normal",
                       "Truncated normal, stddev = sqrt(2 / (fan_in + fan_out)).")
HeUniform = _preset("HeUniform", 2.0, "fan_in", "uniform",
                    "Uniform in [-limit, limit], limit = sqrt(6 / fan_in).")
HeNormal = _preset("HeNormal", 2.0, "fan_in", "truncated_normal",
                   "Truncated normal, stddev = sqrt(2 / fan_in).")
LecunUniform = _preset("LecunUniform", 1.0, "fan_in", "uniform",
                       "Uniform in [-limit, limit], limit = sqrt(3 / fan_in).")
LecunNormal = _preset("LecunNormal", 1.0, "fan_in", "truncated_normal",
                      "Truncated normal, stddev = sqrt(1 / fan_in).")


class Orthogonal(_Random):
    """A (semi-)orthogonal matrix times ``gain``; higher-rank shapes are flattened to
    ``(prod(shape[:-1]), shape[-1])``. Made by QR of a normal matrix, signs fixed so the
    distribution is uniform over orthogonal matrices."""

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None, **kwargs):
        shape = _shape(shape)
        dtype = _dtype(dtype, "Orthogonal")
        if len(shape) < 2:
            raise ValueError(f"Orthogonal: the shape must have rank >= 2, got {shape}")
        rows, cols = int(np.prod(shape[:-1])), shape[-1]
        flat = (max(rows, cols), min(rows, cols))
        a = self._draw("normal", flat, dtype, mean=0.0, stddev=1.0)
        q, r = linalg.qr(a, full_matrices=False)
        q = q * math_ops.sign(linalg.diag_part(r))
        if rows < cols:
            q = array_ops.transpose(q)
        return array_ops.reshape(q * self.gain, shape)

    def get_config(self) -> dict:
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None, **kwargs):
        shape = _shape(shape)
        if len(shape) != 2:
            raise ValueError(f"Identity: only 2-D shapes are supported, got {shape}")
        dtype = _dtype(dtype, "Identity", allow_int=True)
        return creation.eye(shape[0], shape[1], dtype=dtype) * self.gain

    def get_config(self) -> dict:
        return {"gain": self.gain}


# snake_case names as Keras exports them (classes: called with no arguments by ``get``).
zeros, ones, constant = Zeros, Ones, Constant
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
he_uniform, he_normal = HeUniform, HeNormal
lecun_uniform, lecun_normal = LecunUniform, LecunNormal
orthogonal, identity, variance_scaling = Orthogonal, Identity, VarianceScaling

_BY_NAME = {
    "zeros": Zeros, "ones": Ones, "constant": Constant, "uniform": RandomUniform,
    "normal": RandomNormal, "random_normal": RandomNormal, "random_uniform": RandomUniform,
    "truncated_normal": TruncatedNormal, "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal, "he_uniform": HeUniform, "he_normal": HeNormal,
    "lecun_uniform": LecunUniform, "lecun_normal": LecunNormal, "orthogonal": Orthogonal,
    "identity": Identity, "variance_scaling": VarianceScaling,
}
_BY_NAME.update({cls.__name__: cls for cls in set(_BY_NAME.values())})


def serialize(initializer):
    return serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    return deserialize_keras_object(config, _BY_NAME, "initializer", custom_objects)


def get(identifier, argument: str | None = None):
    """An initializer from a name (``"glorot_uniform"``, ``"GlorotUniform"``), a config dict,
    an initializer, or any callable; ``None`` stays ``None``. ``argument`` names the layer
    argument being resolved in error messages."""
    if identifier is None:
        return None
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    return deserialize_keras_object(identifier, _BY_NAME, "initializer", argument=argument)
