"""assert: Python's with Python values; a graph assertion, checked on every call, with
tensors. A failing staged assert raises an error that is both AssertionError and
ag.errors.InvalidArgumentError."""
import pytest

import autograph as ag

from .support import check, converted, t


def positive(x):
    assert x > 0, "x must be positive"
    return x * 2


def test_python_assert():
    check(positive, 3)
    check(positive, -3, expect_error=AssertionError)


def test_staged_assert_checks_every_call():
    f = converted(positive)
    assert float(f(t(3.0))) == 6.0
    with pytest.raises(AssertionError, match="x must be positive"):
        f(t(-3.0))
    with pytest.raises(ag.errors.InvalidArgumentError):
        f(t(-1.0))


def test_staged_assert_matches_python():
    check(positive, t(2.0))
    check(positive, t(-2.0), expect_error=AssertionError)


def no_message(x):
    assert x < 10
    return x


def test_assert_without_message():
    check(no_message, t(1))
    check(no_message, t(11), expect_error=AssertionError)


def test_message_built_only_on_failure():
    calls = []

    def message():
        calls.append(1)
        return "bad"

    def f(x):
        assert x > 0, message()
        return x
    converted(f)(5)
    assert calls == []
