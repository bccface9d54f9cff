"""``tf.profiler.experimental``: record what a program runs and write it as a trace.

    tf.profiler.experimental.start("logdir")
    ...                                   # eager ops, tf.function calls, model.fit
    tf.profiler.experimental.stop()       # -> logdir/plugins/profile/<run>/<host>.trace.json

The file is a Chrome trace (open it in Perfetto or chrome://tracing, or point TensorBoard at
``logdir``) with one span per eager op ("op"), per function call ("function") with its ops
inside it, per fused-kernel launch of a ``jit_compile=True`` function ("kernel"), and per
``Trace`` block ("user"). ``ProfilerOptions`` says which of these are recorded; see
``ops/profiler.py`` for how each is measured.
"""
from ops.profiler import ProfilerOptions, Profile, Trace, start, stop  # noqa: F401

__all__ = ["ProfilerOptions", "Profile", "Trace", "start", "stop"]
