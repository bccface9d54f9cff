"""Eager op overhead: tiny tensors, so the time is dispatch cost, not arithmetic."""
from __future__ import annotations

import numpy as np

from bench.registry import Skipped, Workload
from bench.timing import per_call, require

ORDER = 10   # first in the table

_rng = np.random.default_rng(0)
X22 = _rng.standard_normal((2, 2)).astype(np.float32)
Y22 = _rng.standard_normal((2, 2)).astype(np.float32)
X = _rng.standard_normal((8, 16)).astype(np.float32)
W = _rng.standard_normal((16, 16)).astype(np.float32)
B = _rng.standard_normal(16).astype(np.float32)


# ---- x + y on 2x2 float32 ---------------------------------------------------------------------

def _add_autograph():
    import autograph as ag
    x, y = ag.constant(X22), ag.constant(Y22)
    return lambda: x + y


def _add_numpy():
    x, y = X22.copy(), Y22.copy()
    return lambda: x + y


def _add_tensorflow():
    require("tensorflow")
    import tensorflow as tf
    x, y = tf.constant(X22), tf.constant(Y22)
    return lambda: x + y


def _add_torch():
    require("torch")
    import torch
    x, y = torch.from_numpy(X22.copy()), torch.from_numpy(Y22.copy())
    return lambda: x + y


def _add_jax():
    require("jax")
    import jax.numpy as jnp
    x, y = jnp.asarray(X22), jnp.asarray(Y22)
    return lambda: (x + y).block_until_ready()


# ---- relu(x @ w + b), a dense layer's forward pass --------------------------------------------

def _dense_autograph():
    import autograph as ag
    relu = getattr(ag.nn, "relu", None)
    if relu is None:
        raise Skipped("ag.nn.relu not available yet")
    x, w, b = ag.constant(X), ag.constant(W), ag.constant(B)
    return lambda: relu(x @ w + b)


def _dense_numpy():
    x, w, b = X.copy(), W.copy(), B.copy()
    return lambda: np.maximum(x @ w + b, 0)


def _dense_tensorflow():
    require("tensorflow")
    import tensorflow as tf
    x, w, b = tf.constant(X), tf.constant(W), tf.constant(B)
    return lambda: tf.nn.relu(x @ w + b)


def _dense_torch():
    require("torch")
    import torch
    x, w, b = (torch.from_numpy(a.copy()) for a in (X, W, B))
    return lambda: torch.relu(x @ w + b)


def _dense_jax():
    require("jax")
    import jax
    import jax.numpy as jnp
    x, w, b = (jnp.asarray(a) for a in (X, W, B))
    return lambda: jax.nn.relu(x @ w + b).block_until_ready()


WORKLOADS = [
    Workload("eager_add_2x2", "x + y, 2x2 float32, eager", "us", 1.5, {
        "autograph": per_call(_add_autograph), "numpy": per_call(_add_numpy),
        "tensorflow": per_call(_add_tensorflow), "torch": per_call(_add_torch),
        "jax": per_call(_add_jax)}),
    Workload("eager_dense_relu", "relu(x @ w + b), x 8x16, w 16x16, b 16, eager", "us", 5.0, {
        "autograph": per_call(_dense_autograph), "numpy": per_call(_dense_numpy),
        "tensorflow": per_call(_dense_tensorflow), "torch": per_call(_dense_torch),
        "jax": per_call(_dense_jax)}),
]
