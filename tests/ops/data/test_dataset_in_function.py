"""``for x in dataset`` inside ``@ag.function``: one graph loop that iterates the dataset each
time the function runs (as TensorFlow stages it), checked against the same function run
eagerly, which is plain Python iteration."""
import contextlib
import os

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograph as ag
from ops import data

Dataset = data.Dataset


@contextlib.contextmanager
def eagerly():
    """Run every ``ag.function`` as plain Python: the oracle."""
    ag.config.run_functions_eagerly(True)
    try:
        yield
    finally:
        ag.config.run_functions_eagerly(False)


def traced_and_eager(fn, *args):
    """``(traced result, eager result)`` of ``fn(*args)`` as NumPy values."""
    traced = ag.function(fn)(*args)
    with eagerly():
        expected = ag.function(fn)(*args)
    return ag.nest.map_structure(np.asarray, traced), ag.nest.map_structure(np.asarray, expected)


def loop_ops(concrete) -> dict:
    """Op counts of a concrete function's graph, loop bodies included."""
    counts: dict = {}

    def visit(graph):
        for node in graph.nodes:
            counts[node.op.name] = counts.get(node.op.name, 0) + 1
            for sub in node.subgraphs:
                visit(sub)
    visit(concrete.graph)
    return counts


# ---- results match the eager loop ------------------------------------------------------------

def total(ds):
    s = ag.constant(0, ag.int64)
    for x in ds:
        s += x
    return s


@pytest.mark.parametrize("n", [0, 1, 7, 100])
def test_sum_of_a_range(n):
    traced, expected = traced_and_eager(total, Dataset.range(n))
    assert traced == expected == sum(range(n))


def test_the_loop_is_a_graph_while_loop_not_unrolled():
    concrete = ag.function(total).get_concrete_function(Dataset.range(5))
    counts = loop_ops(concrete)
    assert counts["While"] == 1
    assert counts["DatasetIterator"] == 1
    assert counts["IteratorGetNext"] == 2      # the first element, then one per iteration
    assert counts.get("Add", 0) <= 2           # the body's add (and the counter), once


def test_graph_size_does_not_depend_on_the_dataset_length():
    short = ag.function(total).get_concrete_function(Dataset.range(10))
    long = ag.function(total).get_concrete_function(Dataset.range(1000))
    assert len(short.graph.nodes) == len(long.graph.nodes)
    assert loop_ops(short) == loop_ops(long)


def weighted_batches(ds):
    acc = ag.zeros([2])
    rows = ag.constant(0)
    for xb, yb in ds:
        acc += ag.reduce_sum(xb * ag.expand_dims(yb, 1), axis=0)
        rows += ag.shape(xb)[0]
    return acc, rows


def test_batches_with_a_partial_last_batch():
    x = np.arange(14, dtype=np.float32).reshape(7, 2)
    y = np.linspace(-1, 1, 7).astype(np.float32)
    ds = Dataset.from_tensor_slices((x, y)).batch(3)   # batches of 3, 3 and 1 rows
    (acc, rows), (acc_eager, rows_eager) = traced_and_eager(weighted_batches, ds)
    np.testing.assert_allclose(acc, acc_eager, rtol=1e-6)
    np.testing.assert_allclose(acc, (x * y[:, None]).sum(0), rtol=1e-5)
    assert rows == rows_eager == 7


def test_the_body_sees_graph_tensors_with_the_element_spec():
    seen = []
    note = seen.append     # a call: the converter leaves it alone

    @ag.function
    def f(ds):
        for xb, yb in ds:
            note((xb, yb))
        return ag.constant(0)

    x = np.zeros((5, 3), np.float64)
    f(Dataset.from_tensor_slices((x, np.arange(5, dtype=np.int32))).batch(2))
    xb, yb = seen[-1]
    assert (xb.dtype, tuple(xb.shape)) == (ag.float64, (None, 3))
    assert (yb.dtype, tuple(yb.shape)) == (ag.int32, (None,))
    assert xb._v is None and yb._v is None        # symbolic: no trace-time data


def dict_elements(ds):
    s = ag.constant(0.0)
    n = ag.constant(0)
    for e in ds:
        s += ag.reduce_sum(e["features"]) * ag.cast(e["label"], ag.float32)
        n += e["label"]
    return s, n


