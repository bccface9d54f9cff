"""Transformations of one or two datasets: map, filter, interleave, batching, counting, joining.

Each node's ``_iterate`` pulls from a fresh ``_iterate()`` of its input, so every epoch starts
the whole chain anew (a ``shuffle`` upstream reshuffles, a ``repeat`` restarts its input).
"""
from __future__ import annotations

import itertools

import numpy as np

from runtime import dtypes as D
from runtime import nest
from ops.tensor import wrap
from ops.tensor_spec import TensorSpec
from ops.data import functions as F
from ops.data import sources
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


def _batched_cardinality(n: int, size: int, drop_remainder: bool) -> int:
    if n < 0:
        return n
    return n // size if drop_remainder else -(-n // size)


class Batch(_Unary):
    # Batches of from_tensor_slices are row ranges of its components (no per-row stacking).
    _batches_of_slices = True

    def __init__(self, input_dataset, batch_size: int, drop_remainder: bool):
        super().__init__(input_dataset)
        self._size, self._drop = batch_size, drop_remainder

    def _iterate(self):
        if self._batches_of_slices and type(self._input) is sources.TensorSlices:
            yield from self._input.iterate_batches(self._size, self._drop)
            return
        size, pending = self._size, []
        for element in self._input._iterate():
            pending.append(element)
            if len(pending) == size:
                yield self._stack(pending)
                pending = []
        if pending and not self._drop:
            yield self._stack(pending)

    @staticmethod
    def _stack(elements):
        columns = zip(*[S.leaves(e) for e in elements])
        flat = [S.stack(list(col), "batch", i) for i, col in enumerate(columns)]
        return S.make_packer(elements[0])(flat)

    def _compute_spec(self):
        dim = self._size if self._drop else None
        return nest.map_structure(lambda s: TensorSpec((dim,) + tuple(s.shape), s.dtype),
                                  self._input.element_spec)

    def _cardinality(self) -> int:
        return _batched_cardinality(self._input._cardinality(), self._size, self._drop)


class PaddedBatch(Batch):
    _batches_of_slices = False  # padding may enlarge even equal shapes

    def __init__(self, input_dataset, batch_size: int, padded_shapes, padding_values,
                 drop_remainder: bool):
        super().__init__(input_dataset, batch_size, drop_remainder)
        self._padded_shapes, self._padding_values = padded_shapes, padding_values

    def _targets(self, structure, what: str) -> list:
        """The padded shape per component (None for "the largest in the batch")."""
        n = len(S.leaves(structure))
        if self._padded_shapes is None:
            return [None] * n
        shapes = S.flatten_up_to(structure, self._padded_shapes, what, "padded_shapes")
        return [None if s is None else tuple(None if d is None or d == -1 else int(d)
                                             for d in s) for s in shapes]

    def _values(self, structure, flat_dtypes, what: str) -> list:
        values = self._padding_values
        if values is None:
            return [b"" if d is D.string else 0 for d in flat_dtypes]
        if not S.is_structure(structure) or S.is_structure(values):
            values = S.flatten_up_to(structure, values, what, "padding_values")
        else:
            values = [values] * len(flat_dtypes)
        return [np.asarray(v.numpy() if hasattr(v, "numpy") else v)[()] for v in values]

    def _stack(self, elements):
        what = "padded_batch"
        first = elements[0]
        columns = [list(col) for col in zip(*[S.leaves(e) for e in elements])]
        targets = self._targets(first, what)
        values = self._values(first, [col[0].dtype for col in columns], what)
        flat = []
        for i, (col, target, value) in enumerate(zip(columns, targets, values)):
            ranks = {t.ndim for t in col}
            if len(ranks) > 1:
                raise ValueError(f"{what}: component {i} has elements of different ranks "
                                 f"{sorted(ranks)}")
            largest = tuple(max(dims) for dims in zip(*[tuple(t.shape) for t in col])) \
                if col[0].ndim else ()
            if target is None:
                shape = largest
            else:
                if len(target) != len(largest):
                    raise ValueError(f"{what}: padded shape {list(target)} of component {i} "
                                     f"has rank {len(target)} but its elements have rank "
                                     f"{len(largest)}")
                shape = tuple(m if d is None else d for d, m in zip(target, largest))
            flat.append(S.pad_stack(col, shape, value, what, i))
        return S.make_packer(first)(flat)

    def _compute_spec(self):
        spec = self._input.element_spec
        dim = self._size if self._drop else None
        targets = self._targets(spec, "padded_batch")
        flat = [TensorSpec((dim,) + (tuple(s.shape) if t is None else t), s.dtype)
                for s, t in zip(S.leaves(spec), targets)]
        return S.pack(spec, flat)


class Unbatch(_Unary):
    def _iterate(self):
        for element in self._input._iterate():
            flat = S.leaves(element)
            for t in flat:
                if t.ndim == 0:
                    raise ValueError("unbatch: every component needs a first dimension to "
                                     "split along, but one is a scalar")
            n = S.first_dim(flat[0])
            for t in flat[1:]:
                if S.first_dim(t) != n:
                    raise ValueError(f"unbatch: the components of an element have different "
                                     f"first dimensions ({n} and {S.first_dim(t)})")
            pack, row = S.make_packer(element), S.row
            for i in range(n):
                yield pack([row(t, i) for t in flat])

    def _compute_spec(self):
        def unbatched(s):
            if len(s.shape) == 0:
                raise ValueError("unbatch: every component needs a first dimension to split "
                                 f"along, but one has spec {s}")
            return TensorSpec(tuple(s.shape)[1:], s.dtype)
        return nest.map_structure(unbatched, self._input.element_spec)

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        return n if n in (0, INFINITE_CARDINALITY) else UNKNOWN_CARDINALITY


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
