"""``ag.data.experimental``: TensorFlow's older home of the data constants and helpers."""
from __future__ import annotations

from ops.data.dataset import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "cardinality"]


def cardinality(dataset):
    """``dataset.cardinality()`` as a function (``tf.data.experimental.cardinality``)."""
    if not isinstance(dataset, Dataset):
        raise TypeError(f"cardinality: expected a Dataset, got {type(dataset).__name__}")
    return dataset.cardinality()
