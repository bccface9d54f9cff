"""The interpreter: plans, freeing intermediates, errors naming the node and the user's line,
and graph execution agreeing with eager execution. Every test runs in both tiers of a plan:
the first run, which walks the graph, and the generated function of later runs."""
import gc
import weakref

import numpy as np
import pytest

import autograph as ag
from ops.declare import defop
from runtime import registry
from runtime.dtypes import float32
from runtime.graph import Graph
from runtime.interpreter import Plan, plan_for, run_graph
from runtime.registry import Spec


def _line_of(marker: str) -> int:
    """The line of this file that carries ``marker`` (so tests need no hard-coded numbers)."""
    with open(__file__) as f:
        for number, line in enumerate(f, 1):
            if marker in line and "_line_of" not in line:
                return number
    raise AssertionError(marker)


# Probe ops for watching array lifetimes (registered once, under test-only names).
_big_refs: list = []
_alive_seen: list = []


def _big_kernel(xp, x):
    out = xp.full((1000, 1000), 1.0, dtype=x.dtype)
    _big_refs.append(weakref.ref(out))
    return out


def _alive_kernel(xp, x):
    gc.collect()
    _alive_seen.append([r() is not None for r in _big_refs])
    return x


BIG = registry.OPS.get("TestInterpreterBig") or defop(
    "TestInterpreterBig", _big_kernel, lambda x: Spec(x.dtype, (1000, 1000)))
ALIVE = registry.OPS.get("TestInterpreterAlive") or defop(
    "TestInterpreterAlive", _alive_kernel, lambda x: x)


@pytest.fixture(autouse=True, params=["walked", "generated"])
def tier(request, monkeypatch):
    """Run each test with plans walking their first run (as they do) or, for "generated",
    with every plan generating its function from the first run on."""
    if request.param == "generated":
        original = Plan.__init__

        def generate_at_once(self, graph):
            original(self, graph)
            self._walked = True
        monkeypatch.setattr(Plan, "__init__", generate_at_once)
    return request.param


@pytest.fixture
def probes():
    _big_refs.clear()
    _alive_seen.clear()
    yield _alive_seen


def _add(g, name, inputs, spec, **attrs):
    return g.add_node(registry.get(name), inputs, attrs, [spec]).outputs[0]


# ---- plans -------------------------------------------------------------------------------

def test_run_graph_computes_what_numpy_does():
    g = Graph("f")
    x = g.add_input(float32, (None, 3))
    y = g.add_input(float32, (None, 3))
    prod = _add(g, "Mul", [x, y], Spec(float32, (None, 3)))
    g.outputs = [_add(g, "Exp", [prod], Spec(float32, (None, 3)))]
    a = np.arange(6, dtype=np.float32).reshape(2, 3) / 10
    b = np.ones((2, 3), np.float32) * 2
    (out,) = run_graph(g, [a, b])
    np.testing.assert_allclose(out, np.exp(a * b), rtol=1e-6)
    # A warm call reuses the plan with new arguments.
    (out,) = run_graph(g, [b, b])
    np.testing.assert_allclose(out, np.exp(b * b), rtol=1e-6)


def test_the_first_run_walks_and_the_second_generates_the_function(tier):
    g = Graph("f")
    x = g.add_input(float32, ())
    g.outputs = [_add(g, "Mul", [x, x], Spec(float32, ()))]
    plan = Plan(g)
    assert plan.run([np.float32(3.0)]) == [9.0]
    assert (plan._normal is not None) == (tier == "generated")
    assert plan.run([np.float32(4.0)]) == [16.0]
    assert plan._normal is not None
    assert "def run(xp, a0):" in plan.source


def test_plan_is_built_once_per_graph():
    g = Graph("f")
    x = g.add_input(float32, ())
    g.outputs = [_add(g, "Neg", [x], Spec(float32, ()))]
    assert plan_for(g) is plan_for(g)


def test_plan_keeps_intermediates_that_are_outputs():
    g = Graph("f")
    x = g.add_input(float32, (3,))
    a = _add(g, "Exp", [x], Spec(float32, (3,)))
    b = _add(g, "Neg", [a], Spec(float32, (3,)))
    c = _add(g, "Mul", [b, a], Spec(float32, (3,)))
    g.outputs = [a, c]
    xv = np.array([0.0, 1.0, 2.0], np.float32)
    a_out, c_out = run_graph(g, [xv])
    np.testing.assert_allclose(a_out, np.exp(xv), rtol=1e-6)
    np.testing.assert_allclose(c_out, -np.exp(xv) ** 2, rtol=1e-6)


def test_a_large_intermediate_is_released_before_the_graph_finishes(probes):
    g = Graph("f")
    x = g.add_input(float32, ())
    big = _add(g, "TestInterpreterBig", [x], Spec(float32, (1000, 1000)))
    total = _add(g, "Sum", [big], Spec(float32, ()), axis=(0, 1), keepdims=False)
    g.outputs = [_add(g, "TestInterpreterAlive", [total], Spec(float32, ()))]
    (out,) = run_graph(g, [np.float32(2.0)])
    assert out == 1e6
    assert probes == [[False]]


