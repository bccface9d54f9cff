"""Which control-flow nodes the interpreter inlines (``_plain``): decided once per sub-graph,
at every nesting level, and the walked first run agrees with the generated function."""
import numpy as np

import ops.control_flow  # noqa: F401  (registers If and While)
from ops.declare import defop
from runtime import registry
from runtime.dtypes import bool_, float32
from runtime.graph import Graph
from runtime.interpreter import Plan, _plain, run_graph
from runtime.registry import Spec


def _opaque_kernel(xp, x, body):
    return run_graph(body, [x])[0]


# A node owning a sub-graph that is neither While nor If: never inlined.
OPAQUE = registry.OPS.get("TestPlainOpaque") or defop(
    "TestPlainOpaque", _opaque_kernel, lambda x, body: x)


def _neg_graph(parent):
    g = Graph("neg", parent)
    x = g.add_input(float32, ())
    g.outputs = [g.add_node(registry.get("Neg"), [x], {}, [Spec(float32, ())]).outputs[0]]
    return g


def _branch(parent, name, source, opaque: bool):
    """A branch returning -c (through an opaque node when ``opaque``) for its capture c of
    ``source``, a value of ``parent``."""
    g = Graph(name, parent)
    c = g.add_capture(source, float32, ())
    if opaque:
        op, attrs = OPAQUE, {"body": _neg_graph(g)}
    else:
        op, attrs = registry.get("Neg"), {}
    g.outputs = [g.add_node(op, [c], attrs, [Spec(float32, ())]).outputs[0]]
    return g


def _nested_if(opaque: bool):
    """f(p, x) = if p: (if p: -x else: -x) else: -x, the inner then-branch maybe opaque."""
    f = Graph("f")
    p, x = f.add_input(bool_, ()), f.add_input(float32, ())
    outer_then = Graph("outer_then", f)
    p_in, x_in = outer_then.add_capture(p, bool_, ()), outer_then.add_capture(x, float32, ())
    inner = {"then_branch": _branch(outer_then, "inner_then", x_in, opaque),
             "else_branch": _branch(outer_then, "inner_else", x_in, False),
             "then_idx": (0,), "else_idx": (0,)}
    outer_then.outputs = [outer_then.add_node(registry.get("If"), [p_in, x_in], inner,
                                              [Spec(float32, ())]).outputs[0]]
    outer = {"then_branch": outer_then, "else_branch": _branch(f, "outer_else", x, False),
             "then_idx": (0, 1), "else_idx": (1,)}
    node = f.add_node(registry.get("If"), [p, x, x], outer, [Spec(float32, ())])
    f.outputs = list(node.outputs)
    return f, node


def test_a_node_is_plain_only_if_every_level_below_it_is():
    plain_f, plain_node = _nested_if(opaque=False)
    opaque_f, opaque_node = _nested_if(opaque=True)
    assert _plain(plain_node)
    assert not _plain(opaque_node)
    inner = opaque_node.attrs["then_branch"].nodes[0]
    assert not _plain(inner)
    # decided once per sub-graph and kept on it
    assert opaque_node.attrs["then_branch"]._plain is False
    assert inner.attrs["then_branch"]._plain is False
    plain_inner = plain_node.attrs["then_branch"].nodes[0]
    assert plain_inner.attrs["then_branch"]._plain is True
    assert plain_inner.attrs["else_branch"]._plain is True


def test_walked_and_generated_runs_agree_with_and_without_inlining():
    for opaque in (False, True):
        f, _ = _nested_if(opaque)
        plan = Plan(f)
        for p in (True, False, True):
            args = [np.bool_(p), np.float32(2.5)]
            assert plan.run(args) == [np.float32(-2.5)]
        assert plan._normal is not None
