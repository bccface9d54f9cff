"""Optimizers against NumPy re-implementations of Keras's documented update rules, eagerly and
inside ``ag.function``."""
import numpy as np
import pytest

import autograph as ag
from ops.keras import optimizers
from ops.keras.optimizers import schedules
from tests.support import MODES, run_in


# ---- NumPy oracles (Keras 3 update rules) ------------------------------------------------------

def np_sgd(w, grads, lr, momentum=0.0, nesterov=False, **_):
    m = np.zeros_like(w)
    for g in grads:
        if momentum == 0:
            w = w - lr * g
            continue
        m = momentum * m - lr * g
        w = w + (momentum * m - lr * g if nesterov else m)
    return w


def np_adam(w, grads, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
            weight_decay=None, **_):
    m, v, v_hat = np.zeros_like(w), np.zeros_like(w), np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        if weight_decay:
            w = w - w * weight_decay * lr
        alpha = lr * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
        m = m + (g - m) * (1 - beta_1)
        v = v + (g * g - v) * (1 - beta_2)
        if amsgrad:
            v_hat = np.maximum(v_hat, v)
            w = w - alpha * m / (np.sqrt(v_hat) + epsilon)
        else:
            w = w - alpha * m / (np.sqrt(v) + epsilon)
    return w


def np_rmsprop(w, grads, lr, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, **_):
    v, mg, mom = np.zeros_like(w), np.zeros_like(w), np.zeros_like(w)
    for g in grads:
        v = rho * v + (1 - rho) * g * g
        if centered:
            mg = rho * mg + (1 - rho) * g
            denominator = v - mg * mg + epsilon
        else:
            denominator = v + epsilon
        increment = lr * g / np.sqrt(denominator)
        if momentum > 0:
            mom = momentum * mom + increment
            w = w - mom
        else:
            w = w - increment
    return w


def np_adagrad(w, grads, lr, initial_accumulator_value=0.1, epsilon=1e-7, **_):
    acc = np.full_like(w, initial_accumulator_value)
    for g in grads:
        acc = acc + g * g
        w = w - lr * g / np.sqrt(acc + epsilon)
    return w


def np_adamax(w, grads, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **_):
    m, u = np.zeros_like(w), np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        m = m + (g - m) * (1 - beta_1)
        u = np.maximum(beta_2 * u, np.abs(g))
        w = w - lr * m / ((1 - beta_1 ** t) * (u + epsilon))
    return w


def np_nadam(w, grads, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **_):
    m, v, u_product = np.zeros_like(w), np.zeros_like(w), 1.0
    for t, g in enumerate(grads, start=1):
        u_t = beta_1 * (1 - 0.5 * 0.96 ** t)
        u_next = beta_1 * (1 - 0.5 * 0.96 ** (t + 1))
        u_product = u_product * u_t
        m = m + (g - m) * (1 - beta_1)
        v = v + (g * g - v) * (1 - beta_2)
        m_hat = u_next * m / (1 - u_product * u_next) + (1 - u_t) * g / (1 - u_product)
        v_hat = v / (1 - beta_2 ** t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + epsilon)
    return w


def np_adadelta(w, grads, lr, rho=0.95, epsilon=1e-7, **_):
    acc_g, acc_d = np.zeros_like(w), np.zeros_like(w)
    for g in grads:
        acc_g = rho * acc_g + (1 - rho) * g * g
        delta = -np.sqrt(acc_d + epsilon) / np.sqrt(acc_g + epsilon) * g
        acc_d = rho * acc_d + (1 - rho) * delta * delta
        w = w + lr * delta
    return w


def np_lion(w, grads, lr, beta_1=0.9, beta_2=0.99, **_):
    m = np.zeros_like(w)
    for g in grads:
        w = w - lr * np.sign(beta_1 * m + (1 - beta_1) * g)
        m = beta_2 * m + (1 - beta_2) * g
    return w


