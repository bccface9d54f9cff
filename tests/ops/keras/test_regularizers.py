"""ag.keras.regularizers and constraints: penalties and projections against NumPy, lookup by
name, configs."""
import numpy as np
import pytest

import autograph as ag
from ops.keras import constraints, regularizers

W = np.array([[1.0, -2.0], [3.0, 0.5]], np.float32)


def test_penalties():
    w = ag.constant(W)
    assert np.isclose(float(regularizers.l1(0.1)(w)), 0.1 * np.abs(W).sum())
    assert np.isclose(float(regularizers.l2(0.1)(w)), 0.1 * (W ** 2).sum())
    assert np.isclose(float(regularizers.l1_l2(0.1, 0.2)(w)),
                      0.1 * np.abs(W).sum() + 0.2 * (W ** 2).sum())
    assert float(regularizers.L1L2()(w)) == 0.0


def test_names_mean_keras_defaults():
    assert regularizers.get("l2").get_config() == {"l2": 0.01}
    assert regularizers.get("l1").get_config() == {"l1": 0.01}
    assert regularizers.get("l1_l2").get_config() == {"l1": 0.01, "l2": 0.01}


@pytest.mark.parametrize("reg", [regularizers.L1(0.3), regularizers.L2(0.2),
                                 regularizers.L1L2(0.1, 0.4),
                                 regularizers.OrthogonalRegularizer(0.5, "columns")])
def test_config_round_trip(reg):
    again = regularizers.deserialize(regularizers.serialize(reg))
    assert type(again) is type(reg) and again.get_config() == reg.get_config()
    np.testing.assert_allclose(float(again(ag.constant(W))), float(reg(ag.constant(W))))


def test_penalty_gradient():
    v = ag.Variable(W)
    with ag.GradientTape() as tape:
        loss = regularizers.l2(0.5)(v)
    np.testing.assert_allclose(tape.gradient(loss, v).numpy(), W)


def test_bad_factor_and_unknown_name():
    with pytest.raises(ValueError, match="must be >= 0"):
        regularizers.L2(-1.0)
    with pytest.raises(ValueError, match="Unknown regularizer 'l3'.*l1_l2"):
        regularizers.get("l3")


def test_constraints():
    w = ag.constant(W)
    norms = np.sqrt((W ** 2).sum(0, keepdims=True))
    np.testing.assert_allclose(constraints.MaxNorm(2.0)(w).numpy(),
                               W * np.minimum(norms, 2.0) / (norms + 1e-7), rtol=1e-5)
    np.testing.assert_allclose(constraints.NonNeg()(w).numpy(), np.maximum(W, 0))
    np.testing.assert_allclose(np.linalg.norm(constraints.UnitNorm()(w).numpy(), axis=0),
                               [1, 1], rtol=1e-5)
    clipped = constraints.MinMaxNorm(1.0, 2.0)(w).numpy()
    np.testing.assert_allclose(np.linalg.norm(clipped, axis=0), np.clip(norms[0], 1, 2),
                               rtol=1e-5)
    assert isinstance(constraints.get("non_neg"), constraints.NonNeg)
    again = constraints.deserialize(constraints.serialize(constraints.MaxNorm(3, axis=1)))
    assert again.get_config() == {"max_value": 3, "axis": 1}
