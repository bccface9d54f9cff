"""``ag.keras.constraints``: projections applied to a weight after each optimizer update.

A constraint is a callable ``c(weight) -> new value``; ``add_weight(constraint=...)`` stores it
on the variable (``variable.constraint``) and optimizers assign ``constraint(variable)``
after applying gradients.
"""
from __future__ import annotations

from ops import reductions
from ops import elementwise as math_ops
from ops.keras import backend
from ops.keras.generic_utils import deserialize_keras_object, serialize_keras_object
from ops.tensor import convert_to_tensor

__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "RadialConstraint",
           "max_norm", "min_max_norm", "non_neg", "unit_norm", "get", "serialize",
           "deserialize"]


class Constraint:
    def __call__(self, w):
        return w

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


def _norms(w, axis):
    return math_ops.sqrt(reductions.reduce_sum(math_ops.square(w), axis=axis, keepdims=True))


class MaxNorm(Constraint):
    """Rescale slices along ``axis`` whose L2 norm exceeds ``max_value``."""

    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        w = convert_to_tensor(w)
        norms = _norms(w, self.axis)
        desired = reductions.clip_by_value(norms, 0.0, float(self.max_value))
        return w * (desired / (norms + backend.epsilon()))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Negative entries become zero."""

    def __call__(self, w):
        w = convert_to_tensor(w)
        return w * math_ops.cast(math_ops.greater_equal(w, 0.0), w.dtype)


class UnitNorm(Constraint):
    """Slices along ``axis`` rescaled to unit L2 norm."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = convert_to_tensor(w)
        return w / (backend.epsilon() + _norms(w, self.axis))

    def get_config(self) -> dict:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Norms along ``axis`` moved ``rate`` of the way into ``[min_value, max_value]``."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        w = convert_to_tensor(w)
        norms = _norms(w, self.axis)
        clipped = reductions.clip_by_value(norms, float(self.min_value), float(self.max_value))
        desired = clipped * self.rate + norms * (1 - self.rate)
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


class RadialConstraint(Constraint):
    """Accepted for configs that name it; leaves weights unchanged on this stack."""


max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm

_BY_NAME = {"max_norm": MaxNorm, "min_max_norm": MinMaxNorm, "non_neg": NonNeg,
            "unit_norm": UnitNorm, "MaxNorm": MaxNorm, "MinMaxNorm": MinMaxNorm,
            "NonNeg": NonNeg, "UnitNorm": UnitNorm, "RadialConstraint": RadialConstraint}


def serialize(constraint):
    return serialize_keras_object(constraint)


def deserialize(config, custom_objects=None):
    return deserialize_keras_object(config, _BY_NAME, "constraint", custom_objects)


def get(identifier, argument: str | None = None):
    if identifier is None:
        return None
    if isinstance(identifier, type) and issubclass(identifier, Constraint):
        return identifier()
    if callable(identifier):
        return identifier
    return deserialize_keras_object(identifier, _BY_NAME, "constraint", argument=argument)
