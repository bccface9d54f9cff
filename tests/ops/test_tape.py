"""``GradientTape`` semantics (TensorFlow's), ``stop_gradient`` and ``custom_gradient``."""
from __future__ import annotations

import numpy as np
import pytest

import autograph as ag
from ops.context import state
from ops.custom_gradient import custom_gradient
from tests.support import assert_tensor, check_grad


def _has_array_ops():
    from ops import array_ops
    return hasattr(array_ops, "stack") and hasattr(array_ops, "reshape")


needs_array_ops = pytest.mark.skipif(not _has_array_ops(),
                                     reason="jacobian stacks rows with ops/array_ops.py")


# ---- the seed document (001: 自动微分机制) -------------------------------------------------

@pytest.fixture
def quadratic():
    x = ag.Variable(0.0, name="x", dtype=ag.float32)
    a, b, c = ag.constant(1.0), ag.constant(-2.0), ag.constant(1.0)
    return x, a, b, c


def test_seed_derivative_with_respect_to_a_variable(quadratic):
    x, a, b, c = quadratic
    with ag.GradientTape() as tape:
        y = a * ag.pow(x, 2) + b * x + c
    dy_dx = tape.gradient(y, x)
    assert str(dy_dx) == "tf.Tensor(-2.0, shape=(), dtype=float32)"


def test_seed_derivative_with_respect_to_watched_constants(quadratic):
    x, a, b, c = quadratic
    with ag.GradientTape() as tape:
        tape.watch([a, b, c])
        y = a * ag.pow(x, 2) + b * x + c
    dy_dx, dy_da, dy_db, dy_dc = tape.gradient(y, [x, a, b, c])
    assert [float(g) for g in (dy_dx, dy_da, dy_db, dy_dc)] == [-2.0, 0.0, 0.0, 1.0]


def test_seed_second_derivative(quadratic):
    x, a, b, c = quadratic
    with ag.GradientTape() as tape2:
        with ag.GradientTape() as tape1:
            y = a * ag.pow(x, 2) + b * x + c
        dy_dx = tape1.gradient(y, x)
    dy2_dx2 = tape2.gradient(dy_dx, x)
    assert str(dy2_dx2) == "tf.Tensor(2.0, shape=(), dtype=float32)"


def test_seed_minimise_with_plain_gradient_steps(quadratic):
    x, a, b, c = quadratic
    for _ in range(200):
        with ag.GradientTape() as tape:
            y = a * ag.pow(x, 2) + b * x + c
        x.assign_sub(0.1 * tape.gradient(y, x))
    assert abs(float(x) - 1.0) < 1e-5


# ---- what gets watched -----------------------------------------------------------------

def test_constants_are_not_watched_unless_asked():
    x = ag.constant(3.0)
    with ag.GradientTape() as tape:
        y = x * x
    assert tape.gradient(y, x) is None
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    assert float(tape.gradient(y, x)) == 6.0


def test_trainable_variables_are_watched_automatically():
    v = ag.Variable(2.0)
    frozen = ag.Variable(3.0, trainable=False)
    with ag.GradientTape() as tape:
        y = v * frozen
    gv, gf = tape.gradient(y, [v, frozen])
    assert float(gv) == 3.0 and gf is None
    assert tape.watched_variables() == (v,)


def test_watch_accessed_variables_false():
    v = ag.Variable(2.0)
    w = ag.Variable(5.0)
    with ag.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(w)
        y = v * w
    gv, gw = tape.gradient(y, [v, w])
    assert gv is None and float(gw) == 2.0


def test_watch_takes_nested_structures():
    a, b, c = ag.constant(1.0), ag.constant(2.0), ag.constant(3.0)
    with ag.GradientTape() as tape:
        tape.watch({"a": a, "rest": [b, (c,)]})
        y = a * b * c
    grads = tape.gradient(y, {"a": a, "rest": [b, (c,)]})
    assert float(grads["a"]) == 6.0 and float(grads["rest"][0]) == 3.0
    assert float(grads["rest"][1][0]) == 2.0


