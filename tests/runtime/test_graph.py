"""The graph IR: text printer (golden), DOT export, verify()."""
import re
import textwrap

import pytest

import autograph as ag
from runtime import registry
from runtime.dtypes import float32, int32
from runtime.graph import Graph, GraphError, to_dot, to_text, type_str, verify
from runtime.registry import Spec


def _mul_graph():
    """x * y on two [None, 3] inputs, built by hand."""
    g = Graph("f")
    x = g.add_input(float32, (None, 3), "x")
    y = g.add_input(float32, (None, 3), "y")
    node = g.add_node(registry.get("Mul"), [x, y], {}, [Spec(float32, (None, 3))])
    g.outputs = [node.outputs[0]]
    return g


def test_type_str_spells_unknown_dims_as_none():
    assert type_str(float32, (None, 3)) == "f32[None, 3]"
    assert type_str(int32, ()) == "i32[]"


def test_text_of_a_hand_built_graph_is_one_line_per_node():
    assert to_text(_mul_graph()) == textwrap.dedent("""\
        graph f(%0: f32[None, 3], %1: f32[None, 3]) {
          %2 = Mul(%0, %1) : f32[None, 3]
          return %2
        }""")


def test_str_of_graph_is_its_text():
    g = _mul_graph()
    assert str(g) == to_text(g)
    assert repr(g) == "<Graph f: 1 nodes>"


def test_text_of_a_traced_function_shows_captures_and_attrs():
    def f(x, y):
        return ag.reduce_sum(x * y, axis=1) + 1.0

    cf = ag.function(f).get_concrete_function(ag.TensorSpec([None, 3]), ag.TensorSpec([None, 3]))
    assert str(cf.graph) == textwrap.dedent("""\
        graph f(%0: f32[None, 3], %1: f32[None, 3]) {
          %4 = capture const 1.0 : f32[]
          %2 = Mul(%0, %1) : f32[None, 3]
          %3 = Sum{axis=(1,), keepdims=False}(%2) : f32[None]
          %5 = Add(%3, %4) : f32[None]
          return %5
        }""")


def test_text_indents_the_branches_of_a_cond():
    def g(x):
        return ag.cond(x > 0.0, lambda: x * 2.0, lambda: -x)

    cf = ag.function(g).get_concrete_function(ag.TensorSpec([]))
    assert str(cf.graph) == textwrap.dedent("""\
        graph g(%0: f32[]) {
          %1 = capture const 0.0 : f32[]
          %2 = Greater(%0, %1) : bool[]
          %8 = If{then_idx=(0,), else_idx=(0,)}(%2, %0) : f32[]
            then_branch:
              graph cond_true() {
                %3 = capture outer %0 : f32[]
                %4 = capture const 2.0 : f32[]
                %5 = Mul(%3, %4) : f32[]
                return %5
              }
            else_branch:
              graph cond_false() {
                %6 = capture outer %0 : f32[]
                %7 = Neg(%6) : f32[]
                return %7
              }
          return %8
        }""")


def test_text_names_captured_variables_and_shows_nodes_without_outputs():
    v = ag.Variable(1.0, name="counter")

    @ag.function
    def bump():
        v.assign_add(1.0)
        return v.read_value()

    text = str(bump.get_concrete_function().graph)
    assert "capture variable 'counter:0' : f32[]" in text
    assert re.search(r"^  AssignVariable\(%\d+, %\d+\)$", text, re.M)


def test_op_counts():
    def f(x):
        return ag.exp(x) * ag.exp(x) + x

    g = ag.function(f).get_concrete_function(ag.TensorSpec([2])).graph
    assert g.op_counts() == {"Exp": 2, "Mul": 1, "Add": 1}


# ---- DOT ---------------------------------------------------------------------------------

_STATEMENT = re.compile(r'^  (?:(?P<node>[vno]\w*) \[(?P<attrs>.*)\]'
                        r'|(?P<src>[vn]\w*) -> (?P<dst>[no]\w*)(?: \[(?P<eattrs>.*)\])?);$')


def _check_dot(text):
    """A small DOT well-formedness check: header, balanced quotes, every edge between
    declared nodes. Returns (nodes, edges)."""
    lines = text.splitlines()
    assert re.fullmatch(r'digraph "[^"]*" \{', lines[0])
    assert lines[-1] == "}"
    assert lines[1].startswith("  node [")
    nodes, edges = set(), []
    for line in lines[2:-1]:
        m = _STATEMENT.match(line)
        assert m, f"not a DOT statement: {line!r}"
        attrs = m.group("attrs") or m.group("eattrs") or ""
        assert attrs.count('"') % 2 == 0, f"unbalanced quotes: {line!r}"
        if m.group("node"):
            nodes.add(m.group("node"))
        else:
            assert m.group("src") in nodes, f"edge from undeclared {m.group('src')}"
            assert m.group("dst") in nodes, f"edge to undeclared {m.group('dst')}"
            edges.append((m.group("src"), m.group("dst")))
    return nodes, edges


def test_dot_of_a_hand_built_graph_has_one_edge_per_use():
    nodes, edges = _check_dot(to_dot(_mul_graph()))
    assert nodes == {"v0", "v1", "n0", "out0"}
    assert sorted(edges) == [("n0", "out0"), ("v0", "n0"), ("v1", "n0")]


def test_dot_of_a_traced_graph_with_string_attrs_is_well_formed():
    @ag.function
    def f(x):
        ag.print("value:", x, output_stream="stderr")
        return ag.cond(x > 0.0, lambda: x, lambda: -x) * 2.0

    g = f.get_concrete_function(ag.TensorSpec([])).graph
    text = g.to_dot()
    nodes, edges = _check_dot(text)
    assert sum(n.startswith("n") for n in nodes) == len(g.nodes)
    assert "PrintV2" in text and "If" in text


# ---- verify ------------------------------------------------------------------------------

def test_verify_accepts_traced_graphs():
    def f(x):
        return ag.while_loop(lambda i: i < 10.0, lambda i: i * 2.0, x)

    cf = ag.function(f).get_concrete_function(ag.TensorSpec([]))
    verify(cf.graph)
    verify(cf.optimized_graph)


def test_verify_catches_a_use_before_def():
    g = _mul_graph()
    x = g.inputs[0]
    # A node using the Mul's output is moved in front of the Mul.
    neg = g.add_node(registry.get("Neg"), [g.nodes[0].outputs[0]], {}, [Spec(float32, (None, 3))])
    g.nodes = [neg, g.nodes[0]]
    with pytest.raises(GraphError, match=r"Neg at .* uses %2 before it is defined"):
        verify(g)
    del x


def test_verify_catches_an_undefined_output():
    g = _mul_graph()
    g.outputs = [g.add_node(registry.get("Neg"), [g.inputs[0]], {},
                            [Spec(float32, (None, 3))]).outputs[0]]
    g.nodes.pop()
    with pytest.raises(GraphError, match="graph output %3 is never defined"):
        verify(g)


def test_verify_rejects_a_value_of_another_graph():
    g = _mul_graph()
    other = Graph("other")
    foreign = other.add_input(float32, (None, 3))     # id 0, like g's first input
    g.outputs = [foreign]
    with pytest.raises(GraphError):
        verify(g)


def test_verify_catches_an_output_spec_that_infer_disagrees_with():
    g = Graph("f")
    x = g.add_input(float32, (3,))
    node = g.add_node(registry.get("Neg"), [x], {}, [Spec(int32, (3,))])
    g.outputs = node.outputs
    with pytest.raises(GraphError, match="i32\\[3\\] but infer gives f32\\[3\\]"):
        verify(g)
