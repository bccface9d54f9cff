"""``tf.compat.v1``: static graphs built under ``Graph.as_default()`` and run by ``Session``.

Every graph is checked against its oracle, eager execution of the same ops on the fed values;
every error message users depend on is checked too.
"""
import collections
import re

import numpy as np
import pytest

import autograph as tf
import autograph.compat  # noqa: F401  (a submodule import makes tf.compat available)

v1 = tf.compat.v1


def _run_in_graph(build, specs, values):
    """``build`` on placeholders of ``specs`` in a new graph, run with ``values`` fed."""
    graph = v1.Graph()
    with graph.as_default():
        placeholders = [v1.placeholder(dtype, shape) for dtype, shape in specs]
        fetches = build(*placeholders)
    with v1.Session(graph=graph) as sess:
        return sess.run(fetches, feed_dict=dict(zip(placeholders, values)))


def _run_eagerly(build, specs, values):
    """The oracle: the same ops run eagerly, fetched as Session fetches (``.numpy()``)."""
    result = build(*[tf.constant(v, dtype=dtype) for v, (dtype, _) in zip(values, specs)])
    return _numpy(result)


def _numpy(x):
    if isinstance(x, (list, tuple)):
        return type(x)(_numpy(v) for v in x)
    return x.numpy()


def _assert_same(got, expected):
    """Same structure, same Python/NumPy types (scalars stay scalars), same values."""
    assert type(got) is type(expected), (type(got), type(expected))
    if isinstance(expected, (list, tuple)):
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            _assert_same(g, e)
    elif isinstance(expected, bytes):
        assert got == expected
    else:
        assert got.dtype == expected.dtype and np.shape(got) == np.shape(expected)
        if np.asarray(expected).dtype.kind in "fc":
            np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)
        else:
            np.testing.assert_array_equal(got, expected)


@tf.function
def _square(a):
    return a * a


rng = np.random.default_rng(0)

