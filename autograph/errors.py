"""``ag.errors``: TensorFlow's error types."""
from ops.errors import (  # noqa: F401
    AlreadyExistsError, InternalError, InvalidArgumentError, NotFoundError, OpError,
    OutOfRangeError, UnavailableError, UnimplementedError,
)
