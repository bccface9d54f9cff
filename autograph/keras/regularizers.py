"""``ag.keras.regularizers``."""
from ops.keras.regularizers import *  # noqa: F401,F403
