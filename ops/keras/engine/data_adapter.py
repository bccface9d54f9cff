"""What ``fit``/``evaluate``/``predict`` accept as data, turned into batches of tensors.

Three kinds of input, as in Keras:

- arrays: NumPy arrays, tensors, lists of numbers, or lists/tuples/dicts of arrays (several
  model inputs or outputs). All must hold the same number of samples. Float64 arrays become
  float32 (Keras's floatx), as Keras does. Each epoch takes one shuffled copy of the arrays
  (one gather per epoch) and then slices consecutive batches from it.
- ``ag.data.Dataset``: its elements are the batches, ``(x, y)`` or ``(x, y, sample_weight)``
  or ``x``; ``batch_size`` must not be given.
- Python iterators/generators yielding such batches, consumed once across all epochs.

A step's data reaches the train function as one flat list of tensors; ``structure`` packs
them back into ``(x, y, sample_weight)`` with ``nest.pack_sequence_as`` inside the step, so
the traced function's arguments are plain tensors (its fastest calling path).
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from runtime import nest
from ops.tensor import Tensor, convert_to_tensor
from ops.variables import Variable

__all__ = ["unpack_x_y_sample_weight", "pack_x_y_sample_weight", "DataHandler",
           "train_validation_split"]


def unpack_x_y_sample_weight(data):
    """``(x, y, sample_weight)`` from a step's data (``y``/``sample_weight`` may be None)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data[0], data[1], data[2]
    raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
                     f"`(x, y, sample_weight)`, found a tuple of {len(data)} elements")


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The inverse of ``unpack_x_y_sample_weight``: ``(x,)``, ``(x, y)`` or ``(x, y, sw)``."""
    if y is None:
        return (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


# ---- arrays --------------------------------------------------------------------------------------

def _is_array_like(x) -> bool:
    return isinstance(x, (np.ndarray, Tensor, Variable)) or hasattr(x, "__array__")


def _to_numpy(x, what: str):
    """One input as a NumPy array (float64 -> float32)."""
    if isinstance(x, Variable):
        x = x.numpy()
    elif isinstance(x, Tensor):
        x = x.numpy()
    array = np.asarray(x)
    if array.dtype == np.float64:
        array = array.astype(np.float32)
    elif array.dtype == object:
        raise TypeError(f"{what}: could not make a numeric array of the data given (ragged "
                        "lists or mixed types?); pass NumPy arrays")
    if array.ndim == 0:
        raise ValueError(f"{what}: expected arrays with a batch dimension, got a scalar")
    return array


def standardize_arrays(data, what: str):
    """NumPy arrays in the nested structure of ``data`` (lists of arrays stay lists; a list
    of numbers becomes one array)."""
    if data is None:
        return None
    if isinstance(data, dict):
        return {k: standardize_arrays(v, f"{what}[{k!r}]") for k, v in data.items()}
    if isinstance(data, (list, tuple)) and data and all(
            _is_array_like(v) or isinstance(v, (list, tuple, dict)) for v in data) and any(
            not isinstance(v, (list, tuple)) for v in data):
        return type(data)(standardize_arrays(v, f"{what}[{i}]") for i, v in enumerate(data))
    return _to_numpy(data, what)


def _num_samples(arrays: list, names: list) -> int:
    sizes = [a.shape[0] for a in arrays]
    if len(set(sizes)) > 1:
        detail = "\n".join(f"  {n} sizes: {s}" for n, s in zip(names, sizes))
        raise ValueError(f"Data cardinality is ambiguous:\n{detail}\nMake sure all arrays "
                         "contain the same number of samples.")
    return sizes[0]


def train_validation_split(arrays, validation_split: float):
    """(train, validation): the last ``validation_split`` fraction of every array is kept
    for validation, before any shuffling (Keras's rule)."""
    if not 0.0 < validation_split < 1.0:
        raise ValueError(f"validation_split must be in (0, 1), got {validation_split}")
    flat = [a for a in nest.flatten(arrays) if a is not None]
    n = flat[0].shape[0]
    split = int(math.floor(n * (1.0 - validation_split)))
    if split == 0 or split == n:
        raise ValueError(f"Training data contains {n} samples, which is not sufficient to "
                         f"split it into a validation and training set as specified by "
                         f"`validation_split={validation_split}`. Either provide more data, "
                         "or a different value for the `validation_split` argument.")
    return (nest.map_structure(lambda a: None if a is None else a[:split], arrays),
            nest.map_structure(lambda a: None if a is None else a[split:], arrays))


def class_weights_for(y: np.ndarray, class_weight: dict) -> np.ndarray:
    """Per-sample weights from ``{class: weight}`` (integer or one-hot labels)."""
    labels = y
    if labels.ndim > 1 and labels.shape[-1] > 1:
        labels = np.argmax(labels, axis=-1)
    labels = labels.reshape(labels.shape[0], -1)[:, 0].astype(np.int64)
    table = np.ones(max(int(labels.max(initial=0)), max(class_weight)) + 1, np.float32)
    for k, w in class_weight.items():
        table[int(k)] = w
    return table[labels]


class _Arrays:
    def __init__(self, x, y, sample_weight, batch_size, shuffle, class_weight, steps):
        data = pack_x_y_sample_weight(standardize_arrays(x, "x"), standardize_arrays(y, "y"),
                                      standardize_arrays(sample_weight, "sample_weight"))
        if class_weight is not None:
            x_, y_, sw = unpack_x_y_sample_weight(data)
            if y_ is None or isinstance(y_, (list, tuple, dict)):
                raise ValueError("class_weight needs a single array of labels y")
            weights = class_weights_for(y_, class_weight)
            data = (x_, y_, weights if sw is None else sw * weights)
        self.structure = data
        self.arrays = nest.flatten(data)
        names = []
        for part, name in zip(data, ("x", "y", "sample_weight")):
            names += [name] * len(nest.flatten(part))
        self.n = _num_samples(self.arrays, names)
        if self.n == 0:
            raise ValueError("Expected input data to be non-empty (x has 0 samples)")
        if batch_size is None:
            batch_size = 32
        if not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.steps_per_pass = int(math.ceil(self.n / self.batch_size))
        self.steps = steps if steps is not None else self.steps_per_pass
        self._pending = None      # the rest of a pass begun by an earlier epoch (steps=...)

    def _passes(self, rng):
        while True:
            arrays = self.arrays
            starts = np.arange(self.steps_per_pass) * self.batch_size
            if self.shuffle == "batch":
                rng.shuffle(starts)
            elif self.shuffle:
                order = rng.permutation(self.n)
                arrays = [np.take(a, order, axis=0) for a in arrays]
            for start in starts:
                yield [convert_to_tensor(a[start:start + self.batch_size]) for a in arrays]

    def epoch(self, rng):
        if self.steps == self.steps_per_pass:
            # The common case: each epoch is one pass (a fresh shuffle each time).
            yield from self._take(self._passes(rng), self.steps)
            return
        # steps=...: epochs take consecutive batches from passes that span epochs.
        if self._pending is None:
            self._pending = self._passes(rng)
        yield from self._take(self._pending, self.steps)

    @staticmethod
    def _take(batches, steps):
        for _ in range(steps):
            yield next(batches)


# ---- datasets and iterators ----------------------------------------------------------------------

class _Iterable:
    """An ``ag.data.Dataset`` (a fresh pass each epoch) or a Python iterator (one pass
    shared by all epochs); with ``steps``, epochs take that many batches from one shared
    iterator."""

    def __init__(self, source, steps, class_weight):
        from ops.data import Dataset
        self.source = source
        self.is_dataset = isinstance(source, Dataset)
        self.class_weight = class_weight
        self.exhausted = False
        cardinality = None
        if self.is_dataset:
            cardinality = int(source._cardinality())
            if cardinality == -1 and steps is None:
                raise ValueError("When passing an infinitely repeating dataset, please specify a "
                                 "`steps_per_epoch` value so that epoch termination can be "
                                 "detected.")
            if cardinality < 0:
                cardinality = None
        self.requested_steps = steps
        self.steps = steps if steps is not None else cardinality
        self._iterator = None if self.is_dataset and steps is None else iter(source)
        self.structure = None

    def _flat(self, element):
        if self.class_weight is not None:
            x, y, sw = unpack_x_y_sample_weight(element)
            weights = class_weights_for(np.asarray(y), self.class_weight)
            element = (x, y, weights if sw is None else np.asarray(sw) * weights)
        if isinstance(element, list):
            element = tuple(element)
        if not isinstance(element, tuple):
            element = (element,)
        if self.structure is None:
            self.structure = element
        flat = nest.flatten(element)
        return [t if type(t) is Tensor else convert_to_tensor(
            t if not (isinstance(t, np.ndarray) and t.dtype == np.float64)
            else t.astype(np.float32)) for t in flat]

    def epoch(self, rng):
        iterator = self._iterator if self._iterator is not None else iter(self.source)
        count = 0
        while self.requested_steps is None or count < self.requested_steps:
            try:
                element = next(iterator)
            except StopIteration:
                if self._iterator is not None:
                    self.exhausted = True
                    if self.requested_steps is not None or count == 0:
                        warnings.warn(
                            "Your input ran out of data; interrupting training. Make sure that "
                            "your dataset or generator can generate at least `steps_per_epoch "
                            "* epochs` batches. You may need to use the `.repeat()` function "
                            "when building your dataset.", stacklevel=4)
                break
            count += 1
            yield self._flat(element)
        if self.steps is None:
            self.steps = count


class DataHandler:
    """Batches of one ``fit``/``evaluate``/``predict`` call.

    ``steps`` is the number of steps per epoch (None while unknown), ``structure`` the
    ``(x, y, sample_weight)`` nesting of a batch, and ``epoch(rng)`` yields each step's flat
    list of tensors."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, steps=None,
                 shuffle=False, class_weight=None):
        from ops.data import Dataset
        if steps is not None and (not isinstance(steps, (int, np.integer)) or steps <= 0):
            raise ValueError(f"steps must be a positive integer or None, got {steps!r}")
        if isinstance(x, Dataset) or _is_iterator(x):
            kind = "a dataset" if isinstance(x, Dataset) else "a generator or iterator"
            if y is not None:
                raise ValueError(f"`y` argument is not supported when using {kind} as input "
                                 "(its elements must hold the labels)")
            if sample_weight is not None:
                raise ValueError(f"`sample_weight` argument is not supported when using {kind} "
                                 "as input")
            if batch_size is not None:
                raise ValueError(f"The `batch_size` argument must not be specified when using "
                                 f"{kind} as input (its elements are the batches); received "
                                 f"batch_size={batch_size}")
            self._data = _Iterable(x, steps, class_weight)
        else:
            if x is None:
                raise ValueError("fit/evaluate/predict: no data given (x is None)")
            self._data = _Arrays(x, y, sample_weight, batch_size, shuffle, class_weight, steps)

    @property
    def steps(self):
        return self._data.steps

    @property
    def structure(self):
        return self._data.structure

    @property
    def exhausted(self) -> bool:
        return getattr(self._data, "exhausted", False)

    @property
    def is_arrays(self) -> bool:
        return isinstance(self._data, _Arrays)

    def epoch(self, rng):
        return self._data.epoch(rng)


def _is_iterator(x) -> bool:
    return hasattr(x, "__next__") and hasattr(x, "__iter__") and not _is_array_like(x)
