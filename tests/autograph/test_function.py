"""``ag.function``: cache keys and retracing, input_signature, reduce_retracing, the retrace
warning, nested structures, methods, concrete functions, eager debugging mode, side effects,
the variable-creation rule, and helpful errors while tracing."""
import collections
import functools
import gc
import os
import subprocess
import sys
import textwrap
import warnings
import weakref

import numpy as np
import pytest

import autograph as ag

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _counting(fn):
    """``fn`` as an ag.function that counts its traces in ``.traces``."""
    def traced(*args, **kwargs):
        wrapper.traces += 1
        return fn(*args, **kwargs)
    traced.__name__ = fn.__name__
    wrapper = ag.function(traced)
    wrapper.traces = 0
    return wrapper


def _scale(x, factor=2):
    return x * factor


# ---- cache keys --------------------------------------------------------------------------

def test_same_dtype_and_shape_reuse_one_trace():
    f = _counting(_scale)
    for v in [1.0, 2.0, -3.0]:
        assert f(ag.constant(v)).numpy() == 2 * v
    assert f.traces == 1
    assert f.experimental_get_tracing_count() == 1


def test_a_new_shape_or_dtype_retraces():
    f = _counting(_scale)
    f(ag.constant(1.0))
    f(ag.constant([1.0, 2.0]))
    f(ag.constant([3.0, 4.0]))
    f(ag.constant(1))
    f(ag.constant(1.0, ag.float64))
    assert f.traces == 4


def test_python_values_retrace_per_value():
    f = _counting(_scale)
    assert [f(ag.constant(1.0), k).numpy() for k in (2, 3, 2, 3, 4)] == [2, 3, 2, 3, 4]
    assert f.traces == 3


def test_keyword_and_positional_python_values_both_key_the_cache():
    f = _counting(_scale)
    assert f(ag.constant(1.0), factor=5).numpy() == 5.0
    assert f(ag.constant(1.0), factor=5).numpy() == 5.0
    assert f(ag.constant(1.0), factor=6).numpy() == 6.0
    assert f.traces == 2


def test_numpy_arrays_are_keyed_like_tensors():
    f = _counting(_scale)
    f(np.array([1.0, 2.0], np.float32))
    f(np.array([3.0, 4.0], np.float32))
    assert f.traces == 1


def test_an_unhashable_python_argument_is_a_type_error_naming_it():
    f = ag.function(_scale)
    with pytest.raises(TypeError, match="_scale: argument factor is an unhashable set"):
        f(ag.constant(1.0), {1, 2})


def test_an_unhashable_value_inside_a_dict_is_named_by_its_path():
    f = ag.function(lambda x, opts: x)
    with pytest.raises(TypeError, match=r"argument opts\['k'\] is an unhashable set"):
        f(ag.constant(1.0), {"k": {1}})


def test_variables_key_the_cache_by_identity():
    a, b = ag.Variable(1.0), ag.Variable(10.0)
    f = _counting(lambda v: v.read_value() * 1.0)
    assert (f(a).numpy(), f(b).numpy(), f(a).numpy()) == (1.0, 10.0, 1.0)
    assert f.traces == 2


# ---- input_signature ---------------------------------------------------------------------

def _doubled(x):
    return x * 2.0


def test_input_signature_with_none_dims_accepts_any_size_with_one_trace():
    f = ag.function(_doubled, input_signature=[ag.TensorSpec([None], ag.float32)])
    for n in (0, 1, 5):
        np.testing.assert_array_equal(f(ag.constant(np.ones(n, np.float32))).numpy(),
                                      np.full(n, 2.0))
    assert f.experimental_get_tracing_count() == 1


@pytest.mark.parametrize("bad, got", [
    (np.ones((1, 1), np.float32), "TensorSpec(shape=(1, 1), dtype=tf.float32"),
    (np.ones(2, np.int32), "TensorSpec(shape=(2,), dtype=tf.int32"),
    (np.float32(1.0), "TensorSpec(shape=(), dtype=tf.float32"),
])
def test_input_signature_rejects_a_mismatch_naming_the_argument_and_both_specs(bad, got):
    f = ag.function(_doubled, input_signature=[ag.TensorSpec([None], ag.float32)])
    with pytest.raises(ValueError) as info:
        f(ag.constant(bad))
    message = str(info.value)
    assert "argument x" in message
    assert got in message
    assert "TensorSpec(shape=(None,), dtype=tf.float32" in message


