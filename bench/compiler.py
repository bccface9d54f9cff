"""Fused kernels (jit_compile): a 10M-element chain and variance against NumPy, the memory
bandwidth floor (a copy), JAX and torch.compile; a compiled scalar loop; compile and
cache-hit times.

Targets assume the 2-core reference machine; the chain and the variance read 40 MB (and the
chain writes 40 MB), so the NumPy copy of x is the floor to compare them with.
"""
from __future__ import annotations

import os
import tempfile

import numpy as np

from bench.graphs import per_iteration, python_total
from bench.registry import Measurement, Workload
from bench.timing import per_call, require

ORDER = 40

N = 10_000_000
A, B = np.float32(0.7), np.float32(0.1)
LOOP_N = 1_000_000          # compiled loop iterations per call
PY_LOOP_N = 100_000         # the plain Python loop is timed on fewer

_x: list = []


def x10m() -> np.ndarray:
    if not _x:
        _x.append(np.random.default_rng(0).standard_normal(N).astype(np.float32))
    return _x[0]


def chain(ag):
    return lambda x, a, b: ag.tanh(x * a + b) * ag.sigmoid(x) + x * x


def variance(ag):
    return lambda x: ag.reduce_sum((x - ag.reduce_mean(x)) ** 2)


def compiled(fn, *arrays):
    """A zero-argument call of ``fn`` compiled for the C target. Uses
    ``ag.function(jit_compile=True)`` once it fuses; until then compiles the traced graph."""
    import autograph as ag
    from runtime import fusion
    from runtime.interpreter import plan_for
    f = ag.function(fn, jit_compile=True)
    tensors = [ag.constant(a) for a in arrays]
    cf = f.get_concrete_function(*tensors)
    if any(n.op.name in ("Fused", "FusedWhile") for n in cf.optimized_graph.nodes):
        return lambda: f(*tensors)
    plan = plan_for(fusion.compile_graph(cf.optimized_graph, "c"))
    args = list(arrays)
    return lambda: plan.run(args)


# ---- the 10M-element chain ---------------------------------------------------------------

def _chain_autograph():
    import autograph as ag
    return compiled(chain(ag), x10m(), A, B)


def _chain_numpy():
    x = x10m()
    return lambda: np.tanh(x * A + B) * (1 / (1 + np.exp(-x))) + x * x


def _chain_jax():
    require("jax")
    import jax
    import jax.numpy as jnp
    f = jax.jit(lambda x, a, b: jnp.tanh(x * a + b) * jax.nn.sigmoid(x) + x * x)
    x = jnp.asarray(x10m())
    return lambda: f(x, A, B).block_until_ready()


def _chain_torch():
    require("torch")
    import torch
    f = torch.compile(lambda x, a, b: torch.tanh(x * a + b) * torch.sigmoid(x) + x * x)
    x = torch.from_numpy(x10m())
    return lambda: f(x, float(A), float(B))


def _chain_tensorflow():
    require("tensorflow")
    import tensorflow as tf
    f = tf.function(lambda x: tf.tanh(x * A + B) * tf.sigmoid(x) + x * x, jit_compile=True)
    x = tf.constant(x10m())
    return lambda: f(x)


# ---- variance ----------------------------------------------------------------------------

def _var_autograph():
    import autograph as ag
    return compiled(variance(ag), x10m())


def _var_numpy():
    x = x10m()
    return lambda: np.sum((x - x.mean()) ** 2)


def _var_jax():
    require("jax")
    import jax
    import jax.numpy as jnp
    f = jax.jit(lambda x: jnp.sum((x - jnp.mean(x)) ** 2))
    x = jnp.asarray(x10m())
    return lambda: f(x).block_until_ready()


def _var_torch():
    require("torch")
    import torch
    f = torch.compile(lambda x: torch.sum((x - torch.mean(x)) ** 2))
    x = torch.from_numpy(x10m())
    return lambda: f(x)


# ---- the bandwidth floor -----------------------------------------------------------------

def _copy_autograph():
    return compiled(lambda x, a, b: x * a + b, x10m(), A, B)


def _copy_numpy():
    x = x10m()
    return lambda: x.copy()


# ---- compiled scalar loop ----------------------------------------------------------------

