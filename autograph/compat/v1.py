"""``ag.compat.v1``: TensorFlow 1 style static graphs, placeholders and sessions.

Built on the graph IR, tracer and interpreter that ``ag.function`` uses; see
``ops/compat/graph.py`` for how a graph is built and ``ops/compat/session.py`` for which
nodes ``Session.run`` runs.
"""
from ops.compat.graph import (  # noqa: F401
    Graph, Operation, get_default_graph, placeholder, reset_default_graph,
)
from ops.compat.session import Session  # noqa: F401
