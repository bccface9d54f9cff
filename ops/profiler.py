"""The profiler: timed spans of eager ops, function calls, graph nodes and fused kernels, written
as a Chrome trace (the engine of ``tf.profiler.experimental``).

    start(logdir, options=None)   begin recording (AlreadyExistsError if a profile is running)
    stop(save=True) -> path       stop, write the trace, return its path (UnavailableError if none)
    Profile(logdir)               both, as a context manager (``.path`` after the block)
    capture(options=None)         record without writing (``.events`` after the block; the CLI)
    Trace(name, **args)           a user span ("user"), nearly free while nothing records
    summarize(events, top)        top ops by total time (name, count, total ms, mean us, %)

How each kind of span is taken, at no cost while no profile runs:

- eager ops ("op"): ``start`` wraps the kernel of every registered op in a timer and ``stop``
  puts the originals back. Every eager path of the dispatcher (``execute``, ``unary``,
  ``binary``) calls ``op.kernel``, so this times all of them and leaves the fast path exactly as
  it was. A hook on ``state.hooks`` would not do: it sets ``state.slow``, and a
  ConcreteFunction called while ``state.slow`` replays its graph op by op, so the profile would
  show a different execution (no function spans, no fused kernels) from the one it measures.
- graph executions ("function", and "op" per node): ``runtime.interpreter.set_recorder`` makes
  every plan run a timed variant of its generated function (see ``runtime/interpreter.py``);
  a top-level graph is one span named after the function, its nodes are spans inside it.
- fused kernels ("kernel"): the timed plan reports each ``Fused`` node (one kernel launch in
  ``jit_compile`` mode) under the kernel's name. On a GPU a launch is asynchronous, so the span
  is the launch, not the kernel's device time.

Times are ``time.perf_counter_ns`` readings, written as microseconds from the profile's start.
Ops registered after ``start`` are not timed until the next profile.
"""
from __future__ import annotations

import collections
import json
import os
import threading
import time
from typing import Optional

from runtime import interpreter, registry
from ops.errors import AlreadyExistsError, UnavailableError

CATEGORIES = ("op", "function", "kernel", "user")
_now = time.perf_counter_ns
_tid = threading.get_native_id


ProfilerOptions = collections.namedtuple(
    "ProfilerOptions", ["host_tracer_level", "python_tracer_level", "device_tracer_level",
                        "delay_ms"], defaults=(2, 0, 1, None))
ProfilerOptions.__doc__ = """What to record (TensorFlow's names and defaults).

host_tracer_level: 0 records no host spans; 1 records ``Trace`` spans and function calls;
    2 (default) and 3 also every op, eager or inside a graph, with its inputs' shapes and dtypes.
python_tracer_level: accepted for compatibility; there is no Python-function tracer here.
device_tracer_level: 0 leaves out fused-kernel launches; 1 (default) records them.
delay_ms: start recording this many milliseconds after ``start`` (None or 0: at once).
"""



def _hostname() -> str:
    """This machine's name, as TensorBoard's profile plugin names trace files."""
    return os.uname().nodename if hasattr(os, "uname") else os.environ.get("COMPUTERNAME", "host")

def _categories(options: ProfilerOptions) -> frozenset:
    keep = set()
    if options.host_tracer_level >= 1:
        keep |= {"user", "function"}
    if options.host_tracer_level >= 2:
        keep.add("op")
    if options.device_tracer_level >= 1:
        keep.add("kernel")
    return frozenset(keep)


def _checked(options) -> ProfilerOptions:
    if options is None:
        return ProfilerOptions()
    if not isinstance(options, ProfilerOptions):
        raise TypeError(f"profiler options must be a ProfilerOptions, got {type(options).__name__}")
    for field in ("host_tracer_level", "python_tracer_level", "device_tracer_level"):
        level = getattr(options, field)
        if not isinstance(level, int) or level < 0:
            raise ValueError(f"ProfilerOptions.{field} must be an integer >= 0, got {level!r}")
    if options.delay_ms is not None and options.delay_ms < 0:
        raise ValueError(f"ProfilerOptions.delay_ms must be >= 0 or None, got {options.delay_ms!r}")
    return options


