"""Variables that read in the compute dtype of the layer being called (mixed precision).

Under a mixed policy (``mixed_float16``) a layer keeps its weights in float32 and computes in
float16. ``add_weight`` then makes an ``AutoCastVariable``: a float32 ``Variable`` whose reads
by ops, while a layer's ``call`` runs, are cast to that layer's compute dtype. So a user's
layer can write ``ag.matmul(inputs, self.w)`` with float16 inputs, as in TensorFlow. The cast
is an ordinary op, so gradients reach the float32 variable as float32.

``Layer.__call__`` sets the dtype reads are cast to (``scope``) for the duration of ``call``,
and restores the enclosing layer's afterwards. Outside any layer call the variable reads as
float32, as do its own updates (``assign_add``, ``assign_sub``): the stored value never
changes dtype. ``dtype`` is always the stored dtype (float32), as in TensorFlow.
"""
from __future__ import annotations

import contextlib

from ops import elementwise as math_ops
from ops.variables import Variable

__all__ = ["AutoCastVariable", "cast_to", "scope", "read_stored"]

# The floating dtype AutoCastVariables read as (the compute dtype of the innermost layer call
# in progress), or None: read the stored dtype. Module state, like the layer call stack.
cast_to = None


@contextlib.contextmanager
def scope(dtype):
    """Within the block, AutoCastVariables read as ``dtype`` (None: as stored)."""
    global cast_to
    saved, cast_to = cast_to, dtype
    try:
        yield
    finally:
        cast_to = saved


def read_stored(variable):
    """The variable's value in its stored dtype, whatever the scope."""
    return Variable._read_for_op(variable)


class AutoCastVariable(Variable):
    """A float variable read in the compute dtype of the layer being called."""

    def _read_for_op(self):
        value = Variable._read_for_op(self)
        target = cast_to
        if target is None or target is self.dtype:
            return value
        return math_ops.cast(value, target)

    # Updates combine the stored value with the delta, so they read it uncast.
    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        return self.assign(read_stored(self) + self._convert(delta), read_value=read_value)

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        return self.assign(read_stored(self) - self._convert(delta), read_value=read_value)

    def __repr__(self) -> str:
        return Variable.__repr__(self).replace("<tf.Variable", "<AutoCastVariable", 1)
