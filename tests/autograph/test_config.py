"""``ag.config.optimizer.set_jit``: compiled mode as the default of ``@function``.

The interpreter is the oracle for compiled results. Every test that changes the setting
restores it (the ``jit_setting`` fixture).
"""
import numpy as np
import pytest

import autograph as tf
from runtime.fusion import cbuild


@pytest.fixture
def jit_setting():
    before = tf.config.optimizer.get_jit()
    yield
    tf.config.optimizer.set_jit(before == "autoclustering")


@pytest.fixture
def compiler():
    if cbuild.toolchain() is None:
        pytest.skip("no C compiler: compiled mode falls back to the interpreter")


def _chain(x):
    return tf.tanh(x) * 2.0 + 1.0


def _compiled(fn, x) -> bool:
    """Does ``fn`` run compiled for ``x``: fused nodes and generated C kernels?"""
    cf = fn.get_concrete_function(x)
    return "Fused" in cf.optimized_graph.op_counts() and bool(cf.kernel_sources("c"))


X = tf.constant(np.linspace(-2.0, 2.0, 7, dtype=np.float32))


def test_get_jit_reports_the_setting(jit_setting):
    tf.config.optimizer.set_jit(False)
    assert tf.config.optimizer.get_jit() == ""
    tf.config.optimizer.set_jit(True)
    assert tf.config.optimizer.get_jit() == "autoclustering"
    tf.config.optimizer.set_jit(False)
    tf.config.optimizer.set_jit("autoclustering")
    assert tf.config.optimizer.get_jit() == "autoclustering"


def test_set_jit_compiles_functions_made_before_and_after_it(jit_setting, compiler):
    tf.config.optimizer.set_jit(False)
    before = tf.function(_chain)
    expected = before(X).numpy()                 # traced and run by the interpreter
    assert not _compiled(before, X)
    tf.config.optimizer.set_jit(True)
    after = tf.function(_chain)
    assert _compiled(before, X) and _compiled(after, X)
    np.testing.assert_allclose(before(X).numpy(), expected, rtol=1e-6)
    np.testing.assert_allclose(after(X).numpy(), expected, rtol=1e-6)
    assert before.experimental_get_tracing_count() == 1   # switching mode does not retrace


def test_turning_jit_off_restores_the_interpreter(jit_setting, compiler):
    tf.config.optimizer.set_jit(True)
    fn = tf.function(_chain)
    compiled = fn(X).numpy()
    assert _compiled(fn, X)
    tf.config.optimizer.set_jit(False)
    assert not _compiled(fn, X)
    assert fn.get_concrete_function(X).optimized_graph.op_counts() == {
        "Tanh": 1, "Mul": 1, "Add": 1}
    np.testing.assert_allclose(fn(X).numpy(), compiled, rtol=1e-6)


def test_an_explicit_jit_compile_wins_over_set_jit(jit_setting, compiler):
    tf.config.optimizer.set_jit(True)
    interpreted = tf.function(_chain, jit_compile=False)
    assert not _compiled(interpreted, X)
    tf.config.optimizer.set_jit(False)
    compiled = tf.function(_chain, jit_compile=True)
    assert _compiled(compiled, X)
    np.testing.assert_allclose(compiled(X).numpy(), interpreted(X).numpy(), rtol=1e-6)


@pytest.mark.parametrize("value", [None, "xla", 1])
def test_set_jit_refuses_other_values(jit_setting, value):
    with pytest.raises(ValueError, match="expected True, False or 'autoclustering'"):
        tf.config.optimizer.set_jit(value)