class _Session:
    """One profile: the spans recorded so far and what was installed to record them."""

    def __init__(self, options: ProfilerOptions, logdir: Optional[str] = None):
        self.options = options
        self.logdir = logdir             # where ``stop`` writes (None for ``capture``)
        self.keep = _categories(options)
        self.wall_start = time.time()
        self.begin = _now() + int((options.delay_ms or 0) * 1e6)
        # (label, start_ns, end_ns, thread id, [(shape, dtype) per input]); label is
        # (name, category, extra args or None). Appending to a list is atomic under the GIL,
        # so spans from several threads need no lock.
        self.spans: list = []
        self.originals: dict = {}       # OpDef -> its kernel, while wrapped

    def record(self, label: tuple, start: int, end: int, inputs=()) -> None:
        if label[1] in self.keep and start >= self.begin:
            self.spans.append((label, start, end, _tid(),
                               [(getattr(a, "shape", None), getattr(a, "dtype", None))
                                for a in inputs]))

    def install(self) -> None:
        if "op" in self.keep:
            for op in list(registry.OPS.values()):
                self.originals[op] = op.kernel
                op.kernel = _timed_kernel(op, op.kernel, self.record)
        if self.keep & {"op", "function", "kernel"}:
            interpreter.set_recorder(self.record)

    def uninstall(self) -> None:
        interpreter.set_recorder(None)
        for op, kernel in self.originals.items():
            if getattr(op.kernel, "untimed", None) is kernel:   # still our timer
                op.kernel = kernel
        self.originals.clear()

    def events(self) -> list:
        """The spans as Chrome trace events, parents before their children."""
        pid = os.getpid()
        spans = sorted(self.spans, key=lambda s: (s[1], -s[2]))
        return [_event(span, self.begin, pid) for span in spans]


def _timed_kernel(op, kernel, record):
    label = (op.name, "op", None)

    def timed(xp, *arrays, **attrs):
        start = _now()
        try:
            return kernel(xp, *arrays, **attrs)
        finally:
            record(label, start, _now(), arrays)

    timed.untimed = kernel   # what plans call (runtime.interpreter.untimed)
    timed.__name__ = getattr(kernel, "__name__", op.name)
    return timed


def _event(span: tuple, origin: int, pid: int) -> dict:
    (name, cat, extra), start, end, tid, inputs = span
    args = {}
    if inputs:
        args["shapes"] = [_shape(shape) for shape, _ in inputs]
        args["dtypes"] = [_dtype(dtype) for _, dtype in inputs]
    if extra:
        args.update((k, v if isinstance(v, (str, int, float, bool)) else str(v))
                    for k, v in extra.items())
    return {"name": name, "cat": cat, "ph": "X", "ts": (start - origin) / 1000,
            "dur": (end - start) / 1000, "pid": pid, "tid": tid, "args": args}


def _shape(shape):
    try:
        return [None if d is None else int(d) for d in shape]
    except TypeError:        # no shape (a Python scalar) or an unknown rank
        return None


def _dtype(dtype) -> Optional[str]:
    return None if dtype is None else getattr(dtype, "name", str(dtype))


# ---- the one running profile ------------------------------------------------------------------

_lock = threading.Lock()
_session: Optional[_Session] = None
last_path: Optional[str] = None
"""The trace file the last ``stop`` wrote."""


def _begin(options, logdir: Optional[str] = None) -> None:
    global _session
    options = _checked(options)
    with _lock:
        if _session is not None:
            raise AlreadyExistsError("another profiler is running; call "
                                     "tf.profiler.experimental.stop() before starting again")
        session = _Session(options, logdir)
        session.install()
        _session = session


def _end() -> _Session:
    global _session
    with _lock:
        session = _session
        if session is None:
            raise UnavailableError("cannot stop the profiler: no profiler is running; call "
                                   "tf.profiler.experimental.start(logdir) first")
        session.uninstall()
        _session = None
    return session


def active() -> bool:
    """Whether a profile is being recorded."""
    return _session is not None


def start(logdir: str, options: Optional[ProfilerOptions] = None) -> None:
    """Start recording spans; ``stop`` writes them under ``logdir``."""
    if not isinstance(logdir, (str, os.PathLike)) or not os.fspath(logdir):
        raise ValueError(f"profiler: logdir must be a non-empty path, got {logdir!r}")
    _begin(options, os.fspath(logdir))


