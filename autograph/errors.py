"""``ag.errors``: TensorFlow's error types."""
from ops.errors import (  # noqa: F401
    InternalError, InvalidArgumentError, NotFoundError, OpError, OutOfRangeError,
    UnimplementedError,
)
