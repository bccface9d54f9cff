"""Qualified names: plain names, attributes and literal subscripts."""
import gast
import pytest

from autograph.converter.analysis.qual_names import QN, from_node


def expr(text):
    return gast.parse(text).body[0].value


@pytest.mark.parametrize("text,qn,root,composite", [
    ("x", "x", "x", False),
    ("a.b", "a.b", "a", True),
    ("a.b.c", "a.b.c", "a", True),
    ("d['k']", "d['k']", "d", True),
    ("l[0]", "l[0]", "l", True),
    ("self.items['w'].v", "self.items['w'].v", "self", True),
])
def test_qualified_names(text, qn, root, composite):
    q = from_node(expr(text))
    assert q == qn and q.root == root and q.is_composite == composite


@pytest.mark.parametrize("text", ["f(x)", "d[k]", "l[i + 1]", "(a + b).c", "x[1:2]"])
def test_not_qualified_names(text):
    assert from_node(expr(text)) is None


def test_qn_is_hashable_and_round_trips_to_ast():
    q = from_node(expr("d['k'].v"))
    assert {q: 1}[QN("d['k'].v")] == 1
    assert gast.unparse(q.to_node()).strip() == "d['k'].v"
    assert isinstance(q.to_node(gast.Store).ctx, gast.Store)
