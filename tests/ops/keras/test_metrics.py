"""Metrics against scikit-learn, accumulated over batches, eagerly and in traced steps."""
import numpy as np
import pytest
from sklearn import metrics as skm

import autograph as ag
from ops.keras import metrics
from tests.support import MODES, run_in

rng = np.random.default_rng(7)
N = 300
Y_BIN = rng.integers(0, 2, N)
# Informative but imperfect scores in [0, 1].
P_BIN = np.clip(0.35 * Y_BIN + rng.uniform(0, 0.65, N), 0, 1).astype(np.float32)
WEIGHTS = rng.uniform(0, 2, N).astype(np.float32)
CLASSES = 4
Y_CLS = rng.integers(0, CLASSES, N)
P_CLS = rng.uniform(size=(N, CLASSES)).astype(np.float32)
P_CLS[np.arange(N), Y_CLS] += rng.uniform(0, 0.6, N).astype(np.float32)
P_CLS /= P_CLS.sum(-1, keepdims=True)


def batches(*arrays, size=64):
    for start in range(0, len(arrays[0]), size):
        yield tuple(a[start:start + size] for a in arrays)


def accumulate(metric, *arrays, mode="eager", weights=None):
    """Feed ``arrays`` in batches through ``update_state`` (traced in "function" mode)."""
    if weights is not None:
        arrays = arrays + (weights,)
    update = run_in(mode, lambda *b: metric.update_state(*b[:2], sample_weight=b[2])
                    if len(b) == 3 else metric.update_state(*b))
    for batch in batches(*arrays):
        update(*[ag.constant(b) for b in batch])
    return float(metric.result())


# ---- accuracies ------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_binary_accuracy(mode):
    got = accumulate(metrics.BinaryAccuracy(), Y_BIN.astype(np.float32), P_BIN, mode=mode)
    assert got == pytest.approx(skm.accuracy_score(Y_BIN, P_BIN > 0.5), abs=1e-6)


def test_binary_accuracy_threshold_and_weights():
    got = accumulate(metrics.BinaryAccuracy(threshold=0.7), Y_BIN[:, None].astype(np.float32),
                     P_BIN[:, None], weights=WEIGHTS)
    expected = skm.accuracy_score(Y_BIN, P_BIN > 0.7, sample_weight=WEIGHTS)
    assert got == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("mode", MODES)
def test_sparse_categorical_accuracy(mode):
    got = accumulate(metrics.SparseCategoricalAccuracy(), Y_CLS, P_CLS, mode=mode)
    assert got == pytest.approx(skm.accuracy_score(Y_CLS, P_CLS.argmax(-1)), abs=1e-6)


def test_sparse_categorical_accuracy_labels_n_by_1_float_and_weighted():
    got = accumulate(metrics.SparseCategoricalAccuracy(), Y_CLS[:, None].astype(np.float32),
                     P_CLS, weights=WEIGHTS)
    expected = skm.accuracy_score(Y_CLS, P_CLS.argmax(-1), sample_weight=WEIGHTS)
    assert got == pytest.approx(expected, abs=1e-6)


def test_categorical_accuracy():
    one_hot = np.eye(CLASSES, dtype=np.float32)[Y_CLS]
    got = accumulate(metrics.CategoricalAccuracy(), one_hot, P_CLS)
    assert got == pytest.approx(skm.accuracy_score(Y_CLS, P_CLS.argmax(-1)), abs=1e-6)


def test_accuracy_exact_match():
    predicted = np.where(rng.uniform(size=N) < 0.8, Y_CLS, (Y_CLS + 1) % CLASSES)
    got = accumulate(metrics.Accuracy(), Y_CLS, predicted)
    assert got == pytest.approx(skm.accuracy_score(Y_CLS, predicted), abs=1e-6)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_top_k_accuracies(k):
    expected = skm.top_k_accuracy_score(Y_CLS, P_CLS, k=k, labels=range(CLASSES))
    sparse = accumulate(metrics.SparseTopKCategoricalAccuracy(k=k), Y_CLS, P_CLS)
    dense = accumulate(metrics.TopKCategoricalAccuracy(k=k),
                       np.eye(CLASSES, dtype=np.float32)[Y_CLS], P_CLS)
    assert sparse == pytest.approx(expected, abs=1e-6)
    assert dense == pytest.approx(expected, abs=1e-6)


