"""``ag.strings``: string tensor ops."""
from ops.strings import *  # noqa: F401,F403
from ops.strings import format, split  # noqa: F401,A004  (kept off the top level: they'd shadow)