def test_dict_elements():
    ds = Dataset.from_tensor_slices({"features": np.ones((6, 4), np.float32),
                                     "label": np.arange(6, dtype=np.int32)})
    traced, expected = traced_and_eager(dict_elements, ds)
    np.testing.assert_allclose(traced[0], expected[0])
    assert traced[1] == expected[1] == 15


def nested_elements(ds):
    s = ag.constant(0.0)
    for (x, (a, b)), w in ds:
        s += ag.reduce_sum(x) * w + ag.cast(a - b["k"], ag.float32)
    return s


def test_nested_tuples_and_dicts():
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    a = np.array([1, 2, 3, 4])
    ds = Dataset.zip((Dataset.from_tensor_slices((x, (a, {"k": a * 2}))),
                      Dataset.from_tensor_slices(np.float32([1, 0.5, 2, -1]))))
    traced, expected = traced_and_eager(nested_elements, ds)
    np.testing.assert_allclose(traced, expected)


def test_string_elements():
    def join_all(ds):
        s = ag.constant("")
        for w in ds:
            s = ag.strings.join([s, w], separator="+")
        return s

    traced, expected = traced_and_eager(join_all, Dataset.from_tensor_slices(["a", "bc", "d"]))
    assert traced == expected == b"+a+bc+d"
    traced, expected = traced_and_eager(join_all, Dataset.from_tensor_slices(["a"]).skip(1))
    assert traced == expected == b""


def test_a_mapped_and_filtered_pipeline():
    ds = Dataset.range(20).map(lambda x: x * 3).filter(lambda x: x % 2 == 0).batch(4)

    def f(ds):
        s = ag.constant(0, ag.int64)
        for b in ds:
            s += ag.reduce_max(b) - ag.reduce_min(b)
        return s

    traced, expected = traced_and_eager(f, ds)
    assert traced == expected


def test_iter_of_a_dataset_is_a_fresh_pass_each_call():
    def f(ds):
        s = ag.constant(0, ag.int64)
        for x in iter(ds):
            s += x
        return s

    ds = Dataset.range(6)
    traced = ag.function(f)
    assert traced(ds) == traced(ds) == 15
    assert traced.experimental_get_tracing_count() == 1


# ---- every call iterates the dataset anew ----------------------------------------------------

def collect(ds):
    out = []
    for x in ds:
        out.append(x)
    return ag.stack(out)


def test_shuffle_reshuffles_on_every_call():
    def make():
        return Dataset.range(40).shuffle(40, seed=3)

    traced = ag.function(collect)
    ds = make()
    first, second = traced(ds).numpy().tolist(), traced(ds).numpy().tolist()
    assert first != second                              # reshuffle_each_iteration
    assert sorted(first) == sorted(second) == list(range(40))
    oracle = make()                                      # the same epochs, eagerly
    assert [[int(x) for x in oracle] for _ in range(2)] == [first, second]
    assert traced.experimental_get_tracing_count() == 1


def test_from_generator_is_read_again_on_every_call():
    rows = [1.0, 2.0, 3.0]
    ds = Dataset.from_generator(lambda: iter(list(rows)),
                                output_signature=ag.TensorSpec([], ag.float32))

    @ag.function
    def f():
        s = ag.constant(0.0)
        for x in ds:
            s += x
        return s

    assert float(f()) == 6.0
    rows[:] = [10.0, 20.0]
    assert float(f()) == 30.0
    rows.clear()
    assert float(f()) == 0.0
    assert f.experimental_get_tracing_count() == 1


def test_map_functions_run_when_the_graph_runs():
    calls = []

    def record(x):
        calls.append(x)
        return x

    ds = Dataset.range(4).map(record)

    @ag.function
    def f():
        return total(ds)

    def values():   # element_spec traces the map function once, on a symbolic tensor
        return [int(x) for x in calls if x._v is not None]

    assert int(f()) == 6 and values() == [0, 1, 2, 3]
    assert int(f()) == 6 and values() == [0, 1, 2, 3] * 2


def test_an_iterator_made_outside_the_function_is_continued():
    def take_three(it):
        s = ag.constant(0, ag.int64)
        n = 0
        for x in it:
            s += x
            n += 1
            if n == 3:
                break
        return s

    traced = ag.function(take_three)
    it = iter(Dataset.range(8))
    got = [int(traced(it)) for _ in range(3)]
    with eagerly():
        it = iter(Dataset.range(8))
        expected = [int(ag.function(take_three)(it)) for _ in range(3)]
    assert got == expected == [0 + 1 + 2, 3 + 4 + 5, 6 + 7]