def test_accuracy_function_forms_return_one_value_per_example():
    got = metrics.sparse_categorical_accuracy(Y_CLS[:5], P_CLS[:5])
    np.testing.assert_array_equal(got.numpy(), (P_CLS[:5].argmax(-1) == Y_CLS[:5]) * 1.0)
    assert got.dtype == ag.float32
    np.testing.assert_array_equal(metrics.binary_accuracy([1.0, 0.0], [0.9, 0.6]).numpy(),
                                  [1.0, 0.0])


# ---- confusion-matrix metrics -----------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.8])
def test_precision_and_recall(threshold, mode):
    p = accumulate(metrics.Precision(thresholds=threshold), Y_BIN, P_BIN, mode=mode)
    r = accumulate(metrics.Recall(thresholds=threshold), Y_BIN, P_BIN, mode=mode)
    assert p == pytest.approx(skm.precision_score(Y_BIN, P_BIN > threshold), abs=1e-6)
    assert r == pytest.approx(skm.recall_score(Y_BIN, P_BIN > threshold), abs=1e-6)


def test_precision_and_recall_weighted():
    p = accumulate(metrics.Precision(), Y_BIN, P_BIN, weights=WEIGHTS)
    r = accumulate(metrics.Recall(), Y_BIN, P_BIN, weights=WEIGHTS)
    assert p == pytest.approx(skm.precision_score(Y_BIN, P_BIN > 0.5, sample_weight=WEIGHTS),
                              rel=1e-5)
    assert r == pytest.approx(skm.recall_score(Y_BIN, P_BIN > 0.5, sample_weight=WEIGHTS),
                              rel=1e-5)


def test_precision_at_several_thresholds_gives_a_vector():
    metric = metrics.Precision(thresholds=[0.2, 0.5, 0.9])
    metric.update_state(Y_BIN, P_BIN)
    expected = [skm.precision_score(Y_BIN, P_BIN > t) for t in (0.2, 0.5, 0.9)]
    np.testing.assert_allclose(metric.result().numpy(), expected, rtol=1e-5)


def test_precision_recall_class_id():
    one_hot = np.eye(CLASSES, dtype=np.float32)[Y_CLS]
    predicted = P_CLS.argmax(-1)
    for class_id in range(CLASSES):
        p = metrics.Precision(class_id=class_id, thresholds=0.3)
        p.update_state(one_hot, P_CLS)
        expected = skm.precision_score(Y_CLS == class_id, P_CLS[:, class_id] > 0.3)
        assert float(p.result()) == pytest.approx(expected, abs=1e-6)
    r = metrics.Recall(top_k=1, class_id=2)  # class 2 counts as predicted where it is top-1
    r.update_state(one_hot, P_CLS)
    assert float(r.result()) == pytest.approx(skm.recall_score(Y_CLS == 2, predicted == 2),
                                              abs=1e-6)


def test_confusion_counts():
    tn, fp, fn, tp = skm.confusion_matrix(Y_BIN, P_BIN > 0.5).ravel()
    for cls, expected in ((metrics.TruePositives, tp), (metrics.FalsePositives, fp),
                          (metrics.TrueNegatives, tn), (metrics.FalseNegatives, fn)):
        metric = cls()
        metric.update_state(Y_BIN, P_BIN)
        assert float(metric.result()) == expected, cls.__name__


def test_thresholds_must_lie_in_unit_interval():
    with pytest.raises(ValueError, match=r"threshold values must be in \[0, 1\]"):
        metrics.Precision(thresholds=1.5)


# ---- AUC ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_auc_roc_matches_sklearn_within_threshold_approximation(mode):
    got = accumulate(metrics.AUC(), Y_BIN, P_BIN, mode=mode)
    assert got == pytest.approx(skm.roc_auc_score(Y_BIN, P_BIN), abs=5e-3)
    fine = accumulate(metrics.AUC(num_thresholds=2000), Y_BIN, P_BIN)
    assert fine == pytest.approx(skm.roc_auc_score(Y_BIN, P_BIN), abs=1e-3)


def test_auc_weighted_and_from_logits():
    logits = np.log(P_BIN + 1e-6) - np.log(1 - P_BIN + 1e-6)
    got = accumulate(metrics.AUC(num_thresholds=1000, from_logits=True), Y_BIN, logits,
                     weights=WEIGHTS)
    expected = skm.roc_auc_score(Y_BIN, P_BIN, sample_weight=WEIGHTS)
    assert got == pytest.approx(expected, abs=2e-3)


def test_auc_pr_against_average_precision():
    got = accumulate(metrics.AUC(curve="PR", num_thresholds=1000), Y_BIN, P_BIN)
    assert got == pytest.approx(skm.average_precision_score(Y_BIN, P_BIN), abs=1e-2)


