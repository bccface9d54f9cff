"""The ag__ operators, called directly: Python semantics for Python values, graph ops for
staged tensors."""
import operator

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograph as ag
from autograph.converter import operators as ag__
from autograph.converter.operators import dispatch

from .support import t


class State:
    """get_state/set_state over attributes of a small object."""

    def __init__(self, **values):
        self.__dict__.update(values)
        self.names = tuple(values)

    def get(self):
        return tuple(getattr(self, n) for n in self.names)

    def set(self, values):
        for n, v in zip(self.names, values):
            setattr(self, n, v)


def test_is_staged():
    assert not dispatch.is_staged(1)
    assert not dispatch.is_staged(t(1.0))

    @ag.function(autograph=False)
    def f(x):
        assert dispatch.is_staged(x)
        assert not dispatch.is_staged(ag.constant(1.0))
        return x
    f(t(1.0))


@pytest.mark.parametrize("cond", [True, False, t(True), t(False)])
def test_if_stmt_with_python_and_eager_conditions(cond):
    s = State(y=0)
    ag__.if_stmt(cond, lambda: s.set((1,)), lambda: s.set((2,)), s.get, s.set, ("y",), 1)
    assert s.y == (1 if bool(cond) else 2)


def test_if_stmt_staged():
    @ag.function(autograph=False)
    def f(x):
        s = State(y=x)
        ag__.if_stmt(x > 0, lambda: s.set((s.y * 2,)), lambda: s.set((-s.y,)),
                     s.get, s.set, ("y",), 1)
        return s.y
    assert float(f(t(3.0))) == 6.0
    assert float(f(t(-3.0))) == 3.0


def test_while_stmt_python_and_staged():
    def run(n):
        s = State(i=0, total=0)

        def body():
            s.set((s.i + 1, s.total + s.i))
        ag__.while_stmt(lambda: s.i < n, body, s.get, s.set, ("i", "total"), {})
        return s.total
    assert run(5) == 10
    assert int(ag.function(run, autograph=False)(t(5))) == 10



def test_cell_state_reads_and_writes_the_bodys_nonlocals():
    from autograph.converter.operators.control_flow import cell_state
    y = 1

    def body():
        nonlocal y, z
        y = 2
    z = "before"
    get, put = cell_state(body, ("y", "z (nonlocal)"))
    assert get() == (1, "before")
    put((5, "after"))
    assert (y, z) == (5, "after")
    del z
    assert get()[0] == 5 and type(get()[1]) is ag__.Undefined


def test_staged_statements_without_state_functions_use_the_cells():
    @ag.function(autograph=False)
    def f(x):
        y, i = x, ag.constant(0)

        def if_body():
            nonlocal y
            y = y * 2

        def loop_test():
            return i < 3

        def loop_body():
            nonlocal i, y
            i, y = i + 1, y + 1.0

        def for_body(k):
            nonlocal y
            y = y + ag.cast(k, ag.float32)
        ag__.if_stmt(x > 0, if_body, ag__.noop, None, None, ("y",), 1)
        ag__.while_stmt(loop_test, loop_body, None, None, ("i", "y"), {})
        ag__.for_stmt(ag.range(3), None, for_body, None, None, ("y",), {})
        return y
    assert float(f(t(3.0))) == 3.0 * 2 + 3 + 3
    assert float(f(t(-3.0))) == -3.0 + 3 + 3

@pytest.mark.parametrize("iterable,expected", [([1, 2, 3], 6), (range(4), 6)])
def test_for_stmt_python(iterable, expected):
    s = State(total=0)
    ag__.for_stmt(iterable, None, lambda x: s.set((s.total + x,)), s.get, s.set, ("total",), {})
    assert s.total == expected


