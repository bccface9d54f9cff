"""The profiler: the trace file and its layout, the spans of eager ops, function calls, graph
nodes, fused kernels and user blocks, options, and leaving nothing behind after ``stop``."""
import json
import os
import socket
import threading

import numpy as np
import pytest

import autograph as tf
import autograph.profiler  # noqa: F401  (tf.profiler until autograph/__init__ imports it)
from ops import profiler
from ops.context import state
from runtime import interpreter, registry
from runtime.fusion import cbuild

needs_cc = pytest.mark.skipif(cbuild.toolchain() is None, reason="no C compiler for jit_compile")


@pytest.fixture(autouse=True)
def _no_profile_left_running():
    yield
    if profiler.active():          # a failed test must not leave timers on every kernel
        profiler.stop(save=False)


def _load(path) -> list:
    with open(path) as f:
        document = json.load(f)
    assert document["displayTimeUnit"] == "ms"
    return [e for e in document["traceEvents"] if e["ph"] == "X"]


def _profile(tmp_path, body, options=None) -> list:
    with tf.profiler.experimental.Profile(str(tmp_path), options) as p:
        body()
    return _load(p.path)


def _named(events, name, cat=None) -> list:
    return [e for e in events if e["name"] == name and (cat is None or e["cat"] == cat)]


def _inside(child, parent) -> bool:
    slack = 1e-3   # microseconds: ns -> us float rounding
    return (parent["ts"] - slack <= child["ts"]
            and child["ts"] + child["dur"] <= parent["ts"] + parent["dur"] + slack)


@tf.function
def affine(x, w):
    return tf.tanh(x @ w) * 2.0 + 1.0


@tf.function(jit_compile=True)
def fused(x):
    return tf.sigmoid(x) * x + x * x


X = np.arange(6, dtype=np.float32).reshape(2, 3) / 6
W = np.ones((3, 2), np.float32)


# ---- the seed example and the file ------------------------------------------------------------

def test_the_seed_example_writes_a_trace_tensorboard_finds(tmp_path):
    model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu"),
                                 tf.keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, w = tf.constant(X), tf.constant(W)

    tf.profiler.experimental.start(str(tmp_path))
    y = tf.exp(x) + 1.0
    affine(x, w)
    model.fit(X, X[:, :1], epochs=1, batch_size=1, verbose=0)
    path = tf.profiler.experimental.stop()

    run_dir, filename = os.path.split(path)
    assert filename == f"{socket.gethostname()}.trace.json"
    assert os.path.dirname(run_dir) == os.path.join(str(tmp_path), "plugins", "profile")
    assert len(os.path.basename(run_dir).split("_")) == 6          # YYYY_MM_DD_HH_MM_SS
    assert os.listdir(run_dir) == [filename]                       # no temporary file left
    assert profiler.last_path == path
    events = _load(path)
    for e in events:
        assert {"name", "cat", "ph", "ts", "dur", "pid", "tid", "args"} <= set(e)
        assert e["cat"] in {"op", "function", "kernel", "user"} and e["dur"] >= 0
    names = {(e["cat"], e["name"]) for e in events}
    assert {("op", "Exp"), ("op", "Add"), ("function", "affine"), ("op", "MatMul"),
            ("function", "train_function")} <= names
    np.testing.assert_allclose(y.numpy(), np.exp(X) + 1.0, rtol=1e-6)   # results unchanged


def test_eager_ops_record_their_inputs_shapes_and_dtypes(tmp_path):
    x = tf.constant(X)
    events = _profile(tmp_path, lambda: tf.reduce_sum(tf.exp(x), axis=1))
    (exp,) = _named(events, "Exp", "op")
    assert exp["args"]["shapes"] == [[2, 3]] and exp["args"]["dtypes"] == ["float32"]
    assert [e["name"] for e in events if e["cat"] == "op"][:1] == ["Exp"]


def test_a_function_call_is_one_span_holding_its_nodes(tmp_path):
    x, w = tf.constant(X), tf.constant(W)
    expected = affine(x, w).numpy()
    result = []
    events = _profile(tmp_path, lambda: result.append(affine(x, w)))
    np.testing.assert_allclose(result[0].numpy(), expected)
    (call,) = _named(events, "affine", "function")
    nodes = [e for e in events if e["cat"] == "op" and _inside(e, call)]
    assert [e["name"] for e in nodes][:2] == ["MatMul", "Tanh"]
    matmul = nodes[0]
    assert matmul["args"]["shapes"] == [[2, 3], [3, 2]]
    assert matmul["args"]["source"].startswith(__file__)
    assert all(e["tid"] == call["tid"] for e in nodes)


