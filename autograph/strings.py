"""``ag.strings``: string tensor ops."""
from ops.strings import *  # noqa: F401,F403
