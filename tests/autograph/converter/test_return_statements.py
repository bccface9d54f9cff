"""return anywhere: in branches, loops (also when they run zero times), with and try/finally."""
import contextlib

import pytest

import autograph as ag
from autograph.converter import public

from .support import check, converted, t


def early(x):
    if x > 0:
        return x * 2
    y = x - 1
    return y


@pytest.mark.parametrize("x", [3.0, -3.0])
def test_early_return(x):
    check(early, x)
    check(early, t(x))


def elif_returns(x):
    if x > 10:
        return 3
    elif x > 5:
        return 2
    elif x > 0:
        return 1
    return 0


@pytest.mark.parametrize("x", [11, 6, 1, -1])
def test_returns_in_elif_chain(x):
    check(elif_returns, x)
    check(elif_returns, t(x))


def find(xs, target):
    for i, x in enumerate(xs):
        if x == target:
            return i
    return -1


@pytest.mark.parametrize("target", [3, 9])
def test_return_inside_for(target):
    check(find, [1, 2, 3], target)
    check(find, t([1, 2, 3]), t(target))


def test_return_inside_a_loop_that_runs_zero_times():
    check(find, t([], ag.int32), t(3))


def first_square_over(n, limit):
    i = 0
    while i < n:
        if i * i > limit:
            return i
        i += 1
    return -1


@pytest.mark.parametrize("n,limit", [(0, 5), (10, 5), (3, 50)])
def test_return_inside_while(n, limit):
    check(first_square_over, n, limit)
    check(first_square_over, t(n), t(limit))


def nested_loop_return(n):
    for i in ag.range(n):
        for j in ag.range(n):
            if i * j == 6:
                return i * 10 + j
    return -1


@pytest.mark.parametrize("n", [0, 3, 5])
def test_return_from_nested_loops(n):
    check(nested_loop_return, t(n))


class Log:
    def __init__(self):
        self.entries = []

    def add(self, entry):
        self.entries.append(entry)


def in_with(x, log):
    with contextlib.nullcontext():
        if x > 0:
            return x
        log.add("inside")
    log.add("after")
    return -x


@pytest.mark.parametrize("x", [1.0, -1.0])
def test_return_inside_with(x):
    native, conv = Log(), Log()
    assert float(in_with(x, native)) == float(converted(in_with)(x, conv))
    assert native.entries == conv.entries
    check(in_with, t(x), Log(), stdout=False)


def in_try_finally(x, log):
    try:
        if x > 0:
            return x + 1
        log.add("body")
    finally:
        log.add("finally")
    return x - 1


@pytest.mark.parametrize("x", [1, -1])
def test_return_inside_try_finally(x):
    native, conv = Log(), Log()
    assert int(in_try_finally(x, native)) == int(converted(in_try_finally)(x, conv))
    assert native.entries == conv.entries


def no_return_value(x):
    if x > 0:
        x = x + 1
        return
    print("negative")


def test_bare_return_with_python_values():
    check(no_return_value, 1)
    check(no_return_value, -1)


def test_code_of_a_function_without_nested_returns_is_untouched():
    def f(x):
        y = x + 1
        return y
    assert "retval_" not in public.to_code(f)
