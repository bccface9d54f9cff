"""``ag.keras.backend``: the few global settings Keras layers read.

``get_uid`` numbers default layer names per prefix (``dense``, ``dense_1``, ...);
``clear_session`` starts the numbering again, as in Keras.
"""
from __future__ import annotations

import collections
import re

from runtime import dtypes as D

__all__ = ["clear_session", "epsilon", "floatx", "get_uid", "image_data_format", "reset_uids",
           "set_epsilon", "set_floatx", "set_image_data_format", "to_snake_case"]

_uids: collections.Counter = collections.Counter()
_floatx = "float32"
_epsilon = 1e-7
_image_data_format = "channels_last"


def to_snake_case(name: str) -> str:
    """Keras' default layer names: ``Conv2D`` -> ``conv2d``, ``SimpleRNN`` -> ``simple_rnn``,
    ``MaxPooling2D`` -> ``max_pooling2d`` (digits stay with the word before them)."""
    name = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def get_uid(prefix: str = "") -> int:
    """1 for the first call with ``prefix``, then 2, 3, ... (until ``clear_session``)."""
    _uids[prefix] += 1
    return _uids[prefix]


def reset_uids() -> None:
    _uids.clear()


def clear_session() -> None:
    """Forget default-name numbering (``tf.keras.backend.clear_session``). Layers made before
    keep their names and weights; this stack holds no global graph to free."""
    reset_uids()


def floatx() -> str:
    """The default float type of weights and computations: ``"float32"``."""
    return _floatx


def set_floatx(value) -> None:
    global _floatx
    dtype = D.as_dtype(value)
    if not dtype.is_floating:
        raise ValueError(f"set_floatx: expected a float type (float16, float32, float64), got "
                         f"{dtype.name}")
    _floatx = dtype.name


def epsilon() -> float:
    """The fuzz factor losses and metrics add to avoid dividing by zero (1e-7)."""
    return _epsilon


def set_epsilon(value: float) -> None:
    global _epsilon
    _epsilon = float(value)


def image_data_format() -> str:
    return _image_data_format


def set_image_data_format(data_format: str) -> None:
    global _image_data_format
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"set_image_data_format: expected 'channels_last' or 'channels_first', "
                         f"got {data_format!r}")
    _image_data_format = data_format
