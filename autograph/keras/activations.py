"""``ag.keras.activations``."""
from ops.keras.activations import *  # noqa: F401,F403
