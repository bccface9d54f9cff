"""Functions: methods, nested functions, lambdas and closures keep their bindings;
generators are refused."""
import pytest

from autograph.converter import public
from autograph.converter.errors import ConversionError

from .support import check, t


def test_closure_cells_are_shared_with_the_original():
    scale = 2.0

    def f(x):
        return x * scale
    g = public.convert(f)
    assert g(3.0) == 6.0
    scale = 10.0  # noqa: F841 - the converted function sees the new value, as f does
    assert g(3.0) == 30.0


def test_globals_are_read_live():
    g = public.convert(_uses_global)
    assert g(1) == 1 + _GLOBAL["value"]
    _GLOBAL["value"] = 100
    assert g(1) == 101


_GLOBAL = {"value": 1}


def _uses_global(x):
    return x + _GLOBAL["value"]


def test_defaults_and_keyword_only_arguments():
    def f(x, y=2, *, z=3):
        if x > 0:
            x = x + y + z
        return x
    check(f, 1)
    check(lambda v: f(v, z=10), t(1))


def test_generators_are_refused():
    def gen(n):
        for i in range(n):
            yield i
    with pytest.raises(NotImplementedError, match="yield"):
        public.convert(gen)
    with pytest.raises(ConversionError):
        public.convert(gen)


def test_conversion_is_cached_and_idempotent():
    def f(x):
        return x + 1
    g = public.convert(f)
    assert public.convert(f) is g
    assert public.convert(g) is g


def test_functions_made_in_a_loop_share_one_conversion():
    from autograph.converter import conversion
    originals = []
    for k in range(3):
        def f(x, k=k):
            return x + k
        originals.append(f)
    assert [public.convert(f)(1) for f in originals] == [1, 2, 3]
    assert len({id(conversion.factory_of(f)) for f in originals}) == 1


def test_to_code_shows_the_converted_function():
    def f(x):
        if x > 0:
            x = -x
        return x
    code = public.to_code(f)
    assert code.startswith("def f(x):")
    assert "ag__.if_stmt" in code


def test_source_unavailable():
    namespace = {}
    exec("def f(x):\n    return x\n", namespace)
    with pytest.raises(ConversionError, match="source code is not available"):
        public.convert(namespace["f"])


def test_lambda_in_an_expression():
    fs = [lambda x: x + 1, lambda x: -x if x > 0 else x]
    check(lambda v: fs[1](v), t(2.0))
    check(lambda v: fs[0](v), t(2.0))


def test_class_defined_inside_a_converted_function():
    def f(x):
        class Box:
            flag = True
            if flag:           # class bodies stay Python
                k = 2
            else:
                k = 3

            def get(self, v):  # methods are converted
                if v > 0:
                    return v * self.k
                return v
        return Box().get(x)
    check(f, t(3.0))
    check(f, t(-3.0))


def test_callable_object_through_ag_function():
    import autograph as ag

    class Doubler:
        def __call__(self, x):
            while x < 10:
                x = x * 2
            return x
    assert int(ag.function(Doubler())(t(3))) == 12


def test_converted_code_does_not_inherit_the_converters_future_imports():
    def f(x):
        def scale(y: float) -> float:
            return y * 2.0
        return scale.__annotations__

    from autograph.converter import public
    assert public.convert(f)(1.0) == {"y": float, "return": float}   # not the strings
