"""``ag.keras.mixed_precision``: dtype policies and loss scaling."""
from ops.keras.dtype_policy import Policy, global_policy, set_global_policy  # noqa: F401
from ops.keras.optimizers import LossScaleOptimizer  # noqa: F401
