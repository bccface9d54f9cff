"""if/elif/else, while and for: converted functions agree with Python, with Python values
(plain Python semantics) and with tensors (graph cond and while_loop)."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograph as ag

from .support import check, converted, op_names, t


# ---- if ---------------------------------------------------------------------------------

def sign(x):
    if x > 0:
        y = 1.0
    elif x < 0:
        y = -1.0
    else:
        y = 0.0
    return y


@pytest.mark.parametrize("x", [3.0, -2.0, 0.0])
def test_if_elif_else_python_and_tensor(x):
    check(sign, x)
    check(sign, t(x))


def test_tensor_if_builds_a_cond():
    graph = converted(sign).get_concrete_function(t(1.0)).graph
    assert op_names(graph).count("If") == 2


def nested(x, y):
    if x > 0:
        if y > 0:
            z = x + y
        else:
            z = x - y
    else:
        z = -x
    return z


@pytest.mark.parametrize("x,y", [(1.0, 2.0), (1.0, -2.0), (-1.0, 5.0)])
def test_nested_ifs(x, y):
    check(nested, t(x), t(y))
    check(nested, x, t(y))
    check(nested, t(x), y)


def mixed(x, flag):
    if flag:               # a Python condition: only one branch is traced
        x = x * 2
    if x > 3:              # a tensor condition: a cond
        x = x - 3
    return x


@pytest.mark.parametrize("flag", [True, False])
def test_python_and_tensor_conditions_mix(flag):
    check(mixed, t(2.0), flag)


def temporaries(x):
    if x > 0:
        tmp = x * 3        # branch-local: never leaves the branch
        y = tmp + 1
    else:
        y = x
    return y


def test_branch_temporaries_stay_local():
    check(temporaries, t(2.0))
    check(temporaries, t(-2.0))


def test_eager_tensor_condition_is_python():
    captured = ag.constant(True)

    def f(x):
        if captured:       # an eager tensor: decided while tracing, no cond
            x = x + 1
        return x
    check(f, t(1.0))
    graph = converted(f).get_concrete_function(t(1.0)).graph
    assert "If" not in op_names(graph)


def composite_state(x):
    d = {"k": x}

    class Box:
        pass
    box = Box()
    box.v = x
    items = [x, x]
    if x > 0:
        d["k"] = d["k"] * 2
        box.v = box.v + 1
        items[0] = x - 1
    return d["k"], box.v, items[0]


@pytest.mark.parametrize("x", [2.0, -2.0])
def test_composite_state_in_branches(x):
    check(composite_state, t(x))


def block_locals(x, n):
    total = x * 0.0
    for i in range(n):
        if x > 0.0:
            step = x + 1.0      # a local of the loop body: fresh every iteration
        else:
            step = x - 1.0
        if x > 2.0:
            i = i + 10          # the loop target, changed by a block function
        total = total + float(i)
        k = 0
        while k < 2:
            if step > 1.0:
                step = step / 2.0
            k += 1
        if total < 5.0:
            extra = step * 2.0
            if extra > 1.0:
                extra = extra - 1.0
            total = total + extra
    return total


@pytest.mark.parametrize("x", [3.0, -3.0, 0.5])
@pytest.mark.parametrize("n", [0, 1, 4])
def test_locals_of_block_functions_need_no_guards(x, n):
    check(block_locals, x, n)
    check(block_locals, t(x), n)
    check(block_locals, t(x), t(n))
    code = ag.autograph.to_code(block_locals)
    # only `step`, bound by no statement of the loop body itself, is bound there first
    assert "Undefined" not in code and code.count("ldu") == 1
    assert "step = ag__.ldu(lambda: step, 'step')" in code


def test_state_functions_are_generated_only_for_composites_and_globals():
    plain = ag.autograph.to_code(sign)
    assert "get_state" not in plain and "None, None, ('y',)" in plain
    composite = ag.autograph.to_code(composite_state)
    assert "def get_state" in composite and "def set_state" in composite


# ---- while ------------------------------------------------------------------------------

def count_down(n):
    s = 0
    while n > 0:
        s = s + n
        n = n - 1
    return s


@pytest.mark.parametrize("n", [0, 1, 5])
def test_while(n):
    check(count_down, n)
    check(count_down, t(n))


def test_tensor_while_is_one_loop():
    graph = converted(count_down).get_concrete_function(t(5)).graph
    assert [n.op.name for n in graph.nodes].count("While") == 1


def collatz_steps(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


@given(st.integers(1, 60))
def test_while_with_if_inside(n):
    check(collatz_steps, t(n))


# ---- for --------------------------------------------------------------------------------

def total(xs):
    s = 0.0
    for x in xs:
        s = s + x
    return s


def test_for_over_python_list_is_unrolled():
    check(total, [1.0, 2.0, 3.0])
    check(total, [t(1.0), t(2.0)])


@pytest.mark.parametrize("shape", [(3,), (0,)])
def test_for_over_tensor_iterates_first_axis(shape):
    x = t(np.arange(np.prod(shape), dtype=np.float32).reshape(shape))
    check(total, x)


def row_total(xs):
    s = ag.zeros([3])
    for row in xs:
        s = s + row
    return s


def test_for_over_matrix_yields_rows():
    check(row_total, t(np.arange(6, dtype=np.float32).reshape(2, 3)))


def test_for_over_tensor_with_unknown_length():
    f = ag.function(converted(total).python_function,
                    input_signature=[ag.TensorSpec([None], ag.float32)], autograph=False)
    assert float(f(t([1.0, 2.0, 4.0]))) == 7.0
    assert float(f(t(np.zeros([0], np.float32)))) == 0.0


def range_sum(n, step):
    s = 0
    for i in range(1, n, step):
        s = s + i * i
    return s


@pytest.mark.parametrize("n,step", [(10, 1), (10, 3), (1, 1), (0, 2)])
def test_range_with_tensor_bounds_is_a_graph_loop(n, step):
    check(range_sum, n, step)
    check(range_sum, t(n), step)
    check(range_sum, t(n), t(step))


def ag_range_sum(n):
    s = 0
    for i in ag.range(n):
        s += i
    return s


@given(st.integers(0, 20))
def test_ag_range(n):
    check(ag_range_sum, t(n))


def test_ag_range_with_python_bound_is_staged_too():
    graph = converted(ag_range_sum).get_concrete_function(5).graph
    assert [n.op.name for n in graph.nodes].count("While") == 1


def enumerate_zip(xs, ys):
    s = 0.0
    for i, x in enumerate(xs):
        s = s + x * ag.cast(i, ag.float32)
    for x, y in zip(xs, ys):
        s = s + x * y
    return s


def test_enumerate_and_zip_over_tensors():
    check(enumerate_zip, t([1.0, 2.0, 3.0]), t([4.0, 5.0, 6.0]))
    check(enumerate_zip, [t(1.0), t(2.0)], [t(3.0), t(4.0)])


def loop_var_used_after(n):
    last = -1
    for i in ag.range(n):
        last = i
    return last


@pytest.mark.parametrize("n", [0, 4])
def test_loop_variable_after_the_loop(n):
    check(loop_var_used_after, t(n))


def nested_loops(n):
    s = 0
    for i in ag.range(n):
        j = 0
        while j < i:
            s = s + j
            j = j + 1
    return s


@pytest.mark.parametrize("n", [0, 1, 5])
def test_nested_loops(n):
    check(nested_loops, t(n))
    check(nested_loops, n)


def defined_in_loop(n):
    for i in ag.range(n):
        square = i * i
    return square


def test_variable_first_created_in_a_loop():
    check(defined_in_loop, t(4))
    check(defined_in_loop, 4)


def test_variable_first_created_in_a_loop_that_runs_zero_times():
    check(defined_in_loop, t(0), expect_error=UnboundLocalError)
    check(defined_in_loop, 0, expect_error=UnboundLocalError)


def test_closure_sees_updated_loop_variables():
    def f(n):
        s = 0
        for i in ag.range(n):
            scaled = lambda: i * 10  # noqa: E731
            s = s + scaled()
        return s
    check(f, t(4))


def composite_loop_state(n):
    state = {"total": 0}
    for i in ag.range(n):
        state["total"] = state["total"] + i
    return state["total"]


def test_composite_state_in_loops():
    check(composite_loop_state, t(5))
    check(composite_loop_state, 5)


def stdout_of_python_loop(n):
    for i in range(n):
        print("step", i)
    return n


def test_print_runs_while_tracing():
    check(stdout_of_python_loop, 3)


# ---- set_loop_options ------------------------------------------------------------------------

def capped_while(n):
    i, s = 0, 0
    while i < n:
        ag.autograph.experimental.set_loop_options(maximum_iterations=3, parallel_iterations=2)
        s += i
        i += 1
    return s


def capped_for(n):
    s = 0
    for i in ag.range(n):
        ag.autograph.experimental.set_loop_options(maximum_iterations=2)
        s += i
    return s


def test_set_loop_options_caps_graph_loops():
    assert int(converted(capped_while)(t(10))) == 0 + 1 + 2
    assert int(converted(capped_for)(t(10))) == 0 + 1
    # a Python loop is not capped (as in TensorFlow: the option is for graph loops)
    assert converted(capped_while)(10) == capped_while(10) == 45
    code = ag.autograph.to_code(capped_for)
    assert "set_loop_options" not in code and "{'maximum_iterations': 2}" in code


def test_set_loop_options_rejects_unknown_options_at_conversion():
    def bad(n):
        for i in ag.range(n):
            ag.autograph.experimental.set_loop_options(max_iterations=2)
        return n
    from autograph.converter.errors import ConversionError
    with pytest.raises(ConversionError, match="unexpected keyword argument "
                       "'max_iterations'.*maximum_iterations"):
        ag.autograph.to_code(bad)
