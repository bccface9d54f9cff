"""``TensorArray``: read/write/stack/unstack/size/gather, dynamic size, as a ``while_loop``
variable, gradients, and the refusal of writes whose result is dropped in traced code."""
import numpy as np
import pytest

import autograph as ag
from tests.support import MODES, line_of, run_in, check_grad



def _run(mode, fn):
    return run_in(mode, fn)


def _line_of(marker: str) -> int:
    return line_of(__file__, marker)


@pytest.mark.parametrize("mode", MODES)
def test_write_read_stack_size_gather(mode):
    def f():
        ta = ag.TensorArray(ag.float32, size=0, dynamic_size=True)
        ta = ta.write(0, 1.0).write(1, 2.0).write(2, 3.0)
        return ta.stack(), ta.size(), ta.read(1), ta.gather([2, 0])

    stacked, size, second, picked = _run(mode, f)()
    np.testing.assert_array_equal(stacked.numpy(), [1.0, 2.0, 3.0])
    assert size.numpy() == 3 and size.dtype == ag.int32
    assert second.numpy() == 2.0
    np.testing.assert_array_equal(picked.numpy(), [3.0, 1.0])


@pytest.mark.parametrize("mode", MODES)
def test_unstack_then_read_rows(mode):
    rows = np.arange(6, dtype=np.float32).reshape(3, 2)

    def f(x):
        ta = ag.TensorArray(ag.float32, size=3).unstack(x)
        return ta.read(2), ta.size(), ta.stack()

    last, size, stacked = _run(mode, f)(ag.constant(rows))
    np.testing.assert_array_equal(last.numpy(), rows[2])
    assert size.numpy() == 3
    np.testing.assert_array_equal(stacked.numpy(), rows)


def test_a_dynamic_array_grows_past_its_first_write():
    ta = ag.TensorArray(ag.float32, size=0, dynamic_size=True).write(3, 1.0)
    assert ta.size().numpy() == 4
    np.testing.assert_array_equal(ta.stack().numpy(), [0.0, 0.0, 0.0, 1.0])


def test_an_array_with_an_element_shape_stacks_zeros_for_unwritten_rows():
    ta = ag.TensorArray(ag.float32, size=3, element_shape=[2])
    np.testing.assert_array_equal(ta.stack().numpy(), np.zeros((3, 2)))
    ta = ta.write(1, [1.0, 2.0])
    np.testing.assert_array_equal(ta.stack().numpy(), [[0, 0], [1, 2], [0, 0]])


@pytest.mark.parametrize("mode", MODES)
def test_a_partly_written_fixed_size_array_stacks_size_rows(mode):
    def f():
        ta = ag.TensorArray(ag.float32, size=3)
        ta = ta.write(0, 1.0)
        return ta.stack(), ta.size()

    stacked, size = _run(mode, f)()
    assert stacked.shape[0] == size.numpy() == 3
    np.testing.assert_array_equal(stacked.numpy(), [1.0, 0.0, 0.0])


def test_writing_past_a_fixed_size_is_an_index_error():
    ta = ag.TensorArray(ag.float32, size=2)
    with pytest.raises(IndexError, match="out of range .* fixed size 2 .*dynamic_size=True"):
        ta.write(5, 1.0)


def test_reading_an_empty_array_is_an_index_error():
    with pytest.raises(IndexError, match="empty"):
        ag.TensorArray(ag.float32, size=2).read(0)


def test_reading_past_the_size_is_an_index_error():
    ta = ag.TensorArray(ag.float32, size=0, dynamic_size=True).write(0, 1.0)
    with pytest.raises(IndexError, match="index 4 is out of range for an array of size 1"):
        ta.read(4)


def test_writing_a_value_of_another_dtype_is_an_error():
    ta = ag.TensorArray(ag.float32, size=0, dynamic_size=True).write(0, 1.0)
    with pytest.raises((TypeError, ValueError)):
        ta.write(1, ag.constant(1))


def test_an_empty_array_stacks_to_zero_rows():
    assert ag.TensorArray(ag.float32, size=0, dynamic_size=True).stack().shape == (0,)


# ---- as a while_loop variable -------------------------------------------------------------

