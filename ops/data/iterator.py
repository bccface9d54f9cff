"""The iterator ``iter(dataset)`` returns: one epoch of elements.

A pipeline always runs eagerly. When a dataset is iterated inside a function being traced, or
under a ``GradientTape``, each step runs in ``init_scope`` so that map functions make eager
tensors (not graph nodes) and nothing is recorded on the tape, as TensorFlow's input pipelines
run outside the traced function. In a traced ``for`` loop the elements therefore enter the graph
as constants: the loop is unrolled over the elements produced at trace time.
"""
from __future__ import annotations

from ops.context import state
from ops.errors import OutOfRangeError
from ops.variables import init_scope


class Iterator:
    """Yields the elements of one pass over a dataset (``tf.data.Iterator``)."""

    __slots__ = ("_dataset", "_elements")

    def __init__(self, dataset):
        self._dataset = dataset
        # A generator: nothing runs until the first ``next``.
        self._elements = dataset._iterate()

    def __iter__(self) -> "Iterator":
        return self

    def __next__(self):
        if state.graph is not None or state.tapes:
            with init_scope():
                return next(self._elements)
        return next(self._elements)

    def get_next(self):
        """The next element; ``ag.errors.OutOfRangeError`` at the end (TensorFlow's name)."""
        try:
            return next(self)
        except StopIteration:
            raise OutOfRangeError("End of sequence", "IteratorGetNext") from None

    @property
    def element_spec(self):
        return self._dataset.element_spec

    def close(self) -> None:
        """Stop the pipeline now (background prefetch threads included); dropping the
        iterator does the same."""
        self._elements.close()
