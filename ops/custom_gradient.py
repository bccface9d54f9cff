"""``ag.custom_gradient``: a function that supplies its own gradient, as in TensorFlow.

The decorated ``f(*args)`` returns ``(outputs, grad_fn)``. ``grad_fn(*output_grads)`` returns
one gradient per flattened argument; when ``f`` reads variables that are not among its
arguments, ``grad_fn(*output_grads, variables=None)`` returns ``(input_grads,
variable_grads)`` instead. While ``f`` runs, tapes do not record its ops (they only learn which
variables it reads); each active tape then records a single op from the arguments (and those
variables) to the outputs, whose gradient calls ``grad_fn``. Because ``grad_fn`` is written
with ops, its work is recorded by any enclosing tape, so higher derivatives come from the
gradient's own gradient, as in TensorFlow.
"""
from __future__ import annotations

import functools
import inspect

from runtime import nest
from ops.context import state
from ops.tensor import Tensor, convert_to_tensor
from ops.variables import Variable

__all__ = ["custom_gradient"]


class _VariableWatcher:
    """Stands in for the tapes while ``f`` runs: records nothing, remembers variable reads."""

    def __init__(self):
        self.variables: dict[int, Variable] = {}

    def _record(self, op, inputs, attrs, outputs) -> None:
        pass

    def _record_read(self, var, t) -> None:
        self.variables.setdefault(id(var), var)


class _CustomGradOp:
    """What the tape sees as the recorded op: a name and a gradient function."""

    __slots__ = ("name", "grad")

    def __init__(self, name, grad):
        self.name = name
        self.grad = grad

    def __repr__(self) -> str:
        return f"<custom_gradient {self.name}>"


def custom_gradient(f=None):
    """Decorate ``f`` returning ``(outputs, grad_fn)`` so tapes use ``grad_fn`` for it."""
    if f is None:
        return custom_gradient
    if not callable(f):
        raise TypeError(f"custom_gradient: expected a function, got {type(f).__name__}")

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        return _call(f, args, kwargs)

    return decorated


def _call(f, args, kwargs):
    name = getattr(f, "__name__", "custom_gradient")
    saved = state.tapes
    if not saved:  # nothing records: f is an ordinary function
        result, _ = _split(f(*args, **kwargs), name)
        return result
    watcher = _VariableWatcher()
    state.tapes = [watcher]
    state.refresh()
    try:
        returned = f(*args, **kwargs)
        result, grad_fn = _split(returned, name)
        flat_result = nest.flatten(result)
        # Fresh output tensors, so the one recorded op is their only producer on the tapes
        # (``f`` may return one of its inputs unchanged).
        outputs = [_fresh(y, name, i) for i, y in enumerate(flat_result)]
    finally:
        state.tapes = saved
        state.refresh()

    flat_args = nest.flatten(args)
    arg_inputs = [_as_input(a) for a in flat_args]
    arg_ids = {id(a) for a in flat_args}
    variables = [v for key, v in watcher.variables.items() if key not in arg_ids]
    if variables and not _accepts_variables(grad_fn):
        names = ", ".join(v.name for v in variables)
        raise TypeError(f"custom_gradient: {name} reads variables ({names}), so its grad_fn must "
                        "accept a keyword argument 'variables' and return (input_grads, "
                        "variable_grads)")
    # Reading the variables again under the real tapes ties their gradients to this op.
    var_inputs = [v._read_for_op() for v in variables]

    def grad(record, *output_grads):
        return _call_grad_fn(grad_fn, name, output_grads, len(flat_args), variables)

    # Arguments that are not data (None entries) get no gradient; the tape skips them.
    inputs = tuple(arg_inputs + var_inputs)
    op = _CustomGradOp(name, grad)
    for tape in saved:
        tape._record(op, inputs, {}, tuple(outputs))
    return nest.pack_sequence_as(result, outputs)


def _split(returned, name):
    if not (isinstance(returned, (tuple, list)) and len(returned) == 2 and callable(returned[1])):
        raise TypeError(f"custom_gradient: {name} must return a pair (outputs, grad_fn) where "
                        f"grad_fn computes the input gradients; it returned "
                        f"{type(returned).__name__}")
    return returned


def _fresh(y, name, i):
    from ops.elementwise import identity
    read = getattr(y, "_read_for_op", None)
    if read is not None:
        y = read()
    if not isinstance(y, Tensor):
        raise TypeError(f"custom_gradient: output {i} of {name} is a {type(y).__name__}; "
                        "outputs must be tensors")
    return identity(y)


def _as_input(a):
    """An argument as the tensor the tape sees (None for arguments that are not data)."""
    if isinstance(a, (Tensor, Variable)):
        return convert_to_tensor(a)
    try:
        return convert_to_tensor(a)
    except (TypeError, ValueError):
        return None


def _accepts_variables(fn) -> bool:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return True  # builtins and the like: let the call decide
    return any(p.name == "variables" or p.kind is p.VAR_KEYWORD for p in params)


def _call_grad_fn(grad_fn, name, output_grads, n_args, variables):
    if variables:
        returned = grad_fn(*output_grads, variables=variables)
        if not (isinstance(returned, (tuple, list)) and len(returned) == 2):
            raise ValueError(f"custom_gradient: the grad_fn of {name} uses variables, so it "
                             "must return (input_grads, variable_grads)")
        input_grads, variable_grads = returned
        variable_grads = list(nest.flatten(variable_grads))
        if len(variable_grads) != len(variables):
            raise ValueError(f"custom_gradient: the grad_fn of {name} returned "
                             f"{len(variable_grads)} variable gradients for {len(variables)} "
                             "variables; return one per variable, in the order given")
    else:
        input_grads = grad_fn(*output_grads)
        variable_grads = []
    flat = [input_grads] if n_args == 1 and not isinstance(input_grads, (list, tuple)) \
        else list(nest.flatten(input_grads))
    if len(flat) != n_args:
        raise ValueError(f"custom_gradient: the grad_fn of {name} returned {len(flat)} "
                         f"gradients for {n_args} inputs; return one per input (None where "
                         "there is none)")
    return [None if g is None else convert_to_tensor(g) for g in flat + variable_grads]
