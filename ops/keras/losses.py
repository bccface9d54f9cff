"""Keras losses (``tf.keras.losses``): functions returning one loss per example, and ``Loss``
classes that apply sample weights and a reduction.

Formulas are Keras's (epsilon = 1e-7 for clipping probabilities). Function forms reduce over
the last axis; classes reduce the per-example losses with ``reduction``:
``"sum_over_batch_size"`` (default: sum of weighted losses / number of losses), ``"sum"`` or
``"none"``. Bad labels are reported with the loss's name and both shapes, before any op runs,
so the same message appears eagerly and while tracing.
"""
from __future__ import annotations

import math
import re

from runtime import dtypes as D
from runtime.shapes import fmt
from ops import array_ops, elementwise as ew, nn_ops, reductions
from ops.tensor import Tensor, convert_to_tensor

__all__ = [
    "Loss", "LossFunctionWrapper", "Reduction", "MeanSquaredError", "MeanAbsoluteError",
    "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "Huber", "LogCosh",
    "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
    "KLDivergence", "Poisson", "CosineSimilarity", "Hinge", "SquaredHinge", "CategoricalHinge",
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "huber", "log_cosh", "binary_crossentropy",
    "categorical_crossentropy", "sparse_categorical_crossentropy", "kl_divergence", "poisson",
    "cosine_similarity", "hinge", "squared_hinge", "categorical_hinge",
    "mse", "mae", "mape", "msle", "MSE", "MAE", "MAPE", "MSLE", "kld", "KLD", "logcosh",
    "get", "serialize", "deserialize",
]

EPSILON = 1e-7  # Keras's backend.epsilon(): keeps log() away from 0 and 1


class Reduction:
    """TF 2 names of the reductions (``tf.keras.losses.Reduction``)."""
    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key):
        return standardize_reduction(key)


def standardize_reduction(reduction) -> str:
    if reduction is None:
        return "none"
    allowed = ("sum_over_batch_size", "sum", "none", "auto")
    if reduction not in allowed:
        raise ValueError(f"Invalid value for argument `reduction`: {reduction!r}; expected one "
                         f"of {allowed} (or None)")
    return "sum_over_batch_size" if reduction == "auto" else reduction


# ---- shared helpers (metrics use them too) ---------------------------------------------------

def _shape(t: Tensor) -> tuple:
    return tuple(t.shape)


