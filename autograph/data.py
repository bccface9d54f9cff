"""``ag.data``: input pipelines (``tf.data``)."""
from ops.data import (  # noqa: F401
    AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset, Iterator, experimental,
)
