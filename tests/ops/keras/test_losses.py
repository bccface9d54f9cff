"""Losses against NumPy formulas (Keras's, epsilon 1e-7), reductions, sample weights, errors."""
import numpy as np
import pytest

import autograph as ag
from ops.errors import InvalidArgumentError
from ops.keras import losses
from tests.support import MODES, run_in

EPS = 1e-7
rng = np.random.default_rng(42)
Y_TRUE = rng.normal(size=(6, 4)).astype(np.float32)
Y_PRED = rng.normal(size=(6, 4)).astype(np.float32)
POS_TRUE = rng.uniform(0.1, 2.0, size=(6, 4)).astype(np.float32)
POS_PRED = rng.uniform(0.1, 2.0, size=(6, 4)).astype(np.float32)
LOGITS = rng.normal(size=(6, 5)).astype(np.float32) * 2
LABELS = np.array([0, 4, 2, 1, 3, 2])
ONE_HOT = np.eye(5, dtype=np.float32)[LABELS]
PROBS = (np.exp(LOGITS) / np.exp(LOGITS).sum(-1, keepdims=True)).astype(np.float32)
BINARY = rng.integers(0, 2, size=(6, 4)).astype(np.float32)


def np_softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def np_bce(t, p):
    p = np.clip(p, EPS, 1 - EPS)
    return -(t * np.log(p) + (1 - t) * np.log(1 - p)).mean(-1)


def np_cce(t, p):
    p = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    return -(t * np.log(p)).sum(-1)


def np_huber(t, p, delta=1.0):
    e = np.abs(p - t)
    return np.where(e <= delta, 0.5 * e ** 2, delta * e - 0.5 * delta ** 2).mean(-1)


def np_hinge_labels(t):
    return 2 * t - 1 if np.isin(t, [0, 1]).all() else t


def np_unit(x):
    return x / np.sqrt(np.maximum((x * x).sum(-1, keepdims=True), 1e-12))


# (function, class, y_true, y_pred, per-example NumPy oracle)
ELEMENTWISE = [
    (losses.mean_squared_error, losses.MeanSquaredError, Y_TRUE, Y_PRED,
     lambda t, p: ((t - p) ** 2).mean(-1)),
    (losses.mean_absolute_error, losses.MeanAbsoluteError, Y_TRUE, Y_PRED,
     lambda t, p: np.abs(t - p).mean(-1)),
    (losses.mean_absolute_percentage_error, losses.MeanAbsolutePercentageError, Y_TRUE, Y_PRED,
     lambda t, p: 100 * np.abs((t - p) / np.maximum(np.abs(t), EPS)).mean(-1)),
    (losses.mean_squared_logarithmic_error, losses.MeanSquaredLogarithmicError, POS_TRUE,
     POS_PRED, lambda t, p: ((np.log(np.maximum(p, EPS) + 1) -
                              np.log(np.maximum(t, EPS) + 1)) ** 2).mean(-1)),
    (losses.huber, losses.Huber, Y_TRUE, Y_PRED * 3, np_huber),
    (losses.log_cosh, losses.LogCosh, Y_TRUE, Y_PRED * 3,
     lambda t, p: np.log(np.cosh(p - t)).mean(-1)),
    (losses.kl_divergence, losses.KLDivergence, PROBS[:, :4], np.roll(PROBS, 1, 0)[:, :4],
     lambda t, p: (np.clip(t, EPS, 1) * np.log(np.clip(t, EPS, 1) / np.clip(p, EPS, 1))).sum(-1)),
    (losses.poisson, losses.Poisson, POS_TRUE, POS_PRED,
     lambda t, p: (p - t * np.log(p + EPS)).mean(-1)),
    (losses.cosine_similarity, losses.CosineSimilarity, Y_TRUE, Y_PRED,
     lambda t, p: -(np_unit(t) * np_unit(p)).sum(-1)),
    (losses.hinge, losses.Hinge, BINARY, Y_PRED,
     lambda t, p: np.maximum(1 - np_hinge_labels(t) * p, 0).mean(-1)),
    (losses.squared_hinge, losses.SquaredHinge, BINARY * 2 - 1, Y_PRED,
     lambda t, p: np.maximum(1 - t * p, 0).__pow__(2).mean(-1)),
    (losses.categorical_hinge, losses.CategoricalHinge, ONE_HOT, LOGITS,
     lambda t, p: np.maximum(((1 - t) * p).max(-1) - (t * p).sum(-1) + 1, 0)),
    (losses.binary_crossentropy, losses.BinaryCrossentropy, BINARY,
     1 / (1 + np.exp(-Y_PRED)), np_bce),
    (losses.categorical_crossentropy, losses.CategoricalCrossentropy, ONE_HOT, PROBS, np_cce),
]
IDS = [case[0].__name__ for case in ELEMENTWISE]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", ELEMENTWISE, ids=IDS)
def test_function_matches_numpy(case, mode):
    fn, _, t, p, oracle = case
    got = run_in(mode, fn)(ag.constant(t), ag.constant(p))
    np.testing.assert_allclose(got.numpy(), oracle(t.astype(np.float64), p.astype(np.float64)),
                               rtol=2e-5, atol=2e-6)
    assert tuple(got.shape) == (6,)