@pytest.mark.parametrize("method", ["minoring", "majoring"])
def test_auc_riemann_bounds(method):
    exact = skm.roc_auc_score(Y_BIN, P_BIN)
    got = accumulate(metrics.AUC(summation_method=method), Y_BIN, P_BIN)
    assert (got <= exact + 1e-6) if method == "minoring" else (got >= exact - 1e-6)


def test_auc_multi_label_is_the_mean_of_per_label_aucs():
    labels = rng.integers(0, 2, size=(N, 3))
    scores = np.clip(0.3 * labels + rng.uniform(0, 0.7, size=(N, 3)), 0, 1).astype(np.float32)
    got = accumulate(metrics.AUC(num_thresholds=1000, multi_label=True), labels, scores)
    assert got == pytest.approx(skm.roc_auc_score(labels, scores, average="macro"), abs=2e-3)


def test_auc_perfect_and_explicit_thresholds():
    metric = metrics.AUC(thresholds=[0.25, 0.5, 0.75])
    assert metric.num_thresholds == 5
    metric.update_state([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    assert float(metric.result()) == pytest.approx(1.0)


def test_auc_rejects_bad_arguments():
    with pytest.raises(ValueError, match="num_thresholds"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="curve"):
        metrics.AUC(curve="XY")


# ---- reductions and regression metrics ---------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_mean_and_sum_with_weights(mode):
    values = rng.normal(size=N).astype(np.float32)
    mean, total = metrics.Mean(), metrics.Sum()
    update = run_in(mode, lambda v, w: (mean.update_state(v, sample_weight=w),
                                        total.update_state(v, sample_weight=w)))
    for v, w in batches(values, WEIGHTS):
        update(ag.constant(v), ag.constant(w))
    assert float(mean.result()) == pytest.approx(np.average(values, weights=WEIGHTS), rel=1e-5)
    assert float(total.result()) == pytest.approx((values * WEIGHTS).sum(), rel=1e-5)


def test_mean_of_matrices_averages_each_sample_first():
    m = metrics.Mean()
    m.update_state([[1.0, 3.0], [5.0, 7.0]], sample_weight=[1.0, 3.0])
    assert float(m.result()) == pytest.approx((2.0 * 1 + 6.0 * 3) / 4)


def test_mean_starts_at_zero_and_resets():
    m = metrics.Mean()
    assert float(m.result()) == 0.0
    m.update_state([1.0, 2.0])
    assert float(m.result()) == 1.5
    m.reset_state()
    assert float(m.result()) == 0.0
    m.update_state(4.0)
    m.reset_states()  # TF 2 name
    assert [float(v.numpy()) for v in m.variables] == [0.0, 0.0]


def test_regression_metrics():
    t = rng.normal(size=(N, 2)).astype(np.float32)
    p = rng.normal(size=(N, 2)).astype(np.float32)
    mse = accumulate(metrics.MeanSquaredError(), t, p)
    mae = accumulate(metrics.MeanAbsoluteError(), t, p)
    rmse = accumulate(metrics.RootMeanSquaredError(), t, p)
    assert mse == pytest.approx(skm.mean_squared_error(t, p), rel=1e-5)
    assert mae == pytest.approx(skm.mean_absolute_error(t, p), rel=1e-5)
    assert rmse == pytest.approx(np.sqrt(skm.mean_squared_error(t, p)), rel=1e-5)


def test_crossentropy_metric_matches_log_loss():
    got = accumulate(metrics.SparseCategoricalCrossentropy(), Y_CLS, P_CLS)
    assert got == pytest.approx(skm.log_loss(Y_CLS, P_CLS), rel=1e-5)
    got = accumulate(metrics.BinaryCrossentropy(), Y_BIN[:, None].astype(np.float32),
                     P_BIN[:, None])
    assert got == pytest.approx(skm.log_loss(Y_BIN, np.clip(P_BIN, 1e-7, 1 - 1e-7)), rel=1e-4)


# ---- state, call and configs -------------------------------------------------------------------

def test_state_is_non_trainable_variables():
    metric = metrics.AUC()
    assert len(metric.variables) == 4
    assert all(isinstance(v, ag.Variable) and not v.trainable for v in metric.variables)
    assert metric.trainable_weights == []


def test_call_updates_and_returns_the_running_result():
    metric = metrics.SparseCategoricalAccuracy()
    first = float(metric([0, 1], [[0.9, 0.1], [0.8, 0.2]]))
    second = float(metric([1, 1], [[0.1, 0.9], [0.2, 0.8]]))
    assert (first, second) == (0.5, 0.75)


def test_metric_created_inside_a_traced_function_on_first_trace():
    holder = {}

    @ag.function
    def step(y, p):
        if "m" not in holder:
            holder["m"] = metrics.Mean()
        holder["m"].update_state(ag.cast(ag.equal(y, p), ag.float32))
        return holder["m"].result()

    step(ag.constant([1, 2]), ag.constant([1, 3]))
    assert float(step(ag.constant([1, 2]), ag.constant([1, 2]))) == pytest.approx(0.75)


def test_custom_metric_in_tf2_style():
    class CountPositives(metrics.Metric):
        def __init__(self, name="count_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.count = self.add_weight(name="count", initializer="zeros")

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.count.assign_add(ag.reduce_sum(ag.cast(ag.greater(y_pred, 0.5), ag.float32)))

        def result(self):
            return self.count.read_value()

    metric = CountPositives()
    step = ag.function(lambda p: metric.update_state(None, p))
    step(ag.constant([0.9, 0.1, 0.7]))
    step(ag.constant([0.6, 0.2, 0.4]))
    assert float(metric.result()) == 3.0
    metric.reset_state()
    assert float(metric.result()) == 0.0
    assert metric.count.name == "count_positives/count:0"


def test_shape_errors_name_the_metric():
    with pytest.raises(ValueError, match="sparse_categorical_accuracy: y_true has shape"):
        metrics.SparseCategoricalAccuracy().update_state(np.eye(3), np.eye(3)[None])
    with pytest.raises(ValueError, match=r"precision: y_true has shape \(3,\) but y_pred"):
        metrics.Precision().update_state([1, 0, 1], [[0.2, 0.3]])


def test_get_and_get_metric():
    assert metrics.get("accuracy") is metrics.accuracy
    assert metrics.get("acc") is metrics.accuracy
    assert metrics.get("mse") is metrics.get("mean_squared_error")
    assert isinstance(metrics.get("AUC"), metrics.AUC)
    assert isinstance(metrics.get("auc"), metrics.AUC)
    assert isinstance(metrics.get("precision"), metrics.Precision)
    instance = metrics.Recall()
    assert metrics.get(instance) is instance
    with pytest.raises(ValueError) as info:
        metrics.get("accuracyy")
    assert "accuracy" in str(info.value) and "Valid names" in str(info.value)


@pytest.mark.parametrize("y_true,y_pred,cls", [
    (np.zeros(4), np.zeros((4, 3)), metrics.SparseCategoricalAccuracy),
    (np.zeros((4, 1)), np.zeros((4, 3)), metrics.SparseCategoricalAccuracy),
    (np.zeros((4, 3)), np.zeros((4, 3)), metrics.CategoricalAccuracy),
    (np.zeros((4, 1)), np.zeros((4, 1)), metrics.BinaryAccuracy),
    (np.zeros(4), np.zeros(4), metrics.BinaryAccuracy),
])
def test_get_metric_resolves_accuracy_from_shapes(y_true, y_pred, cls):
    metric = metrics.get_metric("accuracy", y_true, y_pred)
    assert type(metric) is cls and metric.name == "accuracy"


def test_get_metric_wraps_functions_under_the_given_name():
    metric = metrics.get_metric("mae")
    assert isinstance(metric, metrics.MeanMetricWrapper) and metric.name == "mae"
    metric.update_state([1.0, 2.0], [2.0, 4.0])
    assert float(metric.result()) == 1.5
    assert metrics.get_metric(None) is None


@pytest.mark.parametrize("metric", [
    metrics.Mean(name="m"), metrics.BinaryAccuracy(threshold=0.3),
    metrics.SparseTopKCategoricalAccuracy(k=2), metrics.Precision(thresholds=[0.2, 0.6]),
    metrics.Recall(top_k=2, class_id=1), metrics.AUC(num_thresholds=50, curve="PR"),
    metrics.AUC(thresholds=[0.3, 0.6]), metrics.TruePositives(thresholds=0.4),
    metrics.CategoricalCrossentropy(from_logits=True),
], ids=lambda m: type(m).__name__)
def test_config_round_trip(metric):
    config = metric.get_config()
    again = type(metric).from_config(config)
    assert again.get_config() == config
    restored = metrics.deserialize(metrics.serialize(metric))
    assert type(restored) is type(metric) and restored.get_config() == config