@needs_cc
def test_a_jit_compiled_call_launches_a_kernel_span(tmp_path):
    x = tf.constant(X)
    expected = fused(x).numpy()
    events = _profile(tmp_path, lambda: fused(x))
    (call,) = _named(events, "fused", "function")
    kernels = [e for e in events if e["cat"] == "kernel"]
    assert len(kernels) == 1 and kernels[0]["name"].startswith("fused_sigmoid")
    assert _inside(kernels[0], call)
    np.testing.assert_allclose(fused(x).numpy(), expected)


def test_spans_nest_properly_per_thread(tmp_path):
    x, w = tf.constant(X), tf.constant(W)

    def body():
        with tf.profiler.experimental.Trace("outer", step_num=0):
            for _ in range(3):
                affine(x, w)
                tf.exp(x)
            tf.while_loop(lambda i: i < 3, lambda i: i + 1, [tf.constant(0)])

    events = _profile(tmp_path, body)
    by_thread: dict = {}
    for e in events:
        by_thread.setdefault(e["tid"], []).append(e)
    for spans in by_thread.values():
        open_spans = []     # a stack: each span must end inside the one enclosing it
        for e in sorted(spans, key=lambda e: (e["ts"], -e["dur"])):
            while open_spans and not _inside(e, open_spans[-1]):
                top = open_spans.pop()
                assert e["ts"] >= top["ts"] + top["dur"] - 1e-3, (e, top)   # no overlap
            open_spans.append(e)
    (outer,) = _named(events, "outer", "user")
    assert outer["args"] == {"step_num": 0}
    assert all(_inside(e, outer) for e in events if e is not outer)


def test_ops_of_other_threads_carry_their_thread_id(tmp_path):
    x = tf.constant(X)

    def body():
        worker = threading.Thread(target=lambda: tf.exp(x))
        worker.start()
        worker.join()
        tf.exp(x)

    exps = _named(_profile(tmp_path, body), "Exp", "op")
    assert len({e["tid"] for e in exps}) == 2


# ---- start / stop ------------------------------------------------------------------------------

def test_stop_without_start_is_an_error():
    with pytest.raises(tf.errors.UnavailableError, match="no profiler is running"):
        tf.profiler.experimental.stop()
    assert isinstance(tf.errors.UnavailableError("m"), tf.errors.OpError)


def test_starting_twice_is_an_error_and_the_first_profile_goes_on(tmp_path):
    tf.profiler.experimental.start(str(tmp_path))
    with pytest.raises(tf.errors.AlreadyExistsError, match="another profiler is running"):
        tf.profiler.experimental.start(str(tmp_path / "other"))
    tf.exp(tf.constant(X))
    assert _named(_load(tf.profiler.experimental.stop()), "Exp")
    assert not (tmp_path / "other").exists()


def test_a_bad_logdir_is_refused_before_anything_starts():
    with pytest.raises(ValueError, match="logdir"):
        tf.profiler.experimental.start("")
    assert not profiler.active()


def test_stop_removes_every_timer(tmp_path):
    add = registry.OPS["Add"]
    kernel = add.kernel
    assert not state.slow
    tf.profiler.experimental.start(str(tmp_path))
    assert add.kernel is not kernel and add.kernel.untimed is kernel
    assert not state.slow          # the eager fast path stays on while profiling

    @tf.function
    def traced_while_profiling(x):
        return x * 3.0 + 1.0

    traced_while_profiling(tf.constant(X))
    traced_while_profiling(tf.constant(X))   # the second call runs the optimized graph's plan
    tf.profiler.experimental.stop()
    assert add.kernel is kernel and not state.slow and interpreter._recorder is None
    assert not hasattr(registry.OPS["Exp"].kernel, "untimed")
    # A plan generated during the profile calls the kernels themselves, not their timers
    # (its timed variant times them itself).
    cf = traced_while_profiling.get_concrete_function(tf.TensorSpec([2, 3], tf.float32))
    plan = interpreter.plan_for(cf.optimized_graph)
    kernels = [v for v in plan._timed.fn.__globals__.values() if callable(v)]
    assert kernels and not any(hasattr(v, "untimed") for v in kernels)


def test_profile_context_manager_stops_even_when_the_block_raises(tmp_path):
    with pytest.raises(ZeroDivisionError):
        with tf.profiler.experimental.Profile(str(tmp_path)):
            tf.exp(tf.constant(X))
            1 / 0
    assert not profiler.active()
    (trace,) = list(tmp_path.glob("plugins/profile/*/*.trace.json"))
    assert _named(_load(trace), "Exp")


