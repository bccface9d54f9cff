"""Input pipelines (``ag.data``, TensorFlow's ``tf.data``).

``Dataset`` builds a chain of lazy nodes (``dataset.py``); sources, transformations, shuffle,
cache and prefetch each live in their own module. Iterating yields eager tensors in the
element's nested structure; inside a traced function a ``for`` loop over a dataset becomes a
graph loop that iterates the dataset when the function runs (``graph_ops``).
"""
from ops.data.dataset import (  # noqa: F401
    AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset,
)
from ops.data.iterator import Iterator  # noqa: F401
from ops.data import experimental  # noqa: F401
from ops.data import graph_ops  # noqa: F401  (registers the ops a staged dataset loop uses)

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Dataset", "Iterator",
           "experimental"]
