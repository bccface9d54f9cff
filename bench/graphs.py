"""Traced functions: warm-call overhead, a staged while loop, and trace + first call."""
from __future__ import annotations

import numpy as np

from bench.registry import Measurement, Workload
from bench.timing import per_call, require

ORDER = 30

X22 = np.random.default_rng(0).standard_normal((2, 2)).astype(np.float32)
LOOP_N = 100_000


def per_iteration(measure, iterations: int):
    """A measure function reporting seconds per loop iteration instead of per call."""
    def scaled(quick: bool) -> Measurement:
        m = measure(quick)
        return Measurement(m.median / iterations, m.best / iterations, m.runs, m.note)
    return scaled


# ---- warm call of f(x) = x * 2.0 + 1.0 --------------------------------------------------------

def _warm_autograph():
    import autograph as ag
    f = ag.function(lambda x: x * 2.0 + 1.0)
    x = ag.constant(X22)
    return lambda: f(x)


def _warm_numpy():
    x = X22.copy()
    return lambda: x * np.float32(2.0) + np.float32(1.0)


def _warm_tensorflow():
    require("tensorflow")
    import tensorflow as tf
    f = tf.function(lambda x: x * 2.0 + 1.0)
    x = tf.constant(X22)
    return lambda: f(x)


def _warm_torch():
    require("torch")
    import torch
    f = torch.jit.script(_torch_affine)
    x = torch.from_numpy(X22.copy())
    return lambda: f(x)


def _torch_affine(x):
    return x * 2.0 + 1.0


def _warm_jax():
    require("jax")
    import jax
    f = jax.jit(lambda x: x * 2.0 + 1.0)
    x = jax.numpy.asarray(X22)
    return lambda: f(x).block_until_ready()


# ---- staged while loop: sum of i for i < n ---------------------------------------------------

def _loop_autograph():
    import autograph as ag

    @ag.function
    def total(n):
        _, s = ag.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s + i),
                             [ag.constant(0), ag.constant(0)])
        return s

    n = ag.constant(LOOP_N)
    return lambda: total(n)


def python_total(n: int) -> int:
    """The staged loop's arithmetic as a plain Python loop (the baseline)."""
    i = s = 0
    while i < n:
        i, s = i + 1, s + i
    return s


def _loop_python():
    return lambda: python_total(LOOP_N)


def _loop_tensorflow():
    require("tensorflow")
    import tensorflow as tf

    @tf.function
    def total(n):
        return tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s + i), [0, 0])[1]

    n = tf.constant(LOOP_N)
    return lambda: total(n)


def _loop_jax():
    require("jax")
    import jax

    @jax.jit
    def total(n):
        return jax.lax.while_loop(lambda c: c[0] < n, lambda c: (c[0] + 1, c[1] + c[0]), (0, 0))[1]

    return lambda: total(LOOP_N).block_until_ready()


# ---- trace + first call of a 25-line function ------------------------------------------------

def _model(ag):
    def step(x, w, b):
        h = ag.matmul(x, w) + b
        h = ag.nn.relu(h)
        h = h * 0.5 + 0.25
        s = ag.reduce_sum(h, axis=1)
        m = ag.reduce_mean(s)
        d = s - m
        v = ag.reduce_mean(d * d)
        z = d / ag.sqrt(v + 1e-5)
        p = ag.nn.softmax(h)
        q = ag.math.log(p + 1e-9)
        e = -ag.reduce_sum(p * q, axis=1)
        t = ag.tanh(z) + e
        u = ag.exp(-ag.abs(t))
        k = ag.maximum(u, 0.1)
        r = ag.minimum(k, 0.9)
        y = ag.square(r - 0.5)
        y = y + ag.reduce_max(h)
        y = y - ag.reduce_min(h)
        y = ag.sigmoid(y)
        y = y * ag.cast(ag.shape(x)[0], ag.float32)
        o = ag.concat([y, z], 0)
        o = ag.reshape(o, [-1, 1])
        return ag.reduce_sum(o) + ag.reduce_sum(w) * 0.0
    return step


def _trace_autograph():
    import autograph as ag
    rng = np.random.default_rng(0)
    x = ag.constant(rng.standard_normal((8, 16)).astype(np.float32))
    w = ag.constant(rng.standard_normal((16, 16)).astype(np.float32))
    b = ag.constant(rng.standard_normal(16).astype(np.float32))
    step = _model(ag)
    return lambda: ag.function(step)(x, w, b)


WORKLOADS = [
    Workload("graph_warm_call", "warm call of @function f(x) = x*2.0+1.0 on 2x2 float32",
             "us", 5.0, {"autograph": per_call(_warm_autograph), "numpy": per_call(_warm_numpy),
                         "tensorflow": per_call(_warm_tensorflow),
                         "torch": per_call(_warm_torch), "jax": per_call(_warm_jax)},
             notes={"numpy": "the same two ops, no function", "torch": "TorchScript"}),
    Workload("staged_while_loop", f"@function while_loop summing i for i < {LOOP_N}, per "
             "iteration", "us", 2.0,
             {"autograph": per_iteration(per_call(_loop_autograph), LOOP_N),
              "numpy": per_iteration(per_call(_loop_python), LOOP_N),
              "tensorflow": per_iteration(per_call(_loop_tensorflow), LOOP_N),
              "jax": per_iteration(per_call(_loop_jax), LOOP_N)},
             notes={"numpy": "plain Python loop on ints"}),
    Workload("trace_first_call", "new @function of a 25-line function: trace + optimize + "
             "first call", "us", 5000.0, {"autograph": per_call(_trace_autograph)}),
]
