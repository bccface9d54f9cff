"""break (and loop else blocks, which TensorFlow refuses): Python values and tensors."""
import pytest

import autograph as ag
from autograph.converter import public

from .support import check, t


def first_over(xs, limit):
    found = -1.0
    for x in xs:
        if x > limit:
            found = x
            break
    return found


@pytest.mark.parametrize("limit", [0.5, 2.5, 10.0])
def test_break_in_for(limit):
    check(first_over, [1.0, 2.0, 3.0], limit)
    check(first_over, t([1.0, 2.0, 3.0]), t(limit))


def while_break(n):
    i = 0
    s = 0
    while i < n:
        i += 1
        if i * i > 20:
            break
        s += i
    return s, i


@pytest.mark.parametrize("n", [0, 3, 10])
def test_break_in_while(n):
    check(while_break, n)
    check(while_break, t(n))


def for_else(xs, target):
    for x in xs:
        if x == target:
            result = 1
            break
    else:
        result = 0
    return result


@pytest.mark.parametrize("target", [2, 7])
def test_for_else_runs_when_not_broken(target):
    check(for_else, [1, 2, 3], target)
    check(for_else, t([1, 2, 3]), t(target))


def while_else(n):
    i = 0
    while i < n:
        i += 1
        if i == 4:
            break
    else:
        i = -i
    return i


@pytest.mark.parametrize("n", [0, 2, 6])
def test_while_else(n):
    check(while_else, n)
    check(while_else, t(n))


def else_without_break(xs):
    s = 0
    for x in xs:
        s += x
    else:
        s = s * 10
    return s


def test_else_without_break_follows_the_loop():
    check(else_without_break, [1, 2])
    check(else_without_break, t([1, 2]))


def nested_break(n):
    count = 0
    for i in ag.range(n):
        for j in ag.range(n):
            if j > i:
                break
            count += 1
    return count


@pytest.mark.parametrize("n", [0, 1, 4])
def test_break_only_leaves_the_inner_loop(n):
    check(nested_break, t(n))


def test_generated_code_uses_a_flag():
    code = public.to_code(first_over)
    assert "break_ = True" in code
    assert "extra_test" in code
