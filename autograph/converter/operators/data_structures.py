"""List operations of converted loops: ``append`` and ``pop`` on Python lists and, once a
staged loop has turned an appended list into one, on ``TensorArray``s."""
from __future__ import annotations

from ops.tensor_array import TensorArray


def list_append(target, element):
    """``target.append(element)``; returns the (possibly new) list."""
    if isinstance(target, TensorArray):
        return target.write(target.size(), element)
    target.append(element)
    return target


def list_pop(target, index=None):
    """``target.pop(index)``; returns (the list, the popped element)."""
    if isinstance(target, TensorArray):
        if index is not None:
            raise NotImplementedError("pop(i) on a list a staged loop turned into a "
                                      "TensorArray: only pop() (the last element) works")
        last = target.size() - 1
        value = target.read(last)
        return target._from_components([target._buffer, last] if target._buffer is not None
                                       else [last]), value
    value = target.pop() if index is None else target.pop(index)
    return target, value


def stack(values, *args, **kwargs):
    """``ag.stack``: a TensorArray (a list appended to in a staged loop) stacks itself."""
    if isinstance(values, TensorArray):
        return values.stack()
    from ops.array_ops import stack as array_stack
    return array_stack(values, *args, **kwargs)
