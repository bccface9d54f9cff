"""``tf.profiler``: the profiler lives in ``tf.profiler.experimental``, as in TensorFlow 2."""
from autograph.profiler import experimental  # noqa: F401
