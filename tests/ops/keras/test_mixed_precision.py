"""Mixed precision: dtype policies, float32 weights read as float16 inside a mixed layer's
call, loss scaling (TF 2's LossScaleOptimizer protocol), and the seed's model training
through ``fit`` and a custom loop."""
import numpy as np
import pytest

import autograph as tf
from autograph.keras import mixed_precision
from ops.keras.layers.autocast import AutoCastVariable
from tests.support import MODES, run_in

RNG = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _restore_global_policy():
    yield
    mixed_precision.set_global_policy(None)


# ---- policies -------------------------------------------------------------------------------

@pytest.mark.parametrize("name,compute,variable", [
    ("mixed_float16", "float16", "float32"), ("float32", "float32", "float32"),
    ("float64", "float64", "float64"), ("float16", "float16", "float16")])
def test_policy_names_and_dtypes(name, compute, variable):
    policy = mixed_precision.Policy(name)
    assert (policy.name, policy.compute_dtype, policy.variable_dtype) == (name, compute, variable)
    assert repr(policy) == f'<Policy "{name}">'
    assert mixed_precision.Policy(policy) == policy


def test_a_bad_policy_name_is_named_with_the_valid_ones():
    with pytest.raises(ValueError, match=r"'mixed_float'.*Did you mean 'mixed_float16'.*"
                                         r"Valid policies: 'mixed_float16', 'float16', "
                                         r"'float32', 'float64'"):
        mixed_precision.Policy("mixed_float")
    with pytest.raises(ValueError, match="Cannot convert 'fp8' to a mixed precision Policy"):
        tf.keras.layers.Dense(2, dtype="fp8")


@pytest.mark.parametrize("name", ["mixed_bfloat16", "bfloat16"])
def test_bfloat16_is_refused_saying_why(name):
    # NumPy has no bfloat16 dtype; computing in float32 while calling it bfloat16 would lie.
    with pytest.raises(NotImplementedError, match=f"Policy '{name}' is not supported: NumPy "
                                                  "has no bfloat16 dtype.*'mixed_float16'"):
        mixed_precision.Policy(name)


def test_global_policy_is_set_restored_and_only_floating():
    assert mixed_precision.global_policy().name == "float32"
    mixed_precision.set_global_policy("mixed_float16")
    assert mixed_precision.global_policy() == mixed_precision.Policy("mixed_float16")
    with pytest.raises(ValueError, match="floating-point policy.*'int32'"):
        mixed_precision.set_global_policy("int32")
    mixed_precision.set_global_policy(None)
    assert mixed_precision.global_policy().name == "float32"


# ---- layers -----------------------------------------------------------------------------------

class MatMul(tf.keras.layers.Layer):
    """A user layer written for float32: mixed precision must work without changing it."""

    def build(self, input_shape):
        self.w = self.add_weight("w", (input_shape[-1], 2), initializer="ones")

    def call(self, inputs):
        self.seen = (inputs.dtype, tf.convert_to_tensor(self.w).dtype)
        return tf.matmul(inputs, self.w)


def test_weights_are_float32_and_read_as_float16_inside_a_mixed_call():
    mixed_precision.set_global_policy("mixed_float16")
    layer = MatMul()
    out = layer(np.ones((3, 4), np.float64))
    assert layer.seen == (tf.float16, tf.float16) and out.dtype == tf.float16
    assert isinstance(layer.w, AutoCastVariable) and layer.w.dtype == tf.float32
    # Outside the layer's call the variable reads as what it stores.
    assert tf.convert_to_tensor(layer.w).dtype == tf.float32
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.cast(layer(np.ones((3, 4), np.float32)), tf.float32))
    grad = tape.gradient(loss, layer.w)
    assert grad.dtype == tf.float32
    np.testing.assert_allclose(grad.numpy(), np.full((4, 2), 3.0))
    layer.w.assign_add(np.ones((4, 2), np.float32))   # updates stay float32
    assert layer.w.dtype == tf.float32 and float(layer.w.numpy()[0, 0]) == 2.0


def test_a_float32_output_layer_inside_a_mixed_model():
    mixed_precision.set_global_policy("mixed_float16")
    model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu"),
                                 tf.keras.layers.Dense(2, dtype="float32")])
    out = model(RNG.normal(size=(3, 5)).astype(np.float32))
    hidden, head = model.layers
    assert hidden.compute_dtype == "float16" and head.compute_dtype == "float32"
    assert out.dtype == tf.float32
    assert all(w.dtype == tf.float32 for w in model.weights)
    assert not isinstance(head.kernel, AutoCastVariable)


