"""The fusion pass's structure: what becomes one kernel, and the reasons for what does not."""
import re

import numpy as np
import pytest

import autograph as ag
from runtime import fusion
from runtime.graph import verify

from tests.runtime.fusion.helpers import check, compile_c, kernels, traced

X = np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4)
ROW = np.linspace(0, 1, 4, dtype=np.float32)


def sub_ops(node) -> list:
    return [n.op.name for n in node.attrs["graph"].nodes]


def test_chain_with_broadcasting_is_one_fused_node():
    fused = check(lambda x, a, b: ag.tanh(x * a + b) * ag.sigmoid(x) + x * x,
                  X, np.float32(0.5), ROW, rtol=1e-6)
    [node] = fused.nodes
    assert node.op.name == "Fused"
    assert sub_ops(node) == ["Mul", "Add", "Tanh", "Sigmoid", "Mul", "Mul", "Add"]
    assert re.fullmatch(r"fused_mul_add_tanh_sigmoid_[0-9a-f]{4}", node.attrs["name"])
    verify(fused)


def test_printer_shows_the_fused_sub_graph():
    fused = check(lambda x: ag.exp(x) * 2.0 - x, X, rtol=1e-6)
    text = str(fused)
    assert "Fused{name='fused_exp_mul_sub_" in text
    assert "capture const 2.0 : f32[]" in text      # scalar constants live in the kernel
    assert re.search(r"Exp\(%\d+\) : f32\[3, 4\]", text)


def test_matmul_breaks_groups_and_says_why():
    w = np.eye(4, dtype=np.float32)
    fused = check(lambda x, w: ag.matmul(ag.exp(x) + 1.0, w) * 2.0 + 1.0, X, w, rtol=1e-6)
    assert [n.op.name for n in fused.nodes] == ["Fused", "MatMul", "Fused"]
    assert any("MatMul is opaque (no C expression)" in note for note in fusion.explain(fused))


def test_stateful_ops_stay_outside_and_keep_their_order():
    def fn(x):
        a = ag.exp(x) * 2.0
        r = ag.random.uniform([3, 4])
        return a + r, ag.sqrt(ag.abs(a)) + 1.0

    graph = traced(fn, X)
    fused = compile_c(graph)
    names = [n.op.name for n in fused.nodes]
    assert "Fused" in names
    stateful = [n.op.name for n in fused.nodes if n.op.stateful]
    assert stateful == [n.op.name for n in graph.nodes if n.op.stateful]
    assert any("stateful" in note for note in fusion.explain(fused))
    verify(fused)


def test_single_elementwise_op_is_not_a_kernel():
    fused = check(lambda x: x * 2.0, X)
    assert kernels(fused) == []
    assert any("nothing to fuse" in note for note in fusion.explain(fused))


def test_reduction_takes_its_producers_and_epilogue():
    fused = check(lambda x: ag.sqrt(ag.reduce_sum(ag.square(x - 1.0), axis=1)) + 1.0, X,
                  rtol=1e-6)
    [node] = kernels(fused)
    assert sub_ops(node) == ["Sub", "Square", "Sum", "Sqrt", "Add"]


def test_variance_is_two_kernels_mean_then_the_centred_sum():
    fused = check(lambda x: ag.reduce_sum((x - ag.reduce_mean(x)) ** 2), X, rtol=1e-6)
    assert [sub_ops(n) for n in fused.nodes] == [["Mean"], ["Sub", "Square", "Sum"]]
    assert any("is not the reduction's result shape" in note for note in fusion.explain(fused))


def test_producer_used_elsewhere_is_not_folded_into_the_reduction():
    fused = check(lambda x: (ag.reduce_max(ag.exp(x) * 2.0), ag.exp(x) * 2.0 + 1.0), X,
                  rtol=1e-6)
    assert any("also used outside the reduction" in note for note in fusion.explain(fused))
    assert sorted(sub_ops(n)[-1] for n in kernels(fused)) == ["Add", "Max"]


def test_reductions_over_several_axes_are_refused_with_a_reason():
    x3 = np.ones((2, 3, 4), np.float32)
    fused = check(lambda x: ag.reduce_sum(x * 2.0 + 1.0, axis=[1, 2]), x3)
    assert any("only all axes or one axis fuse" in note for note in fusion.explain(fused))


def test_views_and_broadcasts_never_become_kernels():
    fused = check(lambda x: ag.reshape(ag.exp(x) + 1.0, [4, 3]) * 2.0 - 1.0, X, rtol=1e-6)
    assert [n.op.name for n in fused.nodes] == ["Fused", "Reshape", "Fused"]
    assert any("Reshape is a view" in note for note in fusion.explain(fused))


def test_groups_merge_when_a_node_reads_two_of_them():
    fused = check(lambda x, y: (ag.exp(x) * 2.0) + (ag.log1p(ag.abs(y)) - 1.0), X, X,
                  rtol=1e-6)
    [node] = kernels(fused)
    assert sorted(sub_ops(node)) == sorted(["Exp", "Mul", "Abs", "Log1p", "Sub", "Add"])


def test_no_cycle_through_an_opaque_node():
    # exp(x) feeds the matmul and the final add; the add also reads the matmul. Putting the
    # add into exp's kernel would make that kernel wait for itself.
    w = np.eye(4, dtype=np.float32)

    def fn(x, w):
        e = ag.exp(x) * 2.0
        return e + ag.matmul(e, w) * 3.0

    fused = check(fn, X, w, rtol=1e-6)
    verify(fused)
    assert [n.op.name for n in fused.nodes] == ["Fused", "MatMul", "Fused"]


def test_complex_values_stay_in_the_interpreter():
    z = (X + 1j * X).astype(np.complex64)
    fused = check(lambda z: ag.exp(z) * z + z, z)
    assert kernels(fused) == []
    assert any("complex64" in note for note in fusion.explain(fused))


def test_compile_graph_rejects_unknown_targets():
    with pytest.raises(ValueError, match="use one of"):
        fusion.compile_graph(traced(lambda x: x + 1.0, X), "metal")
