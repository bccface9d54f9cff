"""Graph passes: constant folding, algebraic simplification, CSE, DCE, and ``optimize``.

Each pass is checked on traced graphs for what it removes and what it must keep (stateful
ops in program order), and the optimized graph must compute what the traced graph does."""
import numpy as np
import pytest

import autograph as ag
from runtime import passes
from runtime.graph import to_text, verify
from runtime.interpreter import run_graph
from runtime.passes import algebraic, constant_folding, cse, dce


def _graph(fn, *specs):
    return ag.function(fn).get_concrete_function(*specs).graph


def _ops(graph):
    return [n.op.name for n in graph.nodes]


def _consts(graph):
    """Values of the constant captures of ``graph`` (scalars only)."""
    out = []
    for _, src in graph.captures:
        v = getattr(src, "_v", None)
        if isinstance(v, (np.ndarray, np.generic)) and np.size(v) == 1:
            out.append(float(np.asarray(v).reshape(())))
    return out


S = ag.TensorSpec([])
V3 = ag.TensorSpec([3])


def test_pipeline_is_fold_simplify_cse_dce():
    assert passes.PIPELINE == (constant_folding, algebraic, cse, dce)


def test_passes_do_not_mutate_their_input():
    g = _graph(lambda x: x * (ag.constant(2.0) * ag.constant(3.0)) * 1.0 + ag.exp(x) * 0.0, S)
    before = to_text(g)
    passes.optimize(g)
    for p in passes.PIPELINE:
        p.run(g)
    assert to_text(g) == before


# ---- constant folding --------------------------------------------------------------------

def test_folding_computes_a_constant_subtree_once():
    g = constant_folding.run(
        _graph(lambda x: x * (ag.constant(2.0) * ag.constant(3.0) + 1.0), S))
    assert _ops(g) == ["Mul"]
    assert 7.0 in _consts(g)


def test_folding_does_not_touch_random_ops():
    g = constant_folding.run(_graph(lambda: ag.random.uniform([]) * 2.0))
    assert _ops(g) == ["RandomUniform", "Mul"]


def test_folding_does_not_touch_variable_reads():
    v = ag.Variable(3.0)
    g = constant_folding.run(_graph(lambda: v * 2.0))
    assert _ops(g) == ["ReadVariable", "Mul"]


def test_folding_keeps_print_of_a_constant():
    def f():
        ag.print(ag.constant(1.0) + 1.0)
        return ag.constant(0.0)

    assert _ops(constant_folding.run(_graph(f))) == ["PrintV2"]


def test_folding_refuses_to_materialise_huge_constants():
    g = constant_folding.run(_graph(lambda x: ag.reduce_sum(ag.ones([300, 300]) * x), S))
    assert "Fill" in _ops(g)


def test_folding_a_whole_function_gives_the_same_value():
    f = ag.function(lambda: ag.reduce_sum(ag.range(10) * 2))
    assert f.get_concrete_function().optimized_graph.nodes == []
    assert f().numpy() == 90


# ---- algebraic simplification ------------------------------------------------------------

@pytest.mark.parametrize("fn", [
    lambda x: x * 1.0, lambda x: 1.0 * x, lambda x: x + -0.0, lambda x: -0.0 + x,
    lambda x: x - 0.0, lambda x: x / 1.0, lambda x: x ** 1.0, lambda x: ag.identity(x),
], ids=["x*1", "1*x", "x+(-0)", "(-0)+x", "x-0", "x/1", "x**1", "identity"])
def test_identities_are_removed(fn):
    g = algebraic.run(_graph(fn, V3))
    assert g.nodes == []
    assert g.outputs == g.inputs


@pytest.mark.parametrize("fn", [
    lambda x: x * 0.0, lambda x: 0.0 - x, lambda x: 1.0 / x, lambda x: x * 2.0,
    lambda x: x + 0.0, lambda x: 0.0 + x,
], ids=["x*0", "0-x", "1/x", "x*2", "x+0", "0+x"])
def test_non_identities_are_kept(fn):
    assert len(algebraic.run(_graph(fn, V3)).nodes) == 1


