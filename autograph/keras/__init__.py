"""``ag.keras``: layers, models, optimizers, losses, metrics and callbacks."""
from autograph.keras import (  # noqa: F401
    activations, backend, callbacks, constraints, initializers, layers, losses, metrics,
    mixed_precision, optimizers, regularizers, utils,
)
