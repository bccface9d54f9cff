"""ag.debugging: assertions pass silently, fail with TF's messages, and run inside functions."""
import numpy as np
import pytest

import autograph as ag
from ops.context import state
from runtime import registry
from tests.support import check_grad, check_infer

InvalidArgumentError = ag.errors.InvalidArgumentError


# ---- comparisons -----------------------------------------------------------------------------

@pytest.mark.parametrize("assert_fn, x, y", [
    (ag.debugging.assert_equal, [1, 2, 3], [1, 2, 3]),
    (ag.debugging.assert_equal, [[1, 1], [1, 1]], 1),           # broadcasting
    (ag.debugging.assert_equal, ["a", "b"], ["a", "b"]),
    (ag.debugging.assert_none_equal, [1, 2], [3, 4]),
    (ag.debugging.assert_less, [1, 2], [2, 3]),
    (ag.debugging.assert_less_equal, [1, 2], [1, 3]),
    (ag.debugging.assert_greater, [2.0, 3.0], 1.5),
    (ag.debugging.assert_greater_equal, [2, 3], [2, 3]),
    (ag.debugging.assert_equal, np.zeros((0, 3)), np.ones((0, 3))),   # empty: trivially true
])
def test_comparisons_that_hold_return_none(assert_fn, x, y):
    assert assert_fn(ag.constant(x), y) is None


@pytest.mark.parametrize("assert_fn, sym, x, y", [
    (ag.debugging.assert_equal, "==", [1, 2, 3], [1, 5, 3]),
    (ag.debugging.assert_none_equal, "!=", [1, 2, 3], [4, 2, 6]),
    (ag.debugging.assert_less, "<", [1, 2, 3], [2, 2, 4]),
    (ag.debugging.assert_less_equal, "<=", [1, 3, 3], [2, 2, 4]),
    (ag.debugging.assert_greater, ">", [3, 2, 5], [2, 2, 4]),
    (ag.debugging.assert_greater_equal, ">=", [3, 1, 5], [2, 2, 4]),
])
def test_failed_comparison_message(assert_fn, sym, x, y):
    with pytest.raises(InvalidArgumentError) as info:
        assert_fn(ag.constant(x), ag.constant(y), message="values differ")
    text = str(info.value)
    for fragment in ["values differ\n", f"Condition x {sym} y did not hold.",
                     "Indices of first 1 different values:\n[[1]]",
                     f"Corresponding x values:\n[{x[1]}]", f"Corresponding y values:\n[{y[1]}]",
                     f"First 3 elements of x:\n{np.array(x)}",
                     f"First 3 elements of y:\n{np.array(y)}"]:
        assert fragment in text


def test_failed_comparison_with_broadcast_lists_no_indices():
    with pytest.raises(InvalidArgumentError) as info:
        ag.debugging.assert_equal(ag.constant([[1, 2], [3, 4]]), 1, summarize=2)
    text = str(info.value)
    assert "Indices" not in text
    assert "First 2 elements of x:\n[1 2]" in text and "First 1 elements of y:\n[1]" in text


def test_summarize_limits_the_data_shown():
    with pytest.raises(InvalidArgumentError) as info:
        ag.debugging.assert_equal(ag.constant(np.arange(10, dtype=np.int32)),
                                  np.zeros(10, np.int32), summarize=2)
    assert "Indices of first 2 different values:\n[[1]\n [2]]" in str(info.value)
    assert "First 2 elements of x:\n[0 1]" in str(info.value)


def test_comparison_argument_errors():
    with pytest.raises(TypeError, match="int32"):
        ag.debugging.assert_equal(ag.constant([1]), ag.constant([1.0]))
    with pytest.raises(ValueError, match="broadcast"):
        ag.debugging.assert_equal(ag.constant([1, 2]), ag.constant([1, 2, 3]))
    with pytest.raises(TypeError, match="string"):
        ag.debugging.assert_less(ag.constant(["a"]), ag.constant(["b"]))


