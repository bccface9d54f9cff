"""``TensorArray``: a growable list of same-shaped tensors, usable in loops and graphs.

The contents live in a buffer tensor ``[capacity, *element_shape]`` plus a size tensor; a write
returns a new ``TensorArray`` (ops never mutate their inputs), so the array can be a loop
variable of ``while_loop`` and gradients flow through writes, reads and ``stack``. Until the
first write the element shape may be unknown and there is no buffer.
"""
from __future__ import annotations

import numpy as np

from runtime import dtypes as D
from runtime.registry import NOT_DIFFERENTIABLE, Spec
from ops import dispatch
from ops.declare import defop
from ops.tensor import Tensor, constant, convert_to_tensor

__all__ = ["TensorArray"]


def _grow(xp, buffer, index, value):
    cap = buffer.shape[0]
    if index < cap:
        out = buffer.copy()
    else:
        new_cap = max(index + 1, 2 * cap)
        out = xp.zeros((new_cap,) + tuple(value.shape), dtype=value.dtype)
        if cap:   # an empty buffer may have placeholder (0) element dims
            out[:cap] = buffer
    out[index] = value
    return out


def _index(i, op):
    i = int(i)
    if i < 0:
        raise IndexError(f"{op}: index {i} is negative")
    return i


def _write_kernel(xp, buffer, index, value):
    return _grow(xp, buffer, _index(index, "TensorArray.write"), value)


def _read_kernel(xp, buffer, size, index):
    i = _index(index, "TensorArray.read")
    if i >= int(size):
        raise IndexError(f"TensorArray.read: index {i} is out of range for an array of size "
                         f"{int(size)}")
    return buffer[i]


def _stack_kernel(xp, buffer, size):
    size = int(size)
    if size <= buffer.shape[0]:
        return buffer[:size]
    padded = xp.zeros((size,) + tuple(buffer.shape[1:]), dtype=buffer.dtype)
    padded[:buffer.shape[0]] = buffer   # unwritten elements of a fixed-size array are zeros
    return padded


def _unwrite_kernel(xp, dbuffer, index, buffer):
    g = xp.zeros_like(buffer)
    n = min(buffer.shape[0], dbuffer.shape[0])
    g[:n] = dbuffer[:n]
    if int(index) < g.shape[0]:
        g[int(index)] = 0
    return g


def _read_grad_kernel(xp, dy, index, buffer):
    g = xp.zeros_like(buffer)
    g[int(index)] = dy
    return g


def _pad_rows_kernel(xp, dy, buffer):
    g = xp.zeros_like(buffer)
    n = min(dy.shape[0], buffer.shape[0])
    g[:n] = dy[:n]
    return g


def _buffer_spec(buffer: Spec, *rest, **attrs) -> Spec:
    return Spec(buffer.dtype, (None,) + tuple(buffer.shape[1:]))


def _write_infer(buffer: Spec, index: Spec, value: Spec) -> Spec:
    if buffer.dtype is not value.dtype:
        raise TypeError(f"TensorArray.write: the array holds {buffer.dtype.name} but the value "
                        f"is {value.dtype.name}; use ag.cast")
    if len(buffer.shape) != len(value.shape) + 1:
        raise ValueError(f"TensorArray.write: value of shape {list(value.shape)} does not match "
                         f"the element shape {list(buffer.shape[1:])}")
    return Spec(buffer.dtype, (None,) + tuple(
        a if a == b else None for a, b in zip(buffer.shape[1:], value.shape)))


_UNWRITE = defop("TensorArrayUnwrite", _unwrite_kernel,
                 lambda dbuf, index, buffer: Spec(dbuf.dtype, buffer.shape))
_READ_GRAD = defop("TensorArrayReadGrad", _read_grad_kernel,
                   lambda dy, index, buffer: Spec(dy.dtype, buffer.shape))
_PAD_ROWS = defop("TensorArrayPadRows", _pad_rows_kernel,
                  lambda dy, buffer: Spec(dy.dtype, buffer.shape))
WRITE = defop("TensorArrayWrite", _write_kernel, _write_infer,
              lambda op, dy: [dispatch.execute(_UNWRITE, (dy, op.inputs[1], op.inputs[0])), None,
                              dispatch.execute(READ_ROW, (dy, op.inputs[1]))])
READ = defop("TensorArrayRead", _read_kernel,
             lambda buffer, size, index: Spec(buffer.dtype, tuple(buffer.shape[1:])),
             lambda op, dy: [dispatch.execute(_READ_GRAD, (dy, op.inputs[2], op.inputs[0])),
                             None, None])
READ_ROW = defop("TensorArrayReadRow", lambda xp, buffer, index: buffer[int(index)],
                 lambda buffer, index: Spec(buffer.dtype, tuple(buffer.shape[1:])))
STACK = defop("TensorArrayStack", _stack_kernel, _buffer_spec,
              lambda op, dy: [dispatch.execute(_PAD_ROWS, (dy, op.inputs[0])), None])


