"""``ag.keras.losses``."""
from ops.keras.losses import *  # noqa: F401,F403