def test_input_signature_rejects_extra_arguments():
    f = ag.function(_doubled, input_signature=[ag.TensorSpec([None])])
    with pytest.raises(TypeError):
        f(ag.constant([1.0]), ag.constant([1.0]))


def test_input_signature_converts_python_lists():
    f = ag.function(_doubled, input_signature=[ag.TensorSpec([None])])
    np.testing.assert_array_equal(f([1.0, 2.0]).numpy(), [2.0, 4.0])


def test_nested_input_signature():
    f = ag.function(lambda pair: pair[0] + pair[1],
                    input_signature=[(ag.TensorSpec([None]), ag.TensorSpec([None]))])
    np.testing.assert_array_equal(f((ag.constant([1.0]), ag.constant([2.0]))).numpy(), [3.0])
    with pytest.raises(ValueError, match=r"argument pair\[1\]"):
        f((ag.constant([1.0]), ag.constant([[2.0]])))


def test_get_concrete_function_without_arguments_uses_the_signature():
    f = ag.function(_doubled, input_signature=[ag.TensorSpec([None, 3])])
    cf = f.get_concrete_function()
    assert [tuple(v.shape) for v in cf.graph.inputs] == [(None, 3)]


# ---- reduce_retracing --------------------------------------------------------------------

def test_reduce_retracing_generalises_shapes():
    f = ag.function(lambda x: ag.reduce_sum(x), reduce_retracing=True)
    for n in range(1, 10):
        assert f(ag.constant(np.ones(n, np.float32))).numpy() == n
    assert f.experimental_get_tracing_count() <= 2
    for n in range(1, 5):
        assert f(ag.constant(np.ones((n, 2), np.float32))).numpy() == 2 * n
    assert f.experimental_get_tracing_count() <= 4


def test_reduce_retracing_still_retraces_per_python_value():
    f = ag.function(lambda x, n: x * n, reduce_retracing=True)
    assert f(ag.constant(1.0), 2).numpy() == 2.0
    assert f(ag.constant(1.0), 3).numpy() == 3.0


def test_reduce_retracing_still_keys_variables_by_identity():
    a, b = ag.Variable(1.0), ag.Variable(10.0)
    f = ag.function(lambda v: v.read_value() * 1.0, reduce_retracing=True)
    assert (f(a).numpy(), f(b).numpy()) == (1.0, 10.0)


# ---- the retrace warning -----------------------------------------------------------------

def _retrace_warnings(f, calls):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for args in calls:
            f(*args)
    return [w for w in caught if "retracing" in str(w.message)]


def test_five_traces_in_the_last_ten_calls_warn_naming_the_function_and_argument():
    f = ag.function(_scale)
    x = ag.constant(1.0)
    (w,) = _retrace_warnings(f, [(x, k) for k in range(5)])
    message = str(w.message)
    assert "_scale" in message
    assert "factor (Python value 3 -> Python value 4)" in message


def test_four_traces_in_ten_calls_do_not_warn():
    f = ag.function(_scale)
    x = ag.constant(1.0)
    calls = [(x, k) for k in range(4)] + [(x, 0)] * 6 + [(x, 0)]
    assert _retrace_warnings(f, calls) == []


def test_retraces_spread_over_more_than_ten_calls_do_not_warn():
    f = ag.function(_scale)
    x = ag.constant(1.0)
    calls = []
    for k in range(8):
        calls += [(x, k)] + [(x, k)] * 2
    assert _retrace_warnings(f, calls) == []


def test_the_warning_is_given_at_most_twice():
    f = ag.function(_scale)
    x = ag.constant(1.0)
    assert len(_retrace_warnings(f, [(x, k) for k in range(40)])) == 2


def test_a_changing_shape_is_named_in_the_warning():
    f = ag.function(_doubled)
    (w,) = _retrace_warnings(f, [(ag.constant(np.ones(n, np.float32)),) for n in range(5)])
    assert "x (float32[3] -> float32[4])" in str(w.message)


def test_the_warning_points_at_the_callers_line():
    f = ag.function(_scale)
    x = ag.constant(1.0)
    (w,) = _retrace_warnings(f, [(x, k) for k in range(5)])
    assert w.filename == __file__


# ---- nested structures -------------------------------------------------------------------

Pair = collections.namedtuple("Pair", "a b")


