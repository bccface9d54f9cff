"""``ag.keras.initializers``."""
from ops.keras.initializers import *  # noqa: F401,F403
