"""Tape memory: the peak bytes a GradientTape holds for the backward pass, with and without
``ag.recompute_grad``.

The model is a 10-layer MLP (Dense 1024, relu; batch 256; float32), run forward under a tape
three ways: plain, each layer wrapped in ``recompute_grad``, and the whole stack wrapped once.
The figure is measured, not estimated: a tape subclass, after every op it records, sums the
``nbytes`` of the distinct arrays the tape references (``GradientTape._held_arrays``: the
inputs and outputs of its records, watched tensors, variable reads) and keeps the maximum.
Arrays that are the model's own variable storage are left out, since the variables keep them
alive whether or not a tape runs; the notes give the figure with them too. Each run also
computes the gradients (input and every weight) and the notes give the largest absolute
difference from the plain run's, so the table shows that the saving costs no accuracy.

Memory workloads report bytes, shown in MiB; there is one figure per run, so median and best
are the same value.
"""
from __future__ import annotations

import functools

import numpy as np

from bench.registry import Measurement, Workload

ORDER = 50

LAYERS, WIDTH, BATCH = 10, 1024, 256
VARIANTS = ("plain", "per_layer", "whole_stack")
MIB = 2 ** 20


@functools.lru_cache(maxsize=1)
def _experiment() -> dict:
    """Run the three variants on one model; ``{variant: (peak bytes without variable
    storage, peak bytes with it, gradients)}``. Cached: the three workloads share one run."""
    import autograph as ag
    from ops.recompute import recompute_grad

    ag.random.set_seed(0)
    layers = [ag.keras.layers.Dense(WIDTH, activation="relu") for _ in range(LAYERS)]
    x = ag.constant(np.random.default_rng(0).normal(size=(BATCH, WIDTH)).astype(np.float32))
    stack = ag.keras.Sequential(layers)
    stack(x)  # build
    variables = stack.trainable_variables
    storage = {id(v._v) for v in variables}

    def forward(variant, h):
        if variant == "whole_stack":
            return recompute_grad(stack)(h)
        for layer in layers:
            h = recompute_grad(layer)(h) if variant == "per_layer" else layer(h)
        return h

    class SamplingTape(ag.GradientTape):
        """A tape that measures what it holds after each op it records."""

        peak = peak_with_variables = 0

        def _record(self, op, inputs, attrs, outputs):
            count = len(self._records)
            super()._record(op, inputs, attrs, outputs)
            if len(self._records) != count:
                arrays = self._held_arrays()
                total = sum(a.nbytes for a in arrays)
                own = sum(a.nbytes for a in arrays if id(a) not in storage)
                self.peak = max(self.peak, own)
                self.peak_with_variables = max(self.peak_with_variables, total)

    results = {}
    for variant in VARIANTS:
        with SamplingTape() as tape:
            tape.watch(x)
            loss = ag.reduce_mean(ag.square(forward(variant, x)))
        grads = tape.gradient(loss, [x] + variables)
        results[variant] = (tape.peak, tape.peak_with_variables, [g.numpy() for g in grads])
    return results


def _grad_difference(variant) -> float:
    runs = _experiment()
    return max(float(np.max(np.abs(a - b)))
               for a, b in zip(runs[variant][2], runs["plain"][2]))


def _measure(variant, notes: dict):
    def measure(quick: bool) -> Measurement:
        runs = _experiment()
        own, total, _ = runs[variant]
        note = f"{total / MIB:.1f} MiB with the weights' storage"
        if variant != "plain":
            plain = runs["plain"][0]
            note = (f"{own / plain:.3f} of plain ({plain / MIB:.1f} MiB); gradient max "
                    f"|diff| vs plain {_grad_difference(variant):.3g}; " + note)
        notes["autograph"] = note
        return Measurement(float(own), float(own), 1)
    return measure


def _workload(name, variant, description, target) -> Workload:
    notes: dict = {}
    return Workload(name, description, "MiB", target,
                    {"autograph": _measure(variant, notes)}, notes)


_MODEL = f"{LAYERS}-layer MLP (Dense {WIDTH} relu, batch {BATCH}, float32)"
WORKLOADS = [
    # Targets: one activation is 1 MiB. The plain tape keeps the input and each layer's
    # matmul, bias-add and relu outputs (31 MiB); per-layer recomputation keeps the input
    # and one output a layer (11 MiB); the wrapped stack its input and output (2 MiB). The
    # loss's square adds 1 MiB to each; the targets leave room for small arrays (the loss).
    _workload("tape_memory_plain", "plain", f"peak tape bytes, forward of a {_MODEL}", 32.5),
    _workload("tape_memory_recompute_per_layer", "per_layer",
              "peak tape bytes, same MLP, each layer in recompute_grad", 12.5),
    _workload("tape_memory_recompute_whole", "whole_stack",
              "peak tape bytes, same MLP, the stack in one recompute_grad", 3.5),
]
