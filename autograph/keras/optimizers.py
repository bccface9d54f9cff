"""``ag.keras.optimizers`` (with ``schedules``)."""
from ops.keras.optimizers import *  # noqa: F401,F403
from ops.keras.optimizers import schedules  # noqa: F401