@pytest.mark.parametrize("case", ELEMENTWISE, ids=IDS)
def test_class_reductions_and_sample_weights(case):
    _, cls, t, p, oracle = case
    per_example = oracle(t.astype(np.float64), p.astype(np.float64))
    weights = np.array([1.0, 0.0, 2.0, 0.5, 1.0, 3.0])
    np.testing.assert_allclose(cls()(t, p).numpy(), per_example.mean(), rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(cls(reduction="sum")(t, p).numpy(), per_example.sum(),
                               rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(cls(reduction="none")(t, p).numpy(), per_example, rtol=2e-5,
                               atol=1e-6)
    np.testing.assert_allclose(cls(reduction=None)(t, p).numpy(), per_example, rtol=2e-5,
                               atol=1e-6)
    # sum_over_batch_size divides the weighted sum by the number of losses (not the weights).
    np.testing.assert_allclose(cls()(t, p, sample_weight=weights).numpy(),
                               (per_example * weights).sum() / 6, rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(cls()(t, p, sample_weight=weights[:, None]).numpy(),
                               (per_example * weights).sum() / 6, rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(cls()(t, p, sample_weight=2.0).numpy(), 2 * per_example.mean(),
                               rtol=2e-5, atol=1e-6)


# ---- crossentropy options ------------------------------------------------------------------------

def test_binary_crossentropy_from_logits_and_label_smoothing():
    t, z = BINARY, Y_PRED
    p = 1 / (1 + np.exp(-z.astype(np.float64)))
    smoothed = t * 0.8 + 0.5 * 0.2
    exact = -(smoothed * np.log(p) + (1 - smoothed) * np.log(1 - p)).mean(-1)
    got = losses.binary_crossentropy(t, z, from_logits=True, label_smoothing=0.2)
    np.testing.assert_allclose(got.numpy(), exact, rtol=1e-5)
    loss = losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.2)
    np.testing.assert_allclose(loss(t, z).numpy(), exact.mean(), rtol=1e-5)


def test_binary_crossentropy_clips_probabilities_of_zero_and_one():
    got = losses.binary_crossentropy([[1.0, 0.0]], [[0.0, 1.0]]).numpy()
    # Clipped to [eps, 1 - eps] in float32, where 1 - 1e-7 rounds to 1 - 1.19e-7.
    low, high = np.float32(EPS), np.float32(1 - EPS)
    expected = (-np.log(np.float64(low)) - np.log(1 - np.float64(high))) / 2
    np.testing.assert_allclose(got, [expected], rtol=1e-5)
    assert np.isfinite(got).all()


def test_binary_crossentropy_labels_of_shape_n_1_against_predictions_n():
    t = np.array([[1.0], [0.0], [1.0]])
    p = np.array([0.9, 0.2, 0.6], np.float32)
    expected = np_bce(t, p[:, None]).mean()
    np.testing.assert_allclose(losses.BinaryCrossentropy()(t, p).numpy(), expected, rtol=1e-6)


def test_categorical_crossentropy_from_logits_and_label_smoothing():
    smoothed = ONE_HOT * 0.9 + 0.1 / 5
    logp = np.log(np_softmax(LOGITS.astype(np.float64)))
    exact = -(smoothed * logp).sum(-1)
    got = losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1,
                                         reduction="none")(ONE_HOT, LOGITS)
    np.testing.assert_allclose(got.numpy(), exact, rtol=1e-5)


def test_categorical_crossentropy_normalises_probabilities():
    unnormalised = PROBS * 3.0
    np.testing.assert_allclose(losses.categorical_crossentropy(ONE_HOT, unnormalised).numpy(),
                               np_cce(ONE_HOT, PROBS), rtol=1e-5)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("labels", [LABELS, LABELS[:, None], LABELS.astype(np.float32),
                                    LABELS.astype(np.int32)],
                         ids=["int64", "n_by_1", "float", "int32"])
def test_sparse_categorical_crossentropy(labels, mode):
    exact_logits = -np.log(np_softmax(LOGITS.astype(np.float64)))[np.arange(6), LABELS]
    exact_probs = -np.log(np.clip(PROBS, EPS, 1 - EPS))[np.arange(6), LABELS]
    fn = run_in(mode, lambda y, p: losses.sparse_categorical_crossentropy(y, p, from_logits=True))
    np.testing.assert_allclose(fn(ag.constant(labels), ag.constant(LOGITS)).numpy(),
                               exact_logits, rtol=1e-5)
    got = losses.sparse_categorical_crossentropy(labels, PROBS)
    np.testing.assert_allclose(got.numpy(), exact_probs, rtol=1e-5)
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    np.testing.assert_allclose(run_in(mode, loss)(ag.constant(labels), ag.constant(LOGITS)).numpy(),
                               exact_logits.mean(), rtol=1e-5)


def test_sparse_equals_categorical_on_one_hot_labels():
    sparse = losses.SparseCategoricalCrossentropy()(LABELS, PROBS)
    dense = losses.CategoricalCrossentropy()(ONE_HOT, PROBS)
    np.testing.assert_allclose(sparse.numpy(), dense.numpy(), rtol=1e-5)


def test_sparse_categorical_crossentropy_ignore_class():
    labels = np.array([0, 4, -1, 1, -1, 2])
    exact = -np.log(np_softmax(LOGITS.astype(np.float64)))
    keep = labels != -1
    per_example = np.where(keep, exact[np.arange(6), np.where(keep, labels, 0)], 0.0)
    fn = losses.sparse_categorical_crossentropy(labels, LOGITS, from_logits=True, ignore_class=-1)
    np.testing.assert_allclose(fn.numpy(), per_example, rtol=1e-5)
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)
    # The mean is over the labels that count.
    np.testing.assert_allclose(loss(labels, LOGITS).numpy(), per_example.sum() / keep.sum(),
                               rtol=1e-5)


def test_sparse_categorical_crossentropy_sequence_labels():
    logits = rng.normal(size=(2, 3, 4)).astype(np.float32)
    labels = np.array([[0, 1, 3], [2, 2, 0]])
    exact = -np.log(np_softmax(logits.astype(np.float64)))
    expected = np.take_along_axis(exact, labels[..., None], -1)[..., 0]
    got = losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-5)
    weighted = losses.SparseCategoricalCrossentropy(from_logits=True)(
        labels, logits, sample_weight=[1.0, 0.0])
    np.testing.assert_allclose(weighted.numpy(), expected[0].sum() / 6, rtol=1e-5)