def test_an_iterator_advanced_while_tracing_is_refused():
    ds = Dataset.range(5)

    @ag.function
    def f():
        it = iter(ds)
        s = next(it)
        for x in it:
            s += x
        return s

    with pytest.raises(ValueError, match=r"next\(\) already advanced.*dataset\.skip"):
        f()


def test_a_fresh_pass_each_time_an_enclosing_loop_enters_it():
    def f(ds):
        s = ag.constant(0, ag.int64)
        for epoch in ag.range(3):
            for x in ds:
                s += x * ag.cast(epoch + 1, ag.int64)
        return s

    traced, expected = traced_and_eager(f, Dataset.range(5))
    assert traced == expected == 10 * (1 + 2 + 3)


def test_an_inner_dataset_loop_defining_a_variable():
    def f(ds):
        s = ag.constant(0, ag.int64)
        for _ in ag.range(2):
            for x in ds:
                last = x
            s += last
        return s

    traced, expected = traced_and_eager(f, Dataset.range(5))
    assert traced == expected == 8


# ---- control flow inside the loop ------------------------------------------------------------

def sum_until(ds, limit):
    s = ag.constant(0, ag.int64)
    for x in ds:
        if x > limit:
            break
        s += x
    return s


@pytest.mark.parametrize("limit", [-1, 0, 4, 100])
def test_break_on_a_tensor_condition(limit):
    traced, expected = traced_and_eager(sum_until, Dataset.range(10), ag.constant(limit, ag.int64))
    assert traced == expected


def batch_sums_until(ds, limit):
    s = ag.constant(0, ag.int64)
    count = ag.constant(0)
    for b in ds:
        if ag.reduce_sum(b) > limit:
            break
        s += ag.reduce_sum(b) * ag.cast(ag.shape(b)[0], ag.int64)
        count += 1
    return s, count


@given(n=st.integers(0, 25), size=st.integers(1, 6), drop=st.booleans(),
       limit=st.integers(-1, 200))
def test_batched_loops_with_break_match_eager(n, size, drop, limit):
    ds = Dataset.range(n).batch(size, drop_remainder=drop)
    traced, expected = traced_and_eager(batch_sums_until, ds, ag.constant(limit, ag.int64))
    assert [int(x) for x in traced] == [int(x) for x in expected]


def test_break_stops_pulling_elements():
    pulled = []

    def gen():
        for i in range(10):
            pulled.append(i)
            yield i

    def make():
        return Dataset.from_generator(gen, output_signature=ag.TensorSpec([], ag.int64))

    ag.function(sum_until)(make(), ag.constant(3, ag.int64))
    traced_pulls = list(pulled)
    pulled.clear()
    with eagerly():
        ag.function(sum_until)(make(), ag.constant(3, ag.int64))
    assert traced_pulls == pulled == [0, 1, 2, 3, 4]


def first_above(ds, limit):
    for x in ds:
        if x > limit:
            return x
    return ag.constant(-1, ag.int64)


@pytest.mark.parametrize("limit", [3, 50])
def test_return_inside_the_loop(limit):
    traced, expected = traced_and_eager(first_above, Dataset.range(10),
                                        ag.constant(limit, ag.int64))
    assert traced == expected


def test_continue():
    def odd_sum(ds):
        s = ag.constant(0, ag.int64)
        for x in ds:
            if x % 2 == 0:
                continue
            s += x
        return s

    traced, expected = traced_and_eager(odd_sum, Dataset.range(11))
    assert traced == expected == 1 + 3 + 5 + 7 + 9


def test_an_empty_dataset_runs_the_body_zero_times():
    def f(ds):
        s = ag.constant(41, ag.int64)
        for x in ds:
            s += x + 1
        return s

    for ds in (Dataset.range(0), Dataset.range(10).filter(lambda x: x > 100)):
        traced, expected = traced_and_eager(f, ds)
        assert traced == expected == 41


def last_element(ds):
    for x in ds:
        last = x
    return last


def test_a_variable_first_assigned_in_the_loop():
    traced, expected = traced_and_eager(last_element, Dataset.range(4))
    assert traced == expected == 3


