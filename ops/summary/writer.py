"""Summary writers (``tf.summary.create_file_writer``) and the per-thread summary state.

A file writer appends ``Event`` protos to one event file through tensorboard's
``EventFileWriter`` (the optional ``tensorboard`` package, imported when the first writer is
made). The default writer, the default step and the ``record_if`` condition live in a
thread-local, as TensorFlow's summary state does. Summary ops read that state when their
kernel runs, not when they are traced, so a function traced outside ``with
writer.as_default():`` still writes when it is called inside one.
"""
from __future__ import annotations

import atexit
import contextlib
import os
import threading
import time
import warnings
import weakref

import numpy as np

__all__ = [
    "SummaryWriter", "create_file_writer", "create_noop_writer", "flush", "record_if",
    "should_record_summaries", "get_step", "set_step",
]

INSTALL_HINT = 'pip install "autograph[tensorboard]"'


def event_file_writer_class():
    """tensorboard's ``EventFileWriter``, or an ImportError that says how to install it.

    Imported here on each call (a dictionary hit once loaded) rather than at module import:
    ``import autograph`` must not pay for tensorboard."""
    try:
        from tensorboard.summary.writer.event_file_writer import EventFileWriter
    except ImportError as e:
        raise ImportError(
            "tf.summary writes TensorBoard event files with the optional 'tensorboard' "
            f"package, which is not installed; install it with: {INSTALL_HINT}") from e
    return EventFileWriter


class _State(threading.local):
    def __init__(self):
        self.writer = None      # the default SummaryWriter of this thread
        self.step = None        # default step: an int, a tensor or a Variable (read when used)
        self.recording = True   # record_if condition: a bool, a tensor or a callable


_state = _State()


# ---- writers ---------------------------------------------------------------------------------

class SummaryWriter:
    """Writes summaries to one event file in ``logdir`` (``tf.summary.SummaryWriter``).

    ``with writer.as_default(step=...):`` makes it the default writer of the block (and the
    default step, when given) and flushes on leaving; ``set_as_default`` does so for good.
    """

    noop = False   # True for create_noop_writer's: summaries under it record nothing

    def __init__(self, logdir: str, max_queue: int = 10, flush_millis: int = 120_000,
                 filename_suffix: str = ".v2", name=None):
        self.logdir = os.fspath(logdir)
        self.name = name
        self._max_queue = max_queue
        self._flush_secs = flush_millis / 1000.0
        self._suffix = filename_suffix
        self._events = None        # the open EventFileWriter; None once closed
        self.init()

    def init(self) -> None:
        """Open the event file (done on creation; after ``close`` it opens a new file)."""
        if self._events is None:
            writer_class = event_file_writer_class()
            self._events = writer_class(self.logdir, max_queue_size=self._max_queue,
                                        flush_secs=self._flush_secs,
                                        filename_suffix=self._suffix)
            _open_writers.add(self)

    def as_default(self, step=None):
        """A context manager making this the default writer (and ``step`` the default step)."""
        return _as_default(self, step)

    def set_as_default(self, step=None) -> None:
        """Make this the default writer of this thread from now on (and ``step`` the step)."""
        _state.writer = self
        if step is not None:
            _state.step = step

    def write_event(self, event) -> None:
        """Append one ``event_pb2.Event`` (its ``wall_time`` is set when missing)."""
        if self._events is None:
            raise RuntimeError(f"the summary writer for {self.logdir!r} is closed; call its "
                               "init() to open a new event file, or create a new writer")
        if not event.wall_time:
            event.wall_time = time.time()
        self._events.add_event(event)

    def write_summary(self, value, step: int) -> None:
        """Append one ``Summary.Value`` proto at ``step``."""
        from tensorboard.compat.proto import event_pb2, summary_pb2
        self.write_event(event_pb2.Event(step=step, summary=summary_pb2.Summary(value=[value])))

    def flush(self) -> None:
        if self._events is not None:
            self._events.flush()

    def close(self) -> None:
        """Flush and close the event file; writing again needs ``init()``."""
        if self._events is not None:
            self._events.close()
            self._events = None
            _open_writers.discard(self)

    def __repr__(self) -> str:
        return f"<SummaryWriter logdir={self.logdir!r}{'' if self._events else ' (closed)'}>"


class _NoopWriter(SummaryWriter):
    """A writer that writes nothing (``tf.summary.create_noop_writer``)."""

    noop = True

    def __init__(self):
        self.logdir = None
        self.name = None
        self._events = None

    def init(self) -> None:
        pass

    def write_event(self, event) -> None:
        pass

    def write_summary(self, value, step: int) -> None:
        pass

    def __repr__(self) -> str:
        return "<SummaryWriter (no-op)>"


