"""``tf.summary.experimental``: the default step."""
from ops.summary.writer import get_step, set_step  # noqa: F401

__all__ = ["get_step", "set_step"]