def _squares(n):
    ta = ag.TensorArray(ag.float32, size=0, dynamic_size=True)

    def body(i, ta):
        return i + 1, ta.write(i, ag.cast(i * i, ag.float32))

    _, ta = ag.while_loop(lambda i, ta: i < n, body, [ag.constant(0), ta])
    return ta.stack(), ta.size()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("n", [0, 1, 5])
def test_an_array_filled_in_a_loop(mode, n):
    stacked, size = _run(mode, _squares)(ag.constant(n))
    np.testing.assert_array_equal(stacked.numpy(), [float(i * i) for i in range(n)])
    assert size.numpy() == n


def test_an_array_of_vectors_filled_in_a_traced_loop_has_a_known_element_shape():
    def f(x):
        ta = ag.TensorArray(ag.float32, size=0, dynamic_size=True)
        _, ta = ag.while_loop(lambda i, ta: i < 3,
                              lambda i, ta: (i + 1, ta.write(i, x * ag.cast(i, ag.float32))),
                              [ag.constant(0), ta])
        return ta.stack()

    cf = ag.function(f).get_concrete_function(ag.TensorSpec([2]))
    assert tuple(cf.graph.outputs[0].shape) == (None, 2)
    np.testing.assert_array_equal(cf(ag.constant([1.0, 2.0])).numpy(),
                                  [[0, 0], [1, 2], [2, 4]])


def test_a_discarded_write_in_a_traced_function_names_the_line():
    @ag.function
    def f():
        ta = ag.TensorArray(ag.float32, size=2)
        ta.write(0, 1.0)  # discarded-write
        return ta.stack()

    with pytest.raises(ValueError, match=f"TensorArray.write at {__file__}:"
                                         f"{_line_of('# discarded-write')}: .*ta = ta.write"):
        f()


def test_a_discarded_write_inside_a_traced_loop_names_the_line():
    def body(i, ta):
        ta.write(i, 1.0)  # discarded-in-loop
        return i + 1, ta

    @ag.function
    def f(n):
        ta = ag.TensorArray(ag.float32, size=0, dynamic_size=True)
        _, ta = ag.while_loop(lambda i, ta: i < n, body, [ag.constant(0), ta])
        return ta.stack()

    with pytest.raises(ValueError, match=f"{_line_of('# discarded-in-loop')}: the array it "
                                         "returns is never used"):
        f(ag.constant(2))


def test_eagerly_a_discarded_write_still_counts():
    ta = ag.TensorArray(ag.float32, size=0, dynamic_size=True)
    ta.write(0, 5.0)
    np.testing.assert_array_equal(ta.stack().numpy(), [5.0])


# ---- gradients ---------------------------------------------------------------------------

def _weighted_squares(x):
    ta = ag.TensorArray(ag.float64, size=0, dynamic_size=True)

    def body(i, ta):
        return i + 1, ta.write(i, x[i] * x[i] * ag.cast(i + 1, ag.float64))

    _, ta = ag.while_loop(lambda i, ta: i < 3, body, [ag.constant(0), ta])
    return ta.stack()


def _unstack_and_read(x):
    ta = ag.TensorArray(ag.float64, size=3).unstack(x)
    return ta.read(0) * ta.read(2) + ta.read(1)


def _write_then_gather(x):
    ta = ag.TensorArray(ag.float64, size=0, dynamic_size=True)
    ta = ta.write(0, ag.sin(x)).write(1, x * x)
    return ta.gather([1, 0, 1])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fn", [_weighted_squares, _unstack_and_read, _write_then_gather],
                         ids=["loop-write-stack", "unstack-read", "write-gather"])
def test_gradients_through_an_array_match_finite_differences(mode, fn):
    check_grad(_run(mode, fn), np.array([1.0, -2.0, 0.5]))


def test_an_overwritten_element_gets_no_gradient():
    x = ag.constant(np.array([1.0, 2.0]))
    with ag.GradientTape() as tape:
        tape.watch(x)
        ta = ag.TensorArray(ag.float64, size=0, dynamic_size=True)
        ta = ta.write(0, x[0] * 10.0).write(0, x[1])
        y = ta.stack()
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [0.0, 1.0])
