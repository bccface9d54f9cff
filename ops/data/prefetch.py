"""``prefetch``: a background thread runs the input pipeline ahead of the consumer.

The producer thread pulls elements from the input and puts them on a queue of
``buffer_size`` slots; the consumer takes them in order. An exception raised by the input is
put on the queue too and re-raised in the consumer, in order, with its original traceback.
When the consumer stops early (the iterator is closed or dropped, a ``for`` loop breaks), the
producer is told to stop, the queue is drained so a blocked ``put`` returns, and the thread is
joined; the producer closes its input iterator, so upstream prefetch threads stop too.

The graph being traced and the open tapes belong to the thread that opened them
(``ops.context``), so map functions run by the producer never join a function the main
thread is tracing.
"""
from __future__ import annotations

import queue
import threading
import time

from ops.data import structure as S
from ops.data.transformations import _Unary

AUTOTUNE_BUFFER = 2   # what AUTOTUNE picks: one element in use, one being made
_JOIN_SECONDS = 5.0   # how long close() waits for a producer busy inside a slow element

_ELEMENT, _ERROR, _END = 0, 1, 2


class Prefetch(_Unary):
    def __init__(self, input_dataset, buffer_size: int):
        super().__init__(input_dataset)
        self._size = AUTOTUNE_BUFFER if buffer_size == -1 else buffer_size

    def _iterate(self):
        if self._size == 0:
            yield from self._input._iterate()
            return
        producer = _Producer(self._input._iterate(), self._size)
        try:
            while True:
                kind, payload = producer.get()
                if kind == _END:
                    return
                if kind == _ERROR:
                    raise payload
                yield payload
        finally:
            producer.stop()


class _Producer:
    """One thread filling one bounded queue from one input iterator."""

    def __init__(self, elements, size: int):
        self._elements = elements
        self._queue: queue.Queue = queue.Queue(maxsize=size)
        self._stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name=S.PREFETCH_THREAD, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        outcome = (_END, None)
        try:
            for element in self._elements:
                if any(t._v is None for t in S.leaves(element)):
                    raise S.symbolic_error("prefetch")
                self._queue.put((_ELEMENT, element))
                if self._stopping.is_set():
                    return
        except BaseException as e:  # noqa: BLE001  (handed to the consumer, which re-raises it)
            outcome = (_ERROR, e)
        finally:
            self._elements.close()  # stops upstream prefetch threads too
        if not self._stopping.is_set():
            self._queue.put(outcome)  # the consumer always gets an end or an error

    def get(self):
        return self._queue.get()

    def stop(self) -> None:
        """Stop the thread: it exits after the element it is making, if any. A producer stuck
        longer than ``_JOIN_SECONDS`` inside one element (a generator that never returns) is
        left behind; it is a daemon thread and exits at its next queue check."""
        self._stopping.set()
        deadline = time.monotonic() + _JOIN_SECONDS
        while self.thread.is_alive() and time.monotonic() < deadline:
            try:
                while True:
                    self._queue.get_nowait()  # unblocks a put waiting for room
            except queue.Empty:
                pass
            self.thread.join(timeout=0.01)
