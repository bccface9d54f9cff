"""``ag.math``: elementwise math and reductions."""
from ops.elementwise import *  # noqa: F401,F403
from ops.reductions import *  # noqa: F401,F403
from ops.nn_ops import softplus  # noqa: F401
