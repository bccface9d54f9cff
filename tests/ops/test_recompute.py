"""``recompute_grad``: the same gradients as the plain function (inputs and variables), with
only the call's inputs and outputs left on the tape; eager, inside ``ag.function``, nested
tapes, Keras layers."""
from __future__ import annotations

import numpy as np
import pytest

import autograph as ag
from ops.recompute import recompute_grad
from tests.support import MODES, check_grad, check_second_grad, run_in

RNG = np.random.default_rng(0)


def _mlp(width=6, depth=3, dtype="float32"):
    ag.random.set_seed(7)
    return [ag.keras.layers.Dense(width, activation="tanh", dtype=dtype) for _ in range(depth)]


def _forward(layers, x, wrap):
    for layer in layers:
        x = (recompute_grad(layer) if wrap else layer)(x)
    return ag.reduce_sum(x * x)


@pytest.mark.parametrize("mode", MODES)
def test_mlp_gradients_equal_the_plain_version_for_inputs_and_weights(mode):
    layers = _mlp()
    x = ag.constant(RNG.normal(size=(4, 5)).astype(np.float32))
    _forward(layers, x, False)   # build
    weights = [w for layer in layers for w in layer.trainable_variables]

    def grads(x, wrap):
        with ag.GradientTape() as tape:
            tape.watch(x)
            loss = _forward(layers, x, wrap)
        return [loss] + tape.gradient(loss, [x] + weights)

    plain = run_in(mode, lambda x: grads(x, False))(x)
    recomputed = run_in(mode, lambda x: grads(x, True))(x)
    assert len(plain) == 2 + 6
    for a, b in zip(plain, recomputed):
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-6, atol=1e-7)


def test_gradients_match_finite_differences():
    w = RNG.normal(size=(3, 2))

    def f(x, y):
        return ag.tanh(ag.matmul(x, ag.constant(w))) * ag.exp(y) + ag.sin(x[:, :2])

    check_grad(recompute_grad(f), RNG.normal(size=(4, 3)), RNG.normal(size=(4, 2)))


def test_variables_read_inside_get_gradients_matching_finite_differences():
    layers = _mlp(width=3, depth=3, dtype="float64")
    x = ag.constant(RNG.normal(size=(2, 4)))
    block = ag.keras.Sequential(layers)
    block(x)
    weights = block.trainable_variables
    with ag.GradientTape() as tape:
        loss = ag.reduce_sum(ag.square(recompute_grad(block)(x)))
    analytic = tape.gradient(loss, weights)
    eps = 1e-6
    for w, g in zip(weights, analytic):
        value = w.numpy()
        numeric = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            for sign in (1, -1):
                shifted = value.copy()
                shifted[idx] += sign * eps
                w.assign(shifted)
                numeric[idx] += sign * float(ag.reduce_sum(ag.square(block(x))))
            w.assign(value)
        np.testing.assert_allclose(g.numpy(), numeric / (2 * eps), rtol=1e-5, atol=1e-7)


def test_the_tape_keeps_only_the_inputs_and_outputs_of_the_wrapped_call():
    x = ag.constant(RNG.normal(size=(8, 8)).astype(np.float32))

    def f(x):
        for _ in range(5):
            x = ag.tanh(x * 1.5 + 0.5)
        return x

    held = {}
    for wrap in (False, True):
        with ag.GradientTape() as tape:
            tape.watch(x)
            y = (recompute_grad(f) if wrap else f)(x)
            held[wrap] = (len(tape._records), len(tape._held_arrays()))
        tape.gradient(y, x)
    # Plain: three ops a step, each keeping its output and scalar operand (x, 15 outputs, 10
    # scalars). Recomputed: one record holding x and y.
    assert held[False] == (15, 26)
    assert held[True] == (1, 2)


def test_second_derivative_through_nested_tapes():
    check_second_grad(recompute_grad(lambda x: ag.sin(x) * x * x), [0.3, -1.2, 2.0])


@pytest.mark.parametrize("mode", MODES)
def test_variable_arguments_and_a_tensor_passed_twice(mode):
    v = ag.Variable([1.0, 2.0])
    x = ag.constant([3.0, -1.0])

    def f(a, b, var):
        return a * b * var

    def grads(x, wrap):
        with ag.GradientTape() as tape:
            tape.watch(x)
            y = ag.reduce_sum((recompute_grad(f) if wrap else f)(x, x, v))
        return tape.gradient(y, [x, v])

    plain = run_in(mode, lambda x: grads(x, False))(x)
    recomputed = run_in(mode, lambda x: grads(x, True))(x)
    np.testing.assert_allclose(recomputed[0].numpy(), [6.0, -4.0])   # d(x*x*v)/dx = 2xv
    for a, b in zip(plain, recomputed):
        np.testing.assert_allclose(b.numpy(), a.numpy())


def test_structured_outputs_unused_outputs_and_keyword_arguments():
    x = ag.constant([0.5, 1.5])

    @recompute_grad
    def f(x, scale=1.0):
        return {"sq": x * x * scale, "cube": x * x * x, "count": ag.size(x)}

    with ag.GradientTape() as tape:
        tape.watch(x)
        out = f(x, scale=3.0)
        y = ag.reduce_sum(out["sq"])   # "cube" and the integer "count" receive no gradient
    assert int(out["count"]) == 2
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [3.0, 9.0])


def test_without_a_tape_it_is_the_function_itself():
    f = recompute_grad(lambda x: x + 1.0)
    np.testing.assert_allclose(f(ag.constant([1.0])).numpy(), [2.0])
    with pytest.raises(TypeError, match="expected a function or callable"):
        recompute_grad(3)


def test_a_layer_built_on_its_first_recomputed_call_trains_under_fit():
    # The seed's CheckpointedLayer (002, 梯度检查点), narrower so the test is quick.
    class CheckpointedLayer(ag.keras.layers.Layer):
        def __init__(self, layer):
            super().__init__()
            self.layer = layer

        def call(self, inputs):
            return recompute_grad(self.layer)(inputs)

    ag.random.set_seed(3)
    model = ag.keras.Sequential()
    for _ in range(3):
        model.add(CheckpointedLayer(ag.keras.layers.Dense(16, activation="relu")))
    model.add(ag.keras.layers.Dense(1))
    model.compile(optimizer=ag.keras.optimizers.Adam(0.01), loss="mse")
    x = RNG.normal(size=(64, 4)).astype(np.float32)
    y = (x @ np.array([1.0, -2.0, 0.5, 1.0], np.float32))[:, None]
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    assert len(model.trainable_variables) == 8   # every wrapped Dense's weights are found
    losses = history.history["loss"]
    assert losses[-1] < 0.5 * losses[0]
