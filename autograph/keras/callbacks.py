"""``ag.keras.callbacks``."""
from ops.keras.callbacks import *  # noqa: F401,F403
