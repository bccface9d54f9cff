"""``ag.keras.layers``."""
from ops.keras.layers import *  # noqa: F401,F403
from ops.keras.engine import Input  # noqa: F401