def _loop_autograph():
    import autograph as ag

    def total(n):
        _, s = ag.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s + i),
                             [ag.constant(0), ag.constant(0)])
        return s
    return compiled(total, np.int32(LOOP_N))


def _loop_python():
    return lambda: python_total(PY_LOOP_N)


# ---- compile and cache-hit times ---------------------------------------------------------

class _ScratchCache:
    """Point AUTOGRAPH_CACHE_DIR at a temporary folder while a measurement runs."""

    def __enter__(self):
        self._tmp = tempfile.TemporaryDirectory()
        self._old = os.environ.get("AUTOGRAPH_CACHE_DIR")
        os.environ["AUTOGRAPH_CACHE_DIR"] = self._tmp.name
        return self

    def __exit__(self, *exc):
        if self._old is None:
            os.environ.pop("AUTOGRAPH_CACHE_DIR", None)
        else:
            os.environ["AUTOGRAPH_CACHE_DIR"] = self._old
        self._tmp.cleanup()


def _small_graph(scale: float):
    import autograph as ag
    fn = chain(ag)
    x = np.linspace(-1, 1, 1024, dtype=np.float32)
    return ag.function(lambda x: fn(x, np.float32(scale), B)).get_concrete_function(
        ag.constant(x)).optimized_graph, x


def _first_compile(quick: bool) -> Measurement:
    """compile_graph + first call of a kernel never built before (a new constant each time)."""
    import time
    from runtime import fusion
    from runtime.fusion import cbuild
    from runtime.interpreter import plan_for
    cbuild.toolchain()                          # the one-time compiler probe is not counted
    times = []
    with _ScratchCache():
        for k in range(3 if quick else 7):
            graph, x = _small_graph(1.0 + k / 7)
            t = time.perf_counter()
            plan_for(fusion.compile_graph(graph, "c")).run([x])
            times.append(time.perf_counter() - t)
    times.sort()
    return Measurement(times[len(times) // 2], times[0], len(times))


def _cache_hit():
    """compile_graph of a kernel already on disk, the in-memory library cache dropped."""
    from runtime import fusion
    from runtime.fusion import cbuild
    graph, x = _small_graph(0.7)
    fusion.compile_graph(graph, "c")

    def call():
        cbuild.forget_loaded()
        fusion.compile_graph(graph, "c")
    return call


WORKLOADS = [
    Workload("fused_chain_10m", f"jit: tanh(x*a+b)*sigmoid(x) + x*x on {N // 10**6}M float32",
             "ms", 6.0, {"autograph": per_call(_chain_autograph),
                         "numpy": per_call(_chain_numpy), "tensorflow": per_call(_chain_tensorflow),
                         "torch": per_call(_chain_torch), "jax": per_call(_chain_jax)},
             notes={"torch": "torch.compile", "tensorflow": "tf.function(jit_compile=True)"}),
    Workload("fused_variance_10m", f"jit: sum((x - mean(x))**2) on {N // 10**6}M float32",
             "ms", 2.5, {"autograph": per_call(_var_autograph), "numpy": per_call(_var_numpy),
                         "torch": per_call(_var_torch), "jax": per_call(_var_jax)},
             notes={"torch": "torch.compile"}),
    Workload("bandwidth_copy_10m", f"memory floor: read {N // 10**6}M float32, write a new "
             "array (NumPy: x.copy(); autograph: fused x*a+b)", "ms", 6.0,
             {"autograph": per_call(_copy_autograph), "numpy": per_call(_copy_numpy)}),
    Workload("compiled_while_loop", "jit: staged while_loop summing i for i < n as one C loop, "
             "per iteration", "us", 0.01,
             {"autograph": per_iteration(per_call(_loop_autograph), LOOP_N),
              "numpy": per_iteration(per_call(_loop_python), PY_LOOP_N)},
             notes={"numpy": "plain Python loop on ints"}),
    Workload("jit_first_compile", "compile_graph + first call of a new fused kernel (C compiler "
             "run, cache miss)", "ms", 500.0, {"autograph": _first_compile}),
    Workload("jit_cache_hit", "compile_graph of a kernel found in the disk cache (memory cache "
             "dropped)", "ms", 1.0, {"autograph": per_call(_cache_hit)}),
]
