"""Keras metrics (``tf.keras.metrics``): stateful accumulators with ``update_state``,
``result`` and ``reset_state``.

Metric state is held in non-trainable Variables, created when the metric is made, and every
update is a ``Variable.assign_add``, so ``update_state`` works eagerly and inside traced
train steps alike. Formulas and names follow Keras; accuracy functions return one value per
example, which ``Mean`` then averages.
"""
from __future__ import annotations

from runtime import dtypes as D
from runtime.shapes import fmt
from ops import array_ops, creation, elementwise as ew, reductions
from ops.tensor import Tensor, constant, convert_to_tensor
from ops.variables import Variable, init_scope
from ops.keras import losses as L
from ops.keras.losses import squeeze_or_expand_to_same_rank

__all__ = [
    "Metric", "Reduce", "Sum", "Mean", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy",
    "CategoricalAccuracy", "SparseCategoricalAccuracy", "TopKCategoricalAccuracy",
    "SparseTopKCategoricalAccuracy", "MeanSquaredError", "MeanAbsoluteError",
    "RootMeanSquaredError", "BinaryCrossentropy", "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy", "TruePositives", "FalsePositives", "TrueNegatives",
    "FalseNegatives", "Precision", "Recall", "AUC", "accuracy", "binary_accuracy",
    "categorical_accuracy", "sparse_categorical_accuracy", "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy", "get", "get_metric", "serialize", "deserialize",
]

_NEG_INF = -1e10  # Keras's stand-in for -inf when masking out predictions outside the top k


class Metric:
    """Base class. Subclasses create state with ``add_variable`` in ``__init__`` and implement
    ``update_state(...)`` and ``result()``; ``reset_state`` zeroes every state variable."""

    def __init__(self, name=None, dtype=None):
        self.name = name or L._snake(type(self).__name__)
        self._dtype = D.as_dtype(dtype or D.float32)
        self._variables: list[Variable] = []

    @property
    def dtype(self):
        return self._dtype

    # ---- state -------------------------------------------------------------------------------
    def add_variable(self, shape=(), initializer="zeros", dtype=None, aggregation="sum",
                     name=None) -> Variable:
        """A non-trainable state Variable, created eagerly even while tracing."""
        dtype = D.as_dtype(dtype or self._dtype)
        shape = tuple(shape)
        if initializer in ("zeros", None):
            value = lambda: creation.zeros(shape, dtype)  # noqa: E731
        elif initializer == "ones":
            value = lambda: creation.ones(shape, dtype)  # noqa: E731
        elif callable(initializer):
            value = lambda: initializer(shape, dtype)  # noqa: E731
        else:
            value = lambda: creation.fill(shape, ew.cast(initializer, dtype))  # noqa: E731
        with init_scope():
            variable = Variable(value(), trainable=False, dtype=dtype,
                                name=f"{self.name}/{name or 'variable'}")
        self._variables.append(variable)
        return variable

    def add_weight(self, name=None, shape=(), initializer="zeros", dtype=None,
                   aggregation="sum", **unused):
        """``add_variable`` with TF 2's argument order (``add_weight(name="tp", ...)``); a
        non-string first argument is taken as the shape (Keras 3 order)."""
        if name is not None and not isinstance(name, str):
            name, shape = None, name
        return self.add_variable(shape, initializer, dtype, aggregation, name)

    @property
    def variables(self) -> list:
        return list(self._variables)

    weights = non_trainable_weights = non_trainable_variables = variables

    @property
    def trainable_weights(self) -> list:
        return []

    trainable_variables = trainable_weights

    def reset_state(self) -> None:
        for v in self._variables:
            v.assign(creation.zeros(tuple(v.shape), v.dtype))

    def reset_states(self) -> None:  # TF 2 name
        self.reset_state()

    def update_state(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement update_state")

    def result(self):
        raise NotImplementedError(f"{type(self).__name__} must implement result")

    def __call__(self, *args, **kwargs):
        """Update the state, then return the result (over everything seen so far)."""
        self.update_state(*args, **kwargs)
        return self.result()

    # ---- configs -----------------------------------------------------------------------------
    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self._dtype.name}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


# ---- reductions --------------------------------------------------------------------------------

