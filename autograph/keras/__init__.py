"""``ag.keras``: layers, models, optimizers, losses, metrics and callbacks."""
from autograph.keras import callbacks, losses, metrics, optimizers, utils  # noqa: F401
