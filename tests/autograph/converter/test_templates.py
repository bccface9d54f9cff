"""Templates: Python source with holes, parsed once, filled with AST nodes."""
import gast

from autograph.converter import templates


def src(nodes):
    return gast.unparse(gast.Module(body=nodes, type_ignores=[])).strip()


def expr(text):
    return gast.parse(text).body[0].value


def test_names_statements_and_expressions():
    body = [gast.parse("y = x + 1").body[0], gast.parse("z = y").body[0]]
    out = templates.replace("""
        def fn_name(arg):
            nonlocal_names
            body
        result = ag__.call(value, fn_name)
    """, 7, fn_name="branch", arg="itr", nonlocal_names=[gast.Nonlocal(names=["y", "z"])],
        body=body, result=expr("out"), value=expr("a[0]"))
    assert src(out) == ("def branch(itr):\n    nonlocal y, z\n    y = x + 1\n    z = y\n"
                        "out = ag__.call(a[0], branch)")
    assert all(n.lineno == 7 for n in out)
    assert isinstance(out[1].targets[0].ctx, gast.Store)


def test_list_holes_splice_and_empty_declarations_vanish():
    out = templates.replace("""
        def f(vars_):
            declarations
            (targets,) = vars_
    """, fn="f", declarations=[], targets=[expr("a"), expr("b")], vars_="v")
    assert src(out) == "def f(v):\n    a, b = v"


def test_one_node_fills_load_and_store_positions():
    target = expr("self.items")
    out = templates.replace("target = ag__.list_append(target, value)", target=target,
                            value=expr("x"))
    assign = out[0]
    assert isinstance(assign.targets[0].ctx, gast.Store)
    assert isinstance(assign.value.args[0].ctx, gast.Load)


def test_templates_are_not_modified_by_use():
    for k in range(3):
        out = templates.replace("x = value", value=gast.Constant(value=k, kind=None))
        assert src(out) == f"x = {k}"


def test_replace_as_expression():
    e = templates.replace_as_expression("ag__.ld(name)", name=expr("v"))
    assert src([gast.Expr(value=e)]) == "ag__.ld(v)"


def test_a_none_in_a_template_list_is_kept_beside_a_spliced_hole():
    out = templates.replace("x = {**extra, 'k': items}", extra=expr("d"),
                            items=gast.List(elts=[expr("a")], ctx=gast.Load()))
    assert src(out) == "x = {**d, 'k': [a]}"
    out = templates.replace("f(items, *rest)", items=[expr("a"), expr("b")], rest=expr("r"))
    assert src(out) == "f(a, b, *r)"


def test_the_same_template_with_other_holes_is_compiled_again():
    assert src(templates.replace("y = x + 1", x=expr("a"))) == "y = a + 1"
    assert src(templates.replace("y = x + 1", y="z")) == "z = x + 1"