CASES = {
    "strings.join": (lambda x, y: tf.strings.join([x, y], separator=" "),
                     [(tf.string, []), (tf.string, [])], ["hello", "world"]),
    "string vectors broadcast": (lambda x, y: tf.strings.join([x, y], separator="-"),
                                 [(tf.string, [None]), (tf.string, [])],
                                 [np.array([b"a", b"bc"], object), "z"]),
    "broadcasting, None dims": (lambda x, w: tf.reduce_sum(tf.tanh(x) * w, axis=1),
                                [(tf.float32, [None, 3]), (tf.float32, [3])],
                                [rng.normal(size=(4, 3)).astype(np.float32),
                                 rng.normal(size=3).astype(np.float32)]),
    "matmul and relu": (lambda a, b: tf.nn.relu(tf.matmul(a, b)),
                        [(tf.float64, [2, None]), (tf.float64, [None, 2])],
                        [rng.normal(size=(2, 5)), rng.normal(size=(5, 2))]),
    "empty batch": (lambda x: (tf.reduce_sum(x, axis=0), x + 1.0),
                    [(tf.float32, [None, 2])], [np.zeros((0, 2), np.float32)]),
    "0-d ints and bools": (lambda a, b: [tf.logical_and(a > 2, b), tf.cast(a, tf.float32) / 2.0],
                           [(tf.int32, []), (tf.bool, [])], [5, True]),
    "cond true": (lambda x: tf.cond(tf.reduce_sum(x) > 0, lambda: x * 2.0, lambda: -x),
                  [(tf.float32, [3])], [np.array([1.0, 2.0, 3.0], np.float32)]),
    "cond false": (lambda x: tf.cond(tf.reduce_sum(x) > 0, lambda: x * 2.0, lambda: -x),
                   [(tf.float32, [3])], [np.array([-1.0, 2.0, -3.0], np.float32)]),
    "while_loop": (lambda n: tf.while_loop(lambda i, acc: i < n,
                                           lambda i, acc: (i + 1, acc + i * i),
                                           [tf.constant(0), tf.constant(0)]),
                   [(tf.int32, [])], [6]),
    "function called while building": (lambda x: _square(x) + 1.0,
                                       [(tf.float32, [None])],
                                       [np.array([1.5, -2.0], np.float32)]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_session_matches_eager_execution(case):
    build, specs, values = CASES[case]
    _assert_same(_run_in_graph(build, specs, values), _run_eagerly(build, specs, values))


def test_gradient_tape_in_a_graph_matches_eager():
    def build(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = x * x + tf.sin(x)
        return [y, tape.gradient(y, x)]

    spec = [(tf.float32, [])]
    _assert_same(_run_in_graph(build, spec, [3.0]), _run_eagerly(build, spec, [3.0]))


def test_the_seed_example_runs_as_written(capsys):
    graph = tf.compat.v1.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(name = "x", shape = [], dtype = tf.string)
        y = tf.compat.v1.placeholder(name = "y", shape = [], dtype = tf.string)
        z = tf.strings.join([x, y], name = "join", separator = " ")
    with tf.compat.v1.Session(graph = graph) as sess:
        result = sess.run(fetches = z, feed_dict = {x: "hello", y: "world"})
        print(result)
    assert capsys.readouterr().out == "b'hello world'\n"


def test_ops_build_nodes_inside_as_default_and_run_eagerly_after_it():
    graph = v1.Graph()
    assert tf.executing_eagerly()
    with graph.as_default() as entered:
        assert entered is graph and v1.get_default_graph() is graph
        assert not tf.executing_eagerly()
        x = v1.placeholder(tf.float32, shape=[None], name="x")
        y = tf.add(x, 1.0)
        assert y.graph is graph and y.name == "Add:0"
        assert repr(y) == "<tf.Tensor 'Add:0' shape=(None,) dtype=float32>"
    assert tf.executing_eagerly()
    assert (tf.constant(1.0) + 1.0).numpy() == 2.0
    assert [(op.name, op.type) for op in graph.get_operations()] == [
        ("x", "Placeholder"), ("Add", "Add")]


def test_print_runs_at_session_run_not_while_building(capsys):
    graph = v1.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.int32, shape=[2])
        tf.print("x is", x)
        y = x * 2
    assert capsys.readouterr().err == ""
    with v1.Session(graph=graph) as sess:
        for value in ([1, 2], [3, 4]):
            np.testing.assert_array_equal(sess.run(y, {x: value}), np.array(value) * 2)
            assert capsys.readouterr().err == f"x is [{value[0]} {value[1]}]\n"


def test_control_dependencies_on_a_while_loop_run_it_before_the_later_op(capsys):
    graph = v1.Graph()
    with graph.as_default():
        a = v1.placeholder(shape=[], dtype=tf.string)
        b = v1.placeholder(shape=[], dtype=tf.string)

        def body(i):
            tf.print(i)
            return i + 1

        loop = tf.while_loop(lambda i: i < tf.constant(3), body, loop_vars=[0])
        with tf.control_dependencies(loop):
            c = tf.strings.join([a, b])
    assert capsys.readouterr().err == ""
    with v1.Session(graph=graph) as sess:
        assert sess.run(c, feed_dict={a: tf.constant("hello"), b: tf.constant("world")}) \
            == b"helloworld"
        assert capsys.readouterr().err == "0\n1\n2\n"
        assert sess.run(loop) == [np.int32(3)]


def test_a_stateful_op_created_after_the_fetched_tensors_does_not_run(capsys):
    graph = v1.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, shape=[])
        y = x + 1.0
        tf.print("later")
    with v1.Session(graph=graph) as sess:
        assert sess.run(y, {x: 1.0}) == np.float32(2.0)
    assert capsys.readouterr().err == ""


def test_fetches_keep_their_structure():
    Pair = collections.namedtuple("Pair", "first second")
    graph = v1.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, shape=[2], name="x")
        double, total = x * 2.0, tf.reduce_sum(x)
    value = np.array([1.0, 2.0], np.float32)
    with v1.Session(graph=graph) as sess:
        got = sess.run({"pair": Pair(double, [total, (x,)]), "name": "x:0"}, {x: value})
    assert set(got) == {"pair", "name"}
    assert isinstance(got["pair"], Pair) and isinstance(got["pair"].second, list)
    np.testing.assert_array_equal(got["pair"].first, value * 2)
    assert got["pair"].second[0] == np.float32(3.0)
    np.testing.assert_array_equal(got["pair"].second[1][0], value)
    np.testing.assert_array_equal(got["name"], value)


