"""Random programs of if/while/for/break/continue/return: converted code must compute what
Python computes, with Python ints (Python semantics all the way) and with int32 tensors
(every statement staged: cond and while_loop)."""
import linecache
import itertools

from hypothesis import given, settings, strategies as st

import autograph as ag

from .support import converted

_VARS = ("a", "b", "c")
_names = itertools.count()

atoms = st.sampled_from(_VARS + ("x", "y")) | st.integers(0, 5).map(str)


@st.composite
def exprs(draw, depth=2):
    if depth == 0 or draw(st.booleans()):
        return draw(atoms)
    op = draw(st.sampled_from(["+", "-", "*"]))
    return f"({draw(exprs(depth - 1))} {op} {draw(exprs(depth - 1))})"


@st.composite
def conds(draw):
    kind = draw(st.sampled_from(["cmp", "cmp", "and", "or", "not", "chain"]))
    ops = st.sampled_from(["<", ">", "==", "!=", "<="])
    cmp = lambda: f"{draw(exprs(1))} {draw(ops)} {draw(exprs(1))}"  # noqa: E731
    if kind == "cmp":
        return cmp()
    if kind == "chain":
        return f"{draw(exprs(1))} < {draw(exprs(1))} <= {draw(exprs(1))}"
    if kind == "not":
        return f"not ({cmp()})"
    return f"({cmp()}) {kind} ({cmp()})"


def _indent(lines):
    return ["    " + line for line in lines]


@st.composite
def blocks(draw, depth, in_loop):
    n = draw(st.integers(1, 3))
    out = []
    for _ in range(n):
        out += draw(statements(depth, in_loop))
    return out


@st.composite
def statements(draw, depth, in_loop):
    choices = ["assign", "assign", "aug"]
    if depth > 0:
        choices += ["if", "if", "for", "while"]
    if in_loop:
        choices += ["break", "continue"]
    choices += ["return"]
    kind = draw(st.sampled_from(choices))
    v = draw(st.sampled_from(_VARS))
    if kind == "assign":
        return [f"{v} = ({draw(exprs())}) % 23"]
    if kind == "aug":
        return [f"{v} += ({draw(exprs(1))}) % 5"]
    if kind == "break":
        return [f"if {draw(conds())}:", "    break"]
    if kind == "continue":
        return [f"if {draw(conds())}:", "    continue"]
    if kind == "return":
        return [f"if {draw(conds())}:", f"    return ({draw(exprs())}) % 23"]
    if kind == "if":
        lines = [f"if {draw(conds())}:"] + _indent(draw(blocks(depth - 1, in_loop)))
        if draw(st.booleans()):
            lines += ["else:"] + _indent(draw(blocks(depth - 1, in_loop)))
        return lines
    k = next(_names)
    body = draw(blocks(depth - 1, True))
    if kind == "for":
        return [f"for i{k} in range(x % 3 + {draw(st.integers(0, 2))}):"] + _indent(body)
    return [f"w{k} = x * 0", f"while w{k} < {draw(st.integers(0, 3))} and ({draw(conds())}):",
            f"    w{k} += 1"] + _indent(body)


def _function(body_lines):
    source = "\n".join(["def f(x, y):", "    a = x % 5", "    b = y % 7", "    c = x * 0 + 1"]
                       + _indent(body_lines) + ["    return (a + 3 * b + 7 * c) % 101", ""])
    filename = f"<random-program-{next(_names)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"ag": ag}
    exec(compile(source, filename, "exec"), namespace)
    return namespace["f"], source


@settings(deadline=None)   # examples: the HYPOTHESIS_PROFILE (ci: 30, long: 2000)
@given(blocks(2, False), st.integers(-4, 9), st.integers(-4, 9))
def test_random_program(body, x, y):
    f, source = _function(body)
    expected = f(x, y)
    got_python = converted(f)(x, y)
    assert int(got_python) == expected, source
    staged = converted(f)
    # the first call walks the traced graph, the second runs its generated plan
    for _ in range(2):
        assert int(staged(ag.constant(x), ag.constant(y))) == expected, source