@contextlib.contextmanager
def _as_default(writer: SummaryWriter, step):
    saved = (_state.writer, _state.step)
    _state.writer = writer
    if step is not None:
        _state.step = step
    try:
        yield writer
    finally:
        _state.writer, _state.step = saved
        writer.flush()


# Writers with an open file, flushed and closed at exit so the tail of the queue is not lost
# (EventFileWriter flushes from a background thread only every flush_millis).
_open_writers: "weakref.WeakSet[SummaryWriter]" = weakref.WeakSet()
_exit_hook_registered = [False]


def _close_all() -> None:
    for writer in list(_open_writers):
        writer.close()


def create_file_writer(logdir, max_queue=None, flush_millis=None, filename_suffix=None,
                       name=None) -> SummaryWriter:
    """A writer of TensorBoard event files in ``logdir`` (``tf.summary.create_file_writer``).

    ``max_queue`` events (default 10) are buffered and flushed every ``flush_millis``
    (default 120000) or on ``flush()``; the file name ends in ``filename_suffix`` (".v2").
    Needs the optional ``tensorboard`` package.
    """
    if logdir is None:
        raise ValueError("create_file_writer: logdir cannot be None")
    writer = SummaryWriter(logdir, 10 if max_queue is None else int(max_queue),
                           120_000 if flush_millis is None else flush_millis,
                           ".v2" if filename_suffix is None else filename_suffix, name)
    if not _exit_hook_registered[0]:
        atexit.register(_close_all)
        _exit_hook_registered[0] = True
    return writer


def create_noop_writer() -> SummaryWriter:
    """A writer whose summaries go nowhere (``tf.summary.create_noop_writer``)."""
    return _NoopWriter()


def default_writer():
    """The default writer of this thread, or None."""
    return _state.writer


def flush(writer=None, name=None) -> None:
    """Flush ``writer`` (default: the default writer); nothing happens without one."""
    writer = _state.writer if writer is None else writer
    if writer is not None:
        writer.flush()


# ---- recording condition and step ------------------------------------------------------------

@contextlib.contextmanager
def record_if(condition):
    """Record summaries in the block only when ``condition`` holds (``tf.summary.record_if``):
    a bool, a boolean tensor, or a callable returning one, evaluated at each write."""
    saved = _state.recording
    _state.recording = condition
    try:
        yield
    finally:
        _state.recording = saved


def should_record_summaries() -> bool:
    """Whether a summary written now would be recorded: a default writer is set (and is
    not a no-op writer) and the ``record_if`` condition holds."""
    if _state.writer is None or _state.writer.noop:
        return False
    condition = _state.recording
    if callable(condition):
        condition = condition()
    return bool(np.asarray(condition))


def get_step():
    """The default step (``tf.summary.experimental.get_step``): an int, a tensor, a Variable
    or None."""
    return _state.step


def set_step(step) -> None:
    """Set the default step of this thread (``tf.summary.experimental.set_step``)."""
    _state.step = step


NO_STEP = ("no step was given and no default step is set: pass step=..., or set one with "
           "tf.summary.experimental.set_step(step) or writer.as_default(step=...)")


def resolve_step(step) -> int:
    """``step`` (or the default step when None) as a Python int, read now."""
    if step is None:
        step = _state.step
        if step is None:
            from ops.errors import InvalidArgumentError
            raise InvalidArgumentError(NO_STEP, "WriteSummary")
    value = np.asarray(step)
    if value.shape != () or value.dtype.kind not in "iu":
        raise ValueError(f"a summary step must be an integer scalar, got {step!r}")
    return int(value)


# ---- writing with no default writer ----------------------------------------------------------

_warned_no_writer = [False]


def warn_no_writer(call: str) -> None:
    """Warn, once per process, that ``call`` wrote nothing for want of a default writer
    (TensorFlow returns False silently; a silent no-op hides the mistake). The warning
    points at the user's line, also when the call is a node of a traced function."""
    if _warned_no_writer[0]:
        return
    _warned_no_writer[0] = True
    message = (f"{call} wrote nothing and returned False: there is no default summary writer. "
               "Create one with writer = tf.summary.create_file_writer(logdir) and write "
               "inside `with writer.as_default():` (or call writer.set_as_default()).")
    from ops.tracing import user_location
    filename, lineno = user_location() or ("<unknown>", 0)
    warnings.warn_explicit(message, UserWarning, filename, lineno)
