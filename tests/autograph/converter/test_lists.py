"""Lists in loops: appends in Python loops are Python appends; a staged loop turns the list
into a TensorArray (ag.stack finishes it)."""
import numpy as np
import pytest

import autograph as ag
from autograph.converter import public

from .support import check, converted, t


def squares(n):
    out = []
    for i in ag.range(n):
        out.append(i * i)
    return ag.stack(out)


@pytest.mark.parametrize("n", [1, 4])
def test_append_in_staged_loop_becomes_tensor_array(n):
    check(squares, t(n))


def test_append_with_existing_elements():
    def f(n):
        out = [ag.constant(-1)]
        for i in ag.range(n):
            out.append(i)
        return ag.stack(out)
    check(f, t(3))


def test_append_vectors_in_while():
    def f(x):
        rows = []
        i = 0
        while i < 3:
            rows.append(x * ag.cast(i, ag.float32))
            i += 1
        return ag.stack(rows)
    x = t(np.ones([2], np.float32))
    check(f, x)
    got = converted(f)(x)
    assert got.shape == (3, 2)


def python_append(xs):
    out = []
    for x in xs:
        out.append(x + 1)
    return out


def test_append_in_python_loop_stays_a_list():
    check(python_append, [1, 2, 3])
    check(python_append, [t(1), t(2)])


def test_pop():
    def f(xs):
        out = list(xs)
        total = 0
        while out:
            total += out.pop()
        return total
    check(f, [1, 2, 3])


def test_pop_from_staged_list():
    def f(n):
        out = []
        for i in ag.range(n):
            out.append(i)
        for _ in ag.range(2):
            last = out.pop()
        return last
    check(f, t(5))


def test_len_of_staged_list():
    def f(n):
        out = []
        for i in ag.range(n):
            out.append(i)
        return len(out)
    check(f, t(4))


def test_no_rewrite_without_control_flow():
    def f(x):
        out = []
        out.append(x)
        return out
    assert "list_append" not in public.to_code(f)


def test_append_in_both_branches_of_a_tensor_if():
    def f(x):
        out = [x]
        if x > 0:
            out.append(x * 2)
        else:
            out.append(-x)
        return out
    check(f, t(1.5))
    check(f, t(-2.0))


def test_append_in_one_branch_of_a_tensor_if_is_an_error_naming_the_list():
    def f(x):
        out = [x]
        if x > 0:
            out.append(x * 2)
        return len(out)
    with pytest.raises(TypeError, match=r"'out' has a different structure.*list of length 2 "
                                        r"in one and 1 in the other"):
        converted(f)(t(-1.0))


def test_append_and_pop_after_a_staged_loop_use_the_tensor_array():
    def f(x, n):
        out = []
        for i in ag.range(n):
            out.append(x * ag.cast(i, ag.float32))
        out.append(x)
        last = out.pop()
        return ag.stack(out), last
    check(f, t(2.0), t(3))


def test_lists_of_enclosing_functions_are_not_rebound_in_nested_functions():
    def f(x):
        out = []

        def add(v):
            out.append(v)
        if x > 0:
            add(x)
        return len(out)
    check(f, 1.0)


def test_explicit_tensor_array_in_a_staged_loop():
    def f(n):
        ta = ag.TensorArray(ag.float32, size=0, dynamic_size=True)
        for i in ag.range(n):
            ta = ta.write(i, ag.cast(i, ag.float32) * 2.0)
        return ta.stack()
    np.testing.assert_array_equal(converted(f)(t(3)).numpy(), [0.0, 2.0, 4.0])


def test_list_of_tensors_with_fixed_structure_as_loop_variable():
    def f(n):
        pair = [ag.constant(0), ag.constant(1)]
        for i in ag.range(n):
            pair = [pair[1], pair[0] + pair[1]]
        return pair[0]
    check(f, t(10))


# ---- lists the function does not own: appended as written -----------------------------------

_appended = []


def _append_to_a_global(n):
    s = 0
    for i in ag.range(n):
        _appended.append(i)
        s += i
    return s


def test_a_global_list_is_appended_as_written_in_a_staged_loop():
    _appended.clear()
    assert int(converted(_append_to_a_global)(t(4))) == 6
    # a Python side effect while tracing (as in TensorFlow): one symbolic element
    assert len(_appended) == 1 and isinstance(_appended[0], ag.Tensor)


def test_a_list_of_the_enclosing_function_is_appended_in_a_python_loop():
    acc = []

    def f(n):
        for i in range(n):
            acc.append(i * 2)
        return len(acc)

    assert converted(f)(3) == 3
    assert acc == [0, 2, 4]
    assert "list_append" not in ag.autograph.to_code(f)
