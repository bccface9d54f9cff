"""``ag.keras.backend``."""
from ops.keras.backend import *  # noqa: F401,F403