def test_fetched_values_are_numpy_scalars_arrays_and_bytes():
    graph = v1.Graph()
    with graph.as_default():
        s = v1.placeholder(tf.string, shape=[None])
        f = v1.placeholder(tf.float32, shape=[])
        outs = [tf.strings.join([s, s]), tf.strings.join([s[0], s[1]]), f * 2.0, tf.stack([f, f])]
    with v1.Session(graph=graph) as sess:
        strings, joined, scalar, vector = sess.run(outs, {s: ["a", "b"], f: 1.5})
    assert strings.dtype == object and list(strings) == [b"aa", b"bb"]
    assert joined == b"ab"
    assert type(scalar) is np.float32 and scalar == 3.0
    assert type(vector) is np.ndarray and vector.dtype == np.float32


def _chain():
    """A graph computing z = (x * 10) + 1 from a placeholder x, through y = x * 10."""
    graph = v1.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, shape=[])
        y = x * 10.0
        z = y + 1.0
    return graph, x, y, z


def test_feeding_an_intermediate_tensor_replaces_it():
    graph, x, y, z = _chain()
    with v1.Session(graph=graph) as sess:
        assert sess.run(z, {x: 2.0}) == np.float32(21.0)
        assert sess.run(z, {y: 5.0}) == np.float32(6.0)       # x is not needed then
        assert sess.run([y, z], {y: 5.0, x: 2.0}) == [np.float32(5.0), np.float32(6.0)]


def test_one_plan_is_cached_per_fetch_and_feed_set():
    graph, x, y, z = _chain()
    with v1.Session(graph=graph) as sess:
        for value in (1.0, 2.0, 3.0):
            assert sess.run(z, {x: value}) == np.float32(value * 10 + 1)
        assert len(graph._plans) == 1
        sess.run([y, z], {x: 1.0})
        sess.run(z, {y: 1.0})
        assert len(graph._plans) == 3
    with v1.Session(graph=graph) as other:    # plans belong to the graph, not the session
        other.run(z, {x: 1.0})
    assert len(graph._plans) == 3


def test_variable_assignments_return_the_new_value():
    v = tf.Variable(1.0)
    graph = v1.Graph()
    with graph.as_default():
        step = v1.placeholder(tf.float32, shape=[])
        update = v.assign_add(step)
    assert v.numpy() == 1.0                   # building runs nothing
    with v1.Session(graph=graph) as sess:
        assert sess.run(update, {step: 2.0}) == np.float32(3.0)
        assert sess.run(update, {step: 2.0}) == np.float32(5.0)
        assert sess.run(v) == np.float32(5.0)
    assert v.numpy() == 5.0


def test_session_without_a_graph_uses_the_default_graph():
    graph = v1.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.int32, shape=[])
        with v1.Session() as sess:
            assert sess.graph is graph
            assert sess.run(x + 1, {x: 1}) == np.int32(2)


def test_inside_a_session_block_its_graph_is_the_default():
    graph = v1.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.int32, shape=[])
    with v1.Session(graph=graph) as sess:
        assert v1.get_default_graph() is graph
        y = x * 3                              # built in the graph, as in TF1
        assert sess.run(y, {x: 2}) == np.int32(6)
    assert tf.executing_eagerly()


def test_the_global_default_graph_is_replaced_by_reset_default_graph():
    first = v1.get_default_graph()
    assert v1.get_default_graph() is first
    v1.reset_default_graph()
    assert v1.get_default_graph() is not first
    with v1.Graph().as_default():
        with pytest.raises(AssertionError, match="inside a graph.as_default"):
            v1.reset_default_graph()