def test_for_stmt_extra_test_stops_before_taking_another_element():
    taken = []

    def items():
        for k in range(10):
            taken.append(k)
            yield k
    s = State(total=0)
    ag__.for_stmt(items(), lambda: s.total < 3, lambda x: s.set((s.total + x,)), s.get, s.set,
                  ("total",), {})
    assert s.total == 3 and taken == [0, 1, 2]


def test_for_stmt_staged_over_tensor_range_enumerate_zip():
    @ag.function(autograph=False)
    def f(xs, n):
        s = State(total=ag.constant(0.0))
        ag__.for_stmt(ag__.zip_(xs, xs), None, lambda p: s.set((s.total + p[0] * p[1],)),
                      s.get, s.set, ("total",), {})
        c = State(count=0)
        ag__.for_stmt(ag__.range_(n), None, lambda i: c.set((c.count + i,)), c.get, c.set,
                      ("count",), {})
        e = State(w=ag.constant(0.0))
        ag__.for_stmt(ag__.enumerate_(xs, 1), None,
                      lambda p: e.set((e.w + ag.cast(p[0], ag.float32) * p[1],)),
                      e.get, e.set, ("w",), {})
        return s.total, c.count, e.w
    total, count, w = f(t([1.0, 2.0]), t(4))
    assert (float(total), int(count), float(w)) == (5.0, 6, 5.0)


@given(st.booleans() | st.integers(-2, 2), st.booleans() | st.integers(-2, 2))
def test_and_or_not_match_python(a, b):
    assert ag__.and_(a, lambda: b) == (a and b)
    assert ag__.or_(a, lambda: b) == (a or b)
    assert ag__.not_(a) == (not a)


@given(st.lists(st.integers(-3, 3), min_size=2, max_size=5),
       st.lists(st.sampled_from(["<", "<=", "==", "!=", ">", ">="]), min_size=4, max_size=4))
def test_compare_chain_matches_python(values, ops):
    ops = ops[:len(values) - 1]
    source = " ".join(f"{v} {op}" for v, op in zip(values, ops)) + f" {values[-1]}"
    rest = []
    for op, v in zip(ops, values[1:]):
        rest += [op, (lambda v=v: v)]
    assert ag__.compare_chain(values[0], *rest) == eval(source)


def test_staged_logical_operators():
    @ag.function(autograph=False)
    def f(x):
        return (ag__.and_(x > 0, lambda: x < 10), ag__.or_(x < 0, lambda: x > 5),
                ag__.not_(x > 0), ag__.if_exp(x > 0, lambda: x, lambda: -x))
    a, o, n, i = f(t(7))
    assert (bool(a), bool(o), bool(n), int(i)) == (True, True, False, 7)
    a, o, n, i = f(t(-2))
    assert (bool(a), bool(o), bool(n), int(i)) == (False, True, True, 2)


def test_ld_and_ldu():
    with pytest.raises(UnboundLocalError, match="'v'"):
        ag__.ld(ag__.Undefined("v"))
    assert ag__.ld(3) == 3

    def unbound():
        return missing  # noqa: F821
    assert isinstance(ag__.ldu(unbound, "missing"), ag__.Undefined)
    assert ag__.ldu(lambda: 5, "x") == 5
    assert ag__.retval(ag__.UndefinedReturnValue()) is None


def test_list_append_and_pop_on_python_lists():
    items = [1]
    assert ag__.list_append(items, 2) is items and items == [1, 2]
    items2, last = ag__.list_pop(items)
    assert items2 is items and last == 2 and items == [1]


def test_list_ops_on_tensor_arrays():
    ta = ag.TensorArray(ag.float32, size=0, dynamic_size=True)
    ta = ag__.list_append(ta, 1.0)
    ta = ag__.list_append(ta, 2.0)
    np.testing.assert_array_equal(ag__.stack(ta).numpy(), [1.0, 2.0])
    ta, last = ag__.list_pop(ta)
    assert float(last) == 2.0 and int(ag__.len_(ta)) == 1


