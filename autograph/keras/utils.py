"""``ag.keras.utils``."""
from ops.keras.progbar import Progbar  # noqa: F401
