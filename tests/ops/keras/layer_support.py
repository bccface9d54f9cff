"""Helpers for layer tests: finite-difference gradient checks through a layer's weights."""
from __future__ import annotations

import contextlib

import numpy as np

from tests.support import check_grad


def weight_slots(layer) -> list:
    """``(owner, attribute)`` holding each trainable weight of ``layer`` (sub-layers
    included), in ``trainable_weights`` order."""
    slots = []
    for weight in layer.trainable_weights:
        for owner in layer._flatten_layers():
            found = [k for k, v in vars(owner).items() if v is weight]
            if found:
                slots.append((owner, found[0]))
                break
        else:
            raise AssertionError(f"weight {weight.name} is not held by an attribute")
    return slots


@contextlib.contextmanager
def substituted(slots, tensors):
    """Run the block with the weights' attributes pointing at ``tensors``, so the layer
    computes with values a tape watches like inputs."""
    saved = [getattr(owner, attr) for owner, attr in slots]
    try:
        for (owner, attr), t in zip(slots, tensors):
            setattr(owner, attr, t)
        yield
    finally:
        for (owner, attr), v in zip(slots, saved):
            setattr(owner, attr, v)


def check_layer_grad(layer, x, rtol=1e-5, atol=1e-6, **call_kwargs):
    """Gradients of ``layer(x)`` with respect to ``x`` and every trainable weight, against
    central differences. Build the layer with ``dtype="float64"`` first."""
    layer(x, **call_kwargs)      # build
    slots = weight_slots(layer)
    values = [w.numpy() for w in layer.trainable_weights]

    def f(inputs, *weights):
        with substituted(slots, weights):
            return layer(inputs, **call_kwargs)

    check_grad(f, np.asarray(x, np.float64), *values, rtol=rtol, atol=atol)
