"""Writing graphs: ``tf.summary.graph`` and ``trace_on`` / ``trace_export`` / ``trace_off``.

After ``trace_on(graph=True)`` the graph of every ``@function`` traced or called is recorded
(once each); ``trace_export(name, step)`` writes them to the default writer as TensorFlow
does, one ``RunMetadata`` whose ``function_graphs`` hold each graph as traced and as
optimized, under the "graph_run_metadata_graph" plugin, which the Graphs dashboard lists under
the tag ``name``. With ``profiler=True`` it also runs ``ops.profiler`` and saves its trace
under ``profiler_outdir``.

How graphs are seen: while a ``Recorder`` is active (a trace, or
``keras.callbacks.TensorBoard(write_graph=True)`` during the first epoch), a listener of
``autograph.function`` hears of every concrete function made or called.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import warnings

import numpy as np

from runtime.graph import Graph
from ops.context import state
from ops.summary import writer as summary_writer

__all__ = ["graph", "trace_on", "trace_off", "trace_export"]


def _graph_of(graph_data):
    """The ``GraphDef`` of a traced graph, a concrete function, or a GraphDef itself."""
    if isinstance(graph_data, Graph):
        from ops.summary.graph_export import graph_def
        return graph_def(graph_data)
    if isinstance(getattr(graph_data, "graph", None), Graph):   # a ConcreteFunction
        return _graph_of(graph_data.graph)
    if type(graph_data).__name__ == "GraphDef":
        return graph_data
    if hasattr(graph_data, "get_concrete_function"):
        raise TypeError("tf.summary.graph takes a traced graph: pass "
                        "fn.get_concrete_function(*args) (or its .graph), not the Function")
    raise TypeError(f"tf.summary.graph: expected a graph, a concrete function or a GraphDef, "
                    f"got {type(graph_data).__name__}")


def graph(graph_data) -> bool:
    """Write a graph to the default writer for the Graphs dashboard (``tf.summary.graph``):
    a traced graph (``ConcreteFunction.graph``), a concrete function, or a ``GraphDef``.
    Returns whether it was written (False with no default writer)."""
    if state.graph is not None:
        raise ValueError("tf.summary.graph cannot be called inside a function being traced")
    graph_def = _graph_of(graph_data)
    writer = summary_writer.default_writer()
    if writer is None:
        summary_writer.warn_no_writer("tf.summary.graph()")
        return False
    if not summary_writer.should_record_summaries():
        return False
    from tensorboard.compat.proto import event_pb2
    writer.write_event(event_pb2.Event(step=0, graph_def=graph_def.SerializeToString()))
    return True


# ---- recording the graphs of functions -------------------------------------------------------

class Recorder:
    """The concrete functions traced or called while it is active, each once, in order.

    With ``until``, it stops by itself once it has recorded a function of that name."""

    def __init__(self, until=None):
        self.functions: list = []
        self.until = until
        self._seen: set = set()

    def add(self, concrete) -> None:
        # By graph: a function's compiled and interpreted variants share their traced graph.
        if id(concrete.graph) not in self._seen:
            self._seen.add(id(concrete.graph))
            self.functions.append(concrete)
            if concrete.name == self.until:
                stop_recording(self)

    def run_metadata(self):
        """A ``RunMetadata`` with one ``function_graphs`` entry per recorded function."""
        from tensorboard.compat.proto import config_pb2
        from ops.summary.graph_export import graph_def
        meta = config_pb2.RunMetadata()
        for concrete in self.functions:
            meta.function_graphs.add(
                pre_optimization_graph=graph_def(concrete.graph),
                post_optimization_graph=graph_def(concrete.optimized_graph))
        return meta


_recorders: list[Recorder] = []


def _heard(concrete) -> None:
    for recorder in list(_recorders):   # a copy: a recorder may stop itself
        recorder.add(concrete)


def start_recording(until=None) -> Recorder:
    """Record the functions traced or called from now until ``stop_recording`` (or until
    one named ``until`` is recorded)."""
    from autograph.function import add_listener
    recorder = Recorder(until)
    if not _recorders:
        add_listener(_heard)
    _recorders.append(recorder)
    return recorder


def stop_recording(recorder: Recorder) -> None:
    from autograph.function import remove_listener
    if recorder in _recorders:
        _recorders.remove(recorder)
        if not _recorders:
            remove_listener(_heard)


# ---- trace_on / trace_export / trace_off -----------------------------------------------------

class _Trace:
    __slots__ = ("recorder", "profiler", "profile_dir")

    def __init__(self, recorder, profiler, profile_dir):
        self.recorder = recorder
        self.profiler = profiler        # the ops.profiler module while it runs, else None
        self.profile_dir = profile_dir  # where it writes until trace_export moves the trace


_trace: list = []   # the active _Trace, if any (one at a time, as in TensorFlow)


def trace_on(graph: bool = True, profiler: bool = False) -> None:
    """Start recording the graphs of the ``@function``s traced or called from now on
    (``graph=True``) and, with ``profiler=True``, profiling them; ``trace_export`` writes
    what was recorded and stops."""
    if state.graph is not None:
        raise ValueError("tf.summary.trace_on must be called outside functions being traced")
    if _trace:
        warnings.warn("tf.summary.trace_on: a trace is already on; this call does nothing "
                      "(call trace_export or trace_off first)", UserWarning, stacklevel=2)
        return
    module, profile_dir = None, None
    if profiler:
        # Started first: it raises if a profile already runs, and nothing is left half-on.
        # Its directory is known only at trace_export, so it writes to a temporary one.
        from ops import profiler as module
        profile_dir = tempfile.mkdtemp(prefix="autograph-trace-")
        try:
            module.start(profile_dir)
        except BaseException:
            shutil.rmtree(profile_dir, ignore_errors=True)
            raise
    recorder = start_recording() if graph else None
    _trace.append(_Trace(recorder, module, profile_dir))


def _stop(trace: _Trace, save: bool):
    """Stop recording and profiling; returns the profiler's trace file, if saved."""
    if trace.recorder is not None:
        stop_recording(trace.recorder)
    if trace.profiler is not None:
        return trace.profiler.stop(save=save)
    return None


