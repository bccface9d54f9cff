"""``ag.keras``: layers, models, optimizers, losses, metrics and callbacks."""
from autograph.keras import (  # noqa: F401
    activations, backend, callbacks, constraints, initializers, layers, losses, metrics,
    mixed_precision, models, optimizers, regularizers, utils,
)
from ops.keras.engine import Input, Model, Sequential  # noqa: F401