def stop(save: bool = True) -> Optional[str]:
    """Stop recording; with ``save``, write the trace and return its path
    (``<logdir>/plugins/profile/<YYYY_MM_DD_HH_MM_SS>/<hostname>.trace.json``)."""
    global last_path
    session = _end()
    if not save or session.logdir is None:     # discarded, or a ``capture`` was stopped
        return None
    path = _trace_path(session.logdir, session.wall_start)
    write_trace(session.events(), path)
    last_path = path
    return path


def _trace_path(logdir: str, wall_start: float) -> str:
    """Where TensorBoard's profile plugin looks for a run: one directory per profile, named by
    its start time (a suffix keeps two profiles started in the same second apart)."""
    run = time.strftime("%Y_%m_%d_%H_%M_%S", time.localtime(wall_start))
    root = os.path.join(logdir, "plugins", "profile")
    filename = f"{_hostname()}.trace.json"
    candidate, n = run, 1
    while os.path.exists(os.path.join(root, candidate, filename)):
        candidate, n = f"{run}_{n}", n + 1
    return os.path.join(root, candidate, filename)


def write_trace(events: list, path: str) -> None:
    """Write ``events`` as a Chrome trace-event file, atomically (temp file, then rename)."""
    document = {"traceEvents": [{"name": "process_name", "ph": "M", "pid": os.getpid(),
                                 "args": {"name": f"autograph ({_hostname()})"}}]
                + list(events),
                "displayTimeUnit": "ms"}
    from runtime.serialization import atomic     # not at import: keeps `import autograph` lean
    atomic.write_file(path, json.dumps(document).encode("utf-8"))


class Profile:
    """``with Profile(logdir): ...`` profiles the block; ``.path`` is the trace it wrote."""

    def __init__(self, logdir: str, options: Optional[ProfilerOptions] = None):
        self.logdir, self.options, self.path = logdir, options, None

    def __enter__(self) -> "Profile":
        start(self.logdir, self.options)
        return self

    def __exit__(self, *exc) -> None:
        self.path = stop()


class capture:
    """``with capture() as c: ...`` records the block without writing; ``c.events`` (Chrome
    trace events) after it. It is a profile like any other: one at a time."""

    def __init__(self, options: Optional[ProfilerOptions] = None):
        self.options, self.events = options, []

    def __enter__(self) -> "capture":
        _begin(self.options)
        return self

    def __exit__(self, *exc) -> None:
        self.events = _end().events()


class Trace:
    """``with Trace("train", step_num=3): ...``: a "user" span with its keyword arguments as
    args, while a profile runs; otherwise entering and leaving only check for one."""

    __slots__ = ("_label", "_session", "_start")

    def __init__(self, name: str, **kwargs):
        self._label = (name, "user", kwargs or None)
        self._session = None

    def __enter__(self) -> "Trace":
        session = self._session = _session
        if session is not None:
            self._start = _now()
        return self

    def __exit__(self, *exc) -> None:
        if self._session is not None:
            self._session.record(self._label, self._start, _now())
            self._session = None


# ---- summary ----------------------------------------------------------------------------------

OpStat = collections.namedtuple("OpStat", ["name", "count", "total_ms", "mean_us", "percent"])


def summarize(events: list, top: Optional[int] = None,
              categories: tuple = ("op", "kernel")) -> list:
    """The ops (and fused kernels) of ``events`` by total time, longest first: one ``OpStat``
    per name, ``percent`` of the time of all spans of ``categories``. Times are inclusive: an
    op that runs a sub-graph (a non-inlined loop) also counts its nodes' time."""
    totals: dict = {}
    counts: dict = {}
    for e in events:
        if e.get("ph") == "X" and e.get("cat") in categories:
            totals[e["name"]] = totals.get(e["name"], 0.0) + e["dur"]
            counts[e["name"]] = counts.get(e["name"], 0) + 1
    grand = sum(totals.values())
    rows = [OpStat(name, counts[name], total / 1000, total / counts[name],
                   100.0 * total / grand if grand else 0.0)
            for name, total in totals.items()]
    rows.sort(key=lambda r: (-r.total_ms, r.name))
    return rows if top is None else rows[:top]