def test_batch_normalization_keeps_float32_statistics_under_mixed_precision():
    mixed_precision.set_global_policy("mixed_float16")
    bn = tf.keras.layers.BatchNormalization(momentum=0.5)
    x = (RNG.normal(size=(16, 3)) * 2 + 5).astype(np.float32)
    out = bn(x, training=True)
    assert out.dtype == tf.float16
    # The layer casts its inputs to float16; the statistics of those are taken in float32.
    rounded = x.astype(np.float16).astype(np.float32)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.5 * rounded.mean(0), rtol=1e-6)
    assert bn.moving_mean.dtype == tf.float32
    np.testing.assert_allclose(out.numpy().mean(0), 0.0, atol=2e-3)


def test_layer_config_keeps_the_policy_and_reads_keras_policy_dicts():
    dense = tf.keras.layers.Dense(2, dtype="mixed_float16")
    assert dense.get_config()["dtype"] == "mixed_float16"
    assert tf.keras.layers.Dense.from_config(dense.get_config()).compute_dtype == "float16"
    keras_style = {**dense.get_config(),
                   "dtype": {"class_name": "Policy", "config": {"name": "mixed_float16"}}}
    assert tf.keras.layers.Dense.from_config(keras_style).dtype_policy.name == "mixed_float16"


# ---- loss scaling ------------------------------------------------------------------------------

def test_loss_scale_optimizer_defaults_and_argument_checks():
    opt = mixed_precision.LossScaleOptimizer(tf.keras.optimizers.Adam())
    assert opt.dynamic and opt.initial_scale == 2 ** 15 and opt.dynamic_growth_steps == 2000
    assert float(opt.loss_scale) == 2 ** 15 and int(opt.dynamic_counter.numpy()) == 0
    with pytest.raises(ValueError, match="initial_scale is required"):
        mixed_precision.LossScaleOptimizer(tf.keras.optimizers.SGD(), dynamic=False)
    with pytest.raises(ValueError, match="dynamic_growth_steps cannot be given"):
        mixed_precision.LossScaleOptimizer(tf.keras.optimizers.SGD(), dynamic=False,
                                           initial_scale=8, dynamic_growth_steps=10)
    with pytest.raises(TypeError, match="already a LossScaleOptimizer"):
        mixed_precision.LossScaleOptimizer(opt)
    restored = tf.keras.optimizers.deserialize(tf.keras.optimizers.serialize(opt))
    assert restored.get_config() == opt.get_config()


@pytest.mark.parametrize("mode", MODES)
def test_apply_gradients_skips_non_finite_steps_halves_and_grows_the_scale(mode):
    w = tf.Variable([1.0])
    opt = mixed_precision.LossScaleOptimizer(tf.keras.optimizers.SGD(1.0), dynamic=True,
                                             initial_scale=4.0, dynamic_growth_steps=2)
    # TF 2's protocol: apply_gradients receives unscaled gradients.
    step = run_in(mode, lambda g: opt.apply_gradients([(g, w)]))
    trace = []
    for g in [1.0, 1.0, np.inf, np.nan, 2.0]:
        step(tf.constant([g]))
        trace.append((float(w.numpy()[0]), float(opt.loss_scale), int(opt.step_counter.numpy())))
    assert trace == [(0.0, 4.0, 1), (-1.0, 8.0, 0), (-1.0, 4.0, 0), (-1.0, 2.0, 0),
                     (-3.0, 2.0, 1)]
    assert int(opt.iterations.numpy()) == 3   # skipped steps do not count


def test_the_scale_never_drops_below_one_and_a_fixed_scale_never_moves():
    w = tf.Variable([0.0])
    dynamic = mixed_precision.LossScaleOptimizer(tf.keras.optimizers.SGD(1.0),
                                                 initial_scale=2.0)
    for _ in range(3):
        dynamic.apply_gradients([(tf.constant([np.inf], tf.float32), w)])
    assert float(dynamic.loss_scale) == 1.0 and float(w.numpy()[0]) == 0.0
    fixed = mixed_precision.LossScaleOptimizer(tf.keras.optimizers.SGD(1.0), dynamic=False,
                                               initial_scale=8.0)
    assert fixed.dynamic_counter is None and fixed.dynamic_growth_steps is None
    for g in [1.0, 1.0, 1.0]:
        fixed.apply_gradients([(tf.constant([g]), w)])
    assert float(fixed.loss_scale) == 8.0 and float(w.numpy()[0]) == -3.0