def _compatible(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


def _broadcastable(a: tuple, b: tuple) -> bool:
    return all(x is None or y is None or x == y or x == 1 or y == 1
               for x, y in zip(reversed(a), reversed(b)))


def squeeze_or_expand_to_same_rank(x1: Tensor, x2: Tensor, expand_rank_1: bool = True):
    """Make ranks equal when they differ by a trailing axis of size 1 (labels ``(n, 1)``
    against predictions ``(n,)``), as Keras does before comparing or subtracting."""
    r1, r2 = len(x1.shape), len(x2.shape)
    if r1 == r2 + 1 and _shape(x1)[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = array_ops.expand_dims(x2, -1)
        else:
            x1 = array_ops.squeeze(x1, -1)
    elif r2 == r1 + 1 and _shape(x2)[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = array_ops.expand_dims(x1, -1)
        else:
            x2 = array_ops.squeeze(x2, -1)
    return x1, x2


def _predictions(y_pred, loss: str) -> Tensor:
    y_pred = convert_to_tensor(y_pred)
    if y_pred.dtype.is_floating:
        return y_pred
    if y_pred.dtype.is_integer or y_pred.dtype.is_bool:
        return ew.cast(y_pred, D.float32)
    raise TypeError(f"{loss}: y_pred must be numeric, got dtype {y_pred.dtype.name}")


def _labels(y_true, y_pred: Tensor, loss: str) -> Tensor:
    """``y_true`` as a tensor of ``y_pred``'s float dtype (TypeError for strings etc.)."""
    y_true = convert_to_tensor(y_true)
    if not (y_true.dtype.is_floating or y_true.dtype.is_integer or y_true.dtype.is_bool):
        raise TypeError(f"{loss}: y_true must be numeric, got dtype {y_true.dtype.name} "
                        f"(shape {fmt(_shape(y_true))}; y_pred has shape {fmt(_shape(y_pred))})")
    return y_true if y_true.dtype is y_pred.dtype else ew.cast(y_true, y_pred.dtype)


def _pair(y_true, y_pred, loss: str, same_shape: bool = False):
    """Converted, rank-matched ``(y_true, y_pred)``; ValueError naming ``loss`` and both shapes
    when they cannot be combined."""
    y_pred = _predictions(y_pred, loss)
    y_true = _labels(y_true, y_pred, loss)
    t, p = squeeze_or_expand_to_same_rank(y_true, y_pred)
    ok = _compatible(_shape(t), _shape(p)) if same_shape else _broadcastable(_shape(t), _shape(p))
    if not ok:
        need = "the same shape" if same_shape else "broadcast-compatible shapes"
        raise ValueError(f"{loss}: y_true has shape {fmt(_shape(y_true))} but y_pred has shape "
                         f"{fmt(_shape(y_pred))}; they must have {need}")
    return t, p


def _mean_last(x: Tensor) -> Tensor:
    return reductions.reduce_mean(x, axis=-1) if len(x.shape) else x


def _sum_last(x: Tensor, axis=-1) -> Tensor:
    return reductions.reduce_sum(x, axis=axis) if len(x.shape) else x


# ---- regression losses -----------------------------------------------------------------------

def mean_squared_error(y_true, y_pred):
    """``mean(square(y_true - y_pred), axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred, "mean_squared_error")
    return _mean_last(ew.square(y_true - y_pred))


def mean_absolute_error(y_true, y_pred):
    """``mean(abs(y_true - y_pred), axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred, "mean_absolute_error")
    return _mean_last(ew.abs(y_true - y_pred))


def mean_absolute_percentage_error(y_true, y_pred):
    """``100 * mean(abs((y_true - y_pred) / max(abs(y_true), eps)), axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred, "mean_absolute_percentage_error")
    diff = ew.abs((y_true - y_pred) / ew.maximum(ew.abs(y_true), EPSILON))
    return 100.0 * _mean_last(diff)


def mean_squared_logarithmic_error(y_true, y_pred):
    """``mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred, "mean_squared_logarithmic_error")
    first = ew.log(ew.maximum(y_pred, EPSILON) + 1.0)
    second = ew.log(ew.maximum(y_true, EPSILON) + 1.0)
    return _mean_last(ew.square(first - second))


def huber(y_true, y_pred, delta=1.0):
    """Quadratic for ``|error| <= delta``, linear beyond: ``0.5 e**2`` or
    ``delta * |e| - 0.5 delta**2``, averaged over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred, "huber")
    error = y_pred - y_true
    abs_error = ew.abs(error)
    quadratic = 0.5 * ew.square(error)
    linear = delta * abs_error - 0.5 * delta * delta
    return _mean_last(array_ops.where(ew.less_equal(abs_error, delta), quadratic, linear))


def log_cosh(y_true, y_pred):
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``, as ``x + softplus(-2x) - log 2`` so large
    errors do not overflow."""
    y_true, y_pred = _pair(y_true, y_pred, "log_cosh")
    x = y_pred - y_true
    return _mean_last(x + nn_ops.softplus(-2.0 * x) - math.log(2.0))


# ---- probabilistic losses --------------------------------------------------------------------

def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Mean over ``axis`` of ``-(t log p + (1 - t) log(1 - p))``, with ``p`` clipped to
    ``[eps, 1 - eps]``, or computed stably from logits. Label smoothing moves targets toward
    0.5: ``t * (1 - s) + 0.5 s``."""
    y_true, y_pred = _pair(y_true, y_pred, "binary_crossentropy", same_shape=True)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        losses = nn_ops.sigmoid_cross_entropy_with_logits(labels=y_true, logits=y_pred)
    else:
        p = reductions.clip_by_value(y_pred, EPSILON, 1.0 - EPSILON)
        losses = -(y_true * ew.log(p) + (1.0 - y_true) * ew.log(1.0 - p))
    return reductions.reduce_mean(losses, axis=axis) if len(losses.shape) else losses


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """``-sum(y_true * log(p), axis)`` for one-hot (or probability) ``y_true``; ``p`` is
    ``y_pred`` normalised to sum to 1 and clipped, or ``softmax(y_pred)`` with logits."""
    name = "categorical_crossentropy"
    y_pred = _predictions(y_pred, name)
    y_true = _labels(y_true, y_pred, name)
    if not len(y_pred.shape) or not _compatible(_shape(y_true), _shape(y_pred)):
        hint = (" (y_true looks like integer class indices: use "
                 "sparse_categorical_crossentropy)"
                 if len(y_true.shape) + 1 == len(y_pred.shape) or
                 (len(y_true.shape) and _shape(y_true)[-1] == 1) else "")
        raise ValueError(f"{name}: y_true has shape {fmt(_shape(y_true))} but y_pred has shape "
                         f"{fmt(_shape(y_pred))}; expected one-hot labels of the same shape"
                         f"{hint}")
    if label_smoothing:
        classes = _shape(y_pred)[axis]
        if classes is None:
            classes = ew.cast(array_ops.shape(y_pred)[axis], y_pred.dtype)
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / classes
    if from_logits:
        return nn_ops.softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred, axis=axis)
    p = y_pred / reductions.reduce_sum(y_pred, axis=axis, keepdims=True)
    p = reductions.clip_by_value(p, EPSILON, 1.0 - EPSILON)
    return -reductions.reduce_sum(y_true * ew.log(p), axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """Categorical crossentropy with integer class labels ``y_true`` (shape of ``y_pred``
    without its last axis, or with a trailing 1). Labels equal to ``ignore_class`` give 0."""
    name = "sparse_categorical_crossentropy"
    if axis not in (-1, len(getattr(y_pred, "shape", ())) - 1):
        raise NotImplementedError(f"{name}: only the last axis can hold the classes")
    y_pred = _predictions(y_pred, name)
    labels = convert_to_tensor(y_true)
    if labels.dtype.is_floating:
        labels = ew.cast(labels, D.int64)  # Keras accepts float class ids (e.g. 3.0)
    elif labels.dtype.is_integer:
        if labels.dtype not in (D.int32, D.int64):
            labels = ew.cast(labels, D.int64)
    else:
        raise TypeError(f"{name}: y_true must hold integer class indices, got dtype "
                        f"{labels.dtype.name} (shape {fmt(_shape(labels))}; y_pred has shape "
                        f"{fmt(_shape(y_pred))})")
    original = _shape(labels)
    if len(labels.shape) == len(y_pred.shape) and len(labels.shape) and original[-1] == 1:
        labels = array_ops.squeeze(labels, -1)
    if not len(y_pred.shape) or not _compatible(_shape(labels), _shape(y_pred)[:-1]):
        hint = (" (y_true looks one-hot: use categorical_crossentropy)"
                if _compatible(original, _shape(y_pred)) else "")
        raise ValueError(f"{name}: y_true has shape {fmt(original)} but y_pred has shape "
                         f"{fmt(_shape(y_pred))}; expected class indices of shape "
                         f"{fmt(_shape(y_pred)[:-1])} (or with a trailing 1){hint}")
    valid = None
    if ignore_class is not None:
        valid = ew.not_equal(labels, ew.cast(ignore_class, labels.dtype))
        labels = array_ops.where(valid, labels, ew.zeros_like(labels))
    if from_logits:
        logits = y_pred
    else:
        # log of the normalised, clipped probabilities; softmax(log q) = q / sum(q), which is
        # q itself up to the clipping, so this is Keras's -log(q[label]).
        p = y_pred / reductions.reduce_sum(y_pred, axis=-1, keepdims=True)
        logits = ew.log(reductions.clip_by_value(p, EPSILON, 1.0 - EPSILON))
    losses = nn_ops.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    if valid is not None:
        losses = array_ops.where(valid, losses, ew.zeros_like(losses))
    return losses


def kl_divergence(y_true, y_pred):
    """``sum(t * log(t / p), axis=-1)`` with both clipped to ``[eps, 1]``."""
    y_true, y_pred = _pair(y_true, y_pred, "kl_divergence")
    t = reductions.clip_by_value(y_true, EPSILON, 1.0)
    p = reductions.clip_by_value(y_pred, EPSILON, 1.0)
    return _sum_last(t * ew.log(t / p))


def poisson(y_true, y_pred):
    """``mean(y_pred - y_true * log(y_pred + eps), axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred, "poisson")
    return _mean_last(y_pred - y_true * ew.log(y_pred + EPSILON))


def cosine_similarity(y_true, y_pred, axis=-1):
    """``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``: -1 for parallel vectors."""
    y_true, y_pred = _pair(y_true, y_pred, "cosine_similarity")
    t = nn_ops.l2_normalize(y_true, axis=axis)
    p = nn_ops.l2_normalize(y_pred, axis=axis)
    return -reductions.reduce_sum(t * p, axis=axis)


# ---- hinge losses ----------------------------------------------------------------------------

def _hinge_labels(y_true: Tensor) -> Tensor:
    """0/1 labels become -1/1; labels already in {-1, 1} are kept."""
    binary = reductions.reduce_all(ew.logical_or(ew.equal(y_true, 0.0), ew.equal(y_true, 1.0)))
    return array_ops.where(binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred):
    """``mean(max(1 - y_true * y_pred, 0), axis=-1)`` with labels in {-1, 1} (or 0/1)."""
    y_true, y_pred = _pair(y_true, y_pred, "hinge")
    return _mean_last(ew.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0))


def squared_hinge(y_true, y_pred):
    """``mean(square(max(1 - y_true * y_pred, 0)), axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred, "squared_hinge")
    return _mean_last(ew.square(ew.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0)))


def categorical_hinge(y_true, y_pred):
    """``max(max((1 - t) * p) - sum(t * p) + 1, 0)`` over the last axis, one-hot ``t``."""
    y_true, y_pred = _pair(y_true, y_pred, "categorical_hinge", same_shape=True)
    pos = reductions.reduce_sum(y_true * y_pred, axis=-1)
    neg = reductions.reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return ew.maximum(neg - pos + 1.0, 0.0)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh


# ---- reduction -------------------------------------------------------------------------------

def _weights_like(sample_weight, losses: Tensor, loss: str) -> Tensor:
    w = convert_to_tensor(sample_weight)
    w = w if w.dtype is losses.dtype else ew.cast(w, losses.dtype)
    # The losses keep their shape: (batch, 1) weights lose the 1, and (batch,) weights for
    # (batch, steps) losses gain trailing axes.
    while len(w.shape) > len(losses.shape) and _shape(w)[-1] == 1:
        w = array_ops.squeeze(w, -1)
    while len(w.shape) < len(losses.shape):
        w = array_ops.expand_dims(w, -1)
    if len(w.shape) > len(losses.shape) or not _broadcastable(_shape(w), _shape(losses)):
        given = fmt(_shape(convert_to_tensor(sample_weight)))
        raise ValueError(f"{loss}: sample_weight has shape {given} which does not fit the "
                         f"losses of shape {fmt(_shape(losses))}")
    return w


def reduce_weighted_values(values, sample_weight=None, mask=None,
                           reduction="sum_over_batch_size", loss: str = "loss"):
    """Weight ``values`` (and zero masked-out ones), then reduce. With a mask,
    ``sum_over_batch_size`` divides by the number of unmasked values."""
    reduction = standardize_reduction(reduction)
    values = convert_to_tensor(values)
    if sample_weight is not None:
        values = values * _weights_like(sample_weight, values, loss)
    if mask is not None:
        mask = ew.cast(mask, values.dtype)
        values = values * mask
    if reduction == "none" or not len(values.shape):
        return values
    total = reductions.reduce_sum(values)
    if reduction == "sum":
        return total
    count = reductions.reduce_sum(mask) if mask is not None else ew.cast(
        array_ops.size(values), values.dtype)
    return ew.divide_no_nan(total, count)


# ---- classes ---------------------------------------------------------------------------------

class Loss:
    """Base class: subclasses implement ``call(y_true, y_pred)`` returning per-example losses;
    ``__call__`` applies ``sample_weight`` and the ``reduction``."""

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or _snake(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self.dtype = dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        # As Keras 3: predictions become floats and numeric labels take their dtype, so
        # custom ``call``s may subtract them (sparse losses cast class ids back to ints).
        y_pred = _predictions(y_pred, self.name)
        if self.dtype is not None and y_pred.dtype is not D.as_dtype(self.dtype):
            y_pred = ew.cast(y_pred, D.as_dtype(self.dtype))
        y_true = convert_to_tensor(y_true)
        if y_true.dtype is not y_pred.dtype and (
                y_true.dtype.is_integer or y_true.dtype.is_bool or y_true.dtype.is_floating):
            y_true = ew.cast(y_true, y_pred.dtype)
        losses = self.call(y_true, y_pred)
        return reduce_weighted_values(losses, sample_weight, self._mask(y_true),
                                      self.reduction, self.name)

    def _mask(self, y_true):
        return None

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred)")

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} reduction={self.reduction!r}>"


class LossFunctionWrapper(Loss):
    """A ``Loss`` from a per-example function ``fn(y_true, y_pred, **kwargs)``."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction,
                         dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = super().get_config()
        if type(self) is LossFunctionWrapper:  # subclasses know their function
            config["fn"] = serialize(self.fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if "fn" in config:
            config["fn"] = get(config["fn"], custom_objects)
        return cls(**config)


class _FunctionLoss(LossFunctionWrapper):
    """A loss class for one of the functions above: ``_fn`` and its default ``_name``;
    subclasses with options pass them as keywords to ``__init__`` here."""

    _fn = None
    _name = None

    def __init__(self, reduction="sum_over_batch_size", name=None, dtype=None, **options):
        super().__init__(type(self)._fn, reduction=reduction, name=name or self._name,
                         dtype=dtype, **options)
        for key, value in options.items():
            setattr(self, key, value)


class MeanSquaredError(_FunctionLoss):
    """Mean of squared errors over the last axis, then ``reduction``."""
    _fn, _name = staticmethod(mean_squared_error), "mean_squared_error"


class MeanAbsoluteError(_FunctionLoss):
    """Mean of absolute errors."""
    _fn, _name = staticmethod(mean_absolute_error), "mean_absolute_error"


class MeanAbsolutePercentageError(_FunctionLoss):
    """Mean absolute percentage error."""
    _fn, _name = staticmethod(mean_absolute_percentage_error), "mean_absolute_percentage_error"


class MeanSquaredLogarithmicError(_FunctionLoss):
    """Mean squared logarithmic error."""
    _fn, _name = staticmethod(mean_squared_logarithmic_error), "mean_squared_logarithmic_error"


class LogCosh(_FunctionLoss):
    """Logarithm of the hyperbolic cosine of the error."""
    _fn, _name = staticmethod(log_cosh), "log_cosh"


class KLDivergence(_FunctionLoss):
    """Kullback-Leibler divergence."""
    _fn, _name = staticmethod(kl_divergence), "kl_divergence"


class Poisson(_FunctionLoss):
    """Poisson loss."""
    _fn, _name = staticmethod(poisson), "poisson"


class Hinge(_FunctionLoss):
    """Hinge loss for -1/1 (or 0/1) labels."""
    _fn, _name = staticmethod(hinge), "hinge"


class SquaredHinge(_FunctionLoss):
    """Squared hinge loss."""
    _fn, _name = staticmethod(squared_hinge), "squared_hinge"


class CategoricalHinge(_FunctionLoss):
    """Categorical hinge loss for one-hot labels."""
    _fn, _name = staticmethod(categorical_hinge), "categorical_hinge"


class Huber(_FunctionLoss):
    """Huber loss: quadratic up to ``delta``, linear beyond."""
    _fn, _name = staticmethod(huber), "huber_loss"

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss",
                 dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype, delta=delta)


class CosineSimilarity(_FunctionLoss):
    """Negative cosine similarity along ``axis``."""
    _fn, _name = staticmethod(cosine_similarity), "cosine_similarity"

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity",
                 dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype, axis=axis)