def test_nested_arguments_and_results_keep_their_types():
    @ag.function
    def f(d, seq, p):
        return {"sum": d["x"] + seq[0], "rest": (seq[1], [p.a * p.b])}, Pair(p.b, p.a)

    out, swapped = f({"x": ag.constant(1.0)}, [ag.constant(2.0), ag.constant(3.0)],
                     Pair(ag.constant(4.0), ag.constant(5.0)))
    assert isinstance(out, dict) and isinstance(out["rest"], tuple)
    assert isinstance(out["rest"][1], list) and isinstance(swapped, Pair)
    assert out["sum"].numpy() == 3.0 and out["rest"][1][0].numpy() == 20.0
    assert (swapped.a.numpy(), swapped.b.numpy()) == (5.0, 4.0)


def test_python_values_in_results_pass_through():
    f = ag.function(lambda x: (x, "label", 3, None))
    out = f(ag.constant(1.0))
    assert out[1:] == ("label", 3, None)


def test_a_change_of_structure_retraces():
    f = _counting(lambda xs: ag.add_n(list(xs)))
    f([ag.constant(1.0), ag.constant(2.0)])
    f((ag.constant(1.0), ag.constant(2.0)))
    f([ag.constant(1.0), ag.constant(2.0), ag.constant(3.0)])
    f([ag.constant(5.0), ag.constant(6.0)])
    assert f.traces == 3


# ---- methods -----------------------------------------------------------------------------

class Scaler:
    def __init__(self, k):
        self.k = k
        self.traces = 0

    @ag.function
    def __call__(self, x):
        self.traces += 1
        return x * self.k


def test_methods_are_traced_per_instance():
    two, three = Scaler(2.0), Scaler(3.0)
    assert two(ag.constant(1.0)).numpy() == 2.0
    assert three(ag.constant(1.0)).numpy() == 3.0
    assert two(ag.constant(5.0)).numpy() == 10.0
    assert (two.traces, three.traces) == (1, 1)


def test_the_method_seen_on_the_class_is_the_function():
    assert isinstance(Scaler.__call__, ag.Function)
    s = Scaler(1.0)
    assert s.__call__ is s.__call__          # one Function per instance, made once


def test_an_instance_is_freed_after_its_method_was_called():
    s = Scaler(2.0)
    s(ag.constant(1.0))
    ref = weakref.ref(s)
    del s
    gc.collect()
    assert ref() is None



def test_a_function_of_an_exec_namespace_is_freed_after_use():
    import linecache
    source = "def f(x):\n    if x > 0:\n        x = x + 1\n    return x\n"
    linecache.cache["<exec-namespace>"] = (len(source), None, source.splitlines(True),
                                           "<exec-namespace>")
    namespace: dict = {}
    exec(compile(source, "<exec-namespace>", "exec"), namespace)
    ref = weakref.ref(namespace["f"])
    assert float(ag.function(namespace["f"])(ag.constant(1.0))) == 2.0
    assert float(ag.autograph.to_graph(namespace["f"])(1.0)) == 2.0
    del namespace
    gc.collect()
    assert ref() is None

# ---- concrete functions ------------------------------------------------------------------

def test_get_concrete_function_with_a_tensor_spec():
    f = ag.function(_doubled)
    cf = f.get_concrete_function(ag.TensorSpec([None, 2], ag.float32))
    assert isinstance(cf, ag.ConcreteFunction)
    assert [tuple(v.shape) for v in cf.graph.inputs] == [(None, 2)]
    assert cf.structured_input_signature == (ag.TensorSpec([None, 2], ag.float32, "x"),)
    np.testing.assert_array_equal(cf(ag.constant(np.ones((3, 2), np.float32))).numpy(),
                                  np.full((3, 2), 2.0))
    assert f.get_concrete_function(ag.TensorSpec([None, 2], ag.float32)) is cf


def test_with_jit_shares_the_graph_and_refers_back_without_a_cycle():
    cf = ag.function(_doubled).get_concrete_function(ag.TensorSpec([2], ag.float32))
    assert cf.with_jit(cf.jit_compile) is cf
    other = cf.with_jit(not cf.jit_compile)
    assert other.graph is cf.graph and other.jit_compile != cf.jit_compile
    assert cf.with_jit(other.jit_compile) is other and other.with_jit(cf.jit_compile) is cf
    x = ag.constant([1.0, 2.0])
    np.testing.assert_array_equal(other(x).numpy(), cf(x).numpy())
    ref = weakref.ref(cf)
    del cf
    assert ref() is None                # freed by reference counting alone
    assert other.with_jit(not other.jit_compile).graph is other.graph   # made again


