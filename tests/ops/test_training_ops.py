"""Fused optimizer updates (ApplyAdam) and ReluGrad: the same values as the ops they replace."""
import numpy as np
import pytest

import autograph as ag
from ops import training_ops

from tests.support import check_grad


def _adam_reference(w, m, v, g, lr, t, b1=0.9, b2=0.999, eps=1e-7):
    m = m + (g - m) * (1 - b1)
    v = v + (g * g - v) * (1 - b2)
    alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
    return w - m * alpha / (np.sqrt(v) + eps), m, v


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_apply_adam_matches_the_update_rule_eagerly_and_in_a_graph(dtype):
    rng = np.random.default_rng(0)
    w0, g = rng.standard_normal((4, 3)).astype(dtype), rng.standard_normal((4, 3)).astype(dtype)
    m0, v0 = np.full((4, 3), 0.1, dtype), np.full((4, 3), 0.2, dtype)
    expected = _adam_reference(w0, m0, v0, g, 0.01, 3)

    for staged in (False, True):
        w, m, v = ag.Variable(w0), ag.Variable(m0), ag.Variable(v0)

        def step(grad):
            training_ops.apply_adam(w, m, v, grad, 0.01, 3.0, 0.9, 0.999, 1e-7)
        (ag.function(step) if staged else step)(ag.constant(g))
        for var, want in zip((w, m, v), expected):
            # the learning rate is a float32 tensor, as the optimizer's is
            np.testing.assert_allclose(var.numpy(), want, rtol=1e-6)
            assert var.numpy().dtype == dtype


def test_adam_optimizer_uses_one_fused_op_per_variable_in_graphs():
    w = ag.Variable(np.ones((2, 2), np.float32))
    opt = ag.keras.optimizers.Adam(0.1)

    @ag.function
    def step(g):
        opt.apply_gradients([(g, w)])
    graph = step.get_concrete_function(ag.constant(np.ones((2, 2), np.float32))).graph
    names = [n.op.name for n in graph.nodes]
    assert names.count("ApplyAdam") == 1 and "Sqrt" not in names


def test_apply_adam_rejects_gradients_of_the_wrong_shape_or_dtype():
    w, m, v = (ag.Variable(np.zeros(3, np.float32)) for _ in range(3))
    with pytest.raises(ValueError, match=r"gradient has shape \[2\] but the variable has shape \[3\]"):
        training_ops.apply_adam(w, m, v, np.zeros(2, np.float32), 0.1, 1.0, 0.9, 0.999, 1e-7)
    with pytest.raises(TypeError, match="gradient has dtype float64 but the variable has dtype "
                                        "float32"):
        training_ops.apply_adam(w, m, v, np.zeros(3), 0.1, 1.0, 0.9, 0.999, 1e-7)
    np.testing.assert_array_equal(w.numpy(), 0.0)     # nothing written


def test_relu_gradient_is_dy_where_positive_and_has_a_second_derivative():
    x = np.array([-1.5, -0.2, 0.3, 2.0])
    check_grad(lambda t: ag.nn.relu(t) * t, x)
    xt = ag.constant(x)
    with ag.GradientTape() as outer:
        outer.watch(xt)
        with ag.GradientTape() as inner:
            inner.watch(xt)
            y = ag.nn.relu(xt) * xt          # x**2 where positive
        dy = inner.gradient(y, xt)
    np.testing.assert_allclose(dy.numpy(), np.where(x > 0, 2 * x, 0))
    np.testing.assert_allclose(outer.gradient(dy, xt).numpy(), np.where(x > 0, 2.0, 0))
