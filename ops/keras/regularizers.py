"""``ag.keras.regularizers``: weight penalties added to a layer's ``losses``.

A regularizer is a callable ``reg(weight) -> scalar tensor``. Layers call it each time
``layer.losses`` is read, so inside a ``GradientTape`` the penalty's gradient reaches the
weight.
"""
from __future__ import annotations

from ops import reductions
from ops import elementwise as math_ops
from ops.keras.generic_utils import deserialize_keras_object, serialize_keras_object
from ops.tensor import convert_to_tensor

__all__ = ["Regularizer", "L1", "L2", "L1L2", "OrthogonalRegularizer", "l1", "l2", "l1_l2",
           "get", "serialize", "deserialize"]


def _factor(value, name: str) -> float:
    value = float(value)
    if value < 0:
        raise ValueError(f"regularizer: {name} must be >= 0, got {value}")
    return value


class Regularizer:
    """Base class: subclasses define ``__call__(x)`` and ``get_config()``."""

    def __call__(self, x):
        return convert_to_tensor(0.0)

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x ** 2)``."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _factor(l1, "l1")
        self.l2 = _factor(l2, "l2")

    def __call__(self, x):
        x = convert_to_tensor(x)
        penalty = None
        if self.l1:
            penalty = reductions.reduce_sum(math_ops.abs(x)) * self.l1
        if self.l2:
            term = reductions.reduce_sum(math_ops.square(x)) * self.l2
            penalty = term if penalty is None else penalty + term
        return penalty if penalty is not None else reductions.reduce_sum(x) * 0.0

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """``l1 * sum(|x|)``."""

    def __init__(self, l1=0.01, **kwargs):
        super().__init__(l1=kwargs.pop("l", l1))

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(L1L2):
    """``l2 * sum(x ** 2)``."""

    def __init__(self, l2=0.01, **kwargs):
        super().__init__(l2=kwargs.pop("l", l2))

    def get_config(self) -> dict:
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """``factor * mean |<rows>|`` of the off-diagonal Gram entries of the normalised rows
    (``mode="rows"``) or columns (``mode="columns"``) of a 2-D weight."""

    def __init__(self, factor=0.01, mode="rows"):
        if mode not in ("rows", "columns"):
            raise ValueError(f"OrthogonalRegularizer: mode must be 'rows' or 'columns', got "
                             f"{mode!r}")
        self.factor, self.mode = _factor(factor, "factor"), mode

    def __call__(self, x):
        from ops import linalg, nn_ops, creation
        x = convert_to_tensor(x)
        if len(x.shape) != 2:
            raise ValueError(f"OrthogonalRegularizer: expected a 2-D weight, got shape {x.shape}")
        if self.mode == "columns":
            x = linalg.matrix_transpose(x)
        x = nn_ops.l2_normalize(x, axis=1)
        gram = linalg.matmul(x, x, transpose_b=True)
        n = x.shape[0]
        off = math_ops.abs(gram) * (1.0 - creation.eye(n, dtype=x.dtype))
        return reductions.reduce_sum(off) / (n * (n - 1)) * self.factor if n > 1 else \
            reductions.reduce_sum(off) * 0.0

    def get_config(self) -> dict:
        return {"factor": self.factor, "mode": self.mode}


def l1(l=0.01):  # noqa: E741  (Keras' argument name)
    return L1(l)


def l2(l=0.01):  # noqa: E741
    return L2(l)


def l1_l2(l1=0.01, l2=0.01):  # noqa: F811
    return L1L2(l1=l1, l2=l2)


_BY_NAME = {"l1": L1, "l2": L2, "l1_l2": L1L2, "orthogonal_regularizer": OrthogonalRegularizer,
            "L1": L1, "L2": L2, "L1L2": L1L2, "OrthogonalRegularizer": OrthogonalRegularizer}


def serialize(regularizer):
    return serialize_keras_object(regularizer)


def deserialize(config, custom_objects=None):
    return deserialize_keras_object(config, _BY_NAME, "regularizer", custom_objects)


def get(identifier, argument: str | None = None):
    """A regularizer from a name (``"l2"``: factor 0.01), a config dict, or a callable;
    ``None`` stays ``None``."""
    if identifier is None:
        return None
    if callable(identifier) and not isinstance(identifier, type):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Regularizer):
        return identifier()
    if identifier == "l1_l2":
        return l1_l2()   # the name means both factors at 0.01, not L1L2()'s zeros
    return deserialize_keras_object(identifier, _BY_NAME, "regularizer", argument=argument)
