"""``tf.summary``: TensorBoard event files written through the optional ``tensorboard`` package.

- ``writer``: file writers, the default writer and step, ``record_if``;
- ``summary_ops``: the ``WriteSummary`` op behind ``scalar``/``histogram``/``text``/``image``;
- ``encode``: NumPy values to the Summary protos TensorBoard's plugins read;
- ``graph_export``: traced graphs to ``GraphDef``s;
- ``graphs``: ``tf.summary.graph`` and ``trace_on``/``trace_export``/``trace_off``;
- ``experimental``: ``get_step``/``set_step``.

Importing this package registers the op and imports nothing from ``tensorboard``: ``encode``
and ``graph_export`` are imported when something is written.
"""
from ops.summary.writer import (  # noqa: F401
    SummaryWriter, create_file_writer, create_noop_writer, flush, record_if,
    should_record_summaries,
)
from ops.summary.summary_ops import histogram, image, scalar, text, write  # noqa: F401
from ops.summary.graphs import graph, trace_export, trace_off, trace_on  # noqa: F401
from ops.summary import experimental  # noqa: F401

__all__ = [
    "SummaryWriter", "create_file_writer", "create_noop_writer", "flush", "record_if",
    "should_record_summaries", "scalar", "histogram", "text", "image", "write", "graph",
    "trace_on", "trace_off", "trace_export", "experimental",
]