def test_loss_scaling_rescues_float16_gradients_that_underflow():
    mixed_precision.set_global_policy("mixed_float16")
    layer = tf.keras.layers.Dense(1, kernel_initializer="ones")
    x = np.ones((2, 3), np.float32)
    layer(x)
    opt = mixed_precision.LossScaleOptimizer(tf.keras.optimizers.SGD())

    def gradient(scaled):
        with tf.GradientTape() as tape:
            # 1e-8 is below float16's smallest subnormal (6e-8): the float16 gradient of
            # the layer's output flushes to zero unless the loss is scaled.
            loss = 1e-8 * tf.reduce_sum(tf.cast(layer(x), tf.float32))
            target = opt.get_scaled_loss(loss) if scaled else loss
        grad = tape.gradient(target, layer.kernel)
        return opt.get_unscaled_gradients([grad])[0] if scaled else grad

    assert np.all(gradient(False).numpy() == 0)
    np.testing.assert_allclose(gradient(True).numpy(), np.full((3, 1), 2e-8), rtol=1e-2)


def test_minimize_scales_and_unscales():
    w = tf.Variable([2.0])
    opt = mixed_precision.LossScaleOptimizer(tf.keras.optimizers.SGD(0.25))
    opt.minimize(lambda: tf.reduce_sum(w * w), [w])
    np.testing.assert_allclose(w.numpy(), [1.0])   # 2 - 0.25 * 4


# ---- the seed (002, 混合精度训练) -------------------------------------------------------------

def _seed_model_and_optimizer():
    policy = mixed_precision.Policy('mixed_float16')
    mixed_precision.set_global_policy(policy)
    model = tf.keras.Sequential([
        tf.keras.layers.Dense(64, activation='relu'),
        tf.keras.layers.Dense(10, dtype='float32')  # 输出层使用float32
    ])
    optimizer = tf.keras.optimizers.Adam()
    optimizer = mixed_precision.LossScaleOptimizer(optimizer)
    return model, optimizer


def _data():
    x = RNG.normal(size=(256, 20)).astype(np.float32)
    return x, np.argmax(x[:, :10], axis=1)


def test_seed_model_trains_with_fit():
    tf.random.set_seed(0)
    model, optimizer = _seed_model_and_optimizer()
    model.compile(optimizer=optimizer,
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    assert model.optimizer is optimizer   # already wrapped: not wrapped twice
    x, y = _data()
    history = model.fit(x, y, epochs=8, batch_size=32, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.8 * losses[0]
    assert model.layers[0].kernel.dtype == tf.float32 and model(x[:2]).dtype == tf.float32
    assert int(optimizer.iterations.numpy()) == 8 * 8


@pytest.mark.parametrize("mode", MODES)
def test_seed_model_trains_in_a_custom_loop_with_scaled_losses(mode):
    tf.random.set_seed(0)
    model, optimizer = _seed_model_and_optimizer()
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
            scaled_loss = optimizer.get_scaled_loss(loss)
        scaled_gradients = tape.gradient(scaled_loss, model.trainable_variables)
        gradients = optimizer.get_unscaled_gradients(scaled_gradients)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    step = run_in(mode, train_step)
    x, y = _data()
    epochs = []
    for _ in range(10):
        epochs.append(np.mean([float(step(tf.constant(x[i:i + 32]), tf.constant(y[i:i + 32])))
                               for i in range(0, len(x), 32)]))
    assert epochs[-1] < 0.8 * epochs[0]


def test_compile_wraps_the_optimizer_of_a_mixed_model():
    mixed_precision.set_global_policy("mixed_float16")
    model = tf.keras.Sequential([tf.keras.layers.Dense(2, dtype="float32")])
    model.compile(optimizer="sgd", loss="mse")
    assert isinstance(model.optimizer, mixed_precision.LossScaleOptimizer)
    assert type(model.optimizer.inner_optimizer).__name__ == "SGD"
    mixed_precision.set_global_policy(None)
    plain = tf.keras.Sequential([tf.keras.layers.Dense(2)])
    plain.compile(optimizer="sgd", loss="mse")
    assert type(plain.optimizer).__name__ == "SGD"
