"""Graph ops that iterate a dataset when the graph runs: how a traced ``for x in dataset``
becomes one graph loop instead of being unrolled over trace-time elements.

Two stateful ops, as TensorFlow's ``AnonymousIterator`` and ``IteratorGetNextAsOptional``:

- ``DatasetIterator`` (no inputs) starts one pass over the dataset, each time the node runs
  (once per function call, or per entry into an enclosing loop). Its output, the *handle*, is
  a 0-d object array (``ag.string``'s NumPy dtype) holding that pass, so the pass and its
  pipeline die with the array: nothing is registered globally.
- ``IteratorGetNext(handle, position, go)`` returns ``(has_value, *components)``: the next
  element, or, at the end (or when ``go`` is false, after a ``break``), ``False`` and zeros
  shaped like the element spec (0 for unknown dims), so the loop's types never change.

The dataset (or an iterator made outside the traced function, which is continued, as a
TensorFlow iterator resource is) is held in the ``source`` attribute: Python code that cannot
be saved, so ``ag.saved_model.save`` refuses such a graph naming the loop.

A gradient through the loop runs its body again (``WhileGrad`` replays the iterations); the
pass then keeps the elements it fetched so a replayed ``position`` gets the same element.
It keeps them only when a tape may need them (a tape open at trace time or at run time), so
a plain loop holds one element at a time.
"""
from __future__ import annotations

import inspect

import numpy as np

from runtime import dtypes as D
from runtime import nest
from runtime.registry import Spec
from ops import dispatch
from ops.context import state
from ops.declare import defop
from ops.errors import OutOfRangeError, UnimplementedError
from ops.tensor import Tensor, convert_to_tensor
from ops.data.dataset import Dataset
from ops.data.iterator import Iterator

__all__ = ["iterates_dataset", "loop_source", "make_iterator", "get_next", "element_specs",
           "staged_next", "staged_reduce"]


class LoopSource:
    """The ``source`` attribute: what a staged loop iterates, and where the loop is."""

    __slots__ = ("dataset", "iterator", "where")

    def __init__(self, dataset, iterator, where: str):
        self.dataset = dataset          # a fresh pass over it per loop entry ...
        self.iterator = iterator        # ... or this iterator, continued
        self.where = where

    def open(self):
        """The Python iterator one loop entry pulls from."""
        return self.iterator if self.iterator is not None else Iterator(self.dataset)

    def why_unsaveable(self) -> str:
        """Read by ``runtime.serialization`` when a graph holding this loop is saved."""
        return (f"the for loop over an ag.data.Dataset at {self.where} runs the input "
                "pipeline (Python code) each time the graph runs, and a saved model cannot "
                "hold Python code; iterate the dataset outside the saved function and pass "
                "each element in as an argument (give the function an input_signature)")

    def __repr__(self) -> str:
        kind = "iterator" if self.iterator is not None else "dataset"
        return f"<{kind} loop at {self.where}>"


class _Pass:
    """One pass over a loop's source while the graph runs: the object a handle holds."""

    __slots__ = ("elements", "fetched", "ended", "kept", "where")

    def __init__(self, source: LoopSource, keep: bool):
        self.elements = source.open()
        self.fetched = 0                     # elements taken from ``elements`` so far
        self.ended = False
        self.kept = [] if keep else None     # arrays of every fetched element, for replays
        self.where = source.where

    def fetch(self, position: int):
        """The component arrays of element ``position``, or None past the end."""
        if position < self.fetched:          # the loop runs again: a gradient replays it
            if self.kept is None:
                raise UnimplementedError(
                    f"the for loop over a dataset at {self.where} is run again to "
                    "differentiate through it, but it was traced with no GradientTape open, so "
                    "its elements were not kept (a concrete function called inside another "
                    "traced function does this); call the ag.function itself there, so the "
                    "loop is traced under the tape", "IteratorGetNext")
            return self.kept[position] if position < len(self.kept) else None
        if self.ended:
            return None
        try:
            element = next(self.elements)
        except StopIteration:
            self.ended = True
            return None
        self.fetched += 1
        arrays = [t._v for t in nest.flatten(element)]
        if self.kept is not None:
            self.kept.append(arrays)
        return arrays


def _make_iterator_kernel(xp, *, source, keep):
    handle = np.empty((), dtype=object)
    # A tape at run time (a traced function replayed under an eager tape) may differentiate
    # the loop, replaying it: keep the elements then too.
    handle[()] = _Pass(source, keep or bool(state.tapes))
    return handle


def _get_next_kernel(xp, handle, position, go, *, components):
    arrays = handle[()].fetch(int(position)) if bool(go) else None
    if arrays is None:
        return (np.asarray(False),) + tuple(_zeros(xp, dtype, shape)
                                            for dtype, shape in components)
    return (np.asarray(True),) + tuple(arrays)


def _zeros(xp, dtype, shape):
    shape = tuple(0 if d is None else d for d in shape)
    if dtype is D.string:
        return np.full(shape, b"", dtype=object)
    return xp.zeros(shape, dtype.np)


def _get_next_infer(handle: Spec, position: Spec, go: Spec, *, components):
    if handle.dtype is not D.string or handle.shape != ():
        raise TypeError(f"IteratorGetNext: the handle must be the scalar a DatasetIterator "
                        f"op makes, got {handle.dtype.name}{list(handle.shape)}")
    return [Spec(D.bool_, ())] + [Spec(dtype, shape) for dtype, shape in components]