def _samplewise(values, sample_weight, reduce_fn, dtype, metric: str):
    """Keras's ``reduce_to_samplewise_values``: weight ``values`` and reduce them to one value
    per sample; returns ``(values, sample_weight)`` with weights reduced alike."""
    values = convert_to_tensor(values)
    values = values if values.dtype is dtype else ew.cast(values, dtype)
    if sample_weight is not None:
        weights = convert_to_tensor(sample_weight)
        weights = weights if weights.dtype is dtype else ew.cast(weights, dtype)
        values, weights = squeeze_or_expand_to_same_rank(values, weights)
        w_rank, v_rank = len(weights.shape), len(values.shape)
        if v_rank > w_rank:
            values = reduce_fn(values, axis=list(range(w_rank, v_rank)))
        if not L._broadcastable(tuple(weights.shape), tuple(values.shape)) or \
                len(weights.shape) > len(values.shape):
            raise ValueError(f"{metric}: sample_weight has shape {fmt(tuple(weights.shape))} "
                             f"which does not fit the values of shape "
                             f"{fmt(tuple(values.shape))}")
        weights = array_ops.broadcast_to(weights, array_ops.shape(values))
        values = values * weights
        if w_rank > 1:
            weights = reduce_fn(weights, axis=list(range(1, w_rank)))
        sample_weight = weights
    if len(values.shape) > 1:
        values = reduce_fn(values, axis=list(range(1, len(values.shape))))
    return values, sample_weight


class Reduce(Metric):
    """Base of ``Sum`` and ``Mean``."""


class Sum(Reduce):
    """Running (weighted) sum of the values."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = _samplewise(values, sample_weight, reductions.reduce_sum, self._dtype,
                                self.name)
        self.total.assign_add(reductions.reduce_sum(values))

    def result(self):
        return self.total.read_value()


class Mean(Reduce):
    """Running (weighted) mean: ``total / count``, 0 before any update."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), name="total")
        self.count = self.add_variable((), name="count")

    def update_state(self, values, sample_weight=None):
        values, sample_weight = _samplewise(values, sample_weight, reductions.reduce_mean,
                                            self._dtype, self.name)
        self.total.assign_add(reductions.reduce_sum(values))
        if sample_weight is not None:
            count = reductions.reduce_sum(sample_weight)
        elif len(values.shape):
            count = ew.cast(array_ops.shape(values)[0], self._dtype)
        else:
            count = constant(1.0, self._dtype)
        self.count.assign_add(count)

    def result(self):
        return ew.divide_no_nan(self.total.read_value(), self.count.read_value())


class MeanMetricWrapper(Mean):
    """The running mean of ``fn(y_true, y_pred, **kwargs)``."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", "mean_metric"), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        return super().update_state(values, sample_weight)

    def get_config(self):
        config = super().get_config()
        if type(self) is MeanMetricWrapper:
            config["fn"] = serialize(self._fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if "fn" in config:
            config["fn"] = get(config["fn"], custom_objects)
        return cls(**config)


# ---- accuracy functions ----------------------------------------------------------------------

def _match(y_true, y_pred, name):
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    if y_true.dtype is not y_pred.dtype:
        y_true = ew.cast(y_true, y_pred.dtype)
    t, p = squeeze_or_expand_to_same_rank(y_true, y_pred)
    if not L._broadcastable(tuple(t.shape), tuple(p.shape)):
        raise ValueError(f"{name}: y_true has shape {fmt(tuple(y_true.shape))} but y_pred has "
                         f"shape {fmt(tuple(y_pred.shape))}")
    return t, p


def accuracy(y_true, y_pred):
    """1.0 where ``y_true == y_pred`` exactly, else 0.0."""
    y_true, y_pred = _match(y_true, y_pred, "accuracy")
    return ew.cast(ew.equal(y_true, y_pred), D.float32)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where ``y_pred > threshold`` agrees with the 0/1 label."""
    y_pred = convert_to_tensor(y_pred)
    if not y_pred.dtype.is_floating:
        y_pred = ew.cast(y_pred, D.float32)
    y_true, y_pred = _match(y_true, y_pred, "binary_accuracy")
    predicted = ew.cast(ew.greater(y_pred, ew.cast(threshold, y_pred.dtype)), y_true.dtype)
    return ew.cast(ew.equal(y_true, predicted), D.float32)