def test_names_are_unique_and_tensors_are_found_by_name():
    graph = v1.Graph()
    with graph.as_default():
        a = v1.placeholder(tf.float32, shape=[])
        b = v1.placeholder(tf.float32, shape=[])
        c = v1.placeholder(tf.float32, shape=[], name="c")
        d = a + b + c
    assert [a.name, b.name, c.name, d.name] == ["Placeholder:0", "Placeholder_1:0", "c:0",
                                                "Add_1:0"]
    assert graph.get_tensor_by_name("c:0") is c and d.op.type == "Add"
    with pytest.raises(ValueError, match="'c' is not a tensor name.*'c:0'"):
        graph.get_tensor_by_name("c")
    with pytest.raises(KeyError, match="no operation named 'e'"):
        graph.get_tensor_by_name("e:0")


def test_a_finalized_graph_refuses_new_ops():
    graph = v1.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, shape=[])
    graph.finalize()
    assert graph.finalized
    with graph.as_default():
        with pytest.raises(RuntimeError, match="is finalized and cannot be modified"):
            x + 1.0
        with pytest.raises(RuntimeError, match="is finalized"):
            v1.placeholder(tf.float32, shape=[])
    with v1.Session(graph=graph) as sess:       # running it is still fine
        assert sess.run(x, {x: 1.0}) == np.float32(1.0)


# ---- errors ----------------------------------------------------------------------------------

@pytest.fixture
def xy_graph():
    graph = v1.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, shape=[None, 3], name="x")
        y = tf.reduce_sum(x * 2.0, axis=1)
    return graph, x, y


def test_a_missing_feed_names_the_placeholder(xy_graph):
    graph, x, y = xy_graph
    with v1.Session(graph=graph) as sess:
        with pytest.raises(ValueError, match="placeholder 'x' needs a value: pass it in "
                                             "feed_dict$"):
            sess.run(y)


def test_a_missing_feed_read_by_an_earlier_stateful_op_says_so():
    graph = v1.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, shape=[], name="x")
        label = v1.placeholder(tf.string, shape=[], name="label")
        tf.print(label)
        y = x + 1.0
    with v1.Session(graph=graph) as sess:
        with pytest.raises(ValueError, match=r"placeholder 'label' needs a value: pass it in "
                                             r"feed_dict; PrintV2 \(created at .*test_session"):
            sess.run(y, {x: 1.0})


@pytest.mark.parametrize("value, given", [([["a", "b", "c"]], "string"),
                                          (np.ones((1, 3), np.complex64), "complex64")])
def test_feeding_the_wrong_dtype_names_the_placeholder_and_both_dtypes(xy_graph, value, given):
    graph, x, y = xy_graph
    with v1.Session(graph=graph) as sess:
        with pytest.raises(TypeError, match=f"placeholder 'x' has dtype float32 but the value "
                                            f"fed for it .* has dtype {given}"):
            sess.run(y, {x: value})


def test_feeding_a_float_to_an_int_placeholder_is_refused():
    graph = v1.Graph()
    with graph.as_default():
        n = v1.placeholder(tf.int32, shape=[], name="n")
    with v1.Session(graph=graph) as sess:
        with pytest.raises(TypeError, match="placeholder 'n' has dtype int32 but the value fed "
                                            r"for it \(1.5\) has dtype float32"):
            sess.run(n, {n: 1.5})
        assert sess.run(n, {n: 2}) == np.int32(2)


@pytest.mark.parametrize("value, shape", [(np.ones((2, 4), np.float32), "[2, 4]"),
                                          (1.0, "[]"), (np.ones(3, np.float32), "[3]")])
def test_feeding_an_incompatible_shape_names_the_placeholder_and_both_shapes(xy_graph, value,
                                                                             shape):
    graph, x, y = xy_graph
    with v1.Session(graph=graph) as sess:
        with pytest.raises(ValueError, match=rf"placeholder 'x' has shape \[None, 3\] but the "
                                             rf"value fed for it has shape {re.escape(shape)}"):
            sess.run(y, {x: value})


