"""Liveness: which names are read later, at the entry and exit of each statement."""
import gast

from .analysis_support import analysed, get, statement


def test_branch_temporaries_are_dead_after_the_if():
    fn = analysed("""
        def f(x):
            if x > 0:
                tmp = x * 2
                y = tmp
            else:
                y = x
            return y
    """)
    node = statement(fn, gast.If)
    assert get(node, "live_out") == {"y"}
    assert "tmp" not in get(node, "live_in")


def test_loop_carried_variables_are_live_at_the_head():
    fn = analysed("""
        def f(n):
            s = 0
            i = 0
            while i < n:
                t = s * 2
                s = t + i
                i += 1
            return s
    """)
    node = statement(fn, gast.While)
    assert {"s", "i", "n"} <= get(node, "live_in")
    assert "t" not in get(node, "live_in")
    assert get(node, "live_out") == {"s"}


def test_break_and_continue_targets():
    fn = analysed("""
        def f(xs):
            found = None
            for x in xs:
                if x < 0:
                    continue
                if x > 10:
                    found = x
                    break
            return found
    """)
    inner = statement(fn, gast.If, 1)
    assert "found" in get(inner, "live_out")  # reached through break
    loop = statement(fn, gast.For)
    assert "x" not in get(loop, "live_in")    # the target is assigned by every iteration


def test_nested_function_reads_are_live_at_its_definition():
    fn = analysed("""
        def f(x):
            if x:
                k = 2
            else:
                k = 3
            def g():
                return k
            return g
    """)
    assert "k" in get(statement(fn, gast.If), "live_out")


def test_return_ends_liveness():
    fn = analysed("""
        def f(x):
            y = 1
            if x:
                return x
            return y
    """)
    node = statement(fn, gast.If)
    assert get(node, "live_in") == {"x", "y"}