def categorical_accuracy(y_true, y_pred):
    """1.0 where the arg-max of the one-hot label and of the prediction agree."""
    y_true = convert_to_tensor(y_true)
    y_pred = convert_to_tensor(y_pred)
    if len(y_true.shape) != len(y_pred.shape):
        raise ValueError(f"categorical_accuracy: y_true has shape {fmt(tuple(y_true.shape))} "
                         f"but y_pred has shape {fmt(tuple(y_pred.shape))}; expected one-hot "
                         "labels (use sparse_categorical_accuracy for class indices)")
    return ew.cast(ew.equal(reductions.argmax(y_true, -1), reductions.argmax(y_pred, -1)),
                   D.float32)


def _sparse_labels(y_true, y_pred: Tensor, name: str) -> Tensor:
    y_true = convert_to_tensor(y_true)
    if len(y_true.shape) == len(y_pred.shape) and len(y_true.shape) and \
            tuple(y_true.shape)[-1] == 1:
        y_true = array_ops.squeeze(y_true, -1)
    if not L._compatible(tuple(y_true.shape), tuple(y_pred.shape)[:-1]):
        raise ValueError(f"{name}: y_true has shape {fmt(tuple(y_true.shape))} but y_pred has "
                         f"shape {fmt(tuple(y_pred.shape))}; expected class indices of shape "
                         f"{fmt(tuple(y_pred.shape)[:-1])}")
    return y_true


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the integer label equals the arg-max of the prediction."""
    y_pred = convert_to_tensor(y_pred)
    labels = _sparse_labels(y_true, y_pred, "sparse_categorical_accuracy")
    predicted = reductions.argmax(y_pred, -1)
    if labels.dtype is not predicted.dtype:
        predicted = ew.cast(predicted, labels.dtype)
    return ew.cast(ew.equal(labels, predicted), D.float32)


def _in_top_k(y_pred: Tensor, labels: Tensor, k: int) -> Tensor:
    """True where the label's score is among the ``k`` highest (ties count in its favour)."""
    classes = tuple(y_pred.shape)[-1]
    depth = classes if classes is not None else array_ops.shape(y_pred)[-1]
    hot = array_ops.one_hot(ew.cast(labels, D.int32), depth, dtype=y_pred.dtype)
    target = reductions.reduce_sum(hot * y_pred, axis=-1, keepdims=True)
    higher = reductions.reduce_sum(ew.cast(ew.greater(y_pred, target), D.int32), axis=-1)
    return ew.less(higher, k)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot label's class is among the ``k`` highest predictions."""
    y_pred = convert_to_tensor(y_pred)
    labels = reductions.argmax(convert_to_tensor(y_true), -1)
    return ew.cast(_in_top_k(y_pred, labels, k), D.float32)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the integer label is among the ``k`` highest predictions."""
    y_pred = convert_to_tensor(y_pred)
    labels = _sparse_labels(y_true, y_pred, "sparse_top_k_categorical_accuracy")
    return ew.cast(_in_top_k(y_pred, labels, k), D.float32)


# ---- wrapped functions -------------------------------------------------------------------------

class _FunctionMean(MeanMetricWrapper):
    """The running mean of one of the functions above (``_fn``), named ``_name`` by
    default; subclasses with options pass them as keywords."""

    _fn = None
    _name = None

    def __init__(self, name=None, dtype=None, **options):
        super().__init__(type(self)._fn, name=name or self._name, dtype=dtype, **options)
        for key, value in options.items():
            setattr(self, key, value)


class Accuracy(_FunctionMean):
    """How often predictions equal labels exactly."""
    _fn, _name = staticmethod(accuracy), "accuracy"


class BinaryAccuracy(_FunctionMean):
    """How often ``y_pred > threshold`` matches 0/1 labels."""
    _fn, _name = staticmethod(binary_accuracy), "binary_accuracy"

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(name=name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(_FunctionMean):
    """How often the arg-max of the prediction matches the one-hot label."""
    _fn, _name = staticmethod(categorical_accuracy), "categorical_accuracy"


class SparseCategoricalAccuracy(_FunctionMean):
    """How often the arg-max of the prediction matches the integer label."""
    _fn, _name = staticmethod(sparse_categorical_accuracy), "sparse_categorical_accuracy"


class TopKCategoricalAccuracy(_FunctionMean):
    """How often the one-hot label's class is among the ``k`` highest predictions."""
    _fn, _name = staticmethod(top_k_categorical_accuracy), "top_k_categorical_accuracy"

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(name=name, dtype=dtype, k=k)