def test_a_concrete_function_rejects_incompatible_tensors():
    cf = ag.function(_doubled).get_concrete_function(ag.TensorSpec([None, 2]))
    with pytest.raises(ValueError, match=r"argument x has TensorSpec\(shape=\(3, 3\).*accepts "
                                         r"TensorSpec\(shape=\(None, 2\)"):
        cf(ag.constant(np.ones((3, 3), np.float32)))
    with pytest.raises((TypeError, ValueError), match="int32"):
        cf(ag.constant(np.ones((3, 2), np.int32)))


def test_concrete_function_graphs_traced_and_optimized():
    cf = ag.function(lambda x: x * 1.0 + ag.exp(x) * 0.0).get_concrete_function(
        ag.TensorSpec([3]))
    assert cf.graph.op_counts() == {"Mul": 2, "Exp": 1, "Add": 1}
    assert "Exp" in cf.optimized_graph.op_counts()
    assert cf.pretty_printed_graph() == str(cf.graph)


def test_the_first_call_walks_the_traced_graph_and_the_second_runs_the_optimized_plan():
    f = ag.function(lambda x: ag.reduce_sum(x * 1.0 + ag.exp(x)))
    x = ag.constant([0.5, 1.0])
    first = f(x)
    cf = f.get_concrete_function(x)
    assert cf._plan is None and cf._optimized is None     # nothing optimized or generated
    second = f(x)
    assert cf._plan is not None and "Mul" not in cf.optimized_graph.op_counts()
    assert first.numpy() == second.numpy()
    np.testing.assert_allclose(first.numpy(), 1.5 + np.exp(0.5) + np.exp(1.0), rtol=1e-6)


def test_a_compiled_function_is_compiled_when_traced():
    cf = ag.function(lambda x: ag.tanh(x) * 2.0, jit_compile=True).get_concrete_function(
        ag.TensorSpec([3]))
    assert cf._plan is not None and "Fused" in cf.optimized_graph.op_counts()


# ---- eager vs traced ---------------------------------------------------------------------

def test_executing_eagerly_is_false_only_while_tracing():
    seen = []

    @ag.function
    def f(x):
        seen.append(ag.executing_eagerly())
        return x

    assert ag.executing_eagerly()
    f(ag.constant(1.0))
    assert seen == [False]
    assert ag.executing_eagerly()


def _loud(x):
    print("python print", x.shape)
    ag.print("ag.print", x)
    return x + 1.0


def test_python_print_runs_once_per_trace_and_ag_print_every_call(capsys):
    f = ag.function(_loud)
    for v in (1.0, 2.0, 3.0):
        f(ag.constant(v))
    out = capsys.readouterr()
    assert out.out.count("python print") == 1
    assert out.err.splitlines() == ["ag.print 1", "ag.print 2", "ag.print 3"]


def test_run_functions_eagerly_runs_the_python_every_call(capsys):
    f = ag.function(_loud)
    ag.run_functions_eagerly(True)
    try:
        seen = []
        g = ag.function(lambda x: seen.append(ag.executing_eagerly()) or x)
        for v in (1.0, 2.0):
            assert f(ag.constant(v)).numpy() == v + 1
        g(ag.constant(1.0))
        assert seen == [True]
    finally:
        ag.run_functions_eagerly(False)
    assert capsys.readouterr().out.count("python print") == 2
    f(ag.constant(1.0))
    f(ag.constant(2.0))
    assert capsys.readouterr().out.count("python print") == 1


def test_run_functions_eagerly_is_also_in_config():
    assert ag.config.run_functions_eagerly is ag.run_functions_eagerly


def test_the_environment_variable_turns_on_eager_mode():
    script = textwrap.dedent("""
        import autograph as ag

        @ag.function
        def f(x):
            print("python print", ag.executing_eagerly())
            return x

        f(ag.constant(1.0))
        f(ag.constant(2.0))
    """)
    env = dict(os.environ, AUTOGRAPH_RUN_EAGERLY="1", PYTHONPATH=ROOT)
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["python print True", "python print True"]


def test_python_side_effects_happen_only_while_tracing():
    calls = []

    @ag.function
    def f(x):
        calls.append(x)
        return x * 2.0

    f(ag.constant(1.0))
    f(ag.constant(2.0))
    assert len(calls) == 1


