"""Errors are API: they name the variable, the user's file and line, and say what to do."""
import re
import warnings

import pytest

import autograph as ag
from autograph.converter import public
from autograph.converter.errors import ConversionError

from .support import converted, t

HERE = __file__


def line_of(fn, text):
    """``file:line`` of the first line of ``fn``'s source containing ``text``."""
    import inspect
    lines, start = inspect.getsourcelines(fn)
    for k, line in enumerate(lines):
        if text in line:
            return f"{HERE}:{start + k}"
    raise AssertionError(text)


def one_branch(x):
    if x > 0:
        y = x * 2
    return y


def test_variable_defined_in_only_one_branch():
    with pytest.raises(ValueError) as e:
        converted(one_branch)(t(1.0))
    message = str(e.value)
    assert "'y'" in message and "else branch" in message
    assert line_of(one_branch, "y = x * 2") in message      # the assignment
    assert line_of(one_branch, "if x > 0") in message       # the if


def test_one_branch_with_python_condition_is_python():
    assert converted(one_branch)(1.0) == 2.0
    with pytest.raises(UnboundLocalError):
        converted(one_branch)(-1.0)


def missing_return(x):
    if x > 0:
        return x


def test_none_returned_on_a_tensor_path():
    with pytest.raises(TypeError, match="returns None") as e:
        converted(missing_return)(t(1.0))
    assert line_of(missing_return, "if x > 0") in str(e.value)


def bare_return_in_loop(n):
    for i in ag.range(n):
        if i > 2:
            return i
    return


def test_none_return_after_a_staged_loop():
    with pytest.raises(TypeError, match="None"):
        converted(bare_return_in_loop)(t(5))


def dtype_change(n):
    total = 0
    for i in ag.range(n):
        total = ag.cast(i, ag.float32) * 0.5
    return total


def test_loop_variable_changing_dtype_names_the_variable():
    with pytest.raises(TypeError) as e:
        converted(dtype_change)(t(3))
    message = str(e.value)
    assert "'total'" in message and "int32" in message and "float32" in message
    assert line_of(dtype_change, "for i in") in message


def structure_change(n):
    pair = (0, 0)
    for i in ag.range(n):
        pair = (i, i, i)
    return pair


def test_loop_variable_changing_structure():
    with pytest.raises(TypeError, match="'pair' changes structure"):
        converted(structure_change)(t(3))


def rank_change(xs):
    s = 0.0
    for row in xs:
        s = s + row
    return s


def test_loop_variable_changing_rank():
    with pytest.raises(ValueError, match="'s'.*rank 0.*rank 1"):
        converted(rank_change)(t([[1.0, 2.0]]))


def python_loop_tensor_break(x):
    for i in range(5):
        if x > i:
            break
    return x


def test_tensor_break_in_python_loop():
    with pytest.raises(NotImplementedError, match="ag.range") as e:
        converted(python_loop_tensor_break)(t(2))
    assert line_of(python_loop_tensor_break, "for i in range(5)") in str(e.value)


def python_while_turns_tensor(x):
    i = 0
    while i < 3:
        i = i + x
    return i


def test_python_while_condition_turning_into_a_tensor():
    with pytest.raises(NotImplementedError, match="became a tensor after 1 iteration"):
        converted(python_while_turns_tensor)(t(1))


def test_generators():
    def gen(x):
        yield x
    with pytest.raises(NotImplementedError, match="yield") as e:
        public.convert(gen)
    assert re.search(r"test_errors\.py:\d+", str(e.value))
    assert isinstance(e.value, ConversionError)


def test_source_unavailable_names_the_function():
    namespace = {}
    exec("def made_by_exec(x):\n    return x\n", namespace)
    with pytest.raises(ConversionError, match="made_by_exec"):
        converted(namespace["made_by_exec"])


def test_large_unrolled_loop_warns_once():
    def f(x):
        for i in range(1200):
            x = x + 1.0
        return x
    with pytest.warns(UserWarning, match="unrolled 1000 times") as record:
        converted(f)(t(0.0))
    assert len([w for w in record if "unrolled" in str(w.message)]) == 1
    assert line_of(f, "for i in range(1200)") in str(record[0].message)


def test_small_or_pure_python_loops_do_not_warn():
    def f(x):
        total = 0
        for i in range(3000):
            total += i
        return x + total
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        converted(f)(t(0))


def raises_inside(x):
    y = x + 1
    return [1, 2][int(y.shape[0]) + 5]


def test_exceptions_point_at_the_users_line():
    with pytest.raises(IndexError) as e:
        converted(raises_inside)(t([1.0]))
    notes = "\n".join(getattr(e.value, "__notes__", []))
    assert line_of(raises_inside, "return [1, 2]").rsplit(":", 1)[1] in notes
    assert HERE in notes


def test_graph_nodes_carry_the_users_line():
    def f(x):
        if x > 0:
            x = x * 3.0
        return x
    graph = converted(f).get_concrete_function(t(1.0)).graph
    node = next(n for n in graph.nodes if n.op.name == "If")
    assert node.where() == line_of(f, "if x > 0")


def test_first_assigned_in_a_loop_that_did_not_run():
    def f(n):
        for i in ag.range(n):
            last = i
        return last
    g = converted(f)
    assert int(g(t(3))) == 2
    with pytest.raises(UnboundLocalError, match="'last'.*ran zero times"):
        g(t(0))


def test_none_loop_variable():
    def f(n):
        best = None
        for i in ag.range(n):
            best = i
        return best
    with pytest.raises(TypeError, match="'best' is None"):
        converted(f)(t(3))


def test_tensor_control_flow_inside_try_is_refused():
    def f(x):
        try:
            if x > 0:
                x = x * 2
        except ValueError:
            x = x - 1
        return x
    with pytest.raises(NotImplementedError, match="inside the try statement at line"):
        converted(f)(t(1.0))
    assert converted(f)(1.0) == 2.0          # Python values: plain Python try


def test_try_finally_and_with_are_fine():
    def f(x):
        try:
            for i in ag.range(3):
                x = x + 1.0
        finally:
            pass
        return x
    assert float(converted(f)(t(0.0))) == 3.0


def test_while_true_with_tensor_break_says_what_to_do():
    def f(x):
        while True:
            x = x + 1
            if x > 5:
                break
        return x
    assert converted(f)(1) == 6
    with pytest.raises(NotImplementedError, match="became a tensor"):
        converted(f)(t(1))


def test_a_graph_tensor_indexing_a_python_list_says_what_to_use():
    def f(x, n):
        items = [0.0, 0.0, 0.0]
        for i in range(n):
            items[i] = x
        return items[0]
    with pytest.raises(TypeError, match=r"as a Python index .*tensor_scatter_nd_update"):
        converted(f)(t(1.0), t(2))