def test_adding_positive_zero_keeps_the_sign_of_a_negative_zero():
    f = ag.function(lambda x: x + 0.0)
    for _ in range(2):   # the first call walks the traced graph, the second the optimized one
        out = f(ag.constant([-0.0, 1.0]))
        assert np.signbit(out.numpy()).tolist() == [False, False]


def test_integer_x_plus_zero_is_removed():
    g = algebraic.run(_graph(lambda x: x + 0, ag.TensorSpec([3], ag.int32)))
    assert g.nodes == []


def test_an_identity_that_broadcasts_is_kept():
    g = algebraic.run(_graph(lambda x: x + ag.zeros([2, 3]), V3))
    assert _ops(g) == ["Add"] or _ops(g) == ["Fill", "Add"]
    assert tuple(g.outputs[0].shape) == (2, 3)


def test_an_identity_with_a_constant_of_ones_matrix_is_removed_only_if_shapes_match():
    same = algebraic.run(constant_folding.run(
        _graph(lambda x: x * ag.constant(np.ones(3, np.float32)), V3)))
    assert same.nodes == []
    wider = algebraic.run(constant_folding.run(
        _graph(lambda x: x * ag.constant(np.ones((2, 3), np.float32)), V3)))
    assert _ops(wider) == ["Mul"]


# ---- CSE ---------------------------------------------------------------------------------

def test_cse_merges_duplicate_pure_nodes():
    g = cse.run(_graph(lambda x: ag.exp(x) + ag.exp(x), V3))
    assert _ops(g) == ["Exp", "Add"]
    add = g.nodes[1]
    assert add.inputs[0] is add.inputs[1]


def test_cse_keeps_nodes_whose_attrs_differ():
    x = ag.TensorSpec([2, 3])
    g = cse.run(_graph(lambda x: ag.reduce_sum(x, 0)[0] + ag.reduce_sum(x, 1)[0], x))
    assert g.op_counts()["Sum"] == 2


def test_cse_does_not_merge_random_draws():
    g = cse.run(_graph(lambda: (ag.random.uniform([]), ag.random.uniform([]))))
    assert _ops(g) == ["RandomUniform", "RandomUniform"]


def test_cse_does_not_merge_reads_around_an_assignment():
    v = ag.Variable(1.0)

    def f():
        a = v.read_value() * 2.0
        v.assign(5.0)
        b = v.read_value() * 2.0
        return a, b

    g = cse.run(_graph(f))
    assert g.op_counts() == {"ReadVariable": 2, "Mul": 2, "AssignVariable": 1}
    a, b = ag.function(f)()
    assert (a.numpy(), b.numpy()) == (2.0, 10.0)


# ---- DCE ---------------------------------------------------------------------------------

def test_dce_removes_dead_pure_nodes_and_unused_captures():
    def f(x):
        ag.exp(x) * 3.0          # dead
        return x + 1.0

    g = dce.run(_graph(f, S))
    assert _ops(g) == ["Add"]
    assert _consts(g) == [1.0]


def test_dce_keeps_assignments_and_prints_whose_results_are_unused():
    v = ag.Variable(1.0)

    def f(x):
        v.assign_add(x)
        ag.print("x is", x)
        return ag.constant(0.0)

    g = dce.run(_graph(f, S))
    assert _ops(g) == ["ReadVariable", "Add", "AssignVariable", "PrintV2"]


def test_dce_keeps_a_cond_with_a_print_inside():
    def f(x):
        def loud():
            ag.print("positive")
            return x
        ag.cond(x > 0.0, loud, lambda: x)
        return x * 2.0

    assert "If" in _ops(dce.run(_graph(f, S)))


# ---- the pipeline ------------------------------------------------------------------------

