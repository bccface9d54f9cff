"""Transformations of one or two datasets: map, filter, interleave, counting, joining.

Each node's ``_iterate`` pulls from a fresh ``_iterate()`` of its input, so every epoch starts
the whole chain anew (a ``shuffle`` upstream reshuffles, a ``repeat`` restarts its input).
"""
from __future__ import annotations

import itertools

import numpy as np

from runtime import dtypes as D
from ops.tensor import wrap
from ops.tensor_spec import TensorSpec
from ops.data import functions as F
from ops.data import structure as S
from ops.data.dataset import INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset


class _Unary(Dataset):
    """A transformation of one input dataset."""

    def __init__(self, input_dataset):
        super().__init__()
        if not isinstance(input_dataset, Dataset):
            raise TypeError(f"expected a Dataset, got {type(input_dataset).__name__}")
        self._input = input_dataset

    def _compute_spec(self):
        return self._input.element_spec

    def _cardinality(self) -> int:
        return self._input._cardinality()


class Map(_Unary):
    def __init__(self, input_dataset, fn):
        super().__init__(input_dataset)
        F.check_callable(fn, "map", "map_func")
        self._fn = fn

    def _iterate(self):
        fn, apply = self._fn, F.call_to_element
        for element in self._input._iterate():
            yield apply(fn, element, "map")

    def _compute_spec(self):
        return F.traced_spec(self._fn, self._input.element_spec, "map")


class Filter(_Unary):
    def __init__(self, input_dataset, predicate):
        super().__init__(input_dataset)
        F.check_callable(predicate, "filter", "predicate")
        self._predicate = predicate

    def _iterate(self):
        predicate, call, truth = self._predicate, F.call, F.truth
        for element in self._input._iterate():
            if truth(call(predicate, element), "filter"):
                yield element

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        return n if n in (0, INFINITE_CARDINALITY) else UNKNOWN_CARDINALITY


class Interleave(_Unary):
    """``interleave``/``flat_map``: TensorFlow's cycle of ``cycle_length`` open inner datasets,
    taking ``block_length`` elements from each in turn; an exhausted slot is refilled from the
    input when the cycle next reaches it."""

    def __init__(self, input_dataset, fn, cycle_length: int, block_length: int, what: str):
        super().__init__(input_dataset)
        F.check_callable(fn, what, "map_func")
        self._fn, self._cycle, self._block, self._what = fn, cycle_length, block_length, what

    def _open(self, element):
        inner = F.call(self._fn, element)
        if not isinstance(inner, Dataset):
            raise TypeError(f"{self._what}: map_func must return a Dataset, got "
                            f"{type(inner).__name__}")
        return inner._iterate()

    def _iterate(self):
        outer = self._input._iterate()
        slots = [None] * self._cycle
        open_count, end_of_input, k, taken = 0, False, 0, 0
        while not end_of_input or open_count:
            if slots[k] is not None:
                try:
                    element = next(slots[k])
                except StopIteration:
                    slots[k] = None
                    open_count -= 1
                    k, taken = (k + 1) % self._cycle, 0
                    continue
                taken += 1
                if taken == self._block:
                    k, taken = (k + 1) % self._cycle, 0
                yield element
            elif not end_of_input:
                try:
                    slots[k] = self._open(next(outer))
                    open_count += 1
                except StopIteration:
                    end_of_input = True
            else:
                k, taken = (k + 1) % self._cycle, 0

    def _compute_spec(self):
        # The inner datasets are made from concrete elements, so the spec comes from the
        # dataset built for the first input element (this runs the input for one element).
        for element in self._input._iterate():
            inner = F.call(self._fn, element)
            if not isinstance(inner, Dataset):
                raise TypeError(f"{self._what}: map_func must return a Dataset, got "
                                f"{type(inner).__name__}")
            return inner.element_spec
        raise ValueError(f"{self._what}: the element spec of an interleave over an empty "
                         "dataset is unknown")

    def _cardinality(self) -> int:
        return 0 if self._input._cardinality() == 0 else UNKNOWN_CARDINALITY


