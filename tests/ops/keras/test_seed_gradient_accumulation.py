"""Seed 002 (梯度累积): a subclassed Model whose ``train_step`` accumulates gradients in
non-trainable variables and applies them every ``accumulation_steps`` steps.

The seed's class is copied exactly (only ``import tensorflow as tf`` changed). As written it
decides when to apply from ``optimizer.iterations``, which, in TensorFlow as here, advances
only when gradients are applied: it starts at 0, ``(0 + 1) % 4`` is never 0, so with four
steps the seed accumulates forever and never updates a weight. The tests show that (and
that the accumulated sum is right), that it trains when every step applies, and that the
seed's design with its own step counter (the one-line fix) trains, changing the weights
only every N steps.
"""
import numpy as np
import pytest

import autograph as tf

RNG = np.random.default_rng(0)
X = RNG.normal(size=(64, 4)).astype(np.float32)
Y = X @ np.array([[1.0], [-2.0], [0.5], [1.0]], np.float32)
BATCH = 8   # 8 steps an epoch


# ---- the seed, as written ----------------------------------------------------------------------

# 当GPU内存不足时，使用梯度累积模拟大batch
class GradientAccumulationModel(tf.keras.Model):
    def __init__(self, model, accumulation_steps=4):
        super().__init__()
        self.model = model
        self.accumulation_steps = accumulation_steps
        self.accumulated_gradients = []

    def train_step(self, data):
        x, y = data

        # 初始化累积梯度
        if not self.accumulated_gradients:
            self.accumulated_gradients = [
                tf.Variable(tf.zeros_like(v), trainable=False)
                for v in self.model.trainable_variables
            ]

        # 累积梯度
        with tf.GradientTape() as tape:
            y_pred = self.model(x, training=True)
            loss = self.compiled_loss(y, y_pred)
            # 除以累积步数，相当于平均
            loss = loss / self.accumulation_steps

        gradients = tape.gradient(loss, self.model.trainable_variables)
        for i, grad in enumerate(gradients):
            self.accumulated_gradients[i].assign_add(grad)

        # 每accumulation_steps更新一次
        if (self.optimizer.iterations + 1) % self.accumulation_steps == 0:
            self.optimizer.apply_gradients(
                zip(self.accumulated_gradients, self.model.trainable_variables)
            )
            # 清零累积梯度
            for acc_grad in self.accumulated_gradients:
                acc_grad.assign(tf.zeros_like(acc_grad))

        self.compiled_metrics.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


# ---- the same design, counting its own steps ---------------------------------------------------

class CountingGradientAccumulationModel(GradientAccumulationModel):
    """The seed's train_step with one change: it counts train steps in its own variable,
    since ``optimizer.iterations`` only counts applied updates."""

    def __init__(self, model, accumulation_steps=4):
        super().__init__(model, accumulation_steps)
        self.steps = tf.Variable(0, trainable=False)

    def train_step(self, data):
        x, y = data
        if not self.accumulated_gradients:
            self.accumulated_gradients = [
                tf.Variable(tf.zeros_like(v), trainable=False)
                for v in self.model.trainable_variables
            ]
        with tf.GradientTape() as tape:
            y_pred = self.model(x, training=True)
            loss = self.compiled_loss(y, y_pred)
            loss = loss / self.accumulation_steps
        gradients = tape.gradient(loss, self.model.trainable_variables)
        for i, grad in enumerate(gradients):
            self.accumulated_gradients[i].assign_add(grad)
        self.steps.assign_add(1)
        if self.steps % self.accumulation_steps == 0:
            self.optimizer.apply_gradients(
                zip(self.accumulated_gradients, self.model.trainable_variables)
            )
            for acc_grad in self.accumulated_gradients:
                acc_grad.assign(tf.zeros_like(acc_grad))
        self.compiled_metrics.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def _inner_model():
    # Built up front (input_shape): the seed reads model.trainable_variables before the
    # first call, which, in TensorFlow too, needs a built model.
    tf.random.set_seed(5)
    return tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu", input_shape=(4,)),
                                tf.keras.layers.Dense(1)])


class WeightLog(tf.keras.callbacks.Callback):
    """The inner model's first kernel after every batch."""

    def __init__(self, inner):
        super().__init__()
        self.inner, self.kernels = inner, []

    def on_train_batch_end(self, batch, logs=None):
        self.kernels.append(self.inner.layers[0].kernel.numpy().copy())


def _fit(model_cls, steps, epochs, run_eagerly=False):
    inner = _inner_model()
    model = model_cls(inner, accumulation_steps=steps)
    model.compile(optimizer=tf.keras.optimizers.SGD(0.05), loss="mse", run_eagerly=run_eagerly)
    log = WeightLog(inner)
    start = inner.layers[0].kernel.numpy().copy()
    history = model.fit(X, Y, batch_size=BATCH, epochs=epochs, shuffle=False, verbose=0,
                        callbacks=[log])
    changed = [not np.array_equal(a, b) for a, b in zip([start] + log.kernels, log.kernels)]
    return model, inner, history.history["loss"], changed


@pytest.mark.parametrize("run_eagerly", [False, True])
def test_seed_as_written_accumulates_but_never_applies_with_four_steps(run_eagerly):
    model, inner, losses, changed = _fit(GradientAccumulationModel, 4, 2, run_eagerly)
    assert int(model.optimizer.iterations.numpy()) == 0 and not any(changed)
    assert len(model.accumulated_gradients) == 4
    assert all(not v.trainable for v in model.accumulated_gradients)
    # The accumulators hold the sum over all 16 batches of the gradient of loss / 4.
    expected = [np.zeros(v.shape, np.float32) for v in inner.trainable_variables]
    for i in range(0, len(X), BATCH):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(inner(X[i:i + BATCH]) - Y[i:i + BATCH])) / 4
        for e, g in zip(expected, tape.gradient(loss, inner.trainable_variables)):
            e += 2 * g.numpy()   # two epochs over the same batches
    for v, e in zip(model.accumulated_gradients, expected):
        np.testing.assert_allclose(v.numpy(), e, rtol=1e-4, atol=1e-6)


def test_seed_as_written_trains_when_every_step_applies():
    model, _, losses, changed = _fit(GradientAccumulationModel, 1, 6)
    assert all(changed) and int(model.optimizer.iterations.numpy()) == 6 * 8
    assert losses[-1] < 0.3 * losses[0]


@pytest.mark.parametrize("run_eagerly", [False, True])
def test_seed_design_with_its_own_step_counter_applies_every_n_steps(run_eagerly):
    model, _, losses, changed = _fit(CountingGradientAccumulationModel, 4, 8, run_eagerly)
    # Weights change after steps 4, 8, 12, ...: exactly every fourth batch.
    assert changed == [(step + 1) % 4 == 0 for step in range(8 * 8)]
    assert int(model.optimizer.iterations.numpy()) == 8 * 8 // 4
    assert all(not np.any(v.numpy()) for v in model.accumulated_gradients)   # reset after use
    assert losses[-1] < 0.5 * losses[0]
