"""Keras training: an MLP 64-256-128-10 on scikit-learn's 8x8 digits, Adam 1e-3, batch 64.

Two workloads, each timed per epoch: ``model.fit`` (the Keras loop with its traced train
step) and a hand-written loop calling a ``@function`` train step. Each run trains a fresh
model for 30 epochs (10 with ``--quick``); the time is the median epoch after the first
(which traces), and the test accuracy after the last epoch is added to the workload's notes
(so the table shows that the timed code also learns). TensorFlow, PyTorch and JAX run the
same model, data order and batch size where installed; NumPy is a hand-derived forward,
backward and Adam step (the arithmetic without any framework).
"""
from __future__ import annotations

import statistics
import time

import numpy as np

from bench.registry import Measurement, Workload
from bench.timing import require

ORDER = 60

EPOCHS, QUICK_EPOCHS = 30, 10
BATCH = 64
LEARNING_RATE = 1e-3
SIZES = (64, 256, 128, 10)


def digits():
    """(x_train, y_train, x_test, y_test): float32 features in [0, 1], int64 labels; a
    fixed stratified 80/20 split."""
    require("sklearn")
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    images, labels = load_digits(return_X_y=True)
    x = (images / 16.0).astype(np.float32)
    x_train, x_test, y_train, y_test = train_test_split(
        x, labels.astype(np.int64), test_size=0.2, random_state=0, stratify=labels)
    return x_train, y_train, x_test, y_test


def _batches(x, y, rng):
    """One epoch of shuffled (x, y) batches (the last one partial), as NumPy arrays."""
    order = rng.permutation(len(x))
    x, y = x[order], y[order]
    return [(x[i:i + BATCH], y[i:i + BATCH]) for i in range(0, len(x), BATCH)]


def _epoch_measure(train, notes: dict, impl: str):
    """A measure function: ``train(epochs, on_epoch)`` trains a fresh model calling
    ``on_epoch()`` after each epoch and returns the test accuracy; the median epoch time
    (first epoch excluded: it traces) is reported, the accuracy goes into ``notes``."""
    def measure(quick: bool) -> Measurement:
        epochs = QUICK_EPOCHS if quick else EPOCHS
        times, accuracies = [], []
        for _ in range(1 if quick else 3):
            stamps = [time.perf_counter()]
            accuracy = train(epochs, lambda: stamps.append(time.perf_counter()))
            times += [float(t) for t in np.diff(stamps)[1:]]
            accuracies.append(accuracy)
        notes[impl] = (f"test accuracy {min(accuracies):.4f} after {epochs} epochs"
                       + (f" (worst of {len(accuracies)} runs)" if len(accuracies) > 1 else ""))
        return Measurement(statistics.median(times), min(times), len(times))
    return measure


# ---- autograph ---------------------------------------------------------------------------------

def _keras_model(keras):
    model = keras.Sequential([
        keras.layers.Dense(SIZES[1], activation="relu", input_shape=(SIZES[0],)),
        keras.layers.Dense(SIZES[2], activation="relu"),
        keras.layers.Dense(SIZES[3]),
    ])
    return model


def _autograph_module():
    import autograph as ag
    return ag


def _tensorflow_module():
    require("tensorflow")
    import tensorflow as tf
    return tf


def _fit(tf, epochs, on_epoch):
    """Keras ``fit`` with ``tf`` being autograph or TensorFlow (the code is the same)."""
    x_train, y_train, x_test, y_test = digits()
    tf.random.set_seed(0)
    model = _keras_model(tf.keras)
    model.compile(optimizer=tf.keras.optimizers.Adam(LEARNING_RATE),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    timer = tf.keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: on_epoch())
    model.fit(x_train, y_train, batch_size=BATCH, epochs=epochs, verbose=0, callbacks=[timer])
    return model.evaluate(x_test, y_test, verbose=0)[1]


def _step(tf, epochs, on_epoch):
    """A custom ``@function`` train step, for autograph or TensorFlow alike."""
    x_train, y_train, x_test, y_test = digits()
    tf.random.set_seed(0)
    model = _keras_model(tf.keras)
    optimizer = tf.keras.optimizers.Adam(LEARNING_RATE)
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    rng = np.random.default_rng(0)
    for _ in range(epochs):
        for x, y in _batches(x_train, y_train, rng):
            train_step(tf.constant(x), tf.constant(y))
        on_epoch()
    return float(np.mean(np.argmax(model(tf.constant(x_test)).numpy(), axis=1) == y_test))


def _fit_autograph(epochs, on_epoch):
    return _fit(_autograph_module(), epochs, on_epoch)


def _step_autograph(epochs, on_epoch):
    return _step(_autograph_module(), epochs, on_epoch)


def _fit_tensorflow(epochs, on_epoch):
    return _fit(_tensorflow_module(), epochs, on_epoch)


def _step_tensorflow(epochs, on_epoch):
    return _step(_tensorflow_module(), epochs, on_epoch)


# ---- NumPy: the same arithmetic, derived by hand -----------------------------------------------