def test_two_profiles_in_one_second_get_their_own_runs(tmp_path):
    paths = []
    for _ in range(2):
        tf.profiler.experimental.start(str(tmp_path))
        tf.exp(tf.constant(X))
        paths.append(tf.profiler.experimental.stop())
    assert paths[0] != paths[1] and all(os.path.exists(p) for p in paths)


def test_stop_without_saving_writes_nothing(tmp_path):
    tf.profiler.experimental.start(str(tmp_path))
    assert tf.profiler.experimental.stop(save=False) is None
    assert not (tmp_path / "plugins").exists()


def test_a_graph_error_while_profiling_still_names_the_node(tmp_path):
    @tf.function(input_signature=[tf.TensorSpec([None])])
    def f(x):
        return tf.reshape(x * 2.0, [2, 3])  # reshape-here

    with tf.profiler.experimental.Profile(str(tmp_path)):
        with pytest.raises(ValueError) as info:
            f(tf.constant(np.ones(5, np.float32)))
    assert "in op Reshape created at" in str(info.value)
    assert info.value.node.op.name == "Reshape"


# ---- options and user spans --------------------------------------------------------------------

def test_host_level_1_keeps_functions_and_user_spans_only(tmp_path):
    x, w = tf.constant(X), tf.constant(W)

    def body():
        with tf.profiler.experimental.Trace("step"):
            affine(x, w)
            tf.exp(x)

    options = tf.profiler.experimental.ProfilerOptions(host_tracer_level=1)
    events = _profile(tmp_path, body, options)
    assert {e["cat"] for e in events} == {"user", "function"}


@needs_cc
def test_device_level_0_leaves_kernels_out(tmp_path):
    x = tf.constant(X)
    options = tf.profiler.experimental.ProfilerOptions(device_tracer_level=0)
    events = _profile(tmp_path, lambda: fused(x), options)
    assert _named(events, "fused", "function") and not [e for e in events if e["cat"] == "kernel"]


def test_delay_ms_skips_what_runs_first(tmp_path):
    options = tf.profiler.experimental.ProfilerOptions(delay_ms=60_000)
    assert _profile(tmp_path, lambda: tf.exp(tf.constant(X)), options) == []


def test_profiler_options_have_tensorflows_fields_and_defaults():
    options = tf.profiler.experimental.ProfilerOptions()
    assert options == (2, 0, 1, None)
    assert options._fields == ("host_tracer_level", "python_tracer_level",
                               "device_tracer_level", "delay_ms")


@pytest.mark.parametrize("options, error", [
    ({"host_tracer_level": 2}, TypeError),
    (profiler.ProfilerOptions(host_tracer_level=-1), ValueError),
    (profiler.ProfilerOptions(delay_ms=-5), ValueError),
])
def test_bad_options_are_refused(tmp_path, options, error):
    with pytest.raises(error):
        tf.profiler.experimental.start(str(tmp_path), options)
    assert not profiler.active()


def test_trace_outside_a_profile_records_nothing(tmp_path):
    with tf.profiler.experimental.Trace("idle", step_num=1):
        tf.exp(tf.constant(X))
    events = _profile(tmp_path, lambda: None)
    assert events == []


# ---- summary -----------------------------------------------------------------------------------

def test_summary_ranks_ops_by_total_time():
    def span(name, dur, cat="op"):
        return {"name": name, "cat": cat, "ph": "X", "ts": 0.0, "dur": dur}

    events = [span("MatMul", 30.0), span("Add", 10.0), span("MatMul", 50.0),
              span("fused_tanh_mul_1a2b", 10.0, "kernel"), span("f", 500.0, "function"),
              span("step", 900.0, "user"), {"name": "process_name", "ph": "M"}]
    rows = profiler.summarize(events)
    assert [r.name for r in rows] == ["MatMul", "Add", "fused_tanh_mul_1a2b"]
    top = rows[0]
    assert top.count == 2 and top.total_ms == pytest.approx(0.08)
    assert top.mean_us == pytest.approx(40.0) and top.percent == pytest.approx(80.0)
    assert sum(r.percent for r in rows) == pytest.approx(100.0)
    assert [r.name for r in profiler.summarize(events, top=1)] == ["MatMul"]
    assert profiler.summarize([]) == []


def test_summary_of_a_real_trace(tmp_path):
    x, w = tf.constant(X), tf.constant(W)
    rows = profiler.summarize(_profile(tmp_path, lambda: [affine(x, w) for _ in range(4)]))
    counts = {r.name: r.count for r in rows}
    assert counts["MatMul"] == 4 and counts["Tanh"] == 4