# ---- gradients -----------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_crossentropy_gradient_from_logits(mode):
    def grad(logits):
        with ag.GradientTape() as tape:
            tape.watch(logits)
            loss = losses.SparseCategoricalCrossentropy(from_logits=True)(LABELS, logits)
        return tape.gradient(loss, logits)

    got = run_in(mode, grad)(ag.constant(LOGITS.astype(np.float64)))
    expected = (np_softmax(LOGITS.astype(np.float64)) - np.eye(5)[LABELS]) / 6
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6, atol=1e-9)


def test_mse_gradient():
    p = ag.constant(Y_PRED.astype(np.float64))
    with ag.GradientTape() as tape:
        tape.watch(p)
        loss = losses.MeanSquaredError()(Y_TRUE.astype(np.float64), p)
    np.testing.assert_allclose(tape.gradient(loss, p).numpy(),
                               2 * (Y_PRED - Y_TRUE).astype(np.float64) / Y_PRED.size,
                               rtol=1e-6)


# ---- shapes, dtypes and errors -------------------------------------------------------------------

def test_sparse_crossentropy_with_one_hot_labels_names_loss_and_shapes():
    with pytest.raises(ValueError) as info:
        losses.SparseCategoricalCrossentropy()(ONE_HOT, PROBS)
    message = str(info.value)
    assert "sparse_categorical_crossentropy" in message
    assert "(6, 5)" in message and "categorical_crossentropy" in message


def test_categorical_crossentropy_with_integer_labels_names_loss_and_shapes():
    with pytest.raises(ValueError) as info:
        losses.categorical_crossentropy(LABELS, PROBS)
    message = str(info.value)
    assert "categorical_crossentropy" in message and "(6,)" in message and "(6, 5)" in message
    assert "sparse_categorical_crossentropy" in message


def test_mismatched_regression_shapes_name_loss_and_shapes():
    with pytest.raises(ValueError, match=r"mean_squared_error: y_true has shape \(6, 3\) but "
                                         r"y_pred has shape \(6, 4\)"):
        losses.MeanSquaredError()(np.zeros((6, 3)), Y_PRED)


def test_string_labels_are_a_type_error():
    with pytest.raises(TypeError, match="mean_squared_error: y_true must be numeric"):
        losses.mse(["a", "b"], [1.0, 2.0])
    with pytest.raises(TypeError, match="sparse_categorical_crossentropy: y_true must hold "
                                        "integer class indices"):
        losses.sparse_categorical_crossentropy(["a"] * 6, PROBS)


