"""Calls: user functions are converted recursively (methods, callable objects, lambdas,
closures, partials); builtins get tensor-aware versions; libraries run as written."""
import functools

import numpy as np
import pytest

import autograph as ag
from autograph.converter import public
from autograph.converter.operators import calls

from .support import check, converted, op_names, t


def clip(x):
    if x > 1.0:
        x = 1.0 + 0.0 * x
    return x


def uses_helper(x):
    return clip(x) * 2


def test_user_functions_are_converted_recursively():
    check(uses_helper, t(3.0))
    check(uses_helper, t(0.5))
    assert "If" in op_names(converted(uses_helper).get_concrete_function(t(1.0)).graph)


class Scaler:
    def __init__(self, k):
        self.k = k

    def apply(self, x):
        if x > 0:
            return x * self.k
        return x

    def __call__(self, x):
        while x < 10:
            x = x * self.k
        return x


@pytest.mark.parametrize("x", [2.0, -2.0])
def test_methods_and_callable_objects(x):
    s = Scaler(3.0)
    check(lambda v: s.apply(v), t(x))
    check(lambda v: s(v), t(abs(x)))


def test_lambdas_and_closures():
    offset = 5.0

    def f(x):
        g = lambda v: v + offset if v > 0 else v - offset  # noqa: E731
        return g(x)
    check(f, t(1.0))
    check(f, t(-1.0))


def test_functools_partial():
    def scale(k, x):
        if x > 0:
            return k * x
        return x
    f = functools.partial(scale, 2.0)
    check(lambda x: f(x), t(3.0))


def test_nested_function_definitions():
    def f(x):
        def inner(v):
            total = 0.0
            for i in ag.range(3):
                total = total + v
            return total
        return inner(x)
    check(f, t(2.0))


def test_builtins_on_tensors():
    def f(x, n):
        s = 0
        for i in range(n):
            s += i
        return abs(x), len(x), max(x), min(x[0], x[1]), s
    check(f, t([-3.0, 2.0]), t(3))


def test_int_float_bool_of_tensors_match_python():
    # in the graph they are casts (int32, float32, bool); eagerly, Python numbers
    def f(x):
        return int(x), float(x * 2), bool(x), int(x) + 1
    check(f, t(1.75))
    check(f, t(0.0))


def test_numpy_and_library_calls_run_as_written():
    def f(x):
        return x + np.float32(np.sqrt(4.0))
    check(f, t(1.0))


def test_library_functions_are_not_converted():
    import textwrap
    assert calls.function_target(textwrap.dedent) is textwrap.dedent
    assert calls.function_target(ag.reduce_sum) is ag.reduce_sum
    assert calls.function_target(clip) is not clip


def test_do_not_convert():
    @public.do_not_convert
    def raw(x):
        return x + 1
    assert calls.function_target(raw) is raw
    check(lambda x: raw(x), 1)


def test_ag_function_inside_converted_code():
    @ag.function
    def helper(x):
        return x * 2

    def f(x):
        return helper(x) + 1
    check(f, t(2.0))


def test_print_stays_python_print(capsys):
    def f(x):
        print("tracing")
        return x
    g = converted(f)
    g(t(1.0))
    g(t(2.0))
    assert capsys.readouterr().out == "tracing\n"


def test_generated_call():
    def f(x):
        return np.abs(x, out=None)
    code = public.to_code(f)
    assert "ag__.converted_call(np.abs, (x,), {'out': None})" in code


def test_star_args_and_kwargs():
    def target(a, b, *, c=0):
        return a + b + c

    def f(xs, kw):
        return target(*xs, **kw)
    check(f, (1, 2), {"c": 3})


def test_super_without_arguments():
    class Base:
        def value(self, x):
            return x + 1

    class Child(Base):
        def value(self, x):
            if x > 0:
                return super().value(x) * 2
            return x
    c = Child()
    check(lambda x: c.value(x), t(3.0))