def _step_numpy(epochs, on_epoch):
    x_train, y_train, x_test, y_test = digits()
    rng = np.random.default_rng(0)
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        limit = np.sqrt(6.0 / (fan_in + fan_out))      # glorot uniform, zero bias
        params += [rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32),
                   np.zeros(fan_out, np.float32)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    beta1, beta2, eps, t = 0.9, 0.999, 1e-7, 0

    def forward(x):
        hidden = [x]
        for i in range(0, len(params) - 2, 2):
            hidden.append(np.maximum(hidden[-1] @ params[i] + params[i + 1], 0))
        return hidden, hidden[-1] @ params[-2] + params[-1]

    for _ in range(epochs):
        for x, y in _batches(x_train, y_train, rng):
            hidden, logits = forward(x)
            p = np.exp(logits - logits.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            p[np.arange(len(y)), y] -= 1
            delta = p / len(y)
            grads = [None] * len(params)
            for layer in range(len(params) // 2 - 1, -1, -1):
                grads[2 * layer] = hidden[layer].T @ delta
                grads[2 * layer + 1] = delta.sum(axis=0)
                if layer:
                    delta = (delta @ params[2 * layer].T) * (hidden[layer] > 0)
            t += 1
            lr = LEARNING_RATE * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
            for i, g in enumerate(grads):
                m[i] += (1 - beta1) * (g - m[i])
                v[i] += (1 - beta2) * (g * g - v[i])
                params[i] -= lr * m[i] / (np.sqrt(v[i]) + eps)
        on_epoch()
    return float(np.mean(np.argmax(forward(x_test)[1], axis=1) == y_test))


# ---- other frameworks (TensorFlow shares _fit and _step above) ---------------------------------

def _step_torch(epochs, on_epoch):
    require("torch")
    import torch
    x_train, y_train, x_test, y_test = digits()
    torch.manual_seed(0)
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers.append(torch.nn.Linear(fan_in, fan_out))
        if i < len(SIZES) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    for _ in range(epochs):
        for x, y in _batches(x_train, y_train, rng):
            optimizer.zero_grad()
            loss = loss_fn(model(torch.from_numpy(x)), torch.from_numpy(y))
            loss.backward()
            optimizer.step()
        on_epoch()
    with torch.no_grad():
        logits = model(torch.from_numpy(x_test)).numpy()
    return float(np.mean(np.argmax(logits, axis=1) == y_test))


def _step_jax(epochs, on_epoch):
    require("jax")
    import jax
    import jax.numpy as jnp
    x_train, y_train, x_test, y_test = digits()
    keys = jax.random.split(jax.random.PRNGKey(0), len(SIZES) - 1)
    params = []
    for key, fan_in, fan_out in zip(keys, SIZES[:-1], SIZES[1:]):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        params.append((jax.random.uniform(key, (fan_in, fan_out), minval=-limit,
                                          maxval=limit), jnp.zeros(fan_out)))

    def loss_fn(params, x, y):
        for w, b in params[:-1]:
            x = jax.nn.relu(x @ w + b)
        logits = x @ params[-1][0] + params[-1][1]
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], 1))

    @jax.jit
    def train_step(params, m, v, t, x, y):
        grads = jax.grad(loss_fn)(params, x, y)
        lr = LEARNING_RATE * jnp.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        m = jax.tree_util.tree_map(lambda m, g: 0.9 * m + 0.1 * g, m, grads)
        v = jax.tree_util.tree_map(lambda v, g: 0.999 * v + 0.001 * g * g, v, grads)
        params = jax.tree_util.tree_map(lambda p, m, v: p - lr * m / (jnp.sqrt(v) + 1e-7),
                                        params, m, v)
        return params, m, v

    m = jax.tree_util.tree_map(jnp.zeros_like, params)
    v = jax.tree_util.tree_map(jnp.zeros_like, params)
    rng, t = np.random.default_rng(0), 0
    for _ in range(epochs):
        for x, y in _batches(x_train, y_train, rng):
            t += 1
            params, m, v = train_step(params, m, v, t, x, y)
        jax.block_until_ready(params)
        on_epoch()
    x = jnp.asarray(x_test)
    for w, b in params[:-1]:
        x = jax.nn.relu(x @ w + b)
    logits = np.asarray(x @ params[-1][0] + params[-1][1])
    return float(np.mean(np.argmax(logits, axis=1) == y_test))


def _workload(name, description, target, trainers: dict, notes: dict) -> Workload:
    live_notes = dict(notes)   # measure functions add each implementation's accuracy here
    impls = {impl: _epoch_measure(fn, live_notes, impl) for impl, fn in trainers.items()}
    return Workload(name, description, "ms", target, impls, live_notes)


WORKLOADS = [
    _workload("keras_fit_mlp_digits",
              "model.fit, MLP 64-256-128-10 on 8x8 digits, Adam 1e-3, batch 64: time per "
              "epoch (23 steps)", 10.0,
              {"autograph": _fit_autograph, "numpy": _step_numpy,
               "tensorflow": _fit_tensorflow},
              {"numpy": "hand-derived forward/backward/Adam, no framework"}),
    _workload("keras_custom_step_mlp_digits",
              "@function train step (GradientTape + apply_gradients), same MLP and data: time "
              "per epoch", 10.0,
              {"autograph": _step_autograph, "numpy": _step_numpy,
               "tensorflow": _step_tensorflow, "torch": _step_torch, "jax": _step_jax},
              {"numpy": "hand-derived forward/backward/Adam, no framework",
               "torch": "eager nn.Sequential + torch.optim.Adam",
               "jax": "jax.jit step with a hand-written Adam"}),
]
