"""What ``compile(loss=..., metrics=...)`` becomes: ``model.compiled_loss`` and
``model.compiled_metrics`` (TF 2.x's ``LossesContainer`` and ``MetricsContainer``).

Both are built on their first call, when the predictions' structure is known: a single loss
or metric list applies to every output; lists (one entry per output) and dicts (keyed by
output name) assign them per output. ``compiled_loss(y, y_pred, sample_weight,
regularization_losses)`` returns the total loss and updates the ``loss`` tracker, a ``Mean``
weighted by batch size so the epoch's ``loss`` is the mean over samples. Metrics of a model
with several outputs are named ``<output>_<metric>``.
"""
from __future__ import annotations

from runtime import nest
from ops import array_ops, creation
from ops import elementwise as math_ops
from ops.tensor import Tensor, convert_to_tensor
from ops.keras import losses as losses_mod
from ops.keras import metrics as metrics_mod

__all__ = ["LossesContainer", "MetricsContainer", "validate_metrics"]

_ACCURACY = ("accuracy", "acc")


def _per_output(value, names: list, what: str) -> list:
    """``value`` spread over the outputs: a dict by name, a list by position, else the same
    value for each output."""
    n = len(names)
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise ValueError(f"compile: {what} has keys {unknown} which are not outputs of the "
                             f"model; its outputs are {names}")
        return [value.get(name) for name in names]
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"compile: {what} has {len(value)} entries but the model has {n} "
                             f"output(s) {names}")
        return list(value)
    return [value] * n


def _flat_targets(values, names: list, what: str) -> list:
    """Labels (or sample weights) as one entry per output."""
    n = len(names)
    if values is None:
        return [None] * n
    if isinstance(values, dict):
        return [values.get(name) for name in names]
    if isinstance(values, (list, tuple)) and n > 1:
        if len(values) != n:
            raise ValueError(f"{what}: expected {n} entries (one per output {names}), got "
                             f"{len(values)}")
        return list(values)
    if n > 1:
        return [values] * n if what == "sample_weight" else _mismatch(what, n, names)
    return [values]


def _mismatch(what, n, names):
    raise ValueError(f"{what}: the model has {n} outputs {names}, so pass a list or a dict of "
                     f"{n} targets")


def _batch_size(t: Tensor):
    """The batch size of ``t`` as a float32 scalar (a constant when the shape says it)."""
    if t.shape.rank and t.shape[0] is not None:
        return float(t.shape[0])
    if not t.shape.rank:
        return 1.0
    return math_ops.cast(array_ops.shape(t)[0], "float32")


class LossesContainer:
    """``compiled_loss``: the losses of ``compile`` applied to each output."""

    def __init__(self, losses, loss_weights=None, output_names=None):
        self._user_losses = losses
        self._user_weights = loss_weights
        self._output_names = output_names
        self._losses = None
        self._weights = None
        self._loss_metric = metrics_mod.Mean(name="loss")
        self._output_metrics = []
        self._built = False

    @property
    def metrics(self) -> list:
        """The ``loss`` tracker and, with several outputs, one ``<output>_loss`` per output
        (empty until the first call)."""
        if not self._built:
            return []
        return [self._loss_metric] + [m for m in self._output_metrics if m is not None]

    def build(self, y_pred) -> None:
        n = len(nest.flatten(y_pred))
        names = self._output_names or [f"output_{i + 1}" for i in range(n)]
        if len(names) != n:
            names = [f"output_{i + 1}" for i in range(n)]
        self._names = names
        losses = _per_output(self._user_losses, names, "loss")
        self._losses = [_get_loss(loss) for loss in losses]
        weights = self._user_weights
        self._weights = [1.0] * n if weights is None else [
            1.0 if w is None else float(w) for w in _per_output(weights, names, "loss_weights")]
        self._output_metrics = [
            metrics_mod.Mean(name=f"{name}_loss") if (n > 1 and loss is not None) else None
            for name, loss in zip(names, self._losses)]
        self._built = True

    def __call__(self, y_true, y_pred, sample_weight=None, regularization_losses=None):
        if not self._built:
            self.build(y_pred)
        flat_pred = nest.flatten(y_pred)
        has_loss = any(loss is not None for loss in self._losses)
        if y_true is None and has_loss:
            raise ValueError(
                "Target data is missing. Your model was compiled with a loss, and therefore "
                "expects target data to be passed in `fit()` (as `y`, or as the second element "
                "of the dataset's batches)")
        flat_true = _flat_targets(y_true, self._names, "y")
        flat_weights = _flat_targets(sample_weight, self._names, "sample_weight")
        terms = []
        for loss, weight, metric, yt, yp, sw in zip(self._losses, self._weights,
                                                    self._output_metrics, flat_true, flat_pred,
                                                    flat_weights):
            if loss is None or yt is None:
                continue
            value = loss(yt, yp, sample_weight=sw)
            if metric is not None:
                metric.update_state(value, sample_weight=_batch_size(yp))
            terms.append(value if weight == 1.0 else value * weight)
        for reg in regularization_losses or ():
            terms.append(convert_to_tensor(reg))
        if not terms:
            total = creation.zeros((), "float32")
        else:
            total = terms[0]
            for term in terms[1:]:
                if term.dtype is not total.dtype:
                    term = math_ops.cast(term, total.dtype)
                total = total + term
        self._loss_metric.update_state(total, sample_weight=_batch_size(flat_pred[0]))
        return total

    def reset_state(self) -> None:
        for m in self.metrics:
            m.reset_state()


