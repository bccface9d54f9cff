"""Batching: ``batch`` stacks consecutive elements, ``padded_batch`` pads them to one shape
first, ``unbatch`` splits them again."""
from __future__ import annotations

import numpy as np

from runtime import dtypes as D
from runtime import nest
from ops.tensor_spec import TensorSpec
from ops.data import sources
from ops.data import structure as S
from ops.data.dataset import INFINITE_CARDINALITY, UNKNOWN_CARDINALITY
from ops.data.transformations import _Unary


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
