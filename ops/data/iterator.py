"""The iterator ``iter(dataset)`` returns: one epoch of elements.

A pipeline always runs eagerly. When a dataset is iterated while a function is traced, or
under a ``GradientTape``, each step runs in ``init_scope`` so that map functions make eager
tensors (not graph nodes) and nothing is recorded on the tape, as TensorFlow's input pipelines
run outside the traced function.

A ``for`` loop over a dataset (or over ``iter(dataset)``) in a function converted by AutoGraph
is staged: it becomes one graph ``while_loop`` whose ops (``ops.data.graph_ops``) start a pass
over the dataset and fetch its elements each time the graph runs, so every call sees fresh
data (a ``shuffle`` reshuffles, a ``from_generator`` is read again) and the graph does not grow
with the dataset. A loop over an iterator made outside the function continues that iterator.
Iterating directly while tracing (``next(it)``, ``list(dataset)``, or a loop in a function
traced with ``autograph=False``) still runs the pipeline at trace time: those elements enter
the graph as constants.
"""
from __future__ import annotations

from ops.context import state
from ops.errors import OutOfRangeError
from ops.variables import init_scope


class Iterator:
    """Yields the elements of one pass over a dataset (``tf.data.Iterator``)."""

    __slots__ = ("_dataset", "_elements", "_made_in_trace")

    def __init__(self, dataset):
        self._dataset = dataset
        # A generator: nothing runs until the first ``next``.
        self._elements = dataset._iterate()
        # A staged loop over an iterator made while tracing starts a fresh pass at every call;
        # one made outside the traced function is continued (``graph_ops.loop_source``).
        self._made_in_trace = state.graph is not None

    def __iter__(self) -> "Iterator":
        return self

    def __next__(self):
        if state.graph is not None or state.tapes:
            with init_scope():
                return next(self._elements)
        return next(self._elements)

    def get_next(self):
        """The next element; ``ag.errors.OutOfRangeError`` at the end (TensorFlow's name).
        In a function being traced, for an iterator made outside it, an op that takes the
        next element each time the graph runs (the iterator continues across calls)."""
        if state.graph is not None and not self._made_in_trace:
            from ops.data import graph_ops
            return graph_ops.staged_next(self)
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
