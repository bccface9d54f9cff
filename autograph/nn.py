"""``ag.nn``: activations, losses on logits, convolution, pooling, dropout, moments."""
from ops.elementwise import sigmoid, tanh  # noqa: F401
from ops.nn_ops import *  # noqa: F401,F403