def test_a_function_called_while_tracing_is_inlined():
    inner = _counting(lambda x: x * 3.0)
    outer = ag.function(lambda x: inner(x) + 1.0)
    assert outer(ag.constant(2.0)).numpy() == 7.0
    assert outer(ag.constant(3.0)).numpy() == 10.0
    assert inner.experimental_get_tracing_count() == 0


def test_a_tape_records_through_a_function_call():
    f = ag.function(lambda x: ag.reduce_sum(ag.sin(x) * x))
    x = ag.constant(np.array([0.5, 1.0]))
    with ag.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(),
                               np.cos(x.numpy()) * x.numpy() + np.sin(x.numpy()))


def test_changing_a_result_array_does_not_change_later_results():
    f = ag.function(lambda: ag.constant([1.0, 2.0]) * 2.0)
    first = np.asarray(f())
    try:
        first[0] = 99.0
    except ValueError:
        pass                                   # a read-only result is fine too
    np.testing.assert_array_equal(f().numpy(), [2.0, 4.0])


# ---- variables ---------------------------------------------------------------------------

def test_creating_a_variable_on_every_call_is_refused_on_the_first_call():
    @ag.function
    def inner_var():
        x = ag.Variable(1.0, dtype=ag.float32)
        x.assign_add(1.0)
        return x

    with pytest.raises(ValueError, match="inner_var: a Variable .* is created every time"):
        inner_var()


def test_creating_a_variable_once_with_the_if_none_pattern_works():
    class Counter:
        def __init__(self):
            self.v = None

        @ag.function
        def __call__(self, x):
            if self.v is None:
                self.v = ag.Variable(0.0)
            self.v.assign_add(x)
            return self.v.read_value()

    c = Counter()
    assert [c(ag.constant(k)).numpy() for k in (1.0, 2.0, 3.0)] == [1.0, 3.0, 6.0]
    assert c.v.numpy() == 6.0


def test_a_variable_created_once_from_an_op_result():
    class Layer:
        def __init__(self):
            self.w = None

        @ag.function
        def __call__(self, x):
            if self.w is None:
                self.w = ag.Variable(ag.zeros([3]))
            return x + self.w

    np.testing.assert_array_equal(Layer()(ag.constant([1.0, 2.0, 3.0])).numpy(), [1, 2, 3])


# ---- errors while tracing ----------------------------------------------------------------

@pytest.mark.parametrize("read", [lambda t: t.numpy(), float, np.asarray, bool],
                         ids=["numpy", "float", "np.asarray", "bool"])
def test_reading_a_symbolic_tensor_while_tracing_says_what_to_do(read):
    # without conversion: converted code turns float()/bool() of a graph tensor into casts
    f = ag.function(lambda x: read(x), autograph=False)
    with pytest.raises(TypeError) as info:
        f(ag.constant(1.0))
    message = str(info.value)
    assert "symbolic tensor" in message and "while tracing" in message
    assert "ag.print" in message and "run_functions_eagerly" in message


def test_a_tensor_from_another_trace_is_refused_while_tracing():
    saved = []

    @ag.function
    def keep(x):
        saved.append(x * 1.0)
        return x

    keep(ag.constant(1.0))
    use = ag.function(lambda y: y + saved[0])
    with pytest.raises((TypeError, ValueError),
                       match="(?i)another (graph|function)|out of scope|inaccessible"):
        use(ag.constant(1.0))


def test_a_failed_trace_leaves_eager_mode_intact():
    f = ag.function(lambda x: x.numpy())
    with pytest.raises(TypeError):
        f(ag.constant(1.0))
    assert ag.executing_eagerly()
    assert (ag.constant(2.0) * 3.0).numpy() == 6.0


def _added(alpha, beta):
    return alpha + beta


@functools.wraps(_added)
def _wrapped_added(*args):
    return _added(*args)


def _first(a, b, *rest):
    return a


def test_graph_inputs_are_named_after_the_parameters():
    x, y, z = ag.constant(1.0), ag.constant(2.0), ag.constant(3.0)
    assert ag.function(_first).get_concrete_function(x, y, z).graph.input_names == \
        ["a", "b", "args[2]"]
    # a functools.wraps wrapper is named after what it wraps, as inspect.signature does
    assert ag.function(_wrapped_added).get_concrete_function(x, y).graph.input_names == \
        ["alpha", "beta"]