class SparseTopKCategoricalAccuracy(_FunctionMean):
    """How often the integer label is among the ``k`` highest predictions."""
    _fn = staticmethod(sparse_top_k_categorical_accuracy)
    _name = "sparse_top_k_categorical_accuracy"

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None):
        super().__init__(name=name, dtype=dtype, k=k)


class MeanSquaredError(_FunctionMean):
    """Running mean of the squared error."""
    _fn, _name = staticmethod(L.mean_squared_error), "mean_squared_error"


class MeanAbsoluteError(_FunctionMean):
    """Running mean of the absolute error."""
    _fn, _name = staticmethod(L.mean_absolute_error), "mean_absolute_error"


class BinaryCrossentropy(_FunctionMean):
    """Running mean of binary crossentropy."""
    _fn, _name = staticmethod(L.binary_crossentropy), "binary_crossentropy"

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0.0):
        super().__init__(name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class CategoricalCrossentropy(_FunctionMean):
    """Running mean of categorical crossentropy."""
    _fn, _name = staticmethod(L.categorical_crossentropy), "categorical_crossentropy"

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0.0):
        super().__init__(name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class SparseCategoricalCrossentropy(_FunctionMean):
    """Running mean of sparse categorical crossentropy."""
    _fn = staticmethod(L.sparse_categorical_crossentropy)
    _name = "sparse_categorical_crossentropy"

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False):
        super().__init__(name=name, dtype=dtype, from_logits=from_logits)


class RootMeanSquaredError(Mean):
    """``sqrt`` of the running (weighted) mean of squared errors."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        return super().update_state(L.mean_squared_error(y_true, y_pred), sample_weight)

    def result(self):
        return ew.sqrt(super().result())


# ---- confusion-matrix metrics --------------------------------------------------------------------

def _thresholds(thresholds, default, owner: str) -> list:
    if thresholds is None:
        return [default]
    values = [float(t) for t in (thresholds if isinstance(thresholds, (list, tuple)) else
                                 [thresholds])]
    if any(not 0.0 <= t <= 1.0 for t in values):
        raise ValueError(f"{owner}: threshold values must be in [0, 1], got {values}")
    return values


def _filter_top_k(y_pred: Tensor, k: int) -> Tensor:
    """Predictions outside each row's top ``k`` replaced by a very negative value."""
    kth = reductions.top_k(y_pred, k)[0][..., -1:]
    return array_ops.where(ew.greater_equal(y_pred, kth), y_pred,
                           ew.cast(_NEG_INF, y_pred.dtype) * ew.ones_like(y_pred))


def confusion_counts(y_true, y_pred, thresholds, sample_weight=None, top_k=None, class_id=None,
                     multi_label=False, label_weights=None, name="metric") -> dict:
    """Weighted counts ``{"tp", "fp", "tn", "fn"}`` per threshold (``y_pred > threshold`` is
    a positive prediction), shape ``(T,)``, or ``(T, labels)`` with ``multi_label``."""
    y_pred = convert_to_tensor(y_pred)
    if not y_pred.dtype.is_floating:
        y_pred = ew.cast(y_pred, D.float32)
    y_true = convert_to_tensor(y_true)
    truth = ew.cast(y_true, D.bool_) if not y_true.dtype.is_bool else y_true
    truth, y_pred = squeeze_or_expand_to_same_rank(truth, y_pred)
    if not L._compatible(tuple(truth.shape), tuple(y_pred.shape)):
        raise ValueError(f"{name}: y_true has shape {fmt(tuple(y_true.shape))} but y_pred has "
                         f"shape {fmt(tuple(y_pred.shape))}; they must match")
    weights = ew.ones_like(y_pred)
    if sample_weight is not None:
        w = convert_to_tensor(sample_weight)
        w = w if w.dtype is y_pred.dtype else ew.cast(w, y_pred.dtype)
        while len(w.shape) < len(y_pred.shape):
            w = array_ops.expand_dims(w, -1)
        weights = weights * w
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        truth, y_pred, weights = truth[..., class_id], y_pred[..., class_id], weights[..., class_id]
    elif label_weights is not None and not multi_label:
        weights = weights * ew.cast(convert_to_tensor(label_weights), y_pred.dtype)
    thr = constant(thresholds, y_pred.dtype)
    if multi_label:
        labels = tuple(y_pred.shape)[-1]
        pred = array_ops.reshape(y_pred, [1, -1, labels])
        truth = array_ops.reshape(truth, [1, -1, labels])
        weights = array_ops.reshape(weights, [1, -1, labels])
        thr = array_ops.reshape(thr, [-1, 1, 1])
    else:
        pred = array_ops.reshape(y_pred, [1, -1])
        truth = array_ops.reshape(truth, [1, -1])
        weights = array_ops.reshape(weights, [1, -1])
        thr = array_ops.reshape(thr, [-1, 1])
    predicted = ew.greater(pred, thr)            # (T, N) or (T, N, labels)
    positive = ew.cast(truth, pred.dtype) * weights
    negative = ew.cast(ew.logical_not(truth), pred.dtype) * weights
    hit = ew.cast(predicted, pred.dtype)
    miss = 1.0 - hit
    return {"tp": reductions.reduce_sum(hit * positive, axis=1),
            "fp": reductions.reduce_sum(hit * negative, axis=1),
            "tn": reductions.reduce_sum(miss * negative, axis=1),
            "fn": reductions.reduce_sum(miss * positive, axis=1)}


