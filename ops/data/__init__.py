"""Input pipelines (``ag.data``, TensorFlow's ``tf.data``).

``Dataset`` builds a chain of lazy nodes (``dataset.py``); sources, transformations, shuffle,
cache and prefetch each live in their own module. Iterating yields eager tensors in the
element's nested structure; inside a traced function a ``for`` loop over a dataset is unrolled
over the elements produced at trace time.
"""
from ops.data.dataset import (  # noqa: F401
    AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset,
)
from ops.data.iterator import Iterator  # noqa: F401
from ops.data import experimental  # noqa: F401

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Dataset", "Iterator",
           "experimental"]