def test_watch_rejects_non_tensors_saying_what_to_do():
    with ag.GradientTape() as tape:
        with pytest.raises(TypeError, match="watch: the argument is a float; only tensors and "
                                            "variables can be watched.*ag.constant"):
            tape.watch(3.0)
        with pytest.raises(TypeError, match="item 1 of the structure is a str"):
            tape.watch([ag.constant(1.0), "x"])


def test_watching_integers_warns_and_gives_none():
    i = ag.constant(3)
    with ag.GradientTape() as tape:
        with pytest.warns(UserWarning, match="dtype int32.*gradient will be None"):
            tape.watch(i)
        y = i * i
    assert tape.gradient(y, i) is None


def test_gradient_with_respect_to_an_intermediate_tensor():
    x = ag.constant(2.0)
    with ag.GradientTape() as tape:
        tape.watch(x)
        h = x * x
        y = h * 3.0
    gh, gx = tape.gradient(y, [h, x])
    assert float(gh) == 3.0 and float(gx) == 12.0


# ---- gradient() arguments ------------------------------------------------------------------

def test_unconnected_and_integer_sources():
    x, z = ag.constant(2.0), ag.constant(5.0)
    i = ag.constant(4)
    with ag.GradientTape(persistent=True) as tape:
        tape.watch([x, z])
        y = x * x
    assert tape.gradient(y, [x, z, i])[1:] == [None, None]
    zeros = tape.gradient(y, [z, i], unconnected_gradients=ag.UnconnectedGradients.ZERO)
    assert_tensor(zeros[0], 0.0, dtype=ag.float32)
    assert_tensor(zeros[1], 0, dtype=ag.int32)
    assert float(tape.gradient(y, [z], unconnected_gradients="zero")[0]) == 0.0


def test_non_scalar_targets_are_summed_and_several_targets_add():
    x = ag.constant([1.0, 2.0, 3.0])
    with ag.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = 3.0 * x
    assert_tensor(tape.gradient(y, x), [2.0, 4.0, 6.0])
    assert_tensor(tape.gradient([y, z], x), [5.0, 7.0, 9.0])
    assert_tensor(tape.gradient({"y": y, "z": z}, x), [5.0, 7.0, 9.0])


def test_output_gradients_weight_the_targets():
    x = ag.constant([1.0, 2.0])
    with ag.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
    assert_tensor(tape.gradient(y, x, output_gradients=ag.constant([1.0, 10.0])), [2.0, 40.0])
    assert_tensor(tape.gradient(y, x, output_gradients=np.array([0.5, 0.5])), [1.0, 2.0])
    with pytest.raises(ValueError, match="2 output_gradients given for 1 targets"):
        tape.gradient(y, x, output_gradients=[ag.constant([1.0, 1.0]), ag.constant([1.0, 1.0])])
    with pytest.raises(ValueError, match=r"output_gradients\[0\] has shape \(3,\) but target 0 "
                                         r"has shape \(2,\)"):
        tape.gradient(y, x, output_gradients=ag.constant([1.0, 1.0, 1.0]))


def test_bad_sources_and_targets_say_which_argument_is_wrong():
    x = ag.constant(1.0)
    with ag.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * 2.0
    with pytest.raises(TypeError, match="the source is a float; sources must be tensors or "
                                        "variables"):
        tape.gradient(y, 1.0)
    with pytest.raises(TypeError, match="source 1 is a str"):
        tape.gradient(y, [x, "x"])
    with pytest.raises(TypeError, match="the target is a float; the target must be a tensor"):
        tape.gradient(1.0, x)
    with pytest.raises(TypeError, match="target 1 is a NoneType"):
        tape.gradient([y, None], x)


def test_broadcast_operands_get_gradients_of_their_own_shape():
    x = ag.constant([[1.0, 2.0, 3.0]])
    y = ag.constant([[1.0], [2.0]])
    s = ag.constant(2.0)
    with ag.GradientTape() as tape:
        tape.watch([x, y, s])
        z = x * y + s
    gx, gy, gs = tape.gradient(z, [x, y, s])
    assert_tensor(gx, [[3.0, 3.0, 3.0]])
    assert_tensor(gy, [[6.0], [6.0]])
    assert_tensor(gs, 6.0)


