"""``Dataset``: an input pipeline as a chain of small datasets (``tf.data.Dataset``).

Each dataset is a node holding its input dataset(s) and its arguments; nothing runs until it is
iterated. A node implements three things:

- ``_iterate()``: a Python generator yielding one epoch of elements (nested tuples/dicts of
  eager tensors). ``iter(dataset)`` makes a fresh one, so every ``for`` loop is a new epoch.
- ``_compute_spec()``: the ``TensorSpec`` structure of an element (``element_spec``), derived
  from the input's spec without producing elements (a ``map`` function is traced for it, as
  TensorFlow does).
- ``_cardinality()``: the number of elements, ``INFINITE_CARDINALITY`` or
  ``UNKNOWN_CARDINALITY``.

The public methods below only validate arguments and build nodes; the nodes live in
``sources``, ``transformations``, ``batching``, ``shuffle``, ``cache`` and ``prefetch``.
"""
from __future__ import annotations

import numbers

import numpy as np

from runtime import dtypes as D
from runtime import nest
from ops import errors as ag_errors
from ops.tensor import Tensor, convert_to_tensor

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2


class Dataset:
    """A sequence of elements, each a tensor or a nested tuple/dict of tensors."""

    def __init__(self):
        self._spec = None

    # ---- subclass protocol -------------------------------------------------------------------
    def _iterate(self):
        raise NotImplementedError

    def _compute_spec(self):
        raise NotImplementedError

    def _cardinality(self) -> int:
        raise NotImplementedError

    # ---- sources ------------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors, name=None) -> "Dataset":
        """One element per row of the first dimension of every component."""
        return sources.TensorSlices(tensors)

    @staticmethod
    def from_tensors(tensors, name=None) -> "Dataset":
        """A dataset of one element: ``tensors`` itself."""
        return sources.Tensors(tensors)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None,
                       output_signature=None, name=None) -> "Dataset":
        """Elements yielded by ``generator()`` (called anew each epoch), checked against
        ``output_signature`` (or ``output_types`` and ``output_shapes``)."""
        return sources.Generator(generator, output_types, output_shapes, args,
                                 output_signature)

    @staticmethod
    def range(*args, output_type=D.int64, name=None) -> "Dataset":
        """``range(stop)``, ``range(start, stop[, step])`` as scalar tensors (int64)."""
        return sources.Range(args, output_type)

    @staticmethod
    def zip(*args, datasets=None, name=None) -> "Dataset":
        """Elements of several datasets side by side, ending with the shortest:
        ``Dataset.zip((a, b))`` or ``Dataset.zip(a, b)``; dicts of datasets work too."""
        if datasets is not None:
            if args:
                raise TypeError("zip: give the datasets either positionally or as datasets=, "
                                "not both")
            structure = datasets
        elif len(args) == 1:
            structure = args[0]
        elif args:
            structure = tuple(args)
        else:
            raise TypeError("zip: give at least one dataset")
        return sources.Zip(structure)

    # ---- transformations -----------------------------------------------------------------------
    def map(self, map_func, num_parallel_calls=None, deterministic=None,
            name=None) -> "Dataset":
        """Apply ``map_func`` to each element; a tuple element is passed as positional
        arguments. Elements are computed in order (``num_parallel_calls`` is accepted and,
        since the order is always kept, ``deterministic`` is too)."""
        _check_parallel_calls(num_parallel_calls, "map")
        return transformations.Map(self, map_func)

    def filter(self, predicate, name=None) -> "Dataset":
        """Keep the elements for which ``predicate`` returns a true scalar bool."""
        return transformations.Filter(self, predicate)

    def flat_map(self, map_func, name=None) -> "Dataset":
        """``map_func`` returns a dataset per element; their elements follow one another."""
        return transformations.Interleave(self, map_func, cycle_length=1, block_length=1,
                                          what="flat_map")

    def interleave(self, map_func, cycle_length=None, block_length=None,
                   num_parallel_calls=None, deterministic=None, name=None) -> "Dataset":
        """Like ``flat_map`` but cycling over ``cycle_length`` inner datasets at a time,
        ``block_length`` elements from each in turn."""
        _check_parallel_calls(num_parallel_calls, "interleave")
        cycle = AUTOTUNE if cycle_length is None else _count_arg(
            cycle_length, "interleave", "cycle_length", allow_autotune=True)
        block = 1 if block_length is None else _count_arg(block_length, "interleave",
                                                          "block_length")
        if cycle == AUTOTUNE:
            cycle = 4  # TensorFlow picks from the CPU count; any fixed width keeps the order
        if cycle < 1 or block < 1:
            raise ValueError("interleave: cycle_length and block_length must be positive")
        return transformations.Interleave(self, map_func, cycle, block, "interleave")

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=None,
                name=None) -> "Dataset":
        """Randomly shuffle with a buffer of ``buffer_size`` elements (TensorFlow's algorithm:
        a full shuffle needs a buffer at least as large as the dataset). Each epoch gets a new
        order unless ``reshuffle_each_iteration=False`` (None means True)."""
        size = _count_arg(buffer_size, "shuffle", "buffer_size")
        if size < 1:
            raise ValueError(f"shuffle: buffer_size must be at least 1, got {size}")
        reshuffle = True if reshuffle_each_iteration is None else bool(reshuffle_each_iteration)
        return shuffle_lib.Shuffle(self, size, seed, reshuffle)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None, name=None) -> "Dataset":
        """Stack ``batch_size`` consecutive elements, component by component (a smaller last
        batch unless ``drop_remainder``)."""
        size = _count_arg(batch_size, "batch", "batch_size")
        if size < 1:
            raise ValueError(f"batch: batch_size must be at least 1, got {size}")
        return batching.Batch(self, size, bool(drop_remainder))

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                     drop_remainder=False, name=None) -> "Dataset":
        """``batch`` for elements of different shapes: each is padded at the end of every axis
        to ``padded_shapes`` (by default the largest in the batch) with ``padding_values``
        (by default 0, or b"" for strings)."""
        size = _count_arg(batch_size, "padded_batch", "batch_size")
        if size < 1:
            raise ValueError(f"padded_batch: batch_size must be at least 1, got {size}")
        return batching.PaddedBatch(self, size, padded_shapes, padding_values,
                                           bool(drop_remainder))

    def unbatch(self, name=None) -> "Dataset":
        """Split every element along its first dimension (the inverse of ``batch``)."""
        return batching.Unbatch(self)

    def repeat(self, count=None, name=None) -> "Dataset":
        """Repeat the dataset ``count`` times (forever for None or -1)."""
        n = -1 if count is None else _count_arg(count, "repeat", "count")
        return transformations.Repeat(self, n)

    def take(self, count, name=None) -> "Dataset":
        """The first ``count`` elements (all of them for -1)."""
        return transformations.Take(self, _count_arg(count, "take", "count"))

    def skip(self, count, name=None) -> "Dataset":
        """All but the first ``count`` elements (nothing for -1)."""
        return transformations.Skip(self, _count_arg(count, "skip", "count"))

    def take_while(self, predicate, name=None) -> "Dataset":
        """Elements up to (not including) the first for which ``predicate`` is false."""
        return transformations.TakeWhile(self, predicate)

    def shard(self, num_shards, index, name=None) -> "Dataset":
        """Every ``num_shards``-th element starting at ``index`` (one worker's share)."""
        n = _count_arg(num_shards, "shard", "num_shards")
        i = _count_arg(index, "shard", "index")
        if n < 1 or not 0 <= i < n:
            raise ValueError(f"shard: need num_shards >= 1 and 0 <= index < num_shards, got "
                             f"num_shards={n}, index={i}")
        return transformations.Shard(self, n, i)

    def enumerate(self, start=0, name=None) -> "Dataset":
        """``(index, element)`` pairs, the index an int64 scalar counting from ``start``."""
        return transformations.Enumerate(self, _int_arg(start, "enumerate", "start"))

    def concatenate(self, dataset, name=None) -> "Dataset":
        """This dataset's elements, then ``dataset``'s (the element types must match)."""
        return transformations.Concatenate(self, dataset)

    def cache(self, filename="", name=None) -> "Dataset":
        """Keep the elements of the first complete epoch and replay them afterwards: in memory,
        or with ``filename`` in a file that later runs of the program read back."""
        return cache_lib.Cache(self, filename)

    def prefetch(self, buffer_size, name=None) -> "Dataset":
        """Produce up to ``buffer_size`` elements ahead in a background thread
        (``AUTOTUNE`` picks the size)."""
        size = _count_arg(buffer_size, "prefetch", "buffer_size", allow_autotune=True)
        return prefetch_lib.Prefetch(self, size)

    def apply(self, transformation_func) -> "Dataset":
        """``transformation_func(self)``, which must return a dataset."""
        result = transformation_func(self)
        if not isinstance(result, Dataset):
            raise TypeError(f"apply: the transformation must return a Dataset, got "
                            f"{type(result).__name__}")
        return result

    # ---- consumption -------------------------------------------------------------------------
    def __iter__(self):
        """A new iterator: one epoch over the elements.

        ``for x in dataset`` in an ``@ag.function`` (converted by AutoGraph) does not come
        here while tracing: it becomes a graph loop that iterates the dataset each time the
        function runs (see ``ops.data.iterator``). Iterating directly while tracing produces
        the elements at trace time, as constants of the graph.
        """
        return iterator.Iterator(self)

    def as_numpy_iterator(self):
        """Iterate with NumPy values in place of tensors (``bytes`` for string scalars)."""
        for element in self:
            yield nest.map_structure(lambda t: t.numpy(), element)

    def get_single_element(self, name=None):
        """The one element of a dataset that has exactly one."""
        it = iter(self)
        try:
            element = next(it)
        except StopIteration:
            raise ag_errors.InvalidArgumentError("get_single_element: the dataset is empty",
                                                 "DatasetToSingleElement") from None
        try:
            next(it)
        except StopIteration:
            return element
        finally:
            it.close()
        raise ag_errors.InvalidArgumentError("get_single_element: the dataset has more than "
                                             "one element", "DatasetToSingleElement")

    def reduce(self, initial_state, reduce_func):
        """Fold the elements: ``state = reduce_func(state, element)`` from ``initial_state``.
        While a function is traced, this is one graph loop that runs the pipeline each time
        the graph runs (``graph_ops.staged_reduce``)."""
        from ops.context import state as context
        if context.graph is not None:
            from ops.data import graph_ops
            return graph_ops.staged_reduce(self, initial_state, reduce_func)
        state = structure.normalize(initial_state, "reduce", lists_are_tuples=True)
        for element in self:
            state = structure.normalize(reduce_func(state, element), "reduce",
                                        lists_are_tuples=True)
        return state

    @property
    def element_spec(self):
        """The ``TensorSpec`` structure of one element (shapes may hold None)."""
        if self._spec is None:
            self._spec = self._compute_spec()
        return self._spec

    def cardinality(self) -> Tensor:
        """The number of elements as an int64 scalar tensor; ``INFINITE_CARDINALITY`` (-1) or
        ``UNKNOWN_CARDINALITY`` (-2) when it cannot be known without iterating."""
        return convert_to_tensor(np.int64(self._cardinality()))

    def __len__(self) -> int:
        n = self._cardinality()
        if n == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite.")
        if n == UNKNOWN_CARDINALITY:
            raise TypeError("The dataset length is unknown.")
        return n

    def __bool__(self) -> bool:
        # As TensorFlow: a dataset is always truthy (``if dataset:`` must not call __len__).
        return True

    def __repr__(self) -> str:
        try:
            spec = repr(self.element_spec)
        except Exception as e:  # noqa: BLE001  (repr must not fail; say why the spec is missing)
            spec = f"<unknown: {type(e).__name__}>"
        return f"<{type(self).__name__}Dataset element_spec={spec}>"