class _ConfusionMetric(Metric):
    """Counts one of tp/fp/tn/fn per threshold (``TruePositives`` and friends)."""

    _count = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = _thresholds(thresholds, 0.5, type(self).__name__)
        self.accumulator = self.add_variable((len(self.thresholds),), name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = confusion_counts(y_true, y_pred, self.thresholds, sample_weight, name=self.name)
        self.accumulator.assign_add(ew.cast(counts[self._count], self._dtype))

    def result(self):
        value = self.accumulator.read_value()
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self):
        return dict(super().get_config(), thresholds=self.init_thresholds)


class TruePositives(_ConfusionMetric):
    """Weighted count of positives predicted positive (``y_pred > threshold``)."""
    _count = "tp"


class FalsePositives(_ConfusionMetric):
    """Weighted count of negatives predicted positive."""
    _count = "fp"


class TrueNegatives(_ConfusionMetric):
    """Weighted count of negatives predicted negative."""
    _count = "tn"


class FalseNegatives(_ConfusionMetric):
    """Weighted count of positives predicted negative."""
    _count = "fn"


class _Ratio(Metric):
    """``tp / (tp + other)`` per threshold, ``other`` being false positives (precision) or
    false negatives (recall). Default threshold 0.5; with ``top_k``, the top ``k``
    predictions of each row count as positive; ``class_id`` restricts it to one class."""

    _other = None  # (attribute name, confusion count)

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else _NEG_INF
        self.thresholds = _thresholds(thresholds, default, type(self).__name__)
        size = (len(self.thresholds),)
        self.true_positives = self.add_variable(size, name="true_positives")
        attribute, _ = self._other
        setattr(self, attribute, self.add_variable(size, name=attribute))

    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = confusion_counts(y_true, y_pred, self.thresholds, sample_weight, self.top_k,
                                  self.class_id, name=self.name)
        attribute, count = self._other
        self.true_positives.assign_add(ew.cast(counts["tp"], self._dtype))
        getattr(self, attribute).assign_add(ew.cast(counts[count], self._dtype))

    def result(self):
        tp = self.true_positives.read_value()
        other = getattr(self, self._other[0]).read_value()
        value = ew.divide_no_nan(tp, tp + other)
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self):
        return dict(super().get_config(), thresholds=self.init_thresholds, top_k=self.top_k,
                    class_id=self.class_id)


class Precision(_Ratio):
    """``tp / (tp + fp)``: the fraction of positive predictions that are right."""
    _other = ("false_positives", "fp")


class Recall(_Ratio):
    """``tp / (tp + fn)``: the fraction of positives that are found."""
    _other = ("false_negatives", "fn")


