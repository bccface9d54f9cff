"""Overriding ``train_step`` / ``test_step`` / ``compute_loss`` as Keras documents it, and
seed 002's gradient-accumulation model."""
import numpy as np
import pytest

import autograph as tf
from ops.keras import layers, losses, metrics, optimizers
from ops.keras.engine import Model, Sequential
from ops.keras.engine.data_adapter import unpack_x_y_sample_weight
from tests.ops.keras.engine.support import digits


class GradientAccumulationModel(Model):
    """Seed 002, verbatim but for the base class (``tf.keras.Model``)."""

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


class CountingAccumulationModel(GradientAccumulationModel):
    """The same accumulation, counting batches in its own variable: ``optimizer.iterations``
    only advances when gradients are applied, so in seed 002 the condition
    ``(iterations + 1) % steps == 0`` never holds for steps > 1 (in TensorFlow too)."""

    def __init__(self, model, accumulation_steps=4):
        super().__init__(model, accumulation_steps)
        self.batches = tf.Variable(0, dtype=tf.int64, trainable=False)

    def train_step(self, data):
        x, y = data
        if not self.accumulated_gradients:
            self.accumulated_gradients = [tf.Variable(tf.zeros_like(v), trainable=False)
                                          for v in self.model.trainable_variables]
        with tf.GradientTape() as tape:
            y_pred = self.model(x, training=True)
            loss = self.compiled_loss(y, y_pred) / self.accumulation_steps
        gradients = tape.gradient(loss, self.model.trainable_variables)
        for i, grad in enumerate(gradients):
            self.accumulated_gradients[i].assign_add(grad)
        self.batches.assign_add(1)
        if self.batches % self.accumulation_steps == 0:
            self.optimizer.apply_gradients(
                zip(self.accumulated_gradients, self.model.trainable_variables))
            for acc_grad in self.accumulated_gradients:
                acc_grad.assign(tf.zeros_like(acc_grad))
        self.compiled_metrics.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def _inner():
    return Sequential([layers.Dense(32, activation="relu", input_shape=(64,)), layers.Dense(10)])


def _compile(model):
    model.compile(optimizer=optimizers.Adam(5e-3),
                  loss=losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def test_seed_002_gradient_accumulation_trains_with_one_step(autograph_calls):
    x, y, _, _ = digits()
    model = _compile(GradientAccumulationModel(_inner(), accumulation_steps=1))
    history = model.fit(x[:512], y[:512], batch_size=32, epochs=3, verbose=0)
    assert model.optimizer.iterations.numpy() == 48
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert set(history.history) == {"loss", "accuracy"}
    assert history.history["accuracy"][-1] > 0.8


def test_seed_002_as_written_runs_but_never_applies_gradients_for_several_steps(
        autograph_calls):
    x, y, _, _ = digits()
    model = _compile(GradientAccumulationModel(_inner(), accumulation_steps=4))
    before = model.model.get_weights()
    model.fit(x[:128], y[:128], batch_size=32, epochs=2, verbose=0)
    assert model.optimizer.iterations.numpy() == 0     # as in TensorFlow
    for a, b in zip(before, model.model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_gradient_accumulation_applies_every_n_batches_in_graph_mode(autograph_calls):
    x, y, _, _ = digits()
    model = _compile(CountingAccumulationModel(_inner(), accumulation_steps=4))
    history = model.fit(x[:512], y[:512], batch_size=32, epochs=4, verbose=0)
    assert model.batches.numpy() == 64 and model.optimizer.iterations.numpy() == 16
    assert history.history["loss"][-1] < history.history["loss"][0]
    # The traced step made the accumulators once (first trace), not once per batch.
    assert len(model.accumulated_gradients) == 4


class CustomFit(Model):
    """Keras's "customizing what happens in fit" guide: own loss tracker and metrics."""

    def __init__(self):
        super().__init__()
        self.hidden = layers.Dense(32, activation="relu")
        self.out = layers.Dense(1)
        self.loss_tracker = metrics.Mean(name="loss")
        self.mae_metric = metrics.MeanAbsoluteError(name="mae")

    def call(self, inputs):
        return self.out(self.hidden(inputs))

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = losses.mean_squared_error(y, y_pred)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    def test_step(self, data):
        x, y, _ = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        self.loss_tracker.update_state(losses.mean_squared_error(y, y_pred))
        self.mae_metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}

    @property
    def metrics(self):
        return [self.loss_tracker, self.mae_metric]


def test_custom_train_step_with_its_own_metrics_resets_them_each_epoch():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 4)).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5], [3.0]], np.float32)
    model = CustomFit()
    model.compile(optimizer=optimizers.Adam(1e-2))
    history = model.fit(x, y, epochs=5, verbose=0)
    assert set(history.history) == {"loss", "mae"}
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]
    assert model.metrics_names == ["loss", "mae"]
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert logs["loss"] < history.history["loss"][0]


def test_metric_attributes_are_tracked_without_overriding_metrics():
    class Tracked(Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)
            self.seen = metrics.Sum(name="seen")

        def call(self, inputs):
            return self.dense(inputs)

    model = Tracked()
    model.compile("sgd", "mse")
    assert [m.name for m in model.metrics] == ["seen"]
    model.fit(np.ones((4, 2)), np.ones((4, 1)), verbose=0)
    assert model.metrics_names == ["loss", "seen"]


def test_compute_loss_override_is_used_by_the_default_train_step():
    class Doubled(Sequential):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
            return 2.0 * super().compute_loss(x, y, y_pred, sample_weight)

    model = Doubled([layers.Dense(1, input_shape=(2,), kernel_initializer="zeros")])
    model.compile("sgd", "mse")
    x, y = np.ones((4, 2), np.float32), np.full((4, 1), 3.0, np.float32)
    logs = model.train_on_batch(x, y, return_dict=True)
    # The loss tracker sees the compiled loss (9.0); the step differentiated twice that.
    assert logs["loss"] == pytest.approx(9.0)
    np.testing.assert_allclose(model.get_weights()[0], np.full((2, 1), 2 * 0.01 * 2 * 3.0))


def test_train_step_returning_a_tensor_logs_it_as_the_loss():
    class Plain(Sequential):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(self(x, training=True) - y))
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            return loss

    model = Plain([layers.Dense(1, input_shape=(2,))])
    model.compile("sgd")
    history = model.fit(np.ones((8, 2)), np.ones((8, 1)), epochs=2, verbose=0)
    assert list(history.history) == ["loss"]
