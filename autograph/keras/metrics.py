"""``ag.keras.metrics``."""
from ops.keras.metrics import *  # noqa: F401,F403
