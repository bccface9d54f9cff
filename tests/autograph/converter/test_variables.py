"""Loads of variables that may be unbound go through ag__.ld and fail as Python does."""
import pytest

import autograph as ag
from autograph.converter import public

from .support import check, check_eager, t


def maybe(flag):
    if flag:
        value = 1
    return value


def test_unbound_after_a_python_if_raises_like_python():
    check_eager(maybe, True)
    check_eager(maybe, False)
    check(maybe, False, expect_error=UnboundLocalError)


def test_only_maybe_unbound_loads_are_wrapped():
    code = public.to_code(maybe)
    assert "ag__.ld(value)" in code
    assert "ag__.ld(flag)" not in code


def loop_defined(xs):
    for x in xs:
        last = x
    return last


def test_unbound_after_empty_python_loop():
    check_eager(loop_defined, [1, 2])
    check_eager(loop_defined, [])


def test_staged_loop_placeholder_is_checked_where_read():
    def f(n, use):
        for i in ag.range(n):
            last = i
        if use > 0:           # read only on this path: zero iterations is fine elsewhere
            return last
        return -1
    g = public.convert(f)
    h = ag.function(g)
    assert int(h(t(0), t(0))) == -1
    assert int(h(t(3), t(1))) == 2
    with pytest.raises(UnboundLocalError, match="'last'"):
        h(t(0), t(1))


def test_maybe_defined_variable_keeps_its_value_across_statements():
    def f(x, flag):
        if flag:
            y = 1
        if x > 0:            # a tensor if: y must be defined on both paths...
            y = 2
        else:
            y = 3
        return y
    check(f, t(1), True)
    check(f, t(-1), False)


def test_globals():
    check_eager(_bump, 1)
    before = _STATE["calls"]
    public.convert(_bump_counter)(1)
    assert _COUNTER == 1 and _STATE["calls"] == before


_STATE = {"calls": 0}
_COUNTER = 0


def _bump(x):
    _STATE["calls"] += 1
    return x


def _bump_counter(x):
    global _COUNTER
    _COUNTER += 1
    if x > 0:
        y = x
    else:
        y = -x
    return y


def test_global_changed_by_a_tensor_if_is_refused():
    def f(x):
        global _COUNTER
        if x > 0:
            _COUNTER = 5
        return x
    with pytest.raises(ValueError, match="'_COUNTER' is declared global"):
        ag.function(f)(t(1.0))
