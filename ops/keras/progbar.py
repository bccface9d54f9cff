"""``Progbar``: the Keras (TF 2) progress line printed by ``fit``/``evaluate``/``predict``.

While an epoch runs (``verbose=1``)::

    12/32 [==========>...................] - ETA: 1s - loss: 0.2345 - accuracy: 0.9100

and when it ends::

    32/32 [==============================] - 1s 5ms/step - loss: 0.2345 - accuracy: 0.9100

``verbose=2`` prints only the final line, without the bar. On a terminal (or in Jupyter) the
line is rewritten in place with ``\\r``; elsewhere (logs, pipes) only the final line of each
bar is written, since a line per update would flood the log.
"""
from __future__ import annotations

import math
import sys
import time

import numpy as np

__all__ = ["Progbar"]

_clock = time.monotonic  # module attribute so tests can substitute a fake clock


def _is_dynamic(stream) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) or "ipykernel" in sys.modules


def format_value(value) -> str:
    """A metric value as Keras shows it: 4 decimals, or scientific notation below 1e-3."""
    try:
        number = float(np.mean(np.asarray(value, dtype=np.float64)))
    except (TypeError, ValueError):
        return f" {value}"
    return f" {number:.4f}" if abs(number) > 1e-3 else f" {number:.4e}"


def format_eta(seconds: float) -> str:
    if seconds > 3600:
        return "%d:%02d:%02d" % (seconds // 3600, (seconds % 3600) // 60, seconds % 60)
    if seconds > 60:
        return "%d:%02d" % (seconds // 60, seconds % 60)
    return "%ds" % seconds


def format_time_per_unit(seconds: float, unit_name: str) -> str:
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit_name}"
    return f" {seconds * 1e6:.0f}us/{unit_name}"


class Progbar:
    """A progress bar over ``target`` steps (``None`` when unknown).

    ``update(current, values)`` moves it to step ``current``; ``values`` are ``(name, value)``
    pairs. Names in ``stateful_metrics`` are shown as given; others are averaged over the
    steps seen, weighted by steps.
    """

    def __init__(self, target, width=30, verbose=1, interval=0.05, stateful_metrics=None,
                 unit_name="step", stream=None, dynamic=None):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics or ())
        self._stream = stream
        self._dynamic = dynamic
        self._values: dict = {}          # name -> [weighted sum, weight] or the latest value
        self._values_order: list = []
        self._seen_so_far = 0
        self._total_width = 0
        self._start = _clock()
        self._last_update = 0.0
        self._time_after_first_step = None

    @property
    def stream(self):
        return self._stream if self._stream is not None else sys.stdout

    def _record(self, current: int, values) -> None:
        for name, value in values or ():
            if name not in self._values_order:
                self._values_order.append(name)
            if name in self.stateful_metrics:
                self._values[name] = value
                continue
            # Weight by steps since the last update; at least 1, since a bar without a
            # target gets its final update at the step already shown.
            steps = max(current - self._seen_so_far, 1)
            value = float(np.mean(np.asarray(value, dtype=np.float64)))
            if name not in self._values or not isinstance(self._values[name], list):
                self._values[name] = [value * steps, steps]
            else:
                self._values[name][0] += value * steps
                self._values[name][1] += steps

    def _metrics_text(self) -> str:
        text = ""
        for name in self._values_order:
            value = self._values[name]
            if isinstance(value, list):
                value = value[0] / max(1, value[1])
            text += f" - {name}:" + format_value(value)
        return text

    def _step_duration(self, current: int, now: float) -> float:
        # Time per step, not counting the first step (which includes tracing) once a later
        # step has been seen.
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            per_step = (now - self._time_after_first_step) / (current - 1)
        else:
            per_step = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_step

    def _bar(self, current: int) -> str:
        if self.target is None:
            return "%7d/Unknown" % current
        digits = int(math.log10(self.target)) + 1 if self.target > 0 else 1
        bar = ("%" + str(digits) + "d/%d [") % (current, self.target)
        progress = float(current) / self.target if self.target else 1.0
        filled = min(int(self.width * progress), self.width)
        if filled > 0:
            bar += "=" * (filled - 1) + (">" if current < self.target else "=")
        return bar + "." * (self.width - filled) + "]"

    def update(self, current: int, values=None, finalize=None) -> None:
        """Show step ``current`` of ``target``; ``finalize`` (default: reached the target)
        ends the line."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        self._record(current, values)
        self._seen_so_far = current
        now = _clock()
        per_step = self._step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            dynamic = self._dynamic if self._dynamic is not None else _is_dynamic(self.stream)
            if not dynamic and not finalize:
                return
            bar = self._bar(current)
            if self.target is None or finalize:
                info = f" - {now - self._start:.0f}s" + format_time_per_unit(
                    per_step, self.unit_name)
            else:
                info = f" - ETA: {format_eta(per_step * (self.target - current))}"
            info += self._metrics_text()
            line = bar + info
            previous, self._total_width = self._total_width, len(line)
            if dynamic and previous > len(line):
                line += " " * (previous - len(line))  # erase the end of a longer old line
            self.stream.write(("\r" if dynamic else "") + line + ("\n" if finalize else ""))
            self.stream.flush()
        elif self.verbose == 2 and finalize:
            if self.target is not None:
                digits = int(math.log10(self.target)) + 1 if self.target > 0 else 1
                count = ("%" + str(digits) + "d/%d") % (current, self.target)
            else:
                count = "%d/Unknown" % current
            info = f"{count} - {now - self._start:.0f}s -" + format_time_per_unit(
                per_step, self.unit_name)
            self.stream.write(info + self._metrics_text() + "\n")
            self.stream.flush()
        self._last_update = now

    def add(self, n: int, values=None) -> None:
        """Advance by ``n`` steps."""
        self.update(self._seen_so_far + n, values)
