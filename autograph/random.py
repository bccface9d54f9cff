"""``ag.random``: seeded random tensors."""
from ops.random_ops import *  # noqa: F401,F403