def _next_element_kernel(xp, *, source, components):
    """The next element of an iterator made outside the traced function, continued at each
    call (TensorFlow's iterator resource); the end of the data is ``OutOfRangeError``."""
    try:
        element = next(source.iterator)
    except StopIteration:
        raise OutOfRangeError("End of sequence (the iterator passed to next() at "
                              f"{source.where} is exhausted)", "IteratorGetNext") from None
    return tuple(t._v for t in nest.flatten(element))


MAKE_ITERATOR = defop("DatasetIterator", _make_iterator_kernel,
                      lambda *, source, keep: Spec(D.string, ()), stateful=True)
GET_NEXT = defop("IteratorGetNext", _get_next_kernel, _get_next_infer, stateful=True,
                 multi=True)
NEXT_ELEMENT = defop("IteratorNext", _next_element_kernel,
                     lambda *, source, components: [Spec(d, s) for d, s in components],
                     stateful=True, multi=True)


# ---- what the converter calls -------------------------------------------------------------

def iterates_dataset(x) -> bool:
    """Is ``x`` a dataset, or an iterator over one (what a staged loop can iterate)?"""
    return isinstance(x, (Dataset, Iterator))


def loop_source(x, where: str) -> LoopSource:
    """The ``source`` of a loop over dataset or iterator ``x`` traced at ``where``.

    A dataset, or an iterator made while tracing, gets a fresh pass each time the loop
    starts; an iterator made outside the traced function is continued (it keeps its
    position between calls, as in TensorFlow)."""
    if isinstance(x, Dataset):
        return LoopSource(x, None, where)
    if not x._made_in_trace:
        return LoopSource(None, x, where)
    if inspect.getgeneratorstate(x._elements) != inspect.GEN_CREATED:
        raise ValueError(
            f"the for loop at {where} iterates an iterator that next() already advanced while "
            "the function was traced: those elements became trace-time constants, and the "
            "graph loop starts a fresh pass at every call, so it would see them again. Make "
            "the iterator outside the function and pass it in, or loop over "
            "dataset.skip(n) instead")
    return LoopSource(x._dataset, None, where)


def element_specs(x) -> tuple:
    """The element spec of ``x`` and its leaves as ``(dtype, shape)`` pairs."""
    spec = x.element_spec
    leaves = tuple((s.dtype, tuple(s.shape)) for s in nest.flatten(spec))
    return spec, leaves


def make_iterator(source: LoopSource) -> Tensor:
    """A handle to a new pass over ``source``, made when the graph runs."""
    # Keep the elements when a tape records this loop (its gradient replays the loop).
    return dispatch.execute(MAKE_ITERATOR, (), {"source": source,
                                                "keep": bool(state.tapes)})


def get_next(handle: Tensor, position, go, components: tuple) -> tuple:
    """``(has_value, [components])`` of element ``position`` (an int32 count from 0)."""
    outs = dispatch.execute(GET_NEXT, (handle, convert_to_tensor(position, dtype=D.int32),
                                       convert_to_tensor(go, dtype=D.bool_)),
                            {"components": components})
    return outs[0], list(outs[1:])


# ---- next(iterator) while tracing ------------------------------------------------------------

def staged_next(iterator):
    """``next(iterator)`` in a function being traced, for an iterator made outside it: an op
    that takes the iterator's next element each time the graph runs."""
    from ops.tracing import user_where
    where = user_where()
    spec, components = element_specs(iterator)
    outs = dispatch.execute(NEXT_ELEMENT, (), {"source": LoopSource(None, iterator, where),
                                               "components": components})
    return nest.pack_sequence_as(spec, list(outs))


# ---- Dataset.reduce while tracing -----------------------------------------------------------

def staged_reduce(dataset, initial_state, reduce_func):
    """``dataset.reduce`` in a function being traced: one graph loop that folds the elements
    of a fresh pass over the dataset each time the graph runs (TensorFlow's ReduceDataset).
    The state keeps its structure and dtypes from one element to the next."""
    from ops import control_flow
    from ops.data import structure
    from ops.tracing import user_where
    where = user_where()
    spec, components = element_specs(dataset)
    state = structure.normalize(initial_state, "reduce", lists_are_tuples=True, symbolic=True)
    flat_state = nest.flatten(state)
    handle = make_iterator(loop_source(dataset, where))
    has_value, first = get_next(handle, 0, True, components)
    n = len(first)

    def cond(i, handle_, has, *rest):
        return has

    def body(i, handle_, has, *rest):
        element = nest.pack_sequence_as(spec, list(rest[:n]))
        folded = reduce_func(nest.pack_sequence_as(state, list(rest[n:])), element)
        folded = structure.normalize(folded, "reduce", lists_are_tuples=True, symbolic=True)
        new = nest.flatten(folded)
        if len(new) != len(flat_state):
            raise TypeError(f"reduce at {where}: reduce_func returned {len(new)} tensors for a "
                            f"state of {len(flat_state)}; return the state's structure")
        for k, (old, now) in enumerate(zip(flat_state, new)):
            if now.dtype != old.dtype:
                raise TypeError(f"reduce at {where}: reduce_func turns state component {k} "
                                f"from {old.dtype.name} into {now.dtype.name}; keep the "
                                "state's dtypes (ag.cast the result)")
        i = i + 1
        has, element = get_next(handle_, i, True, components)
        return (i, handle_, has) + tuple(element) + tuple(new)

    result = control_flow.while_loop(
        cond, body, [convert_to_tensor(0), handle, has_value] + first + flat_state)
    return nest.pack_sequence_as(state, list(result[3 + n:]))
