"""The CUDA path on a device: the same fused graph on CuPy arrays equals the interpreter.

Skipped where CuPy finds no CUDA device; the CUDA sources are still compiled to PTX on
every machine by the other tests.
"""
import numpy as np
import pytest

import autograph as ag
from runtime import backends, fusion
from runtime.interpreter import plan_for

from tests.runtime.fusion.helpers import assert_same, traced

pytestmark = [pytest.mark.gpu,
              pytest.mark.skipif(not ag.config.list_physical_devices("GPU"),
                                 reason="no CUDA device (or CuPy) on this machine")]

X = np.random.default_rng(3).standard_normal((37, 41)).astype(np.float32)


def run_on_gpu(fn, *arrays, rtol=1e-6, atol=1e-6):
    cp = backends.require_gpu()
    graph = traced(fn, *arrays)
    fused = fusion.compile_graph(graph, "cuda")
    want = plan_for(graph).run(list(arrays))
    got = plan_for(fused).run([cp.asarray(a) for a in arrays], cp)
    for g, w in zip(got, want):
        assert_same(cp.asnumpy(g), w, rtol, atol)
    return fused


def test_elementwise_chain_with_broadcasting():
    run_on_gpu(lambda x, b: ag.tanh(x * 0.5 + b) * ag.sigmoid(x) + x * x, X, X[0])


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_reductions(axis):
    run_on_gpu(lambda x: ag.reduce_sum(ag.square(x - 1.0), axis=axis) * 2.0, X, rtol=1e-5)
    run_on_gpu(lambda x: ag.reduce_max(ag.abs(x), axis=axis) + 1.0, X)


def test_float16_and_integers():
    run_on_gpu(lambda x: ag.exp(x) * x - 1.0, X.astype(np.float16), rtol=2e-3, atol=2e-3)
    i = np.arange(-20, 20, dtype=np.int32)
    run_on_gpu(lambda i: (i // 3) * 7 + i % 5, i)


def test_integer_division_by_zero_raises_on_the_gpu_too():
    cp = backends.require_gpu()
    graph = traced(lambda x, y: x // y + 1, np.ones(4, np.int32), np.ones(4, np.int32))
    fused = fusion.compile_graph(graph, "cuda")
    with pytest.raises(ag.errors.InvalidArgumentError, match="division by zero"):
        plan_for(fused).run([cp.arange(4, dtype=cp.int32), cp.zeros(4, cp.int32)], cp)
