"""``ag.recompute_grad``: gradient checkpointing, as ``tf.recompute_grad``.

``recompute_grad(f)`` returns a function that computes what ``f`` computes. While tapes
record, the forward pass runs ``f`` with recording paused (through ``custom_gradient``), so
none of ``f``'s intermediate results stay referenced by a tape: each tape holds one entry for
the whole call, from the arguments and the variables ``f`` reads to the outputs. Its gradient
runs ``f`` again under a fresh tape and returns the vector-Jacobian product for the arguments
and for those variables. Memory held for the backward pass drops from every intermediate of
``f`` to its inputs and outputs; the price is a second forward pass of ``f``.

Because the recomputation and its gradient are ordinary recorded ops, an enclosing tape sees
them (nested tapes give higher derivatives), and inside ``ag.function`` they become graph
nodes like any other gradient.

As in TensorFlow, ``f`` must compute the same values when run again: random ops (dropout in
training mode) draw new values on the second run, and state updates inside ``f`` (a
BatchNormalization layer's moving averages in training mode) happen twice. A Keras layer
called through ``recompute_grad`` is re-run outside the enclosing layer call, so its
``training`` flag is the layer default unless passed as a keyword argument.
"""
from __future__ import annotations

import functools

from runtime import nest
from ops.custom_gradient import custom_gradient
from ops.declare import COMPLEX, FLOAT
from ops.elementwise import identity
from ops.tape import GradientTape
from ops.tensor import Tensor
from ops.variables import Variable

__all__ = ["recompute_grad"]

_DIFFERENTIABLE = FLOAT | COMPLEX


def recompute_grad(f):
    """Wrap ``f`` (a function or a callable such as a Keras layer) so its gradient recomputes
    the forward pass instead of keeping its intermediates."""
    if not callable(f):
        raise TypeError(f"recompute_grad: expected a function or callable object, got "
                        f"{type(f).__name__}")

    def forward(*args, **kwargs):
        result = f(*args, **kwargs)

        def grad(*output_grads, variables=None):
            return _vjp_by_recomputing(f, args, kwargs, output_grads, variables or [])
        return result, grad

    forward.__name__ = getattr(f, "__name__", type(f).__name__)
    recomputed = custom_gradient(forward)

    @functools.wraps(f, updated=())   # updated=(): never copy a layer's attributes
    def wrapper(*args, **kwargs):
        return recomputed(*args, **kwargs)

    return wrapper


def _vjp_by_recomputing(f, args, kwargs, output_grads, variables):
    """Run ``f`` again under a new tape; gradients for the flattened ``args`` and for
    ``variables`` (``custom_gradient``'s grad_fn protocol)."""
    flat_args = nest.flatten(args)
    # Each tensor argument is replaced by a fresh copy, so every position gets its own
    # gradient even when one tensor is passed twice; variable arguments stay themselves.
    call_args, arg_sources = [], []
    for a in flat_args:
        if isinstance(a, Tensor) and a.dtype in _DIFFERENTIABLE:
            a = identity(a)
            arg_sources.append(a)
        elif isinstance(a, Variable) and a.dtype in _DIFFERENTIABLE:
            arg_sources.append(a)
        else:
            arg_sources.append(None)
        call_args.append(a)
    var_sources = [v for v in variables if v.dtype in _DIFFERENTIABLE]
    sources = [s for s in arg_sources if s is not None] + var_sources

    with GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(sources)
        result = f(*nest.pack_sequence_as(args, call_args), **kwargs)
    # Outputs no gradient reached (integer outputs, unused ones) are not targets: a target
    # without a seed would be differentiated as if its seed were ones.
    targets, seeds = [], []
    for y, dy in zip(nest.flatten(result), output_grads):
        if dy is not None:
            targets.append(y)
            seeds.append(dy)
    grads = iter(tape.gradient(targets, sources, output_gradients=seeds)
                 if targets and sources else [None] * len(sources))
    input_grads = [None if s is None else next(grads) for s in arg_sources]
    by_variable = {id(v): next(grads) for v in var_sources}
    if not variables:
        return input_grads
    return input_grads, [by_variable.get(id(v)) for v in variables]