class BinaryCrossentropy(_FunctionLoss):
    """Binary crossentropy for 0/1 labels and probabilities (or logits)."""
    _fn, _name = staticmethod(binary_crossentropy), "binary_crossentropy"

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class CategoricalCrossentropy(_FunctionLoss):
    """Crossentropy for one-hot labels and class probabilities (or logits)."""
    _fn, _name = staticmethod(categorical_crossentropy), "categorical_crossentropy"

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(_FunctionLoss):
    """Crossentropy for integer class labels and class probabilities (or logits).

    With ``ignore_class``, those labels contribute nothing, and ``sum_over_batch_size``
    averages over the other labels only.
    """
    _fn, _name = staticmethod(sparse_categorical_crossentropy), "sparse_categorical_crossentropy"

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype, from_logits=from_logits,
                         ignore_class=ignore_class)

    def _mask(self, y_true):
        if self.ignore_class is None:
            return None
        labels = convert_to_tensor(y_true)
        mask = ew.not_equal(labels, ew.cast(self.ignore_class, labels.dtype))
        if len(labels.shape) and _shape(labels)[-1] == 1:
            mask = array_ops.squeeze(mask, -1)
        return mask


def _snake(name: str) -> str:
    """Keras's ``to_snake_case``: ``"MeanSquaredError"`` -> ``"mean_squared_error"``."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


# ---- lookup ----------------------------------------------------------------------------------

_CLASSES = {cls.__name__: cls for cls in (
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, Huber, LogCosh, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy, KLDivergence, Poisson, CosineSimilarity, Hinge, SquaredHinge,
    CategoricalHinge, LossFunctionWrapper)}
_FUNCTIONS = {fn.__name__: fn for fn in (
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, huber, log_cosh, binary_crossentropy,
    categorical_crossentropy, sparse_categorical_crossentropy, kl_divergence, poisson,
    cosine_similarity, hinge, squared_hinge, categorical_hinge)}
_ALIASES = {"mse": mse, "MSE": mse, "mae": mae, "MAE": mae, "mape": mape, "MAPE": mape,
            "msle": msle, "MSLE": msle, "kld": kld, "KLD": kld,
            "kullback_leibler_divergence": kld, "logcosh": log_cosh, "huber_loss": huber}
ALL_OBJECTS = {**_CLASSES, **_FUNCTIONS, **_ALIASES}


def serialize(loss):
    """A function's name, or ``{"class_name", "config"}`` for a ``Loss``."""
    from ops.keras.generic_utils import serialize_keras_object
    return serialize_keras_object(loss)


def deserialize(config, custom_objects=None):
    from ops.keras.generic_utils import deserialize_keras_object
    return deserialize_keras_object(config, ALL_OBJECTS, "loss", custom_objects=custom_objects,
                                    instantiate_classes=True)


def get(identifier, custom_objects=None):
    """A loss from a name (function names give the function, ``"mse"`` included; class names
    an instance), a config dict, a ``Loss`` or any callable (returned as is); ``None`` gives
    ``None``. Unknown names raise ValueError listing the valid ones."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier, custom_objects)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss identifier: {identifier!r} (expected a name, a "
                     "config dict or a callable)")