def test_an_intermediate_used_twice_lives_until_its_second_use(probes):
    g = Graph("f")
    x = g.add_input(float32, ())
    big = _add(g, "TestInterpreterBig", [x], Spec(float32, (1000, 1000)))
    first = _add(g, "TestInterpreterAlive", [
        _add(g, "Sum", [big], Spec(float32, ()), axis=(0, 1), keepdims=False)], Spec(float32, ()))
    scaled = _add(g, "Mul", [big, first], Spec(float32, (1000, 1000)))
    second = _add(g, "Sum", [scaled], Spec(float32, ()), axis=(0, 1), keepdims=False)
    g.outputs = [_add(g, "TestInterpreterAlive", [second], Spec(float32, ()))]
    (out,) = run_graph(g, [np.float32(2.0)])
    np.testing.assert_allclose(out, 1e12, rtol=1e-5)
    assert probes == [[True], [False]]


def _probe_big(x):
    from ops import dispatch
    return dispatch.execute(BIG, (x,), {})


def _probe_alive(x):
    from ops import dispatch
    return dispatch.execute(ALIVE, (x,), {})


def test_a_large_intermediate_of_a_loop_body_is_released_after_the_loop(probes):
    @ag.function
    def f(x):
        def body(i, s):
            return i + 1, s + ag.reduce_sum(_probe_big(x))
        _, s = ag.while_loop(lambda i, s: i < 2, body, [0, x])
        return _probe_alive(s)

    assert f(ag.constant(1.0)).numpy() == 2e6 + 1
    assert probes == [[False, False]]


def test_an_unused_large_value_is_released_right_away(probes, tier):
    g = Graph("f")
    x = g.add_input(float32, ())
    _add(g, "TestInterpreterBig", [x], Spec(float32, (1000, 1000)))   # result unused
    g.outputs = [_add(g, "TestInterpreterAlive", [x], Spec(float32, ()))]
    run_graph(g, [np.float32(2.0)])
    # the generated plan runs the node and frees its result; a walk skips the dead node
    assert probes == ([[False]] if tier == "generated" else [[]])


def test_variable_captures_are_read_when_the_graph_runs():
    v = ag.Variable([1.0, 2.0])

    @ag.function
    def f():
        return v * 2.0

    np.testing.assert_allclose(f().numpy(), [2.0, 4.0])
    v.assign([5.0, 6.0])
    np.testing.assert_allclose(f().numpy(), [10.0, 12.0])


# ---- errors ------------------------------------------------------------------------------

def test_a_kernel_error_names_the_op_and_the_users_line():
    @ag.function(input_signature=[ag.TensorSpec([None])])
    def f(x):
        y = x * 2.0
        return ag.reshape(y, [2, 3])  # reshape-here

    with pytest.raises(ValueError) as info:
        f(ag.constant(np.ones(5, np.float32)))
    message = str(info.value)
    assert "cannot reshape" in message
    assert f"in op Reshape created at {__file__}:{_line_of('# reshape-here')}" in message
    assert info.value.node.op.name == "Reshape"


def test_an_error_inside_a_loop_body_names_the_node_in_the_body():
    @ag.function(input_signature=[ag.TensorSpec([None])])
    def f(x):
        def body(i):
            return i + ag.cast(x[7], ag.int32)  # index-here
        return ag.while_loop(lambda i: i < 3, body, ag.constant(0))

    with pytest.raises(IndexError) as info:
        f(ag.constant(np.ones(5, np.float32)))
    assert f"in op GetItem created at {__file__}:{_line_of('# index-here')}" in str(info.value)
    assert str(info.value).count("in op") == 1


def test_the_error_type_is_kept_and_later_calls_still_work():
    @ag.function(input_signature=[ag.TensorSpec([None])])
    def f(x):
        return ag.reshape(x, [2, 2])

    with pytest.raises(ValueError):
        f(ag.constant(np.ones(3, np.float32)))
    np.testing.assert_array_equal(f(ag.constant(np.ones(4, np.float32))).numpy(),
                                  np.ones((2, 2)))


# ---- the interpreter agrees with eager execution ------------------------------------------

def _mixed(x, n):
    y = ag.cond(ag.reduce_sum(x) > 0.0, lambda: ag.exp(x) * 2.0, lambda: x * x)
    _, z = ag.while_loop(lambda i, z: i < n, lambda i, z: (i + 1, z * 0.5 + y), [0, y])
    return ag.reduce_mean(z, axis=0), ag.argmax(z, axis=1)


@pytest.mark.parametrize("sign", [1.0, -1.0])
@pytest.mark.parametrize("n", [0, 3])
def test_graph_and_eager_agree(sign, n):
    x = ag.constant(sign * np.random.rand(4, 3).astype(np.float32))
    eager = _mixed(x, ag.constant(n))
    graph = ag.function(_mixed)(x, ag.constant(n))
    for e, g in zip(eager, graph):
        assert g.dtype == e.dtype and g.shape == e.shape
        np.testing.assert_allclose(g.numpy(), e.numpy(), rtol=1e-6)


def test_graph_runs_on_empty_and_scalar_inputs():
    f = ag.function(lambda x: ag.reduce_sum(x * x) + 1.0)
    assert f(ag.constant(np.zeros((0, 3), np.float32))).numpy() == 1.0
    assert f(ag.constant(3.0)).numpy() == 10.0


def test_ops_without_outputs_run_in_program_order(capfd):
    v = ag.Variable(1.0)

    @ag.function
    def f(x):
        ag.print("before", v)
        v.assign_add(x)
        ag.print("after", v)
        return v.read_value()

    assert f(ag.constant(2.0)).numpy() == 3.0
    assert capfd.readouterr().err.split() == ["before", "1", "after", "3"]
