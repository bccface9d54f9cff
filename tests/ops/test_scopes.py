"""ag.name_scope: TF2 scope strings, nesting, absolute scopes, and variable names."""
import pytest

import autograph as ag
from ops.context import state


def test_enter_returns_the_scope_with_a_trailing_slash():
    with ag.name_scope("layer1") as scope:
        assert scope == "layer1/"
        assert state.name_scopes == ["layer1"]
    assert state.name_scopes == []


def test_nested_scopes_join_with_slashes():
    with ag.name_scope("outer") as outer:
        with ag.name_scope("inner") as inner:
            assert inner == "outer/inner/"
        with ag.name_scope("other") as other:
            assert other == "outer/other/"
        assert outer == "outer/"


def test_variables_are_named_under_the_scope():
    with ag.name_scope("dense"):
        kernel = ag.Variable([[1.0]], name="kernel")
        with ag.name_scope("bias_block"):
            bias = ag.Variable([0.0], name="bias")
        unnamed = ag.Variable(1.0)
    assert kernel.name == "dense/kernel:0"
    assert bias.name == "dense/bias_block/bias:0"
    assert unnamed.name == "dense/Variable:0"
    assert ag.Variable(1.0, name="free").name == "free:0"


def test_trailing_slash_is_absolute_and_empty_name_is_the_root():
    with ag.name_scope("outer"):
        with ag.name_scope("abs/path/") as scope:
            assert scope == "abs/path/"
            assert ag.Variable(1.0, name="v").name == "abs/path/v:0"
        with ag.name_scope("") as root:
            assert root == ""
            assert ag.Variable(1.0, name="w").name == "w:0"
        assert state.name_scopes == ["outer"]


def test_scope_is_left_on_errors():
    with pytest.raises(RuntimeError):
        with ag.name_scope("failing"):
            raise RuntimeError("boom")
    assert state.name_scopes == []


def test_name_must_be_a_string_and_a_scope_is_entered_once():
    with pytest.raises(ValueError, match="must be a string"):
        ag.name_scope(3)
    scope = ag.name_scope("once")
    assert scope.name == "once"
    with scope:
        with pytest.raises(RuntimeError, match="already entered"):
            scope.__enter__()