def test_target_equal_to_source():
    x = ag.constant([1.0, 2.0])
    with ag.GradientTape(persistent=True) as tape:
        tape.watch(x)
    assert_tensor(tape.gradient(x, x), [1.0, 1.0])
    assert ag.GradientTape().gradient(x, x) is None  # never watched


# ---- tape lifetime -----------------------------------------------------------------------

def test_non_persistent_tape_answers_once():
    x = ag.constant(1.0)
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent GradientTape can compute gradients "
                                           "only once.*persistent=True"):
        tape.gradient(y, x)


def test_a_failed_call_does_not_use_up_the_tape():
    x = ag.constant(1.0)
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    with pytest.raises(TypeError):
        tape.gradient(y, "x")
    assert float(tape.gradient(y, x)) == 2.0


def test_persistent_tape_answers_many_times():
    x = ag.constant(3.0)
    with ag.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * x
    assert float(tape.gradient(y, x)) == 6.0
    assert float(tape.gradient(z, x)) == 27.0
    assert float(tape.gradient(z, y)) == 3.0


def test_nested_tapes_give_higher_derivatives():
    x = ag.constant(0.5, ag.float64)
    with ag.GradientTape() as t3:
        t3.watch(x)
        with ag.GradientTape() as t2:
            t2.watch(x)
            with ag.GradientTape() as t1:
                t1.watch(x)
                y = ag.sin(x) * x
            d1 = t1.gradient(y, x)
        d2 = t2.gradient(d1, x)
    d3 = t3.gradient(d2, x)
    v = 0.5
    assert np.isclose(float(d1), np.cos(v) * v + np.sin(v))
    assert np.isclose(float(d2), -np.sin(v) * v + 2 * np.cos(v))
    assert np.isclose(float(d3), -np.cos(v) * v - 3 * np.sin(v))


def test_gradient_inside_a_persistent_tape_is_recorded():
    x = ag.constant(2.0)
    with ag.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x ** 3.0
        g = tape.gradient(y, x)
    assert float(g) == 12.0
    assert float(tape.gradient(g, x)) == 12.0


def test_stop_recording():
    x = ag.constant(2.0)
    with ag.GradientTape() as tape:
        tape.watch(x)
        with tape.stop_recording():
            hidden = x * x
            assert not state.tapes
        y = hidden * x
    assert float(tape.gradient(y, x)) == 4.0
    with pytest.raises(RuntimeError, match="stop_recording.*inside its 'with' block"):
        with tape.stop_recording():
            pass


def test_reset_forgets_and_allows_another_gradient():
    x = ag.constant(2.0)
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        tape.reset()
        tape.watch(x)
        y = x * 3.0
    assert float(tape.gradient(y, x)) == 3.0


def test_tape_cannot_be_entered_twice_and_pops_on_errors():
    tape = ag.GradientTape()
    with pytest.raises(ZeroDivisionError):
        with tape:
            with pytest.raises(RuntimeError, match="already recording"):
                with tape:
                    pass
            1 / 0
    assert not state.tapes and not state.slow


def test_recording_costs_nothing_without_a_tape():
    x = ag.constant(1.0)
    assert not state.slow
    with ag.GradientTape() as tape:
        assert state.slow
        y = x * 2.0  # nothing watched: nothing recorded
        tape.watch(x)
        z = x * 2.0
    assert not state.slow
    assert len(tape._records) == 1 and tape._records[0].outputs[0] is z
    del y


def test_integer_results_are_not_followed():
    x = ag.constant([1.5, 2.5])
    with ag.GradientTape() as tape:
        tape.watch(x)
        i = ag.cast(x, ag.int32)  # recorded: its input is watched
        j = i * 2  # not recorded: integers carry no gradient
        y = ag.cast(j, ag.float32) + x
    assert [r.op.name for r in tape._records] == ["Cast", "Add"]
    assert_tensor(tape.gradient(y, x), [1.0, 1.0])


def test_a_non_persistent_tape_lets_go_of_what_it_recorded():
    x = ag.constant([1.0, 2.0])
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = ag.exp(x) * x
    tape.gradient(y, x)
    assert tape._records == [] and not tape._watched


def test_variables_read_several_times_and_assigned_inside_the_tape():
    w = ag.Variable(1.0)
    with ag.GradientTape() as tape:
        y = w * 2.0
        w.assign(5.0)
        y = y + w * 3.0
    assert float(tape.gradient(y, w)) == 5.0


