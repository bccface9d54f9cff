"""``ag.summary`` (``tf.summary``): TensorBoard event files; needs the optional
``tensorboard`` package (``pip install "autograph[tensorboard]"``) once a writer is created."""
from ops.summary import *  # noqa: F401,F403
