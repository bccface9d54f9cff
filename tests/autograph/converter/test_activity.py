"""Activity: what each block reads and modifies (nested function bodies excluded)."""
import gast

from .analysis_support import analysed, get, names, statement


def test_if_branches():
    fn = analysed("""
        def f(x, d, obj):
            if x > 0:
                y = x + 1
                d['k'] = y
            else:
                obj.attr = x
                z = 2
            return y
    """)
    node = statement(fn, gast.If)
    body, orelse = get(node, "body_scope"), get(node, "orelse_scope")
    assert names(body.modified) == {"y", "d['k']"}
    assert names(orelse.modified) == {"obj.attr", "z"}
    assert {"x", "d"} <= names(body.read)


def test_loop_target_is_modified_by_the_body():
    fn = analysed("""
        def f(xs):
            s = 0
            for i in xs:
                s += i
            return s
    """)
    body = get(statement(fn, gast.For), "body_scope")
    assert names(body.modified) == {"i", "s"}
    assert {"s", "i"} <= names(body.read)


def test_nested_functions_are_separate_scopes():
    fn = analysed("""
        def f(x):
            if x:
                def g():
                    inner = x + outer
                    return inner
                lam = lambda v: v + w
            return g
    """)
    body = get(statement(fn, gast.If), "body_scope")
    assert names(body.modified) == {"g", "lam"}
    assert {"x", "outer", "w"} <= names(body.read)
    assert "inner" not in names(body.read | body.modified)
    scope = get(fn, "fn_scope")
    assert {"x", "outer", "w"} <= names(scope.closure_read)


def test_function_scope():
    fn = analysed("""
        def f(a, *args, b=1, **kw):
            global g
            c = a
            for i in args:
                c += i
            g = c
            yield c
    """)
    scope = get(fn, "fn_scope")
    assert scope.params == {"a", "args", "b", "kw"}
    assert scope.globals == {"g"}
    assert scope.locals == {"a", "args", "b", "kw", "c", "i"}
    assert len(scope.yields) == 1


def test_comprehension_targets_stay_inside():
    fn = analysed("""
        def f(xs):
            if xs:
                ys = [v * 2 for v in xs]
            return ys
    """)
    body = get(statement(fn, gast.If), "body_scope")
    assert names(body.modified) == {"ys"}
    assert "v" not in names(body.read)
