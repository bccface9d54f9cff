"""``ag.keras``: layers, models, optimizers, losses, metrics and callbacks."""
from autograph.keras import (  # noqa: F401
    activations, backend, callbacks, constraints, initializers, layers, losses, metrics,
    mixed_precision, models, optimizers, regularizers, utils,
)
from ops.keras.engine import Input, Model, Sequential  # noqa: F401


def _wire_autograph() -> None:
    """Layers' ``call`` (and models' ``train_step``) run converted while traced, as in Keras,
    so Python ``if``/``for`` on tensors inside user layers work in graphs."""
    from autograph.converter.public import convert
    from ops.keras.layers.base import set_call_converter
    set_call_converter(convert)


_wire_autograph()