def test_fetching_a_tensor_of_another_graph_names_it_and_both_graphs(xy_graph):
    graph, x, y = xy_graph
    other = v1.Graph()
    with other.as_default():
        w = v1.placeholder(tf.float32, shape=[]) + 1.0
    with v1.Session(graph=graph) as sess:
        with pytest.raises(ValueError, match=r"fetch tensor 'Add:0' belongs to graph "
                                             r"'graph_\d+', not to this session's graph "
                                             r"'graph_\d+'"):
            sess.run(w)


def test_fetching_an_eager_tensor_says_it_belongs_to_no_graph(xy_graph):
    graph, x, y = xy_graph
    with v1.Session(graph=graph) as sess:
        with pytest.raises(ValueError, match=r"fetch <tf.Tensor: shape=\(\), dtype=float32, "
                                             r"numpy=1.0> is an eager tensor, which belongs to "
                                             r"no graph"):
            sess.run(tf.constant(1.0))


@pytest.mark.parametrize("fetch, message", [
    (None, "a fetch is None. tf.print and other ops without outputs return None"),
    (3, "fetch 3 of type int is not a tensor of this session's graph"),
])
def test_fetching_something_that_is_not_a_tensor_is_refused(xy_graph, fetch, message):
    graph, x, y = xy_graph
    with v1.Session(graph=graph) as sess:
        with pytest.raises(TypeError, match=message):
            sess.run([y, fetch], {x: np.ones((1, 3))})


def test_running_a_closed_session_is_refused(xy_graph):
    graph, x, y = xy_graph
    sess = v1.Session(graph=graph)
    sess.close()
    with pytest.raises(RuntimeError, match="Attempted to use a closed Session"):
        sess.run(y, {x: np.ones((1, 3))})
    with v1.Session(graph=graph) as sess:
        pass
    with pytest.raises(RuntimeError, match="closed Session"):
        sess.run(y, {x: np.ones((1, 3))})


def test_feed_keys_must_be_tensors_of_this_graph(xy_graph):
    graph, x, y = xy_graph
    other = v1.Graph()
    with other.as_default():
        z = v1.placeholder(tf.float32, shape=[], name="z")
    with v1.Session(graph=graph) as sess:
        with pytest.raises(ValueError, match=r"feed_dict key tensor 'z:0' belongs to graph "
                                             r"'graph_\d+', not to this session's graph"):
            sess.run(y, {x: np.ones((1, 3)), z: 1.0})
        with pytest.raises(ValueError, match="'x' is not a tensor name; .* e.g. 'x:0'"):
            sess.run(y, {"x": np.ones((1, 3))})
        with pytest.raises(TypeError, match="feed_dict key 7 of type int is not a tensor"):
            sess.run(y, {7: np.ones((1, 3))})


def test_feed_values_must_be_concrete(xy_graph):
    graph, x, y = xy_graph
    with graph.as_default():
        symbolic = x + 1.0
    with v1.Session(graph=graph) as sess:
        with pytest.raises(TypeError, match="the value fed for placeholder 'x' is a symbolic "
                                            "tensor"):
            sess.run(y, {x: symbolic})


def test_placeholders_exist_only_while_building_a_graph():
    with pytest.raises(RuntimeError, match=r"placeholder\(\) was called in eager mode.*"
                                           r"tf.compat.v1.Graph\(\).as_default\(\)"):
        v1.placeholder(tf.float32, shape=[])
    with v1.Graph().as_default():
        with pytest.raises(ValueError, match=r"placeholder 'p': shape=None \(unknown rank\) is "
                                             r"not supported.*shape=\[None\]"):
            v1.placeholder(tf.float32, name="p")


def test_a_session_target_must_be_in_process():
    with pytest.raises(TypeError, match=r"pass the graph as Session\(graph=g\)"):
        v1.Session(v1.Graph())
    with pytest.raises(ValueError, match="only in-process sessions"):
        v1.Session("grpc://localhost:2222", graph=v1.Graph())