class Repeat(_Unary):
    def __init__(self, input_dataset, count: int):
        super().__init__(input_dataset)
        self._count = count  # -1: forever

    def _iterate(self):
        if self._count != -1:
            for _ in range(self._count):
                yield from self._input._iterate()
            return
        while True:
            produced = False
            for element in self._input._iterate():
                produced = True
                yield element
            if not produced:
                return  # repeating an empty dataset forever is empty, not a hang

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if self._count == 0 or n == 0:
            return 0
        if self._count == -1:
            return INFINITE_CARDINALITY  # as TensorFlow, even when the input's is unknown
        return n if n < 0 else n * self._count


class Take(_Unary):
    def __init__(self, input_dataset, count: int):
        super().__init__(input_dataset)
        self._count = count  # -1: all

    def _iterate(self):
        if self._count == -1:
            yield from self._input._iterate()
        else:
            # islice stops after `count` without pulling one more element from the input.
            yield from itertools.islice(self._input._iterate(), self._count)

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if self._count == -1:
            return n
        if n == INFINITE_CARDINALITY:
            return self._count
        return n if n == UNKNOWN_CARDINALITY else min(n, self._count)


class Skip(_Unary):
    def __init__(self, input_dataset, count: int):
        super().__init__(input_dataset)
        self._count = count  # -1: everything

    def _iterate(self):
        elements = self._input._iterate()
        if self._count == -1:
            for _ in elements:
                pass
            return
        yield from itertools.islice(elements, self._count, None)

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if n < 0:
            return n
        return 0 if self._count == -1 else max(0, n - self._count)


class TakeWhile(_Unary):
    def __init__(self, input_dataset, predicate):
        super().__init__(input_dataset)
        F.check_callable(predicate, "take_while", "predicate")
        self._predicate = predicate

    def _iterate(self):
        for element in self._input._iterate():
            if not F.truth(F.call(self._predicate, element), "take_while"):
                return
            yield element

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        return 0 if n == 0 else UNKNOWN_CARDINALITY


class Shard(_Unary):
    def __init__(self, input_dataset, num_shards: int, index: int):
        super().__init__(input_dataset)
        self._n, self._index = num_shards, index

    def _iterate(self):
        yield from itertools.islice(self._input._iterate(), self._index, None, self._n)

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if n < 0:
            return n
        return n // self._n + (1 if n % self._n > self._index else 0)


class Enumerate(_Unary):
    def __init__(self, input_dataset, start: int):
        super().__init__(input_dataset)
        self._start = start

    def _iterate(self):
        for i, element in enumerate(self._input._iterate(), self._start):
            yield wrap(np.int64(i), D.int64), element

    def _compute_spec(self):
        return TensorSpec((), D.int64), self._input.element_spec


class Concatenate(Dataset):
    def __init__(self, first, second):
        super().__init__()
        for d in (first, second):
            if not isinstance(d, Dataset):
                raise TypeError(f"concatenate: expected a Dataset, got {type(d).__name__}")
        a, b = first.element_spec, second.element_spec
        if not S.specs_compatible(a, b, shapes=False):
            raise TypeError(f"concatenate: the two datasets have incompatible elements: {a} "
                            f"and {b} (the structure, dtypes and ranks must match)")
        self._first, self._second = first, second
        self._spec = S.most_specific_common(a, b)

    def _iterate(self):
        yield from self._first._iterate()
        yield from self._second._iterate()

    def _compute_spec(self):
        return self._spec

    def _cardinality(self) -> int:
        a, b = self._first._cardinality(), self._second._cardinality()
        if INFINITE_CARDINALITY in (a, b):
            return INFINITE_CARDINALITY
        if UNKNOWN_CARDINALITY in (a, b):
            return UNKNOWN_CARDINALITY
        return a + b