def test_stop_gradient():
    x = ag.constant(2.0)
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = ag.stop_gradient(x * x) * x
    assert float(tape.gradient(y, x)) == 4.0
    assert_tensor(ag.stop_gradient(ag.constant([1, 2])), [1, 2])


def test_gradients_match_finite_differences_for_a_small_model():
    def model(x, w):
        return ag.tanh(x * w + 0.5) * ag.sigmoid(w) / (1.0 + x * x)
    check_grad(model, np.linspace(-1, 1, 6).reshape(2, 3), np.array([0.3, -0.7, 1.1]))


@needs_array_ops
def test_jacobian():
    x = ag.constant([1.0, 2.0, 3.0])
    with ag.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        m = ag.constant([[1.0, 2.0]]) * x[:, None] if hasattr(ag, "newaxis") else None
    assert_tensor(tape.jacobian(y, x), np.diag([2.0, 4.0, 6.0]))
    if m is not None:
        jac = tape.jacobian(m, x)
        assert jac.shape == (3, 2, 3)
        assert_tensor(jac[:, 1, :], np.diag([2.0, 2.0, 2.0]))
    unrelated = ag.constant([1.0])
    assert tape.jacobian(y, unrelated) is None
    assert_tensor(tape.jacobian(y, unrelated, unconnected_gradients="zero"), np.zeros((3, 1)))


@needs_array_ops
def test_batch_jacobian():
    from ops.array_ops import reshape
    x = ag.constant(np.arange(6.0).reshape(3, 2))
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = reshape(x * x, (3, 2)) * 0.5
    jac = tape.batch_jacobian(y, x)
    assert jac.shape == (3, 2, 2)
    expected = np.stack([np.diag(row) for row in np.arange(6.0).reshape(3, 2)])
    assert_tensor(jac, expected)


@needs_array_ops
def test_jacobian_of_a_non_persistent_tape_is_once():
    x = ag.constant([1.0, 2.0])
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = x * 3.0
    tape.jacobian(y, x)
    with pytest.raises(RuntimeError, match="a jacobian only once"):
        tape.jacobian(y, x)


# ---- custom_gradient ---------------------------------------------------------------------

def test_custom_gradient_tensorflow_example():
    @custom_gradient
    def log1pexp(x):
        e = ag.exp(x)

        def grad(dy):
            return dy * (1 - 1 / (1 + e))
        return ag.math.log(1 + e), grad

    x = ag.constant(100.0)
    with ag.GradientTape() as tape, np.errstate(over="ignore"):  # exp(100) is inf in float32
        tape.watch(x)
        y = log1pexp(x)
    assert float(tape.gradient(y, x)) == 1.0  # the naive gradient would be nan


def test_custom_gradient_replaces_the_inner_gradient():
    @custom_gradient
    def clip_gradient(x):
        def grad(dy):
            return ag.maximum(ag.minimum(dy, 1.0), -1.0)
        return ag.identity(x), grad

    x = ag.constant([1.0, 2.0])
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = clip_gradient(x) * 5.0
    assert_tensor(tape.gradient(y, x), [1.0, 1.0])


def test_custom_gradient_returning_its_input_is_not_counted_twice():
    @custom_gradient
    def passthrough(x):
        return x, lambda dy: dy * 2.0

    x = ag.constant(1.0)
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = passthrough(x)
    assert float(tape.gradient(y, x)) == 2.0


def test_custom_gradient_with_several_inputs_and_outputs():
    @custom_gradient
    def both(a, b):
        def grad(d_sum, d_prod):
            return d_sum + d_prod * b, d_sum + d_prod * a
        return (a + b, a * b), grad

    a, b = ag.constant(2.0), ag.constant(3.0)
    with ag.GradientTape() as tape:
        tape.watch([a, b])
        s, p = both(a, b)
        y = s * 10.0 + p
    ga, gb = tape.gradient(y, [a, b])
    assert float(ga) == 13.0 and float(gb) == 12.0