def test_a_variable_first_assigned_in_the_loop_is_unbound_after_zero_iterations():
    with eagerly(), pytest.raises(UnboundLocalError):
        ag.function(last_element)(Dataset.range(0))
    with pytest.raises(UnboundLocalError, match="'last'.*ran zero times"):
        ag.function(last_element)(Dataset.range(0))


def test_a_partial_batch_flows_into_loop_variables():
    def f(ds):
        last = ag.zeros([3, 2])
        for b in ds:
            last = b
        return last

    x = np.arange(14, dtype=np.float32).reshape(7, 2)
    traced, expected = traced_and_eager(f, Dataset.from_tensor_slices(x).batch(3))
    np.testing.assert_array_equal(traced, expected)
    assert traced.shape == (1, 2)


def test_variable_updates_inside_the_loop():
    v = ag.Variable(0.0)
    ds = Dataset.from_tensor_slices(np.float32([0.5, 1.5, 2.0]))

    @ag.function
    def accumulate():
        for x in ds:
            v.assign_add(x)

    accumulate()
    assert float(v.numpy()) == 4.0
    accumulate()
    assert float(v.numpy()) == 8.0


def test_a_training_step_per_batch():
    x = np.linspace(-1, 1, 10).astype(np.float32).reshape(10, 1)
    y = 3 * x + 1

    def train(ds, w, b):
        for xb, yb in ds:
            with ag.GradientTape() as tape:
                loss = ag.reduce_mean(ag.square(xb * w + b - yb))
            gw, gb = tape.gradient(loss, [w, b])
            w.assign_sub(0.5 * gw)
            b.assign_sub(0.5 * gb)

    ds = Dataset.from_tensor_slices((x, y)).batch(4)
    w, b = ag.Variable(0.0), ag.Variable(0.0)
    train_fn = ag.function(train)
    for _ in range(3):
        train_fn(ds, w, b)
    w_eager, b_eager = ag.Variable(0.0), ag.Variable(0.0)
    with eagerly():
        for _ in range(3):
            ag.function(train)(ds, w_eager, b_eager)
    np.testing.assert_allclose([w.numpy(), b.numpy()], [w_eager.numpy(), b_eager.numpy()],
                               rtol=1e-5)


def test_jit_compiled_function():
    ds = Dataset.from_tensor_slices(np.float32([1, 2, 3, 4])).batch(3)

    def f(ds):
        s = ag.constant(0.0)
        for b in ds:
            s += ag.reduce_sum(ag.tanh(b) * 2.0 + 1.0)
        return s

    compiled = ag.function(f, jit_compile=True)(ds)
    with eagerly():
        expected = ag.function(f)(ds)
    np.testing.assert_allclose(compiled.numpy(), expected.numpy(), rtol=1e-6)


def test_gradient_through_the_loop_inside_the_function():
    w = ag.Variable(2.0)
    ds = Dataset.from_tensor_slices(np.float32([1, 2, 3]))

    def f():
        with ag.GradientTape() as tape:
            loss = ag.constant(0.0)
            for x in ds:
                loss += w * x * x
        return loss, tape.gradient(loss, w)

    traced, expected = traced_and_eager(f)
    np.testing.assert_allclose(traced, expected)


def _weighted_sum_function():
    """(w, f): f sums w * x over the elements 1, 2, 3 in a staged dataset loop."""
    w = ag.Variable(2.0)
    ds = Dataset.from_tensor_slices(np.float32([1, 2, 3]))

    @ag.function
    def f():
        loss = ag.constant(0.0)
        for x in ds:
            loss += w * x
        return loss
    return w, f


def test_gradient_of_a_call_under_an_eager_tape():
    w, f = _weighted_sum_function()
    with ag.GradientTape() as tape:
        loss = f()
    assert float(loss) == 12.0 and float(tape.gradient(loss, w)) == 6.0


def test_gradient_through_a_loop_traced_without_a_tape_is_a_clear_error():
    w, f = _weighted_sum_function()
    concrete = f.get_concrete_function()     # traced with no tape: elements are not kept

    @ag.function
    def outer():
        with ag.GradientTape() as tape:
            loss = concrete()
        return tape.gradient(loss, w)

    with pytest.raises(ag.errors.UnimplementedError, match="elements were not kept.*call "
                       "the ag.function itself"):
        outer()


# ---- eager mode, saving, conversion ----------------------------------------------------------