@pytest.mark.parametrize("fn,args", [
    (ag__.range_, (5,)), (ag__.range_, (1, 7, 2)), (ag__.len_, ([1, 2],)),
    (ag__.abs_, (-3,)), (ag__.min_, (3, 1, 2)), (ag__.max_, ([4, 9],)),
    (ag__.int_, ("ff", 16)), (ag__.int_, (2.7,)), (ag__.float_, ("1.5",)), (ag__.bool_, ([],)),
    (ag__.any_, ([0, 2],)), (ag__.all_, ([1, 0],)),
])
def test_builtins_keep_python_semantics(fn, args):
    import builtins
    name = fn.__name__.rstrip("_")
    expected = getattr(builtins, name)(*args)
    got = fn(*args)
    assert (list(got) == list(expected)) if name == "range" else got == expected


def test_builtins_on_staged_tensors():
    @ag.function(autograph=False)
    def f(x, n):
        return (ag__.len_(x), ag__.abs_(x), ag__.max_(x), ag__.min_(x, 0.0), ag__.range_(n))
    length, a, mx, mn, r = f(t([-1.5, 2.5]), t(3))
    assert length == 2
    np.testing.assert_array_equal(a.numpy(), [1.5, 2.5])
    assert float(mx) == 2.5
    np.testing.assert_array_equal(mn.numpy(), [-1.5, 0.0])
    np.testing.assert_array_equal(r.numpy(), [0, 1, 2])


def test_casts_and_reductions_of_staged_tensors_follow_tensorflow():
    @ag.function
    def f(x, flags):
        return int(x), float(x * 2), bool(x), any(flags), all(flags), int(2.5)
    i, fl, b, some, every, plain = f(t(2.75), t([True, False]))
    assert i.dtype == ag.int32 and int(i) == 2
    assert fl.dtype == ag.float32 and float(fl) == 5.5
    assert b.dtype == ag.bool and bool(b) is True
    assert bool(some) is True and bool(every) is False
    assert plain == 2    # Python values keep Python semantics


def test_int_with_a_base_of_a_staged_tensor_says_what_to_use():
    @ag.function
    def f(s):
        return int(s, 16)
    with pytest.raises(NotImplementedError, match="ag.strings.to_number"):
        f(t("ff"))


def test_isinstance_sees_graph_tensors_as_tensors():
    @ag.function
    def f(x):
        return x * 2 if isinstance(x, ag.Tensor) else x
    assert float(f(t(3.0))) == 6.0 and f(3) == 3


def test_converted_call_dispatch():
    assert ag__.converted_call(operator.add, (1, 2)) == 3
    assert ag__.converted_call(max, ([1, 5],), {"default": 0}) == 5
    assert list(ag__.converted_call(range, (3,))) == [0, 1, 2]

    class Adder:
        def __call__(self, x):
            return x + 1 if x > 0 else x
    assert ag__.converted_call(Adder(), (1,)) == 2


def test_staged_assert():
    @ag.function(autograph=False)
    def f(x):
        ag__.assert_stmt(x > 0, lambda: "must be positive")
        return x
    assert float(f(t(1.0))) == 1.0
    with pytest.raises(AssertionError, match="must be positive"):
        f(t(-1.0))


@pytest.mark.parametrize("flags", [(), (False,), (False, True), (True, False), (False, False)])
def test_any_set_matches_python_any(flags):
    assert ag__.any_set(*flags) == any(flags)
    assert bool(ag__.any_set(*[t(f) for f in flags])) == any(flags)


def test_any_set_of_staged_flags_is_one_logical_or():
    @ag.function(autograph=False)
    def f(a, b):
        return ag__.any_set(a, False, b)
    assert [bool(f(t(a), t(b))) for a, b in [(0, 0), (0, 1), (1, 0)]] == [False, True, True]
    graph = f.get_concrete_function(t(False), t(False)).graph
    assert [n.op.name for n in graph.nodes] == ["LogicalOr"]
