"""How many threads native code uses: a C kernel's OpenMP team, and NumPy's BLAS for the
matmuls of ``ops.linalg`` (``fit_blas``): the cores other processes leave free now.

A parallel loop ends at a barrier, so a team member whose core another process holds stalls
the whole team until the scheduler runs it again. On the shared 2-core reference machine,
with two other busy processes, the variance's sum pass (10M float32) took 6.0 ms with two
threads and 1.35 ms with one. libgomp's own remedy (``omp_set_dynamic``) sizes teams as the
CPUs online minus the *15-minute* load average, which lags by minutes and counts this
process's own kernels: a benchmark alone on an idle machine drove it to one thread (the
10M-element chain ran in 8.2 ms instead of 4.3). So teams are sized here from the CPU time
that *other* processes used on this process's CPUs over the last ``PERIOD`` seconds:
/proc/stat's busy time less this process's own CPU time.

``fit()`` runs before every C kernel launch: a clock read, and once per ``PERIOD`` one read of
/proc/stat. Where /proc/stat cannot be read, or ``OMP_NUM_THREADS`` / ``OMP_DYNAMIC`` is set
(the user decides), OpenMP keeps its own settings. Results never depend on the team size:
full reductions fold fixed chunks in a fixed order (see ``render._reduce_all``).
"""
from __future__ import annotations

import os
import threading
import time
from typing import Callable, Optional

PERIOD = 0.1            # seconds between two looks at /proc/stat
USER_VARS = ("OMP_NUM_THREADS", "OMP_DYNAMIC")

Reading = tuple         # (monotonic seconds, busy CPU seconds on our CPUs, own CPU seconds)


def our_cpus() -> tuple:
    """The CPUs this process may run on."""
    try:
        return tuple(sorted(os.sched_getaffinity(0)))
    except AttributeError:                      # no affinity API (not Linux)
        return tuple(range(os.cpu_count() or 1))


def busy_seconds(stat: str, cpus, hz: int) -> Optional[float]:
    """CPU seconds ``cpus`` spent busy (neither idle nor waiting for I/O), from the text of
    /proc/stat (``cpuN user nice system idle iowait irq softirq steal ...`` in ticks); None
    when a CPU's line is missing. Steal time counts as busy: the host gave the core away."""
    wanted = {f"cpu{c}" for c in cpus}
    total, seen = 0, 0
    for line in stat.splitlines():
        fields = line.split()
        if fields and fields[0] in wanted:
            ticks = [int(t) for t in fields[1:9]]
            total += sum(ticks) - ticks[3] - ticks[4]
            seen += 1
    return total / hz if seen == len(wanted) else None


def team_for(others: float, cores: int) -> int:
    """Threads for a team on ``cores`` CPUs of which other processes keep ``others`` busy
    (in CPUs, averaged): the free ones, rounded, at least one."""
    return max(1, min(cores, int(cores - others + 0.5)))


def read_proc(cpus) -> Optional[Reading]:
    """A reading of this machine, or None where /proc/stat is unavailable."""
    try:
        with open("/proc/stat") as f:
            stat = f.read()
    except OSError:
        return None
    busy = busy_seconds(stat, cpus, os.sysconf("SC_CLK_TCK"))
    if busy is None:
        return None
    return time.monotonic(), busy, time.process_time()


class Sampler:
    """The team size, re-estimated at most once per ``period`` from ``read()``'s readings."""

    def __init__(self, read: Callable[[], Optional[Reading]], cores: int,
                 period: float = PERIOD):
        self.read, self.cores, self.period = read, cores, period
        self.size = cores
        self.last = read()
        self.due = time.monotonic() + period
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return self.last is not None

    def team(self) -> int:
        if self.last is None or time.monotonic() < self.due:
            return self.size
        if self._lock.acquire(blocking=False):      # else another thread is updating: use
            try:                                    # the size it had
                self._update()
            finally:
                self._lock.release()
        return self.size

    def _update(self) -> None:
        last, now = self.last, self.read()
        self.due = time.monotonic() + self.period
        if now is None or now[0] <= last[0]:
            return
        others = ((now[1] - last[1]) - (now[2] - last[2])) / (now[0] - last[0])
        self.size = team_for(others, self.cores)
        self.last = now


_sampler: list = []            # [Sampler | None] once decided
_setter: list = []             # [omp_set_num_threads] once a kernel linking OpenMP is loaded
_local = threading.local()     # .size: what this thread last asked OpenMP for


def sampler() -> Optional[Sampler]:
    """The process's sampler, or None when OpenMP is left alone."""
    if not _sampler:
        cpus = our_cpus()
        user = any(v in os.environ for v in USER_VARS)
        s = None if user else Sampler(lambda: read_proc(cpus), len(cpus))
        _sampler.append(s if s is not None and s.available else None)
    return _sampler[0]


def bind(lib) -> None:
    """Remember OpenMP's ``omp_set_num_threads`` from a loaded kernel library (found once a
    kernel links OpenMP; without OpenMP there is nothing to size)."""
    if not _setter:
        setter = getattr(lib, "omp_set_num_threads", None)
        if setter is not None:
            _setter.append(setter)


def fit() -> None:
    """Size the calling thread's next OpenMP teams (OpenMP keeps one setting per thread)."""
    if not _setter:
        return
    s = sampler()
    if s is None:
        return
    size = s.team()
    if getattr(_local, "size", None) != size:
        _setter[0](size)
        _local.size = size


# ---- NumPy's BLAS ----------------------------------------------------------------------------
# The same reasoning holds for the BLAS NumPy links (OpenBLAS in NumPy's wheels): a small
# matmul split over two threads, one of which another process holds, waits for the scheduler;
# on the reference machine a digits MLP's training step ran 2-3x slower with two BLAS threads
# than with one while one other process was busy, and faster with two when none was.

BLAS_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_BLAS_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
                 "openblas_set_num_threads64_", "openblas_set_num_threads")
_blas: list = []               # [setter | None] once looked for
_blas_size: list = [None]      # what BLAS was last told


def blas_setter() -> Optional[Callable[[int], None]]:
    """OpenBLAS's ``set_num_threads`` from the library this process loaded (found through
    /proc/self/maps); None without one, or when the user set a thread variable."""
    if not _blas:
        found = None
        if not any(v in os.environ for v in BLAS_VARS):
            found = _find_openblas()
        _blas.append(found)
    return _blas[0]


def _find_openblas():
    import ctypes
    try:
        with open("/proc/self/maps") as f:
            maps = f.read()
    except OSError:
        return None
    paths = sorted({line.split()[-1] for line in maps.splitlines()
                    if "openblas" in line.lower() and line.split()[-1].startswith("/")})
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _BLAS_SETTERS:
            setter = getattr(lib, name, None)
            if setter is not None:
                setter.argtypes, setter.restype = [ctypes.c_int], None
                return setter
    return None


def fit_blas() -> None:
    """Size NumPy's BLAS threads to the cores other processes leave free (before a matmul)."""
    setter = blas_setter()
    if setter is None:
        return
    s = sampler()
    if s is None:
        return
    size = s.team()
    if _blas_size[0] != size:
        setter(size)
        _blas_size[0] = size
