"""``ag.linalg``: matrix products and decompositions."""
from ops.linalg import *  # noqa: F401,F403
from ops.creation import eye  # noqa: F401