def test_a_tensor_equals_itself_without_running_anything():
    x = ag.constant([np.nan])
    assert ag.debugging.assert_equal(x, x) is None


# ---- sign checks -----------------------------------------------------------------------------

@pytest.mark.parametrize("assert_fn, good, bad, condition", [
    (ag.debugging.assert_positive, [1.0, 2.0], [-1.0, 2.0, 3.0, 4.0], "x > 0"),
    (ag.debugging.assert_negative, [-1, -2], [-1, 0, -3, -4], "x < 0"),
    (ag.debugging.assert_non_negative, [0, 2], [-1, 0, 1, 2], "x >= 0"),
    (ag.debugging.assert_non_positive, [0.0, -2.0], [1.0, 0.0, -1.0, -2.0], "x <= 0"),
])
def test_sign_checks(assert_fn, good, bad, condition):
    assert assert_fn(ag.constant(good)) is None
    bad_t = ag.constant(bad)
    with pytest.raises(InvalidArgumentError) as info:
        assert_fn(bad_t, message="sign check")
    shown = str([str(v) for v in np.array(bad, bad_t.dtype.np)[:3]] + ["..."])
    assert (f"sign check.  \nCondition {condition} did not hold element-wise:\n"
            f"x (shape=(4,) dtype={bad_t.dtype.name}) = \n{shown}") in str(info.value)


def test_sign_check_of_a_scalar_and_summarize_all():
    with pytest.raises(InvalidArgumentError, match=r"x \(shape=\(\) dtype=float32\) = \n-2.0"):
        ag.debugging.assert_positive(ag.constant(-2.0))
    with pytest.raises(InvalidArgumentError, match=r"\['-1', '2', '3', '4'\]"):
        ag.debugging.assert_positive(ag.constant([-1, 2, 3, 4]), summarize=-1)


def test_sign_checks_need_numbers():
    with pytest.raises(TypeError, match="real numeric"):
        ag.debugging.assert_positive(ag.constant([True]))


# ---- assert_near / Assert --------------------------------------------------------------------

def test_assert_near():
    x = ag.constant([1.0, 2.0])
    assert ag.debugging.assert_near(x, x + 1e-7) is None
    assert ag.debugging.assert_near(x, x + 0.05, atol=0.1) is None
    with pytest.raises(InvalidArgumentError) as info:
        ag.debugging.assert_near(x, [1.0, 2.5], message="not close")
    text = str(info.value)
    assert "not close.  " in text and "x and y not equal to tolerance" in text
    assert "y (shape=(2,) dtype=float32) = \n['1.0', '2.5']" in text


def test_assert_near_default_tolerance_is_ten_eps():
    one = ag.constant(1.0, dtype=ag.float64)
    with pytest.raises(InvalidArgumentError):
        ag.debugging.assert_near(one, 1.0 + 1e-6)
    with pytest.raises(TypeError, match="int32"):
        ag.debugging.assert_near(ag.constant([1]), ag.constant([1]))


def test_Assert_shows_its_data():
    x = ag.constant([1, 2, 3, 4])
    assert ag.debugging.Assert(ag.constant(True), ["unused", x]) is None
    with pytest.raises(InvalidArgumentError) as info:
        ag.debugging.Assert(ag.reduce_all(x > 2) if hasattr(ag, "reduce_all")
                            else ag.constant(False), ["x must exceed 2:", x], summarize=2)
    assert "Summarized data: x must exceed 2:\n1, 2, ..." in str(info.value)
    with pytest.raises(ValueError, match="scalar bool"):
        ag.debugging.Assert(ag.constant([True, False]), [])


# ---- check_numerics / assert_all_finite ------------------------------------------------------

@pytest.mark.parametrize("values, found", [
    ([1.0, np.nan], "NaN"), ([np.inf, 1.0], "Inf"), ([np.nan, -np.inf], "Inf and NaN")])
def test_check_numerics_names_the_message_and_the_op(values, found):
    with pytest.raises(InvalidArgumentError,
                       match=f"bad input : Tensor had {found} values \\[Op:CheckNumerics\\]"):
        ag.debugging.check_numerics(ag.constant(values), "bad input")


