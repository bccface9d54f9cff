"""Finding and parsing the source of functions, methods, nested functions and lambdas."""
import gast
import pytest

import autograph as ag
from autograph.converter import parser
from autograph.converter.errors import ConversionError


def plain(x):
    return x + 1


class Holder:
    def method(self, x):
        return x

    @staticmethod
    def decorated(x):  # a decorator line comes first
        return x


def test_functions_methods_and_decorated():
    for fn, name in [(plain, "plain"), (Holder.method, "method"),
                     (Holder.decorated, "decorated")]:
        entity = parser.parse_function(fn)
        assert isinstance(entity.node, gast.FunctionDef) and entity.node.name == name
        assert entity.node.lineno == fn.__code__.co_firstlineno + (1 if name == "decorated" else 0)


def test_nested_functions_keep_file_lines():
    def outer():
        def inner(y):
            """A docstring
with a line less indented than the code."""
            return y
        return inner
    inner = outer()
    entity = parser.parse_function(inner)
    assert entity.node.name == "inner"
    assert entity.node.lineno == inner.__code__.co_firstlineno


def test_lambdas_on_shared_lines():
    a, b = (lambda x: x + 1), (lambda y: y * 2)
    assert isinstance(parser.parse_function(a).node, gast.Lambda)
    assert parser.parse_function(b).node.args.args[0].id == "y"
    twins = [lambda v: v + 1, lambda v: v - 1]
    bodies = {gast.unparse(parser.parse_function(f).node.body).strip() for f in twins}
    assert bodies == {"v + 1", "v - 1"}


def test_survey_lists_what_the_function_holds():
    survey = parser.parse_function(plain).survey
    assert gast.BinOp in survey.kinds and {"x", "plain"} <= survey.names


def test_unavailable_source():
    namespace = {}
    exec("g = lambda x: x", namespace)
    with pytest.raises(ConversionError, match="not available"):
        parser.parse_function(namespace["g"])


def test_a_module_imported_again_after_an_edit_is_converted_from_its_new_text(tmp_path):
    import importlib.util
    path = tmp_path / "edited.py"

    def load(body):
        path.write_text(f"def f(x):\n    if x > 0:\n        return {body}\n    return x\n")
        spec = importlib.util.spec_from_file_location(f"edited_{body.count('+')}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.f

    assert int(ag.function(load("x + 1"))(ag.constant(1))) == 2
    assert int(ag.function(load("x + 1 + 1"))(ag.constant(1))) == 3