def test_custom_gradient_with_variables():
    v = ag.Variable(2.0)

    @custom_gradient
    def scaled(x):
        def grad(dy, variables=None):
            assert variables == [v] or variables[0] is v
            return dy * v, [dy * x * 10.0]
        return x * v, grad

    x = ag.constant(3.0)
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = scaled(x)
    gx, gv = tape.gradient(y, [x, v])
    assert float(gx) == 2.0 and float(gv) == 30.0


def test_custom_gradient_needs_the_variables_argument_when_variables_are_read():
    v = ag.Variable(2.0)

    @custom_gradient
    def scaled(x):
        return x * v, lambda dy: dy * v

    with ag.GradientTape() as tape:
        x = ag.constant(1.0)
        tape.watch(x)
        with pytest.raises(TypeError, match="reads variables.*keyword argument 'variables'"):
            scaled(x)


def test_custom_gradient_second_derivative_comes_from_the_grad_fn():
    @custom_gradient
    def square(x):
        def grad(dy):
            return dy * 2.0 * x
        return x * x, grad

    x = ag.constant(3.0)
    with ag.GradientTape() as outer:
        outer.watch(x)
        with ag.GradientTape() as inner:
            inner.watch(x)
            y = square(x)
        g = inner.gradient(y, x)
    assert float(g) == 6.0 and float(outer.gradient(g, x)) == 2.0


def test_custom_gradient_errors():
    @custom_gradient
    def no_grad(x):
        return x * 2.0

    @custom_gradient
    def wrong_count(x, y):
        return x * y, lambda dy: dy

    x = ag.constant(1.0)
    with pytest.raises(TypeError, match="must return a pair \\(outputs, grad_fn\\)"):
        no_grad(x)
    with ag.GradientTape() as tape:
        tape.watch(x)
        z = wrong_count(x, x)
    with pytest.raises(ValueError, match="returned 1 gradients for 2 inputs"):
        tape.gradient(z, x)


def test_custom_gradient_without_a_tape_is_a_plain_call():
    @custom_gradient
    def double(x):
        return x * 2.0, lambda dy: dy * 2.0

    assert float(double(ag.constant(2.0))) == 4.0
    assert double.__name__ == "double"


def test_custom_gradient_is_exported():
    if not hasattr(ag, "custom_gradient"):
        pytest.skip("ag.custom_gradient is not exported from autograph/__init__.py yet")
    assert ag.custom_gradient is custom_gradient


# ---- tapes and traced functions ----------------------------------------------------------

needs_function = pytest.mark.skipif(not hasattr(ag, "function"), reason="ag.function is not "
                                    "available yet")


@needs_function
def test_seed_gradient_tape_inside_a_function():
    @ag.function
    def f(x):
        a = ag.constant(1.0)
        b = ag.constant(-2.0)
        c = ag.constant(1.0)
        x = ag.cast(x, ag.float32)
        with ag.GradientTape() as tape:
            tape.watch(x)
            y = a * ag.pow(x, 2) + b * x + c
        dy_dx = tape.gradient(y, x)
        return dy_dx, y

    assert [float(t) for t in f(ag.constant(0.0))] == [-2.0, 1.0]
    assert [float(t) for t in f(ag.constant(1.0))] == [0.0, 0.0]


@needs_function
def test_variables_read_several_times_inside_a_function_count_once():
    v = ag.Variable(2.0)

    @ag.function
    def grad_of(x):
        with ag.GradientTape() as tape:
            y = v * x * x + v * v
        return tape.gradient(y, v)

    assert float(grad_of(ag.constant(3.0))) == 13.0  # x**2 + 2 v


@needs_function
def test_tape_outside_a_function_sees_through_it():
    v = ag.Variable(1.5)

    @ag.function
    def f(x):
        return v * v * x

    x = ag.constant(3.0)
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    gv, gx = tape.gradient(y, [v, x])
    assert float(gv) == 9.0 and float(gx) == 2.25


@needs_function
def test_custom_gradient_inside_a_function():
    @custom_gradient
    def square(x):
        return x * x, lambda dy: dy * 2.0 * x

    @ag.function
    def g(x):
        with ag.GradientTape() as tape:
            tape.watch(x)
            y = square(x) * 3.0
        return tape.gradient(y, x)

    assert float(g(ag.constant(2.0))) == 12.0