def test_check_numerics_passes_finite_values_through():
    x = ag.constant([1.0, 2.0])
    y = ag.debugging.check_numerics(x, "fine")
    assert y.dtype == ag.float32 and np.array_equal(y.numpy(), x.numpy())
    assert ag.debugging.assert_all_finite(x, "fine") is not None
    with pytest.raises(TypeError, match="float"):
        ag.debugging.check_numerics(ag.constant([1]), "ints")


def test_check_numerics_gradient_is_identity():
    check_grad(lambda x: ag.debugging.check_numerics(x * x, "sq"), [1.0, -2.0, 3.0])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_check_numerics_catches_nan_born_in_the_gradient():
    x = ag.constant([0.0, 1.0])
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = ag.debugging.check_numerics(x, "x")
        z = ag.sqrt(y)       # finite at 0, but its gradient is inf there
    with pytest.raises(InvalidArgumentError, match="detected in gradient. x : Tensor had Inf"):
        tape.gradient(z, x)


def test_assert_all_finite_seed_example():
    # Seed 002, "数值稳定性检查": check the input of a log.
    def safe_log(x):
        ag.debugging.assert_all_finite(x, "Input contains inf/nan")
        ag.debugging.assert_positive(x, "Log requires positive input")
        return ag.math.log(x + 1e-7)

    assert safe_log(ag.constant([1.0, 2.0])).shape == (2,)
    with pytest.raises(InvalidArgumentError, match="Input contains inf/nan : Tensor had NaN"):
        safe_log(ag.constant([np.nan]))
    with pytest.raises(InvalidArgumentError, match="Log requires positive input"):
        safe_log(ag.constant([-1.0]))


# ---- enable_check_numerics -------------------------------------------------------------------

@pytest.fixture
def check_numerics_enabled():
    ag.debugging.enable_check_numerics()
    yield
    ag.debugging.disable_check_numerics()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_enable_check_numerics_names_the_op(check_numerics_enabled):
    x = ag.constant([-1.0, 1.0])
    with pytest.raises(InvalidArgumentError) as info:
        ag.math.log(x)
    assert info.value.op_name == "Log"
    text = str(info.value)
    assert 'Detected Infinity or NaN in output 0 of eagerly-executing op "Log"' in text
    assert "# of NaN elements: 1" in text and "Input tensor:" in text
    with pytest.raises(InvalidArgumentError, match="# of \\+Inf elements: 1"):
        x / 0.0
    assert (x + 1.0).shape == (2,)     # finite results pass
    assert ag.constant([1, 2]) // 1 is not None   # integer outputs are not checked


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_enable_check_numerics_reaches_into_functions(check_numerics_enabled):
    # Seed 002 enables the check, then calls a tf.function: its ops are checked too.
    log = ag.function(lambda x: ag.math.log(x))
    assert log(ag.constant([1.0])).shape == (1,)
    with pytest.raises(InvalidArgumentError) as info:
        log(ag.constant([-1.0]))
    assert info.value.op_name == "Log"


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_disable_check_numerics_restores_the_fast_path():
    ag.debugging.enable_check_numerics()
    ag.debugging.enable_check_numerics()     # idempotent
    assert state.slow and len(state.hooks) == 1
    ag.debugging.disable_check_numerics()
    ag.debugging.disable_check_numerics()
    assert not state.slow and state.hooks == []
    assert np.isnan(ag.math.log(ag.constant(-1.0)).numpy())


# ---- static checks ---------------------------------------------------------------------------

