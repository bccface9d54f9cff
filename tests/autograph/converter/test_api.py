"""The converter behind ag.function: seed examples, methods, caching, to_code/to_graph,
do_not_convert, run_functions_eagerly."""
import contextlib
import io

import numpy as np
import pytest

import autograph as ag
from autograph.converter import api, conversion, public

from .support import check, t


def test_seed_for_over_tf_range_prints_at_every_call():
    # The seed's my_add: `for i in tf.range(3): tf.print(i)` is a graph loop; the Python
    # print runs only while tracing.
    @ag.function(autograph=True)
    def my_add(a, b):
        for i in ag.range(3):
            ag.print(i)
        c = a + b
        print("tracing")
        return c

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        my_add(ag.constant("hello"), ag.constant("world"))
        my_add(ag.constant("good"), ag.constant("morning"))
    printed = out.getvalue()
    assert printed.count("tracing") == 1
    assert "While" in [n.op.name for n in
                       my_add.get_concrete_function(ag.constant("a"), ag.constant("b")).graph.nodes]


def test_ag_function_converts_by_default():
    @ag.function
    def relu_sum(x):
        total = ag.constant(0.0)
        for v in x:
            if v > 0:
                total += v
        return total
    assert float(relu_sum(t([1.0, -2.0, 3.0]))) == 4.0
    names = [n.op.name for n in relu_sum.get_concrete_function(t([1.0])).graph.nodes]
    assert "While" in names


def test_autograph_false_traces_as_written():
    @ag.function(autograph=False)
    def f(x):
        if x > 0:
            return x
        return -x
    with pytest.raises(TypeError, match="symbolic tensor"):
        f(t(1.0))


def test_methods_and_modules():
    class Counter(ag.Module):
        def __init__(self):
            super().__init__()
            self.total = ag.Variable(0.0)

        @ag.function
        def add(self, x):
            if x > 0:
                self.total.assign_add(x)
            return self.total.read_value()
    c = Counter()
    assert float(c.add(t(2.0))) == 2.0
    assert float(c.add(t(-1.0))) == 2.0
    assert float(c.add(t(3.0))) == 5.0


def test_run_functions_eagerly_is_the_oracle():
    def f(x):
        while x < 100:
            x = x * 2
        return x
    g = ag.function(f)
    ag.run_functions_eagerly(True)
    try:
        eager = g(t(3))
    finally:
        ag.run_functions_eagerly(False)
    assert int(eager) == int(g(t(3))) == 192


def test_convert_is_cached_and_idempotent():
    def f(x):
        return x + 1
    g = api.convert(f)
    assert api.convert(f) is g
    assert api.convert(g) is g
    assert conversion.convert_function(f) is conversion.convert_function(f)


def test_a_functools_wraps_wrapper_is_converted_as_itself():
    import functools

    def base(x):
        return x + 1
    assert api.convert(base)(1) == 2          # caches the conversion on base

    @functools.wraps(base)                    # copies base.__dict__, cache entry included
    def wrapper(x):
        return base(x) * 10
    assert api.convert(wrapper)(1) == 20
    assert conversion.convert_function(wrapper) is not conversion.convert_function(base)


def test_bound_methods_and_partials_are_rebound():
    class A:
        def __init__(self, k):
            self.k = k

        def scale(self, x):
            return x * self.k if x > 0 else x
    a = A(3)
    assert public.convert(a.scale)(2) == 6
    import functools
    assert public.convert(functools.partial(A.scale, a))(-2) == -2


def test_to_graph_and_to_code():
    def f(x):
        if x > 0:
            x = x * 2
        return x
    g = public.to_graph(f)
    assert g(3) == 6
    code = public.to_code(f)
    assert code.startswith("def f(x):")
    assert "ag__.if_stmt" in code
    assert "ag__factory" not in code


def test_to_code_of_a_lambda():
    square = lambda v: v * v if v > 0 else 0  # noqa: E731
    assert "ag__.if_exp" in public.to_code(square)


def test_do_not_convert_keeps_ag_function_from_converting():
    @ag.function
    @public.do_not_convert
    def f(x):
        if x > 0:
            return x
        return -x
    with pytest.raises(TypeError, match="symbolic tensor"):
        f(t(1.0))


def test_experimental_namespace():
    assert public.experimental.do_not_convert is public.do_not_convert
    assert public.experimental.set_loop_options(maximum_iterations=3) is None

    def f(n):
        s = 0
        for i in ag.range(n):
            public.experimental.set_loop_options(parallel_iterations=1)
            s += i
        return s
    check(f, t(4))


def test_library_functions_are_traced_as_written():
    import textwrap
    assert api.convert(textwrap.dedent) is textwrap.dedent
    assert api.convert(ag.reduce_sum) is ag.reduce_sum


def test_graph_runs_without_python():
    @ag.function
    def f(x):
        y = x
        i = 0
        while i < 10:
            y = y * 0.5 + 1.0
            i += 1
        return y
    cf = f.get_concrete_function(ag.TensorSpec([2], ag.float32))
    got = cf(t(np.array([0.0, 4.0], np.float32)))
    expected = np.array([0.0, 4.0], np.float32)
    for _ in range(10):
        expected = expected * 0.5 + 1.0
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6)


seed_counter = 0


def test_seed_global_counter_changes_only_while_tracing():
    # seed 002, "trap 1": the Python global is incremented when the function is traced
    @ag.function
    def bad_function(x):
        global seed_counter
        seed_counter += 1
        return x + seed_counter
    assert int(bad_function(t(1))) == 2
    assert int(bad_function(t(5))) == 6     # same signature: no retrace
    assert seed_counter == 1


def test_seed_zip_of_gradients_and_variables():
    w = ag.Variable([1.0, 2.0])

    @ag.function
    def step(x):
        with ag.GradientTape() as tape:
            loss = ag.reduce_sum(w * x)
        grads = tape.gradient(loss, [w])
        for g, v in zip(grads, [w]):
            v.assign_sub(0.1 * g)
        return loss
    step(t([1.0, 1.0]))
    np.testing.assert_allclose(w.numpy(), [0.9, 1.9], rtol=1e-6)


def test_converting_the_same_source_twice_converts_each_code_object():
    import linecache
    from autograph.converter import conversion
    source = "def f(x):\n    if x > 0:\n        return x\n    return -x\n"
    functions = []
    for name in ("<same-source-1>", "<same-source-2>"):
        linecache.cache[name] = (len(source), None, source.splitlines(True), name)
        scope = {}
        exec(compile(source, name, "exec"), scope)
        functions.append(scope["f"])
    first, second = (conversion.factory_of(f) for f in functions)
    assert first is not second and first.user_file == "<same-source-1>"
    assert second.user_file == "<same-source-2>"
    # a function re-created from the same code object reuses the conversion
    again = type(functions[0])(functions[0].__code__, {})
    assert conversion.factory_of(again) is first


def test_the_conversion_cache_lets_go_of_dropped_functions():
    import gc
    import linecache
    from autograph.converter import conversion
    source = "def g(x):\n    while x > 0:\n        x -= 1\n    return x\n"
    linecache.cache["<dropped>"] = (len(source), None, source.splitlines(True), "<dropped>")
    scope = {}
    exec(compile(source, "<dropped>", "exec"), scope)
    key = id(scope["g"].__code__)
    conversion.convert_function(scope["g"])
    assert key in conversion._factories._entries
    scope.clear()
    gc.collect()
    assert key not in conversion._factories._entries
