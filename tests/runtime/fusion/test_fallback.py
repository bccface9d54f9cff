"""Without a C compiler (or when a kernel fails to build) the CPU runs the interpreter, and
says so once."""
import warnings

import numpy as np
import pytest

import autograph as ag
from runtime import fusion
from runtime.fusion import cbuild, program
from runtime.interpreter import plan_for

from tests.runtime.fusion.helpers import assert_same, kernels, traced

X = np.linspace(-1, 1, 6, dtype=np.float32)


@pytest.fixture
def fresh_warnings(monkeypatch):
    monkeypatch.setattr(program, "_warned", set())


def test_no_compiler_returns_the_graph_with_one_warning(monkeypatch, fresh_warnings):
    monkeypatch.setattr(cbuild, "_toolchain", [None])
    graph = traced(lambda x: ag.exp(x) * 2.0 + 1.0, X)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = fusion.compile_graph(graph)
        second = fusion.compile_graph(graph)
    assert first is graph and second is graph
    messages = [str(w.message) for w in caught if "jit_compile" in str(w.message)]
    assert messages == ["jit_compile: no C compiler found (set $CC or install cc); the function "
                        "runs in the interpreter"]


def test_fused_nodes_run_in_the_interpreter_when_the_compiler_is_gone(monkeypatch,
                                                                        fresh_warnings):
    graph = traced(lambda x: ag.exp(x) * 3.0 - x, X[::-1].copy())
    fused = fusion.compile_graph(graph, "cuda")      # nothing is built for "cuda"
    assert kernels(fused)
    monkeypatch.setattr(cbuild, "_toolchain", [None])
    with pytest.warns(RuntimeWarning, match="no C compiler"):
        got = plan_for(fused).run([X])
    assert_same(got[0], plan_for(graph).run([X])[0])


def test_a_kernel_that_fails_to_build_warns_and_interprets(monkeypatch, fresh_warnings):
    def broken(source, tc=None):
        raise cbuild.CompileError("cc: internal compiler error")

    monkeypatch.setattr(cbuild, "library", broken)
    graph = traced(lambda x: ag.sin(x) * 2.0 + x, X)
    with pytest.warns(RuntimeWarning, match="failed to build"):
        fused = fusion.compile_graph(graph)
        got = plan_for(fused).run([X])
    assert_same(got[0], plan_for(graph).run([X])[0])