def _get_loss(identifier):
    """A ``Loss`` (functions wrapped, so every loss reduces the same way) or None."""
    if identifier is None:
        return None
    loss = losses_mod.get(identifier)
    if isinstance(loss, losses_mod.Loss):
        return loss
    if not callable(loss):
        raise ValueError(f"compile: could not interpret loss {identifier!r}")
    name = identifier if isinstance(identifier, str) else getattr(loss, "__name__", "loss")
    return losses_mod.LossFunctionWrapper(loss, name=name)


def validate_metrics(metrics, what: str = "metrics") -> None:
    """Fail at ``compile`` (not at the first step) on metric names that do not exist."""
    for m in nest.flatten(metrics) if metrics is not None else ():
        if isinstance(m, str) and m.lower() not in _ACCURACY:
            metrics_mod.get(m)      # raises ValueError listing the valid names
        elif m is not None and not isinstance(m, str) and not callable(m):
            raise ValueError(f"compile: could not interpret {what} entry {m!r}")


class MetricsContainer:
    """``compiled_metrics``: the metrics of ``compile``, per output."""

    def __init__(self, metrics=None, weighted_metrics=None, output_names=None):
        self._user_metrics = metrics
        self._user_weighted = weighted_metrics
        self._output_names = output_names
        self._metrics = None        # per output: [(metric, weighted)]
        self._built = False

    @property
    def metrics(self) -> list:
        if not self._built:
            return []
        return [m for per_output in self._metrics for m, _ in per_output]

    def build(self, y_true, y_pred) -> None:
        flat_pred = nest.flatten(y_pred)
        n = len(flat_pred)
        names = self._output_names or [f"output_{i + 1}" for i in range(n)]
        if len(names) != n:
            names = [f"output_{i + 1}" for i in range(n)]
        flat_true = _flat_targets(y_true, names, "y") if y_true is not None else [None] * n
        plain = self._spread(self._user_metrics, names)
        weighted = self._spread(self._user_weighted, names)
        used: dict = {}
        self._metrics = []
        for i in range(n):
            per_output = []
            for identifiers, is_weighted in ((plain[i], False), (weighted[i], True)):
                for identifier in identifiers:
                    metric = self._make(identifier, flat_true[i], flat_pred[i], used, n > 1)
                    if n > 1:
                        metric.name = f"{names[i]}_{metric.name}"
                    if metric.name in used:
                        base, k = metric.name, 1
                        while f"{base}_{k}" in used:
                            k += 1
                        metric.name = f"{base}_{k}"
                    used[metric.name] = metric
                    per_output.append((metric, is_weighted))
            self._metrics.append(per_output)
        self._built = True

    @staticmethod
    def _spread(metrics, names: list) -> list:
        n = len(names)
        if metrics is None:
            return [[] for _ in range(n)]
        if isinstance(metrics, dict):
            unknown = sorted(set(metrics) - set(names))
            if unknown:
                raise ValueError(f"compile: metrics has keys {unknown} which are not outputs of "
                                 f"the model; its outputs are {names}")
            return [_as_list(metrics.get(name)) for name in names]
        if isinstance(metrics, (list, tuple)):
            if n > 1 and len(metrics) == n and all(isinstance(m, (list, tuple)) or m is None
                                                   for m in metrics):
                return [_as_list(m) for m in metrics]
            return [list(metrics) for _ in range(n)]
        return [[metrics] for _ in range(n)]

    @staticmethod
    def _make(identifier, y_true, y_pred, used: dict, several: bool):
        metric = metrics_mod.get_metric(identifier, y_true, y_pred)
        if any(m is metric for m in used.values()):
            # One metric object given for several outputs: each output gets its own copy.
            metric = type(metric).from_config(metric.get_config())
        return metric

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        if not self._built:
            self.build(y_true, y_pred)
        if y_true is None:
            return
        flat_pred = nest.flatten(y_pred)
        flat_true = _flat_targets(y_true, self._names(len(flat_pred)), "y")
        flat_weights = _flat_targets(sample_weight, self._names(len(flat_pred)),
                                     "sample_weight")
        for per_output, yt, yp, sw in zip(self._metrics, flat_true, flat_pred, flat_weights):
            if yt is None:
                continue
            for metric, weighted in per_output:
                if weighted and sw is not None:
                    metric.update_state(yt, yp, sample_weight=sw)
                else:
                    metric.update_state(yt, yp)

    def _names(self, n: int) -> list:
        names = self._output_names or []
        return names if len(names) == n else [f"output_{i + 1}" for i in range(n)]

    def reset_state(self) -> None:
        for m in self.metrics:
            m.reset_state()


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]