CASES = [
    ("sgd", optimizers.SGD, np_sgd, {}),
    ("sgd_momentum", optimizers.SGD, np_sgd, {"momentum": 0.9}),
    ("sgd_nesterov", optimizers.SGD, np_sgd, {"momentum": 0.9, "nesterov": True}),
    ("adam", optimizers.Adam, np_adam, {}),
    ("adam_betas", optimizers.Adam, np_adam, {"beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3}),
    ("adam_amsgrad", optimizers.Adam, np_adam, {"amsgrad": True}),
    ("adamw", optimizers.AdamW, np_adam, {"weight_decay": 0.1}),
    ("rmsprop", optimizers.RMSprop, np_rmsprop, {}),
    ("rmsprop_momentum_centered", optimizers.RMSprop, np_rmsprop,
     {"momentum": 0.5, "centered": True}),
    ("rmsprop_rho", optimizers.RMSprop, np_rmsprop, {"rho": 0.5, "momentum": 0.2}),
    ("adagrad", optimizers.Adagrad, np_adagrad, {}),
    ("adagrad_init", optimizers.Adagrad, np_adagrad, {"initial_accumulator_value": 1.0}),
    ("adamax", optimizers.Adamax, np_adamax, {}),
    ("nadam", optimizers.Nadam, np_nadam, {}),
    ("adadelta", optimizers.Adadelta, np_adadelta, {"rho": 0.9}),
    ("lion", optimizers.Lion, np_lion, {}),
]


def _grads(shape, steps=5, seed=1):
    rng = np.random.default_rng(seed)
    # Alternating signs and a zero make amsgrad's max and momentum reversals matter.
    return [rng.normal(size=shape) * (1 if k % 2 else -0.5) for k in range(steps)]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_update_rule_matches_numpy(case, dtype, mode):
    _, cls, oracle, options = case
    lr = 0.05
    w0 = np.array([[0.5, -1.0, 2.0], [0.0, 3.0, -0.25]], dtype)
    grads = [g.astype(dtype) for g in _grads(w0.shape)]
    w = ag.Variable(w0)
    opt = cls(learning_rate=lr, **options)
    step = run_in(mode, lambda g: opt.apply_gradients([(g, w)]))
    for g in grads:
        step(ag.constant(g))
    # The learning rate is a float32 Variable, as in Keras; use the value the optimizer holds.
    expected = oracle(w0.astype(np.float64), [g.astype(np.float64) for g in grads],
                      float(np.float32(lr)), **options)
    rtol = 2e-5 if dtype == np.float32 else 1e-7
    np.testing.assert_allclose(w.numpy(), expected, rtol=rtol, atol=1e-6)
    assert w.dtype == ag.as_dtype(dtype)
    assert int(opt.iterations.numpy()) == len(grads)
    assert opt.iterations.dtype == ag.int64


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_traced_step_equals_eager_step(case):
    _, cls, _, options = case
    w0 = np.array([1.0, -2.0, 0.5], np.float32)
    results = []
    for mode in MODES:
        w = ag.Variable(w0)
        opt = cls(learning_rate=0.1, **options)
        step = run_in(mode, lambda g: opt.apply_gradients([(g, w)]))
        for g in _grads(w0.shape, steps=4, seed=3):
            step(ag.constant(g.astype(np.float32)))
        results.append(w.numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6, atol=1e-7)


def test_slots_are_created_once_and_listed_in_variables():
    w = ag.Variable(np.ones((2, 3), np.float32), name="kernel")
    b = ag.Variable(np.zeros(3, np.float32), name="bias")
    opt = optimizers.Adam(0.1)
    assert [v.name for v in opt.variables] == ["iteration:0", "learning_rate:0"]

    @ag.function
    def step():
        opt.apply_gradients([(ag.ones_like(w), w), (ag.ones_like(b), b)])

    step()
    step()
    names = [v.name for v in opt.variables]
    assert names == ["iteration:0", "learning_rate:0", "kernel_momentum:0", "bias_momentum:0",
                     "kernel_velocity:0", "bias_velocity:0"]
    assert all(not v.trainable for v in opt.variables)
    assert opt.get_slot(w, "velocity").shape == w.shape
    assert step.experimental_get_tracing_count() == 1
    assert int(opt.iterations.numpy()) == 2


def test_sgd_without_momentum_has_no_slots():
    w = ag.Variable([1.0])
    opt = optimizers.SGD(0.5)
    opt.apply_gradients([(ag.constant([1.0]), w)])
    assert len(opt.variables) == 2
    np.testing.assert_allclose(w.numpy(), [0.5])


# ---- the step's bookkeeping --------------------------------------------------------------------

def test_none_gradients_are_skipped_with_a_warning():
    a, b = ag.Variable([1.0]), ag.Variable([1.0])
    opt = optimizers.SGD(1.0)
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        opt.apply_gradients([(ag.constant([1.0]), a), (None, b)])
    np.testing.assert_allclose(a.numpy(), [0.0])
    np.testing.assert_allclose(b.numpy(), [1.0])


def test_all_none_gradients_is_an_error():
    with pytest.raises(ValueError, match="no gradients provided"):
        optimizers.SGD().apply_gradients([(None, ag.Variable([1.0]))])


def test_gradient_shape_mismatch_names_variable_and_shapes():
    w = ag.Variable(np.zeros((2, 3), np.float32), name="dense_kernel")
    with pytest.raises(ValueError) as info:
        optimizers.Adam().apply_gradients([(ag.zeros((3, 2)), w)])
    message = str(info.value)
    assert "dense_kernel" in message and "(3, 2)" in message and "(2, 3)" in message


def test_gradient_shape_mismatch_is_caught_while_tracing():
    w = ag.Variable(np.zeros(3, np.float32), name="v")
    opt = optimizers.SGD()
    step = ag.function(lambda g: opt.apply_gradients([(g, w)]))
    with pytest.raises(ValueError, match=r"'v:0' has shape \(4,\)"):
        step(ag.zeros(4))


def test_non_variable_target_is_a_type_error():
    with pytest.raises(TypeError, match="can only update Variables"):
        optimizers.SGD().apply_gradients([(ag.constant(1.0), ag.constant(2.0))])


def test_apply_takes_separate_lists_and_defaults_to_built_variables():
    w = ag.Variable([1.0, 2.0])
    opt = optimizers.SGD(0.5)
    opt.apply([ag.constant([1.0, 1.0])], [w])
    opt.apply([ag.constant([1.0, 1.0])])  # the variables seen by build
    np.testing.assert_allclose(w.numpy(), [0.0, 1.0])
    with pytest.raises(ValueError, match="2 gradients for 1 variables"):
        opt.apply([ag.constant([1.0, 1.0])] * 2, [w])


def test_gradients_held_in_variables_gradient_accumulation():
    """Seed 002's pattern: accumulate into Variables, apply every N steps, reset."""
    w = ag.Variable([1.0, -1.0])
    opt = optimizers.SGD(0.1)
    accumulated = [ag.Variable(ag.zeros_like(w), trainable=False)]
    steps = 4

    def train_step(x):
        with ag.GradientTape() as tape:
            loss = ag.reduce_sum(w * x) / steps
        grads = tape.gradient(loss, [w])
        accumulated[0].assign_add(grads[0])
        return loss

    for k in range(8):
        train_step(ag.constant([1.0, 2.0]))
        if (k + 1) % steps == 0:
            opt.apply_gradients(zip(accumulated, [w]))
            accumulated[0].assign(ag.zeros_like(accumulated[0]))
    np.testing.assert_allclose(w.numpy(), [1.0 - 0.2, -1.0 - 0.4], rtol=1e-6)
    assert int(opt.iterations.numpy()) == 2
    # iterations is a Variable usable in arithmetic, as the seed's condition needs.
    assert int(((opt.iterations + 1) % steps).numpy()) == 3


def test_float64_variable_with_float32_gradient_is_cast():
    w = ag.Variable(np.array([1.0], np.float64))
    optimizers.SGD(0.5).apply_gradients([(ag.constant([1.0], ag.float32), w)])
    assert w.dtype == ag.float64
    np.testing.assert_allclose(w.numpy(), [0.5])


# ---- learning rate -----------------------------------------------------------------------------

def test_learning_rate_is_a_settable_variable():
    opt = optimizers.Adam(learning_rate=0.01)
    assert isinstance(opt.learning_rate, ag.Variable)
    assert opt.learning_rate.dtype == ag.float32
    opt.learning_rate = 0.5
    assert float(opt.learning_rate) == 0.5
    assert float(opt.lr) == 0.5  # TF 2 alias
    with pytest.raises(TypeError, match="must be a float"):
        opt.learning_rate = "fast"


def test_changing_learning_rate_affects_an_already_traced_step():
    w = ag.Variable([0.0])
    opt = optimizers.SGD(learning_rate=1.0)
    step = ag.function(lambda g: opt.apply_gradients([(g, w)]))
    step(ag.constant([1.0]))
    opt.learning_rate = 0.25
    step(ag.constant([1.0]))
    np.testing.assert_allclose(w.numpy(), [-1.25])
    assert step.experimental_get_tracing_count() == 1


@pytest.mark.parametrize("mode", MODES)
def test_schedule_follows_iterations(mode):
    schedule = schedules.PiecewiseConstantDecay([1], [1.0, 0.1])
    w = ag.Variable([0.0])
    opt = optimizers.SGD(learning_rate=schedule)
    step = run_in(mode, lambda g: opt.apply_gradients([(g, w)]))
    for _ in range(4):  # steps 0, 1 use 1.0; steps 2, 3 use 0.1
        step(ag.constant([1.0]))
    np.testing.assert_allclose(w.numpy(), [-2.2], rtol=1e-6)
    np.testing.assert_allclose(float(opt.learning_rate), 0.1, rtol=1e-6)
    assert len(opt.variables) == 1  # no learning-rate Variable with a schedule
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.5


def test_callable_learning_rate():
    w = ag.Variable([0.0])
    optimizers.SGD(learning_rate=lambda: 0.5).apply_gradients([(ag.constant([1.0]), w)])
    np.testing.assert_allclose(w.numpy(), [-0.5])


# ---- clipping and weight decay -----------------------------------------------------------------

def test_clipnorm_clips_each_gradient():
    a, b = ag.Variable([0.0, 0.0]), ag.Variable([0.0])
    optimizers.SGD(1.0, clipnorm=1.0).apply_gradients(
        [(ag.constant([3.0, 4.0]), a), (ag.constant([0.5]), b)])
    np.testing.assert_allclose(a.numpy(), [-0.6, -0.8], rtol=1e-6)
    np.testing.assert_allclose(b.numpy(), [-0.5], rtol=1e-6)


def test_global_clipnorm_scales_all_gradients_together():
    a, b = ag.Variable([0.0, 0.0]), ag.Variable([0.0])
    g = [np.array([3.0, 4.0]), np.array([12.0])]  # global norm 13
    optimizers.SGD(1.0, global_clipnorm=2.6).apply_gradients(
        [(ag.constant(g[0], ag.float32), a), (ag.constant(g[1], ag.float32), b)])
    np.testing.assert_allclose(a.numpy(), -g[0] * 0.2, rtol=1e-6)
    np.testing.assert_allclose(b.numpy(), -g[1] * 0.2, rtol=1e-6)


def test_clipvalue():
    w = ag.Variable([0.0, 0.0, 0.0])
    optimizers.SGD(1.0, clipvalue=0.5).apply_gradients([(ag.constant([-2.0, 0.1, 9.0]), w)])
    np.testing.assert_allclose(w.numpy(), [0.5, -0.1, -0.5], rtol=1e-6)


def test_only_one_clipping_option():
    with pytest.raises(ValueError, match="Only one of"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)


def test_weight_decay_exclusions():
    w = ag.Variable([1.0], name="kernel")
    b = ag.Variable([1.0], name="bias")
    opt = optimizers.SGD(learning_rate=0.5, weight_decay=0.1)
    opt.exclude_from_weight_decay(var_names=["bias"])
    opt.apply_gradients([(ag.constant([0.0]), w), (ag.constant([0.0]), b)])
    np.testing.assert_allclose(w.numpy(), [1.0 - 0.05], rtol=1e-6)
    np.testing.assert_allclose(b.numpy(), [1.0])


def test_adamw_requires_weight_decay():
    with pytest.raises(ValueError, match="weight_decay"):
        optimizers.AdamW(weight_decay=None)


# ---- minimize -----------------------------------------------------------------------------------

def test_minimize_with_callable_loss():
    w = ag.Variable([3.0])
    opt = optimizers.SGD(0.1)
    for _ in range(3):
        opt.minimize(lambda: ag.reduce_sum(w * w), [w])
    np.testing.assert_allclose(w.numpy(), [3.0 * 0.8 ** 3], rtol=1e-6)


def test_minimize_with_tape_and_callable_var_list():
    w = ag.Variable([3.0])
    opt = optimizers.SGD(0.1)
    with ag.GradientTape() as tape:
        loss = ag.reduce_sum(w * w)
    opt.minimize(loss, lambda: [w], tape=tape)
    np.testing.assert_allclose(w.numpy(), [2.4], rtol=1e-6)


def test_minimize_tensor_loss_needs_tape():
    w = ag.Variable([3.0])
    with pytest.raises(ValueError, match="`tape` is required"):
        optimizers.SGD().minimize(ag.reduce_sum(w * w), [w])


def test_training_a_linear_model_in_a_traced_step():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype(np.float32)
    y = x @ np.array([1.0, -2.0, 0.5], np.float32) + 0.3
    w, b = ag.Variable(np.zeros(3, np.float32)), ag.Variable(0.0)
    opt = optimizers.Adam(0.1)

    @ag.function
    def train_step(x, y):
        with ag.GradientTape() as tape:
            loss = ag.reduce_mean(ag.square(ag.linalg.matvec(x, w) + b - y))
        grads = tape.gradient(loss, [w, b])
        opt.apply_gradients(zip(grads, [w, b]))
        return loss

    for _ in range(300):
        loss = train_step(x, y)
    assert float(loss) < 1e-3
    np.testing.assert_allclose(w.numpy(), [1.0, -2.0, 0.5], atol=0.02)


# ---- lookup and configs -------------------------------------------------------------------------

# ---- gradient accumulation, moving averages, loss scaling ----------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_gradient_accumulation_steps(mode):
    w = ag.Variable([0.0])
    opt = optimizers.SGD(1.0, gradient_accumulation_steps=3)
    step = run_in(mode, lambda g: opt.apply_gradients([(g, w)]))
    seen = []
    for g in [1.0, 2.0, 3.0, 4.0, 5.0, 9.0]:
        step(ag.constant([g]))
        seen.append(float(w.numpy()[0]))
    # Every third call applies the mean of the three gradients; iterations counts every call.
    assert seen == [0.0, 0.0, -2.0, -2.0, -2.0, -8.0]
    assert int(opt.iterations.numpy()) == 6
    np.testing.assert_array_equal(opt.get_slot(w, "gradient_accumulator").numpy(), [0.0])


@pytest.mark.parametrize("mode", MODES)
def test_moving_average_of_weights(mode):
    w = ag.Variable([1.0])
    opt = optimizers.SGD(0.5, use_ema=True, ema_momentum=0.5)
    step = run_in(mode, lambda g: opt.apply_gradients([(g, w)]))
    average = None
    for _ in range(3):
        step(ag.constant([1.0]))
        value = float(w.numpy()[0])
        average = value if average is None else 0.5 * average + 0.5 * value
    np.testing.assert_allclose(opt.get_slot(w, "average").numpy(), [average])
    opt.finalize_variable_values([w])
    np.testing.assert_allclose(w.numpy(), [average])


def test_moving_average_overwrite_frequency():
    w = ag.Variable([0.0])
    opt = optimizers.SGD(1.0, use_ema=True, ema_momentum=0.5, ema_overwrite_frequency=2)
    opt.apply_gradients([(ag.constant([-2.0]), w)])      # w = 2, average = 2
    opt.apply_gradients([(ag.constant([-2.0]), w)])      # w = 4, average = 3, then w = 3
    np.testing.assert_allclose(w.numpy(), [3.0])


def test_loss_scale_factor_divides_gradients():
    w = ag.Variable([0.0])
    opt = optimizers.SGD(1.0, loss_scale_factor=8.0)
    assert float(opt.scale_loss(ag.constant(2.0))) == 16.0
    opt.apply_gradients([(ag.constant([8.0]), w)])
    np.testing.assert_allclose(w.numpy(), [-1.0])


@pytest.mark.parametrize("mode", MODES)
def test_loss_scale_optimizer_skips_non_finite_steps_and_adapts_the_scale(mode):
    w = ag.Variable([1.0])
    opt = optimizers.LossScaleOptimizer(optimizers.SGD(1.0), initial_scale=4.0,
                                        dynamic_growth_steps=2)
    # ``apply`` takes gradients of the scaled loss (Keras 3's protocol, what fit uses).
    step = run_in(mode, lambda g: opt.apply([g], [w]))
    trace = []
    for g in [4.0, 4.0, np.inf, 8.0]:
        step(ag.constant([g], ag.float32))
        trace.append((float(w.numpy()[0]), float(opt.dynamic_scale.numpy())))
    # Gradients are divided by the scale; two finite steps double it; inf skips and halves.
    assert trace == [(0.0, 4.0), (-1.0, 8.0), (-1.0, 4.0), (-3.0, 4.0)]
    assert int(opt.iterations.numpy()) == 3
    assert float(opt.learning_rate) == 1.0


def test_loss_scale_optimizer_in_a_custom_training_step():
    w = ag.Variable([2.0])
    opt = optimizers.LossScaleOptimizer(optimizers.Adam(0.1))

    @ag.function
    def train_step():
        with ag.GradientTape() as tape:
            loss = ag.reduce_sum(w * w)
            scaled = opt.get_scaled_loss(loss)
        grads = opt.get_unscaled_gradients(tape.gradient(scaled, [w]))
        opt.apply_gradients(zip(grads, [w]))   # TF 2's protocol: unscaled gradients
        return loss

    reference = ag.Variable([2.0])
    plain = optimizers.Adam(0.1)
    for _ in range(3):
        train_step()
        plain.minimize(lambda: ag.reduce_sum(reference * reference), [reference])
    np.testing.assert_allclose(w.numpy(), reference.numpy(), rtol=1e-6)
    config = optimizers.serialize(opt)
    restored = optimizers.deserialize(config)
    assert type(restored.inner_optimizer) is optimizers.Adam
    assert restored.get_config() == opt.get_config()


@pytest.mark.parametrize("name,cls", [("adam", optimizers.Adam), ("SGD", optimizers.SGD),
                                      ("sgd", optimizers.SGD), ("RMSprop", optimizers.RMSprop),
                                      ("rmsprop", optimizers.RMSprop),
                                      ("adagrad", optimizers.Adagrad),
                                      ("AdamW", optimizers.AdamW), ("nadam", optimizers.Nadam),
                                      ("adamax", optimizers.Adamax), ("Lion", optimizers.Lion),
                                      ("adadelta", optimizers.Adadelta)])
def test_get_by_name(name, cls):
    assert type(optimizers.get(name)) is cls


def test_get_returns_instances_and_rejects_unknown_names():
    opt = optimizers.SGD()
    assert optimizers.get(opt) is opt
    with pytest.raises(ValueError) as info:
        optimizers.get("adamm")
    assert "adam" in str(info.value) and "rmsprop" in str(info.value)


def test_default_hyperparameters_match_keras():
    assert float(optimizers.Adam().learning_rate) == pytest.approx(0.001)
    assert float(optimizers.SGD().learning_rate) == pytest.approx(0.01)
    assert optimizers.Adam().epsilon == 1e-7
    assert optimizers.RMSprop().rho == 0.9
    assert optimizers.AdamW().weight_decay == 0.004
    assert optimizers.Adam().name == "adam" and optimizers.SGD().name == "SGD"


@pytest.mark.parametrize("opt", [
    optimizers.SGD(0.1, momentum=0.9, nesterov=True, clipnorm=1.0),
    optimizers.Adam(0.002, beta_1=0.8, amsgrad=True),
    optimizers.AdamW(0.003, weight_decay=0.01),
    optimizers.RMSprop(0.01, rho=0.8, centered=True),
    optimizers.Adagrad(0.1, initial_accumulator_value=0.5),
    optimizers.Adam(schedules.ExponentialDecay(0.1, 10, 0.5)),
    optimizers.Nadam(0.01, beta_2=0.99),
    optimizers.Lion(beta_1=0.8),
    optimizers.SGD(use_ema=True, ema_momentum=0.9, gradient_accumulation_steps=4),
], ids=lambda o: type(o).__name__)
def test_config_round_trip(opt):
    config = opt.get_config()
    again = type(opt).from_config(config)
    assert again.get_config() == config
    restored = optimizers.deserialize(optimizers.serialize(opt))
    assert type(restored) is type(opt) and restored.get_config() == config
    assert optimizers.get(optimizers.serialize(opt)).get_config() == config


def test_config_keeps_the_learning_rate_as_written():
    assert optimizers.Adam(0.001).get_config()["learning_rate"] == 0.001


def test_lr_is_accepted_with_a_deprecation_warning():
    with pytest.warns(DeprecationWarning, match="use `learning_rate`"):
        opt = optimizers.Adam(lr=0.05)
    assert float(opt.learning_rate) == pytest.approx(0.05)


def test_legacy_arguments_are_refused_clearly():
    with pytest.raises(ValueError, match="decay"):
        optimizers.SGD(decay=0.1)
    with pytest.raises(TypeError, match="unexpected"):
        optimizers.SGD(bogus=1)


def test_save_and_load_own_variables():
    w = ag.Variable([1.0, 2.0])
    opt = optimizers.Adam(0.1)
    opt.apply_gradients([(ag.constant([1.0, -1.0]), w)])
    store = {}
    opt.save_own_variables(store)
    fresh = optimizers.Adam(0.1)
    fresh.build([w])
    fresh.load_own_variables(store)
    for a, b in zip(opt.variables, fresh.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(ValueError, match="saved state has"):
        optimizers.Adam().load_own_variables(store)
