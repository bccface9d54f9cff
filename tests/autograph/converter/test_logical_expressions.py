"""and/or/not and comparison chains: lazy and single-evaluation, as in Python."""
import pytest

import autograph as ag

from .support import check, converted, op_names, t


def both(x, y):
    return x > 0 and y > 0


def either(x, y):
    return x > 0 or y > 0


def negate(x):
    return not x > 0


@pytest.mark.parametrize("x,y", [(1, 1), (1, -1), (-1, 1), (-1, -1)])
def test_and_or_not(x, y):
    for f in (both, either):
        check(f, x, y)
        check(f, t(x), t(y))
        check(f, x, t(y))
        check(f, t(x), y)
    check(negate, t(x))
    check(negate, x)


def guarded_index(xs, i):
    return i < 3 and xs[i] > 0


def test_right_operand_is_lazy_in_the_graph_too():
    xs = t([1, -1, 2])
    # i = 5 would index out of range: the right side must not run
    check(guarded_index, xs, t(5))
    check(guarded_index, xs, t(0))
    assert "If" in op_names(converted(guarded_index).get_concrete_function(xs, t(0)).graph)


def python_values(a, b):
    return a or b, a and b, not a


@pytest.mark.parametrize("a,b", [(0, 3), (2, 3), ([], "x"), ("", 0)])
def test_python_semantics_return_operands(a, b):
    check(python_values, a, b)


def chain(x):
    return 0 < x <= 10


@pytest.mark.parametrize("x", [-1, 0, 5, 10, 11])
def test_comparison_chain(x):
    check(chain, x)
    check(chain, t(x))


def test_chain_evaluates_each_operand_once():
    calls = []

    def middle(v):
        calls.append(v)
        return v

    def f(x):
        return 0 < middle(x) < 10
    converted(f)(t(3))
    assert len(calls) == 1


def test_chain_stops_early_like_python():
    calls = []

    def last():
        calls.append(1)
        return 10

    def f(x):
        return 5 < x < last()
    assert converted(f)(1) is False or not bool(converted(f)(1))
    assert calls == []


def test_not_of_a_number_tensor_follows_python_truth():
    def f(x):
        return not x
    check(f, t(0.0))
    check(f, t(2.0))


def test_or_with_tensor_left_and_python_right():
    def f(x):
        return x > 0 or True
    check(f, t(-1))


def test_and_with_ag_function_and_print():
    def f(x):
        if x > 0 and ag.reduce_sum(x) < 10:
            x = x + 1
        return x
    check(f, t(1))
    check(f, t(20))