class AUC(Metric):
    """Area under the ROC or precision-recall curve, from confusion counts at
    ``num_thresholds`` thresholds spread evenly over [0, 1] (a Riemann sum, so an
    approximation that improves with more thresholds)."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        super().__init__(name=name or "auc", dtype=dtype)
        self.curve = str(curve).upper()
        if self.curve not in ("ROC", "PR"):
            raise ValueError(f"AUC: invalid curve {curve!r}; expected 'ROC' or 'PR'")
        self.summation_method = str(summation_method).lower()
        if self.summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f"AUC: invalid summation_method {summation_method!r}; expected "
                             "'interpolation', 'minoring' or 'majoring'")
        if thresholds is not None:
            inner = sorted(_thresholds(list(thresholds), 0.5, "AUC"))
            self._init_from_thresholds = True
        else:
            if not isinstance(num_thresholds, int) or num_thresholds <= 1:
                raise ValueError(f"AUC: num_thresholds must be an integer > 1, got "
                                 f"{num_thresholds!r}")
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._init_from_thresholds = False
        # The end points catch predictions of exactly 0 and 1.
        self._thresholds = [0.0 - L.EPSILON] + inner + [1.0 + L.EPSILON]
        self.num_thresholds = len(self._thresholds)
        self.multi_label = bool(multi_label)
        self.num_labels = num_labels
        self.label_weights = label_weights
        self._from_logits = from_logits
        self._built = False
        if not self.multi_label:
            self._build(None)
        elif num_labels is not None:
            self._build(num_labels)

    @property
    def thresholds(self) -> list:
        return list(self._thresholds)

    def _build(self, labels) -> None:
        shape = (self.num_thresholds,) if labels is None else (self.num_thresholds, labels)
        self.num_labels = labels
        self.true_positives = self.add_variable(shape, name="true_positives")
        self.false_positives = self.add_variable(shape, name="false_positives")
        self.true_negatives = self.add_variable(shape, name="true_negatives")
        self.false_negatives = self.add_variable(shape, name="false_negatives")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = convert_to_tensor(y_pred)
        if not self._built:
            labels = tuple(y_pred.shape)[-1] if len(y_pred.shape) else None
            if labels is None:
                raise ValueError("AUC(multi_label=True): the number of labels (last axis of "
                                 "y_pred) must be known; pass num_labels=")
            self._build(labels)
        if self._from_logits:
            from ops.elementwise import sigmoid
            y_pred = sigmoid(y_pred if y_pred.dtype.is_floating else
                             ew.cast(y_pred, D.float32))
        counts = confusion_counts(y_true, y_pred, self._thresholds, sample_weight,
                                  multi_label=self.multi_label,
                                  label_weights=None if self.multi_label else self.label_weights,
                                  name=self.name)
        for key, var in (("tp", self.true_positives), ("fp", self.false_positives),
                         ("tn", self.true_negatives), ("fn", self.false_negatives)):
            var.assign_add(ew.cast(counts[key], self._dtype))

    def _by_label(self, terms: Tensor) -> Tensor:
        if not self.multi_label:
            return reductions.reduce_sum(terms)
        per_label = reductions.reduce_sum(terms, axis=0)
        if self.label_weights is None:
            return reductions.reduce_mean(per_label)
        w = ew.cast(convert_to_tensor(self.label_weights), per_label.dtype)
        return ew.divide_no_nan(reductions.reduce_sum(per_label * w), reductions.reduce_sum(w))

    def _interpolate_pr_auc(self) -> Tensor:
        """Davis & Goadrich's interpolation of the PR curve between thresholds."""
        tp = self.true_positives.read_value()
        fp = self.false_positives.read_value()
        fn = self.false_negatives.read_value()
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = ew.divide_no_nan(dtp, ew.maximum(dp, 0.0))
        intercept = tp[1:] - slope * p[1:]
        both = ew.logical_and(ew.greater(p[:-1], 0.0), ew.greater(p[1:], 0.0))
        ratio = array_ops.where(both, ew.divide_no_nan(p[:-1], ew.maximum(p[1:], 0.0)),
                                ew.ones_like(p[1:]))
        increments = ew.divide_no_nan(slope * (dtp + intercept * ew.log(ratio)),
                                      ew.maximum(tp[1:] + fn[1:], 0.0))
        return self._by_label(increments)

    def result(self):
        if not self._built:
            return constant(0.0, self._dtype)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc()
        tp = self.true_positives.read_value()
        fp = self.false_positives.read_value()
        tn = self.true_negatives.read_value()
        fn = self.false_negatives.read_value()
        recall = ew.divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = ew.divide_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, ew.divide_no_nan(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = ew.minimum(y[:-1], y[1:])
        else:
            heights = ew.maximum(y[:-1], y[1:])
        return self._by_label((x[:-1] - x[1:]) * heights)

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        config = dict(super().get_config(), num_thresholds=self.num_thresholds,
                      curve=self.curve, summation_method=self.summation_method,
                      multi_label=self.multi_label, num_labels=self.num_labels,
                      label_weights=self.label_weights, from_logits=self._from_logits)
        if self._init_from_thresholds:
            config["thresholds"] = self._thresholds[1:-1]
        return config


# ---- lookup --------------------------------------------------------------------------------------

_CLASSES = {cls.__name__: cls for cls in (
    Sum, Mean, MeanMetricWrapper, Accuracy, BinaryAccuracy, CategoricalAccuracy,
    SparseCategoricalAccuracy, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
    MeanSquaredError, MeanAbsoluteError, RootMeanSquaredError, BinaryCrossentropy,
    CategoricalCrossentropy, SparseCategoricalCrossentropy, TruePositives, FalsePositives,
    TrueNegatives, FalseNegatives, Precision, Recall, AUC)}
_FUNCTIONS = {fn.__name__: fn for fn in (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, L.mean_squared_error,
    L.mean_absolute_error, L.mean_absolute_percentage_error, L.mean_squared_logarithmic_error,
    L.binary_crossentropy, L.categorical_crossentropy, L.sparse_categorical_crossentropy,
    L.kl_divergence, L.poisson, L.hinge, L.squared_hinge, L.categorical_hinge, L.log_cosh)}
_ALIASES = {"acc": accuracy, "ACC": accuracy, "bce": L.binary_crossentropy,
            "BCE": L.binary_crossentropy, "mse": L.mse, "MSE": L.mse, "mae": L.mae,
            "MAE": L.mae, "mape": L.mape, "MAPE": L.mape, "msle": L.msle, "MSLE": L.msle}
# Snake-case class names not taken by a function (``"auc"``, ``"precision"``, ...).
_SNAKE = {L._snake(name): cls for name, cls in _CLASSES.items() if cls is not MeanMetricWrapper}
ALL_OBJECTS = {**_SNAKE, **_CLASSES, **_FUNCTIONS, **_ALIASES}


def serialize(metric):
    from ops.keras.generic_utils import serialize_keras_object
    return serialize_keras_object(metric)


def deserialize(config, custom_objects=None):
    from ops.keras.generic_utils import deserialize_keras_object
    return deserialize_keras_object(config, ALL_OBJECTS, "metric",
                                    custom_objects=custom_objects)


def get(identifier, custom_objects=None):
    """A metric from a name (function names such as ``"accuracy"`` or ``"mse"`` give the
    function; class names and their snake-case forms such as ``"auc"`` give an instance), a
    config dict, or a Metric/callable (returned as is). Unknown names raise ValueError listing
    the valid ones."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier, custom_objects)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")


def get_metric(identifier, y_true=None, y_pred=None) -> Metric | None:
    """A ``Metric`` object for ``compile(metrics=[...])``: ``"accuracy"``/``"acc"`` become
    Binary-, SparseCategorical- or CategoricalAccuracy from the shapes of ``y_true`` and
    ``y_pred`` (as Keras chooses); functions are wrapped in ``MeanMetricWrapper``; the metric
    is named after the string given."""
    if identifier is None:
        return None
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
        return _accuracy_for(identifier, y_true, y_pred)
    found = get(identifier)
    if isinstance(found, Metric):
        if isinstance(identifier, str):
            found.name = identifier
        return found
    if not callable(found):
        raise ValueError(f"Could not interpret metric identifier: {identifier!r}")
    name = identifier if isinstance(identifier, str) else getattr(found, "__name__", "metric")
    return MeanMetricWrapper(found, name=name)


def _accuracy_for(name: str, y_true, y_pred) -> Metric:
    if y_true is None or y_pred is None:
        return Accuracy(name=name)
    true_shape = tuple(getattr(y_true, "shape", ()))
    pred_shape = tuple(getattr(y_pred, "shape", ()))
    if not pred_shape:
        return Accuracy(name=name)
    if pred_shape[-1] == 1 or (len(pred_shape) == 1 and len(true_shape) == 1):
        return BinaryAccuracy(name=name)
    if len(true_shape) == len(pred_shape) - 1 or (
            len(true_shape) == len(pred_shape) and true_shape and true_shape[-1] == 1):
        return SparseCategoricalAccuracy(name=name)
    return CategoricalAccuracy(name=name)
