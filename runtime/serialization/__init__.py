"""Saving graphs and arrays to files, and reading them back without pickle.

- ``graph_json``: graphs as versioned JSON documents ("autograph-graph" v1): ``encode``,
  ``decode``, ``dumps``, ``parse_json``, ``ConstantPool``.
- ``attrs``: the tagged JSON encoding of node attributes.
- ``arrays``: named arrays in one ``.npz`` (strings included) read with ``allow_pickle=False``.
- ``atomic``: atomic file writes and directories built beside their target, then renamed.

The format is documented in ``docs/saved_model_format.md``; ``ops.saved_model`` builds saved
models and weights files on top of it.
"""
from runtime.serialization.errors import SerializationError  # noqa: F401
from runtime.serialization import arrays, atomic, attrs, graph_json  # noqa: F401