class TensorArray:
    """A list of tensors of one dtype and shape (``tf.TensorArray``)."""

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None,
                 tensor_array_name=None, handle=None, flow=None, infer_shape=True,
                 element_shape=None, colocate_with_first_write_call=True, name=None):
        self._dtype = D.as_dtype(dtype)
        self._dynamic = bool(dynamic_size)
        self._element_shape = None if element_shape is None else tuple(element_shape)
        self._size = convert_to_tensor(0 if size is None else size, dtype=D.int32)
        self._fixed = None if (self._dynamic or size is None or not isinstance(size, int)) \
            else size
        self._buffer = None
        if self._element_shape is not None and None not in self._element_shape:
            cap = self._fixed or 0
            self._buffer = constant(np.zeros((cap,) + self._element_shape, self._dtype.np),
                                    dtype=self._dtype)

    @property
    def dtype(self):
        return self._dtype

    @property
    def element_shape(self):
        from runtime.shapes import TensorShape
        if self._buffer is not None:
            return TensorShape(self._buffer.shape[1:])
        return TensorShape(self._element_shape) if self._element_shape is not None else None

    def size(self, name=None) -> Tensor:
        return self._size

    def _new(self, buffer, size) -> "TensorArray":
        ta = object.__new__(TensorArray)
        ta.__dict__.update(self.__dict__)
        ta._buffer, ta._size = buffer, size
        return ta

    def write(self, index, value, name=None) -> "TensorArray":
        """A new array with ``value`` at ``index`` (the result must be used: ``ta = ta.write(...)``)."""
        from ops.elementwise import maximum
        value = convert_to_tensor(value, dtype=self._dtype)
        index = convert_to_tensor(index, dtype=D.int32)
        if self._fixed is not None and index._v is not None and int(index) >= self._fixed:
            raise IndexError(f"TensorArray.write: index {int(index)} is out of range for an "
                             f"array of fixed size {self._fixed} (pass dynamic_size=True)")
        buffer = self._buffer
        if buffer is None:
            shape = tuple(0 if d is None else d for d in value.shape)
            rows = self._fixed or 0 if None not in value.shape else 0
            buffer = constant(np.zeros((rows,) + shape, self._dtype.np), dtype=self._dtype)
        new_buffer = dispatch.execute(WRITE, (buffer, index, value))
        size = maximum(self._size, index + 1)
        if new_buffer._v is not None:
            # Eagerly the array is updated in place too, as in TensorFlow, so a discarded
            # result still counts; traced code must use the result (checked at trace time).
            self._buffer, self._size = new_buffer, size
            return self
        return self._new(new_buffer, size)

    def read(self, index, name=None) -> Tensor:
        if self._buffer is None:
            raise IndexError("TensorArray.read: the array is empty (nothing was written)")
        return dispatch.execute(READ, (self._buffer, self._size,
                                       convert_to_tensor(index, dtype=D.int32)))

    def stack(self, name=None) -> Tensor:
        """All elements as one tensor ``[size, *element_shape]``."""
        if self._buffer is None:
            shape = (0,) + tuple(0 if d is None else d for d in (self._element_shape or ()))
            return constant(np.zeros(shape, self._dtype.np), dtype=self._dtype)
        return dispatch.execute(STACK, (self._buffer, self._size))

    def unstack(self, value, name=None) -> "TensorArray":
        """A new array whose elements are the rows of ``value``."""
        from ops import array_ops
        value = convert_to_tensor(value, dtype=self._dtype)
        return self._new(value, array_ops.shape(value)[0])

    def gather(self, indices, name=None) -> Tensor:
        from ops import array_ops
        return array_ops.gather(self.stack(), indices)

    def scatter(self, indices, value, name=None) -> "TensorArray":
        ta = self
        value = convert_to_tensor(value, dtype=self._dtype)
        for k, i in enumerate(np.asarray(indices).reshape(-1).tolist()):
            ta = ta.write(i, value[k])
        return ta

    def concat(self, name=None) -> Tensor:
        from ops import array_ops
        stacked = self.stack()
        return array_ops.reshape(stacked, [-1] + list(stacked.shape[2:]))

    def identity(self) -> "TensorArray":
        return self

    def close(self, name=None) -> None:
        return None

    # ---- as a loop variable -----------------------------------------------------------
    def _components(self) -> list:
        return [self._size] if self._buffer is None else [self._buffer, self._size]

    def _with_empty_buffer(self, written: "TensorArray") -> "TensorArray":
        """This array with an empty buffer shaped like ``written``'s elements (unknown dims
        start at 0; the buffer grows on the first write)."""
        shape = tuple(0 if d is None else d for d in written._buffer.shape[1:])
        return self._new(constant(np.zeros((0,) + shape, self._dtype.np), dtype=self._dtype),
                         self._size)

    def _from_components(self, parts: list) -> "TensorArray":
        if len(parts) == 1:
            return self._new(None, parts[0])
        return self._new(parts[0], parts[1])

    def __repr__(self) -> str:
        return f"<TensorArray dtype={self._dtype.name} element_shape={self.element_shape}>"
