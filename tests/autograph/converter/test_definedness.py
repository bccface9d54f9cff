"""Definedness: names certainly (and possibly) bound before each statement, and loads of
names that may be unbound."""
import gast

from .analysis_support import analysed, get, statement


def maybe_undefined_loads(fn):
    return sorted((n.id, n.lineno) for n in gast.walk(fn)
                  if isinstance(n, gast.Name) and get(n, "maybe_undefined"))


def test_defined_in_both_branches():
    fn = analysed("""
        def f(x):
            if x:
                y = 1
            else:
                y = 2
            while y:
                y -= 1
            return y
    """)
    loop = statement(fn, gast.While)
    assert "y" in get(loop, "defined_in")
    assert maybe_undefined_loads(fn) == []


def test_defined_in_one_branch_only():
    fn = analysed("""
        def f(x):
            if x:
                y = 1
            if x:
                y = 2
            return y
    """)
    second = statement(fn, gast.If, 1)
    assert "y" not in get(second, "defined_in")
    assert "y" in get(second, "maybe_defined_in")
    assert maybe_undefined_loads(fn) == [("y", 7)]


def test_loops_may_run_zero_times():
    fn = analysed("""
        def f(xs):
            for x in xs:
                last = x
            return last
    """)
    assert maybe_undefined_loads(fn) == [("last", 5)]


def test_returning_branch_does_not_reach_the_join():
    fn = analysed("""
        def f(x):
            if x:
                return 0
            else:
                y = 1
            return y
    """)
    assert maybe_undefined_loads(fn) == []


def test_read_before_assignment_in_a_loop_body():
    fn = analysed("""
        def f(n):
            i = 0
            while i < n:
                if i > 0:
                    print(prev)
                prev = i
                i += 1
    """)
    assert maybe_undefined_loads(fn) == [("prev", 6)]
    first = statement(fn, gast.If)
    assert "prev" in get(first, "maybe_defined_in")


def test_parameters_and_with_targets_are_defined():
    fn = analysed("""
        def f(a, ctx):
            with ctx as c:
                b = c
            return a + b
    """)
    assert maybe_undefined_loads(fn) == []