def _int_arg(value, what: str, name: str) -> int:
    """An integer argument given as a Python/NumPy int or an eager integer scalar tensor."""
    if isinstance(value, Tensor):
        if not value.dtype.is_integer or value.ndim != 0:
            raise TypeError(f"{what}: {name} must be an integer scalar, got a "
                            f"{value.dtype.name} tensor of shape {list(value.shape)}")
        return int(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{what}: {name} must be an integer, got {value!r} of type "
                        f"{type(value).__name__}")
    return int(value)


def _count_arg(value, what: str, name: str, allow_autotune: bool = False) -> int:
    """A count: non-negative, or -1 (which means "all", "forever" or AUTOTUNE)."""
    value = _int_arg(value, what, name)
    if value < -1:
        raise ValueError(f"{what}: {name} must be non-negative"
                         f"{' or AUTOTUNE (-1)' if allow_autotune else ' (or -1)'}, got {value}")
    return value


def _check_parallel_calls(value, what: str) -> None:
    if value is None:
        return
    n = _count_arg(value, what, "num_parallel_calls", allow_autotune=True)
    if n == 0:
        raise ValueError(f"{what}: num_parallel_calls must be positive or AUTOTUNE, got 0")


# The node modules subclass Dataset, so they are imported after it is defined.
from ops.data import structure  # noqa: E402
from ops.data import (  # noqa: E402
    batching, cache as cache_lib, iterator, prefetch as prefetch_lib, shuffle as shuffle_lib,
    sources, transformations,
)
