"""``ag.debugging``: runtime assertions and numeric checks."""
from ops.debugging import *  # noqa: F401,F403
