"""``ag.keras.callbacks``."""
from ops.keras.callbacks import *  # noqa: F401,F403
from ops.keras.tensorboard import TensorBoard  # noqa: F401