def test_assert_rank():
    x = ag.constant([[1, 2]])
    assert ag.debugging.assert_rank(x, 2) is None
    with pytest.raises(ValueError, match=r"wanted\.  Tensor must have rank 1\.  Received rank 2, "
                                         r"shape \(1, 2\)"):
        ag.debugging.assert_rank(x, 1, message="wanted")
    assert ag.debugging.assert_rank_at_least(x, 1) is None
    with pytest.raises(ValueError, match="rank at least 3"):
        ag.debugging.assert_rank_at_least(x, 3)
    assert ag.debugging.assert_scalar(ag.constant(1)).shape == ()
    with pytest.raises(ValueError, match="Expected scalar"):
        ag.debugging.assert_scalar(x)


def test_assert_type():
    assert ag.debugging.assert_type(ag.constant(1.0), ag.float32) is None
    with pytest.raises(TypeError) as info:
        ag.debugging.assert_type(ag.constant(1.0), ag.int32, message="ids")
    assert str(info.value) == f"ids.  tensor must be of type {ag.int32!r}; got {ag.float32!r}"


def test_assert_shapes_with_named_dims():
    x, y, z = (ag.constant(np.zeros(shape)) for shape in [(2, 3), (2,), (4, 2, 3)])
    assert ag.debugging.assert_shapes([(x, ("N", "Q")), (y, ("N",)), (z, ("...", "N", 3))]) is None
    with pytest.raises(ValueError, match="Tensor 1 dimension 0 must have size 3"):
        ag.debugging.assert_shapes([(x, ("N", "Q")), (y, ("Q",))])
    with pytest.raises(ValueError, match="Tensor 0 must have rank 3"):
        ag.debugging.assert_shapes([(x, (2, 3, 1))])
    with pytest.raises(ValueError, match="dimension 1 must have size 4"):
        ag.debugging.assert_shapes([(x, (2, 4))])


# ---- inside traced functions -----------------------------------------------------------------

def test_value_asserts_are_stateful_ops_with_no_outputs():
    for name in ["AssertEqual", "AssertNoneEqual", "AssertLess", "AssertLessEqual", "AssertGreater",
                 "AssertGreaterEqual", "AssertPositive", "AssertNegative", "AssertNonNegative",
                 "AssertNonPositive", "AssertNear", "Assert", "CheckNumerics"]:
        op = registry.get(name)
        assert op.stateful, name
        assert op.multi or name == "CheckNumerics", name


def test_infer_rules_match_kernels():
    x = ag.constant([[1.0, 2.0]])
    _, checked = check_infer(lambda: [
        ag.debugging.assert_equal(x, x + 0.0), ag.debugging.assert_less(x, 3.0),
        ag.debugging.assert_positive(x), ag.debugging.assert_near(x, x + 1e-9),
        ag.debugging.Assert(ag.constant(True), ["x", x]), ag.debugging.check_numerics(x, "x")])
    assert {"AssertEqual", "AssertLess", "AssertPositive", "AssertNear", "Assert",
            "CheckNumerics"} <= set(checked)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_asserts_run_at_every_call_of_a_function():
    # Seed 002, "形状调试": the batch sizes must match on every call, not just while tracing.
    spec = ag.TensorSpec([None, 2], ag.float32)

    @ag.function(input_signature=[spec, spec])
    def debug_shapes(x, y):
        ag.debugging.assert_equal(ag.shape(x)[0], ag.shape(y)[0],
                                  message="Batch sizes must match")
        ag.debugging.assert_positive(x, "x must be positive")
        return ag.debugging.check_numerics(x / y, "ratio")

    ones = ag.constant(np.ones((3, 2), np.float32))
    assert debug_shapes(ones, ones).shape == (3, 2)
    with pytest.raises(InvalidArgumentError, match="x must be positive"):
        debug_shapes(-ones, ones)
    with pytest.raises(InvalidArgumentError, match="ratio : Tensor had Inf"):
        debug_shapes(ones, ones * 0.0)
    with pytest.raises(InvalidArgumentError, match="Batch sizes must match"):
        debug_shapes(ones, ag.constant(np.ones((2, 2), np.float32)))
    graph = debug_shapes.get_concrete_function(ones, ones).optimized_graph
    assert {"AssertEqual", "AssertPositive", "CheckNumerics"} <= {n.op.name for n in graph.nodes}
