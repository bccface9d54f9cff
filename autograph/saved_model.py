"""``ag.saved_model`` (``tf.saved_model``): save traced functions and variables, load them
back without the Python source."""
from ops.saved_model import SerializationError, load, save  # noqa: F401