def test_eager_mode_iterates_in_python():
    kinds = []
    note = kinds.append

    def f(ds):
        for x in ds:
            note(x.numpy().item())     # eager tensors: .numpy() works
        return ag.constant(0)

    with eagerly():
        ag.function(f)(Dataset.range(3))
    assert kinds == [0, 1, 2]


def test_saving_a_function_with_a_dataset_loop_is_a_clear_error(tmp_path):
    ds = Dataset.range(3)

    class Model(ag.Module):
        @ag.function(input_signature=[])
        def total(self):
            return total(ds)

    model = Model()
    assert int(model.total()) == 3
    export_dir = os.path.join(tmp_path, "model")
    with pytest.raises(ag.saved_model.SerializationError,
                       match=r"DatasetIterator.*for loop over an ag\.data\.Dataset at .*"
                             r"test_dataset_in_function\.py:\d+.*cannot hold Python code.*"
                             r"pass each element in as an argument"):
        ag.saved_model.save(model, export_dir)
    assert not os.path.exists(export_dir)


def test_to_code_is_the_usual_for_statement():
    code = ag.to_code(total)
    assert "ag__.for_stmt(ds, None, loop_body" in code
    assert "Dataset" not in code and "iterator" not in code.lower()


# ---- enumerate and zip of datasets ---------------------------------------------------------

def test_enumerate_and_zip_of_datasets_are_graph_loops_too():
    xs = Dataset.from_tensor_slices(np.float32([1, 2, 3, 4]))
    ys = Dataset.range(10, 14)

    def f():
        s = ag.constant(0.0)
        for i, x in enumerate(xs, 1):
            s += ag.cast(i, ag.float32) * x
        for x, y in zip(xs, ys):
            s += x * ag.cast(y, ag.float32)
        return s

    traced = ag.function(f)
    expected = 1 * 1 + 2 * 2 + 3 * 3 + 4 * 4 + 1 * 10 + 2 * 11 + 3 * 12 + 4 * 13
    assert float(traced()) == expected == float(traced())
    graph = traced.get_concrete_function().graph
    assert sum(n.op.name == "While" for n in graph.nodes) == 2
    with eagerly():
        assert float(traced()) == expected


# ---- Dataset.reduce ----------------------------------------------------------------------------

def test_reduce_inside_a_function_is_a_graph_loop_run_at_every_call():
    data = {"n": 3}
    ds = Dataset.from_generator(lambda: iter(np.arange(data["n"], dtype=np.float32)),
                                output_signature=ag.TensorSpec([], ag.float32))

    @ag.function
    def mean():
        total, count = ds.reduce((ag.constant(0.0), ag.constant(0)),
                                 lambda s, x: (s[0] + x, s[1] + 1))
        return total / ag.cast(count, ag.float32)

    assert float(mean()) == 1.0                 # 0, 1, 2
    data["n"] = 5
    assert float(mean()) == 2.0                 # read again: 0..4, no retrace
    assert sum(n.op.name == "While" for n in mean.get_concrete_function().graph.nodes) == 1
    with eagerly():
        assert float(mean()) == 2.0


def test_reduce_of_an_empty_dataset_returns_the_initial_state():
    @ag.function
    def f():
        return Dataset.range(0).reduce(ag.constant(7, ag.int64), lambda s, x: s + x)

    assert int(f()) == 7


def test_reduce_func_changing_the_state_dtype_is_an_error():
    @ag.function
    def f():
        return Dataset.range(3).reduce(ag.constant(0, ag.int64),
                                       lambda s, x: ag.cast(s + x, ag.float32))

    with pytest.raises(TypeError, match="state component 0 from int64 into float32"):
        f()


# ---- next() of an iterator made outside the function ----------------------------------------

def test_next_of_an_outside_iterator_continues_at_every_call():
    it = iter(Dataset.range(3).map(lambda x: (x, x * 10)))

    @ag.function
    def step():
        a, b = next(it)
        c, d = it.get_next()
        return a + b + c + d

    assert int(step()) == 0 + 0 + 1 + 10          # elements 0 and 1
    with pytest.raises(ag.errors.OutOfRangeError, match="End of sequence"):
        step()                                    # element 2, then the end
    assert step.experimental_get_tracing_count() == 1


def test_next_with_a_default_or_of_an_inside_iterator_runs_while_tracing():
    ds = Dataset.range(5)

    @ag.function
    def first_two():
        it = iter(ds)
        return next(it) + next(it, 100)

    assert int(first_two()) == 1 == int(first_two())
