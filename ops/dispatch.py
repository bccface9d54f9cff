"""Running an op: the eager fast path, the general path (tapes, tracing), error translation.

``execute(op, inputs, attrs)`` is the single entry point every op wrapper calls. With no tape
recording and no graph being traced it runs the kernel straight away; otherwise it hands the
call to the tracer (``state.graph.add_op``) and/or records it on every active tape.
"""
from __future__ import annotations

import operator

import numpy as np

from runtime import backends
from runtime.dtypes import from_numpy
from runtime.registry import NOT_DIFFERENTIABLE, OpDef, Spec
from ops.context import state
from ops.errors import dtype_mismatch
from ops.tensor import Tensor, convert_for_op, convert_like, wrap

_EMPTY: dict = {}
# What a kernel raises for bad input; anything else is a bug and propagates untouched.
_INPUT_ERRORS = (ValueError, IndexError, TypeError, np.linalg.LinAlgError)


def execute(op: OpDef, inputs: tuple, attrs: dict = _EMPTY):
    """Run ``op`` on tensors ``inputs``; returns a Tensor, or a tuple for ``multi`` ops."""
    if state.slow:
        return _general(op, inputs, attrs)
    return _eager(op, inputs, attrs)


def _eager(op: OpDef, inputs: tuple, attrs: dict):
    xp = np
    if backends.gpu_in_use and inputs:
        xp = _common_module(op, [t._v for t in inputs])
    try:
        out = op.kernel(xp, *map(_array_of, inputs), **attrs)
    except _INPUT_ERRORS as e:
        raise explain(op, inputs, attrs, e) from None
    if op.multi:
        return tuple(wrap(o) for o in out)
    t = _new(Tensor)
    t._v = out
    t.dtype = from_numpy(out.dtype)
    t._sym = None
    return t


_array_of = operator.attrgetter("_v")


def _common_module(op, arrays):
    modules = {backends.array_module(a) for a in arrays if a is not None}
    if len(modules) > 1:
        raise ValueError(f"{op.name}: inputs live on different devices (CPU and GPU); move them "
                         "to one device first (create them under one ag.device block)")
    return modules.pop() if modules else np


def _general(op: OpDef, inputs: tuple, attrs: dict):
    graph = state.graph
    if graph is not None:
        outputs = graph.add_op(op, inputs, attrs)
    else:
        outputs = _eager(op, inputs, attrs)
        for hook in state.hooks:
            hook(op, inputs, attrs, outputs if op.multi else (outputs,))
    if state.tapes and op.grad is not NOT_DIFFERENTIABLE:
        outs = outputs if op.multi else (outputs,)
        for tape in state.tapes:
            tape._record(op, inputs, attrs, outs)
    return outputs


def spec_of(t: Tensor) -> Spec:
    return Spec(t.dtype, tuple(t.shape))


def explain(op: OpDef, inputs: tuple, attrs: dict, error: Exception) -> Exception:
    """Turn a kernel failure into the op's own error: the infer rule names the culprit."""
    from ops.errors import OpError
    if isinstance(error, OpError):  # raised on purpose by the kernel, already precise
        return error
    try:
        op.infer(*[spec_of(t) for t in inputs], **attrs)
    except _INPUT_ERRORS as better:
        return better
    shapes = ", ".join(f"{t.dtype.name}{list(t.shape)}" for t in inputs)
    kind = type(error) if isinstance(error, _INPUT_ERRORS) else ValueError
    if isinstance(error, np.linalg.LinAlgError):
        from ops.errors import InvalidArgumentError
        return InvalidArgumentError(f"{op.name}: {error} (inputs: {shapes})", op.name)
    return kind(f"{op.name}: {error} (inputs: {shapes})")


def infer_outputs(op: OpDef, inputs: tuple, attrs: dict = _EMPTY):
    """The op's declared output spec(s) for these inputs (used by tests and the tracer)."""
    return op.infer(*[spec_of(t) for t in inputs], **attrs)


# ---- wrappers for the common shapes of op -----------------------------------------------

def unary(op: OpDef, allowed: frozenset, x, name=None) -> Tensor:
    """Call a one-input elementwise op; ``allowed`` is the set of dtypes it accepts."""
    if type(x) is not Tensor:
        x = convert_for_op(x, op.name)
    if x.dtype not in allowed:
        raise _bad_dtype(op, x.dtype, allowed)
    if state.slow:
        return _general(op, (x,), _EMPTY)
    try:
        out = op.kernel(np if not backends.gpu_in_use else backends.array_module(x._v), x._v)
    except _INPUT_ERRORS as e:
        raise explain(op, (x,), _EMPTY, e) from None
    t = _new(Tensor)
    t._v = out
    t.dtype = from_numpy(out.dtype)
    t._sym = None
    return t


def binary(op: OpDef, allowed: frozenset, x, y, name=None) -> Tensor:
    """Call a two-input elementwise op with TensorFlow's conversion rules for operands."""
    if type(x) is Tensor:
        if type(y) is not Tensor:
            y = convert_like(y, x.dtype, op.name, near=x)
        elif x.dtype is not y.dtype:
            raise dtype_mismatch(op.name, x.dtype, y.dtype)
    elif type(y) is Tensor:
        x = convert_like(x, y.dtype, op.name, near=y)
    else:
        read_x = getattr(x, "_read_for_op", None)
        read_y = getattr(y, "_read_for_op", None)
        if read_x is not None or read_y is not None:  # a Variable sets the dtype
            return binary(op, allowed, read_x() if read_x else x, read_y() if read_y else y)
        x = convert_for_op(x, op.name)
        y = convert_like(y, x.dtype, op.name, near=x)
        if x.dtype is not y.dtype:
            raise dtype_mismatch(op.name, x.dtype, y.dtype)
    if x.dtype not in allowed:
        raise _bad_dtype(op, x.dtype, allowed)
    if state.slow:
        return _general(op, (x, y), _EMPTY)
    xv = x._v
    yv = y._v
    try:
        out = op.kernel(np if not backends.gpu_in_use else _common_module(op, (xv, yv)), xv, yv)
    except _INPUT_ERRORS as e:
        raise explain(op, (x, y), _EMPTY, e) from None
    t = _new(Tensor)
    t._v = out
    t.dtype = from_numpy(out.dtype)
    t._sym = None
    return t


_new = object.__new__


def _bad_dtype(op: OpDef, dtype, allowed) -> TypeError:
    names = ", ".join(sorted(d.name for d in allowed))
    return TypeError(f"{op.name} does not accept {dtype.name} tensors (it accepts {names}); "
                     "use ag.cast to convert")


def tensors(values, op: str) -> tuple:
    """Convert a list of op inputs that must share one dtype (concat, stack, add_n, ...)."""
    out = [v if type(v) is Tensor else
           (v._read_for_op() if hasattr(v, "_read_for_op") else None) for v in values]
    first = next((t for t in out if t is not None), None)
    if first is None:
        first = convert_for_op(values[0], op)
    result = []
    for v, t in zip(values, out):
        if t is None:
            t = convert_like(v, first.dtype, op, near=first)
        elif t.dtype is not first.dtype:
            raise dtype_mismatch(op, first.dtype, t.dtype)
        result.append(t)
    return tuple(result)
