"""tf.summary.graph and trace_on / trace_export / trace_off, the seed's graph export included."""
import glob
import json
import os

import pytest

import autograph as tf
import autograph.summary  # noqa: F401
from autograph.function import _listeners
from tests.ops.summary.events import load, node_ops, plugin, run_metadata, tags


@tf.function
def strjoin(x, y):
    z = tf.strings.join([x, y], separator=" ")
    tf.print(z)
    return z


def exported_ops(logdir, tag):
    meta = run_metadata(logdir, tag)
    return [node_ops(f.pre_optimization_graph) for f in meta.function_graphs]


def test_seed_trace_export_with_profiler(tmp_path, capsys):
    logdir = str(tmp_path)
    writer = tf.summary.create_file_writer(logdir)
    tf.summary.trace_on(graph=True, profiler=True)
    result = strjoin(x="hello", y="world")
    with writer.as_default():
        tf.summary.trace_export(name="autograph", step=0, profile_outdir=logdir)
    assert result.numpy() == b"hello world"
    assert "hello world" in capsys.readouterr().err
    assert plugin(logdir, "autograph") == "graph_run_metadata_graph"
    graphs = exported_ops(logdir, "autograph")
    assert len(graphs) == 1
    assert {"StringJoin", "PrintV2", "Identity"} <= set(graphs[0].values())
    meta = run_metadata(logdir, "autograph")
    assert len(meta.function_graphs[0].post_optimization_graph.node) > 0
    # the profile: a Chrome trace under logdir/plugins/profile/<run>/
    traces = glob.glob(os.path.join(logdir, "plugins", "profile", "*", "*.trace.json*"))
    assert len(traces) == 1
    if traces[0].endswith(".json"):
        with open(traces[0]) as f:
            assert "traceEvents" in json.load(f)


def test_graph_only_trace_records_functions_traced_before_and_called_after(tmp_path):
    @tf.function
    def double(a):
        return a * 2.0

    @tf.function
    def unused(a):
        return a - 1.0

    double(tf.constant(1.0))              # traced before trace_on
    unused(tf.constant(1.0))
    writer = tf.summary.create_file_writer(str(tmp_path))
    tf.summary.trace_on(graph=True)
    double(tf.constant(2.0))
    double(tf.constant(3.0))              # the same graph is recorded once
    with writer.as_default():
        tf.summary.trace_export("calls", step=4)
    graphs = exported_ops(tmp_path, "calls")
    assert [sorted(set(g.values())) for g in graphs] == [
        ["Const", "Identity", "Mul", "Placeholder"]]
    assert [e.step for e in load(tmp_path).Tensors("calls")] == [4]


def test_trace_off_stops_listening_to_functions():
    tf.summary.trace_on(graph=True)
    assert len(_listeners) == 1
    tf.summary.trace_off()
    assert _listeners == []
    with pytest.raises(ValueError, match="trace_on"):
        tf.summary.trace_export("nothing", step=0)


def test_trace_export_uses_the_default_step(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))
    tf.summary.trace_on()
    strjoin(tf.constant("a"), tf.constant("b"))
    with writer.as_default(step=9):
        tf.summary.trace_export("t")
    assert [e.step for e in load(tmp_path).Tensors("t")] == [9]


def test_trace_export_with_profiler_needs_an_outdir(tmp_path):
    tf.summary.trace_on(graph=True, profiler=True)
    with pytest.raises(ValueError, match="profiler_outdir"):
        tf.summary.trace_export("t", step=0)
    tf.summary.trace_off()


def test_trace_export_without_writer_warns(tmp_path):
    tf.summary.trace_on(graph=True)
    with pytest.warns(UserWarning, match=r"trace_export\('t'\)"):
        tf.summary.trace_export("t", step=0)


def test_both_outdir_spellings_must_agree(tmp_path):
    tf.summary.trace_on(graph=True)
    with pytest.raises(TypeError, match="profile_outdir"):
        tf.summary.trace_export("t", 0, profiler_outdir="a", profile_outdir="b")


def test_summary_graph_writes_the_run_graph(tmp_path):
    concrete = strjoin.get_concrete_function(tf.TensorSpec([], tf.string),
                                             tf.TensorSpec([], tf.string))
    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default():
        assert tf.summary.graph(concrete)
    graph = load(tmp_path).Graph()
    assert node_ops(graph)["StringJoin"] == "StringJoin"
    assert tags(tmp_path) == []


def test_summary_graph_refuses_a_function_with_a_hint(tmp_path):
    with tf.summary.create_file_writer(str(tmp_path)).as_default():
        with pytest.raises(TypeError, match="get_concrete_function"):
            tf.summary.graph(strjoin)


def test_profiler_trace_on_while_a_profile_runs_is_refused_and_leaves_nothing_on(tmp_path):
    from ops import profiler
    profiler.start(str(tmp_path))
    try:
        with pytest.raises(tf.errors.AlreadyExistsError):
            tf.summary.trace_on(graph=True, profiler=True)
    finally:
        profiler.stop(save=False)
    with pytest.raises(ValueError, match="no trace to export"):
        tf.summary.trace_export("t", step=0)


def test_trace_off_discards_the_profile(tmp_path):
    tf.summary.trace_on(graph=True, profiler=True)
    strjoin(tf.constant("a"), tf.constant("b"))
    tf.summary.trace_off()
    assert not glob.glob(str(tmp_path / "**" / "*.trace.json*"), recursive=True)
    tf.summary.trace_on(graph=True, profiler=True)    # the profiler was stopped
    tf.summary.trace_off()
