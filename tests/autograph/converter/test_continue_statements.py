"""continue: Python values and tensors."""
import pytest

import autograph as ag
from autograph.converter import public

from .support import check, t


def odd_sum(n):
    s = 0
    for i in ag.range(n):
        if i % 2 == 0:
            continue
        s += i
    return s


@pytest.mark.parametrize("n", [0, 1, 7])
def test_continue_in_for(n):
    check(odd_sum, t(n))
    check(odd_sum, n)


def python_continue(xs):
    out = []
    for x in xs:
        if x < 0:
            continue
        out.append(x * 2)
    return out


def test_continue_over_python_list():
    check(python_continue, [1, -2, 3])


def while_continue(n):
    i = 0
    s = 0
    while i < n:
        i += 1
        if i == 2:
            continue
        if i == 5:
            continue
        s = s + i
    return s


@pytest.mark.parametrize("n", [0, 3, 8])
def test_continue_in_while(n):
    check(while_continue, n)
    check(while_continue, t(n))


def continue_and_break(n):
    s = 0
    for i in ag.range(n):
        if i == 1:
            continue
        if i == 4:
            break
        s += i
    return s


@pytest.mark.parametrize("n", [0, 3, 9])
def test_continue_and_break_together(n):
    check(continue_and_break, t(n))


def test_the_flag_is_not_a_loop_variable():
    code = public.to_code(odd_sum)
    loop_names = [line for line in code.splitlines() if "ag__.for_stmt" in line][0]
    assert "continue_" not in loop_names


def skip_and_stop(n):
    s = 0
    i = 0
    while i < n:
        i += 1
        if i == 2:
            continue
        elif i == 5:
            break
        s += i       # after both jumps: one guard checks both flags
    return s


@pytest.mark.parametrize("n", [0, 3, 9])
def test_the_guards_of_two_jumps_merge(n):
    check(skip_and_stop, n)
    check(skip_and_stop, t(n))
    code = public.to_code(skip_and_stop)
    assert "if not" not in code and code.count("ag__.any_set(continue_, break_)") == 1