def test_out_of_range_label_is_an_error():
    with pytest.raises(InvalidArgumentError, match="outside the valid range"):
        losses.sparse_categorical_crossentropy([0, 5], PROBS[:2])


def test_mismatch_is_reported_while_tracing():
    loss = losses.SparseCategoricalCrossentropy()
    traced = ag.function(lambda y, p: loss(y, p))
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        traced(ag.constant(ONE_HOT), ag.constant(PROBS))


def test_bad_reduction():
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="mean_of_everything")


def test_bad_sample_weight_shape():
    with pytest.raises(ValueError, match="sample_weight"):
        losses.MeanSquaredError()(Y_TRUE, Y_PRED, sample_weight=np.ones(4))


def test_integer_predictions_and_float64_inputs():
    assert losses.mse([1, 2], [1, 4]).dtype == ag.float32
    np.testing.assert_allclose(losses.mse([1, 2], [1, 4]).numpy(), 2.0)
    assert losses.MeanSquaredError()(np.zeros(3), np.ones(3)).dtype == ag.float64


def test_scalars_and_empty_batches():
    np.testing.assert_allclose(losses.MeanSquaredError()(2.0, 5.0).numpy(), 9.0)
    empty = losses.MeanSquaredError()(np.zeros((0, 3), np.float32), np.zeros((0, 3), np.float32))
    assert float(empty) == 0.0


def test_tf2_reduction_names():
    r = losses.Reduction
    assert losses.MeanSquaredError(reduction=r.SUM).reduction == "sum"
    assert losses.MeanSquaredError(reduction=r.AUTO).reduction == "sum_over_batch_size"
    assert set(r.all()) == {"auto", "none", "sum", "sum_over_batch_size"}


# ---- lookup, names and configs -------------------------------------------------------------------

def test_get_names_functions_and_classes():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("MSE") is losses.mean_squared_error
    assert losses.get("sparse_categorical_crossentropy") is losses.sparse_categorical_crossentropy
    assert isinstance(losses.get("SparseCategoricalCrossentropy"),
                      losses.SparseCategoricalCrossentropy)
    fn = lambda t, p: t - p  # noqa: E731
    assert losses.get(fn) is fn
    assert losses.get(None) is None
    instance = losses.Huber()
    assert losses.get(instance) is instance


def test_get_unknown_name_lists_valid_names():
    with pytest.raises(ValueError) as info:
        losses.get("sparse_categorical_crossentropyy")
    message = str(info.value)
    assert "mean_squared_error" in message and "Did you mean" in message


def test_default_names():
    assert losses.MeanSquaredError().name == "mean_squared_error"
    assert losses.Huber().name == "huber_loss"
    assert losses.SparseCategoricalCrossentropy().name == "sparse_categorical_crossentropy"


REGRESSION = (Y_TRUE, Y_PRED)
CONFIG_CASES = [
    (losses.MeanSquaredError(reduction="sum"), REGRESSION),
    (losses.Huber(delta=2.5), REGRESSION),
    (losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1), (BINARY, Y_PRED)),
    (losses.CategoricalCrossentropy(label_smoothing=0.2, name="cce"), (ONE_HOT, PROBS)),
    (losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0), (LABELS, LOGITS)),
    (losses.CosineSimilarity(axis=0), REGRESSION),
    (losses.LossFunctionWrapper(losses.huber, delta=3.0, name="h"), REGRESSION),
]


@pytest.mark.parametrize("loss,data", CONFIG_CASES, ids=lambda c: type(c).__name__)
def test_config_round_trip(loss, data):
    config = loss.get_config()
    again = type(loss).from_config(config)
    assert again.get_config() == config
    restored = losses.deserialize(losses.serialize(loss))
    assert type(restored) is type(loss) and restored.get_config() == config
    np.testing.assert_allclose(restored(*data).numpy(), loss(*data).numpy(), rtol=1e-6)


def test_custom_loss_subclass():
    class Scaled(losses.Loss):
        def call(self, y_true, y_pred):
            return ag.reduce_sum(ag.abs(y_true - y_pred), axis=-1) * 2.0

    loss = Scaled()
    assert loss.name == "scaled"
    np.testing.assert_allclose(loss([[1.0, 2.0]], [[0.0, 0.0]]).numpy(), 6.0)


def test_seed_train_step_pattern():
    """Seed 002: sparse_categorical_crossentropy(y, predictions) then reduce_mean, traced."""
    @ag.function
    def step(x, y):
        loss = losses.sparse_categorical_crossentropy(y, ag.nn.softmax(x))
        return ag.reduce_mean(loss)

    got = step(ag.constant(LOGITS), ag.constant(LABELS, ag.int32))
    expected = (-np.log(np_softmax(LOGITS.astype(np.float64)))[np.arange(6), LABELS]).mean()
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-5)
