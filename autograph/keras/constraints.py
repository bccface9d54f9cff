"""``ag.keras.constraints``."""
from ops.keras.constraints import *  # noqa: F401,F403
