"""Ternaries: only the chosen side runs; a tensor condition builds a cond."""
import pytest

from .support import check, converted, op_names, t


def absolute(x):
    return x if x >= 0 else -x


@pytest.mark.parametrize("x", [3.0, -3.0, 0.0])
def test_ternary(x):
    check(absolute, x)
    check(absolute, t(x))


def test_tensor_ternary_is_a_cond():
    assert "If" in op_names(converted(absolute).get_concrete_function(t(1.0)).graph)


def nested(x):
    return "big" if x > 10 else ("small" if x < 0 else "medium")


@pytest.mark.parametrize("x", [11, -1, 5])
def test_nested_ternary_with_python_values(x):
    check(nested, x)


def test_only_the_chosen_side_runs():
    log = []

    def left():
        log.append("left")
        return 1

    def right():
        log.append("right")
        return 2

    def f(c):
        return left() if c else right()
    converted(f)(True)
    assert log == ["left"]


def in_lambda(x):
    pick = lambda v: v * 2 if v > 0 else v  # noqa: E731
    return pick(x)


@pytest.mark.parametrize("x", [2.0, -2.0])
def test_ternary_inside_lambda(x):
    check(in_lambda, t(x))


def test_tensor_ternary_returning_none_is_refused():
    def f(x):
        return x if x > 0 else None
    err = check(f, t(1.0), expect_error=None) if False else None
    import pytest as _pytest
    with _pytest.raises(TypeError, match="None"):
        converted(f)(t(1.0))
    del err