def trace_off() -> None:
    """Stop the trace started by ``trace_on`` without writing anything."""
    if _trace:
        trace = _trace.pop()
        _stop(trace, save=False)
        if trace.profile_dir is not None:
            shutil.rmtree(trace.profile_dir, ignore_errors=True)


def _save_profile(trace: _Trace, path, outdir) -> None:
    """Move the profiler's output from the temporary directory into ``outdir``, keeping its
    layout relative to the directory the profiler was started with."""
    if path is not None and os.path.exists(path):
        relative = os.path.relpath(path, trace.profile_dir)
        if relative.startswith(os.pardir):   # the profiler wrote elsewhere: take the file alone
            relative = os.path.basename(path)
        target = os.path.join(os.fspath(outdir), relative)
        os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
        shutil.move(path, target)
    shutil.rmtree(trace.profile_dir, ignore_errors=True)


def trace_export(name: str, step=None, profiler_outdir=None, *, profile_outdir=None) -> None:
    """Write the graphs recorded since ``trace_on`` to the default writer under the tag
    ``name`` at ``step`` (default: the default step), save the profile to
    ``profiler_outdir`` when profiling, and stop the trace (``tf.summary.trace_export``).

    ``profile_outdir`` is accepted as another spelling of ``profiler_outdir``."""
    if profile_outdir is not None:
        if profiler_outdir is not None and profiler_outdir != profile_outdir:
            raise TypeError("trace_export: pass profiler_outdir or profile_outdir, not both")
        profiler_outdir = profile_outdir
    if not _trace:
        raise ValueError("tf.summary.trace_export: no trace to export; call "
                         "tf.summary.trace_on() before running the functions to record")
    trace = _trace[-1]
    if trace.profiler is not None and profiler_outdir is None:
        raise ValueError("tf.summary.trace_export: profiling is on, so profiler_outdir must "
                         "be given (the directory to save the profile in)")
    writer = summary_writer.default_writer()
    try:
        if trace.recorder is not None:
            if writer is None:
                summary_writer.warn_no_writer(f"tf.summary.trace_export({name!r})")
            elif summary_writer.should_record_summaries():
                _write_run_metadata(writer, name, trace.recorder.run_metadata(),
                                    summary_writer.resolve_step(step))
    finally:
        _trace.pop()
        path = _stop(trace, save=True)
        if trace.profile_dir is not None:
            _save_profile(trace, path, profiler_outdir)


def _write_run_metadata(writer, tag: str, run_metadata, step: int) -> None:
    """TensorFlow's ``run_metadata_graphs`` summary: the serialized ``RunMetadata`` as a
    string scalar, its plugin content ``b"1"``."""
    from tensorboard.compat.proto import summary_pb2
    from tensorboard.plugins.graph import metadata as graph_metadata
    from ops.summary.encode import tensor_proto
    meta = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(
        plugin_name=graph_metadata.PLUGIN_NAME_RUN_METADATA_WITH_GRAPH, content=b"1"))
    payload = np.array(run_metadata.SerializeToString(), dtype=object)
    writer.write_summary(summary_pb2.Summary.Value(tag=tag, metadata=meta,
                                                   tensor=tensor_proto(payload)), step)