def test_optimized_graph_is_smaller_and_keeps_stateful_order():
    v = ag.Variable(0.0)

    def f(x):
        y = x * 1.0 + 0.0
        v.assign(y * (ag.constant(2.0) + 1.0))
        ag.print(v)
        unused = ag.exp(y) + ag.exp(y)  # noqa: F841
        v.assign_add(ag.random.uniform([]))
        return ag.exp(y) + ag.exp(y)

    cf = ag.function(f).get_concrete_function(S)
    verify(cf.optimized_graph)
    stateful = [n for n in _ops(cf.optimized_graph)
                if n in ("AssignVariable", "PrintV2", "ReadVariable", "RandomUniform")]
    assert stateful == [n for n in _ops(cf.graph)
                        if n in ("AssignVariable", "PrintV2", "ReadVariable", "RandomUniform")]
    assert cf.optimized_graph.op_counts()["Exp"] == 1
    assert len(cf.optimized_graph.nodes) < len(cf.graph.nodes)


_PURE = [
    lambda x: x * 1.0 + 0.0 * x,
    lambda x: ag.exp(x) * ag.exp(x) - ag.constant(2.0) * ag.constant(3.0),
    lambda x: ag.reduce_sum(x * ag.constant([1.0, 2.0, 3.0]) / 1.0) + ag.reduce_sum(x),
    lambda x: ag.cond(ag.reduce_sum(x) > 0.0, lambda: x * 1.0, lambda: ag.identity(-x)),
    lambda x: ag.while_loop(lambda y: ag.reduce_sum(y) < 100.0, lambda y: y * 2.0 + 1.0, x),
]


@pytest.mark.parametrize("k", range(len(_PURE)))
def test_optimized_graph_computes_what_the_traced_graph_does(k):
    cf = ag.function(_PURE[k]).get_concrete_function(V3)
    x = np.array([0.5, -1.0, 2.0], np.float32)
    (want,) = run_graph(cf.graph, [x])
    (got,) = run_graph(cf.optimized_graph, [x])
    np.testing.assert_allclose(got, want, rtol=1e-6)
    np.testing.assert_allclose(cf(ag.constant(x)).numpy(), want, rtol=1e-6)


# ---- random expressions: optimized graph vs eager -----------------------------------------

from hypothesis import given, strategies as st  # noqa: E402

_LEAVES = st.sampled_from(["x", "0", "1", "2", "half"])
_UNARY = st.sampled_from(["exp", "neg", "identity", "square"])
_BINARY = st.sampled_from(["add", "sub", "mul", "div"])
_EXPR = st.recursive(_LEAVES, lambda inner: st.one_of(
    st.tuples(_UNARY, inner), st.tuples(_BINARY, inner, inner)), max_leaves=12)


def _evaluate(expr, x):
    """Build ``expr`` with ops; equal sub-expressions are built twice (food for CSE)."""
    if isinstance(expr, str):
        return {"x": x, "0": ag.constant(0.0), "1": ag.constant(1.0), "2": ag.constant(2.0),
                "half": ag.constant(0.5)}[expr]
    args = [_evaluate(e, x) for e in expr[1:]]
    op = expr[0]
    if op == "exp":
        return ag.exp(ag.clip_by_value(args[0], -5.0, 5.0))
    if op == "neg":
        return -args[0]
    if op == "identity":
        return ag.identity(args[0])
    if op == "square":
        return args[0] * args[0]
    a, b = args
    if op == "add":
        return a + b
    if op == "sub":
        return a - b
    if op == "mul":
        return a * b
    return a / (ag.abs(b) + 1.0)


@given(_EXPR)
def test_random_expressions_optimize_to_the_same_values(expr):
    def f(x):
        return _evaluate(expr, x) + x * 0.0   # always depends on x, shape [3]

    x = ag.constant(np.array([0.5, -1.0, 2.0], np.float32))
    eager = f(x)
    cf = ag.function(f).get_concrete_function(V3)
    verify(cf.optimized_graph)
    got = cf(x)
    assert got.shape == eager.shape and got.dtype == eager.dtype
    np.testing.assert_allclose(got.numpy(), eager.numpy(), rtol=1e-5, atol=1e-6)
