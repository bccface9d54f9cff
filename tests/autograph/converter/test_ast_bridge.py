"""ast <-> gast in place: gast's own converters are the oracle, and a round trip is exact."""
import ast
import textwrap

import gast
import pytest

from autograph.converter import ast_bridge

SOURCES = {
    "arguments": """
        def f(a, /, b: int = 1, *args, c, d=2, **kw) -> float:
            return a + b
    """,
    "control flow": """
        def f(x):
            for i in range(x):
                if i % 2:
                    continue
                while x > 0:
                    x -= 1
                    break
                else:
                    pass
            else:
                x = -x
            return x if x else None
    """,
    "try and with": """
        def f(path):
            try:
                with open(path) as fh, open(path) as gh:
                    return fh.read()
            except (OSError, ValueError) as e:
                raise RuntimeError(str(e)) from e
            except KeyError:
                pass
            finally:
                del path
    """,
    "expressions": """
        def f(x, *ys):
            global G
            a = [y ** 2 for y in ys if y > 0 and not y < -1]
            b = {k: v for k, v in zip(ys, ys)}
            c = {*ys, x}
            d = lambda z, *, w=3: z @ w
            e = x[1:2, ::3, ...][0].real
            f, *g = -x, +x, ~x
            h = f"{x!r:>{a}}" + b"bytes".decode()
            i = (yield x) or (1 < x <= 2) or (x is not d)
            x += 1; x <<= 2
            return (await_ := x), print(*ys, **{})
    """,
    "class and nonlocal": """
        def f():
            n = 0
            class C(object, metaclass=type):
                attr: int = 1
                @staticmethod
                def m(self): return self
            def g():
                nonlocal n
                n += 1
            assert n == 0, "message"
            return C, g
    """,
}


def _parse(source):
    return ast.parse(textwrap.dedent(source))


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_to_gast_matches_gast(name):
    ours = ast_bridge.to_gast(_parse(SOURCES[name]), ast_bridge.Survey())
    theirs = gast.ast_to_gast(_parse(SOURCES[name]))
    assert gast.dump(ours) == gast.dump(theirs)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_convert_matches_gast(name):
    ours = ast_bridge.convert(gast.ast_to_gast(_parse(SOURCES[name])))
    theirs = gast.gast_to_ast(gast.ast_to_gast(_parse(SOURCES[name])))
    assert ast.dump(ours) == ast.dump(theirs)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_round_trip_keeps_everything(name):
    tree = ast_bridge.convert(ast_bridge.to_gast(_parse(SOURCES[name]), ast_bridge.Survey()))
    expected = _parse(SOURCES[name])
    assert ast.dump(tree, include_attributes=True) == \
        ast.dump(expected, include_attributes=True)
    compile(tree, "<test>", "exec")


def test_survey_notes_kinds_and_names():
    survey = ast_bridge.Survey()
    ast_bridge.to_gast(_parse(SOURCES["control flow"]), survey)
    assert {gast.For, gast.While, gast.If, gast.Break, gast.Continue, gast.Mod,
            gast.IfExp, "loop-else"} <= survey.kinds
    assert {"f", "x", "i", "range"} <= survey.names
    survey = ast_bridge.Survey()
    ast_bridge.to_gast(_parse(SOURCES["try and with"]), survey)
    assert {"e", "read", "path"} <= survey.names and "loop-else" not in survey.kinds


def test_missing_locations_come_from_the_parent():
    call = gast.Call(func=gast.Name(id="g", ctx=gast.Load(), annotation=None,
                                    type_comment=None),
                     args=[gast.Constant(value=1, kind=None)], keywords=[])
    stmt = gast.Expr(value=call, lineno=7, col_offset=4)
    out = ast_bridge.convert(gast.Module(body=[stmt], type_ignores=[]))
    assert [n.lineno for n in (out.body[0], out.body[0].value, out.body[0].value.func)] == \
        [7, 7, 7]
    assert out.body[0].value.args[0].col_offset == 4


def test_a_shared_node_is_converted_once():
    name = gast.Name(id="x", ctx=gast.Load(), annotation=None, type_comment=None)
    pair = gast.Tuple(elts=[name, name], ctx=gast.Load())
    out = ast_bridge.convert(gast.Expression(body=pair))
    assert out.body.elts[0] is out.body.elts[1] and type(out.body.elts[0]) is ast.Name
    assert eval(compile(ast.fix_missing_locations(out), "<test>", "eval"), {"x": 2}) == (2, 2)
