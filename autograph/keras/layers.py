"""``ag.keras.layers``."""
from ops.keras.layers import *  # noqa: F401,F403
