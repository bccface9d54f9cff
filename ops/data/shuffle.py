"""``shuffle``: TensorFlow's buffer algorithm with its seed semantics.

The buffer is filled with the first ``buffer_size`` elements; then each output is a uniformly
chosen buffer slot, refilled with the next input element; at the end of the input the buffer
is drained in random order. A buffer as large as the dataset gives a uniform permutation.

Seeds follow ``ag.random``: with an op ``seed`` (or a global seed from
``ag.random.set_seed``) the orders are reproducible; epoch ``k`` uses the stream
``(seed, seed2, k)``, so ``reshuffle_each_iteration=True`` changes the order every epoch while
``False`` repeats epoch 0's order. With only a global seed, each shuffle draws its own op seed
from the global stream, as TensorFlow derives op seeds from a counter that ``set_seed``
resets: two shuffles differ, and the program repeats after ``set_seed``.
"""
from __future__ import annotations

import itertools

import numpy as np

from runtime import dtypes as D
from ops import random_ops
from ops.variables import init_scope
from ops.data.transformations import _Unary

_MASK64 = (1 << 64) - 1
_DRAWS = 1024  # uniforms drawn per NumPy call (one call per element would cost ~1 us each)


class Shuffle(_Unary):
    def __init__(self, input_dataset, buffer_size: int, seed, reshuffle_each_iteration: bool):
        super().__init__(input_dataset)
        self._size = buffer_size
        self._reshuffle = reshuffle_each_iteration
        seed, seed2 = random_ops.get_seed(seed)
        if seed is None:
            # No seed anywhere: a fresh OS-entropy seed per dataset (fixed across epochs, so
            # reshuffle_each_iteration=False still repeats the order).
            seed, seed2 = int(np.random.SeedSequence().entropy) & _MASK64, 0
        elif seed2 is None:
            with init_scope():
                seed2 = int(random_ops.uniform([], 0, 2**62, dtype=D.int64))
        self._seeds = (seed & _MASK64, seed2 & _MASK64)
        self._epochs = itertools.count()

    def _iterate(self):
        epoch = next(self._epochs) if self._reshuffle else 0
        rng = np.random.default_rng([*self._seeds, epoch])
        uniforms, used = rng.random(_DRAWS), 0
        elements = self._input._iterate()
        buffer = list(itertools.islice(elements, self._size))
        for element in elements:
            if used == _DRAWS:
                uniforms, used = rng.random(_DRAWS), 0
            i = int(uniforms[used] * len(buffer))
            used += 1
            yield buffer[i]
            buffer[i] = element
        while buffer:
            if used == _DRAWS:
                uniforms, used = rng.random(_DRAWS), 0
            i = int(uniforms[used] * len(buffer))
            used += 1
            buffer[i], buffer[-1] = buffer[-1], buffer[i]
            yield buffer.pop()
