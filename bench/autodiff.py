"""Eager autodiff overhead: one GradientTape gradient of a scalar polynomial."""
from __future__ import annotations

import numpy as np

from bench.registry import Workload
from bench.timing import per_call, require

ORDER = 30

A, B, C, X0 = 1.0, -2.0, 1.0, 3.0   # y = a*x**2 + b*x + c at x = 3


def _autograph():
    import autograph as ag
    a, b, c = ag.constant(A), ag.constant(B), ag.constant(C)
    x = ag.Variable(X0)

    def step():
        with ag.GradientTape() as tape:
            y = a * x ** 2 + b * x + c
        return tape.gradient(y, x)
    return step


def _numpy():
    # NumPy has no autodiff: the reference is the hand-derived gradient 2*a*x + b.
    a, b, x = np.float32(A), np.float32(B), np.float32(X0)
    return lambda: 2 * a * x + b


def _tensorflow():
    require("tensorflow")
    import tensorflow as tf
    a, b, c = tf.constant(A), tf.constant(B), tf.constant(C)
    x = tf.Variable(X0)

    def step():
        with tf.GradientTape() as tape:
            y = a * x ** 2 + b * x + c
        return tape.gradient(y, x)
    return step


def _torch():
    require("torch")
    import torch
    a, b, c = torch.tensor(A), torch.tensor(B), torch.tensor(C)
    x = torch.tensor(X0, requires_grad=True)

    def step():
        y = a * x ** 2 + b * x + c
        return torch.autograd.grad(y, x)[0]
    return step


def _jax():
    require("jax")
    import jax
    import jax.numpy as jnp
    a, b, c, x = (jnp.float32(v) for v in (A, B, C, X0))
    grad = jax.grad(lambda x: a * x ** 2 + b * x + c)   # eager (not jitted), like the others
    return lambda: grad(x).block_until_ready()


WORKLOADS = [
    Workload("eager_gradient", "GradientTape gradient of a*x**2 + b*x + c, scalar Variable x",
             "us", 30.0, {
                 "autograph": per_call(_autograph), "numpy": per_call(_numpy),
                 "tensorflow": per_call(_tensorflow), "torch": per_call(_torch),
                 "jax": per_call(_jax)},
             notes={"numpy": "hand-derived 2*a*x + b (NumPy has no autodiff)"}),
]
