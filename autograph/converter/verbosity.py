"""How much the converter logs: ``tf.autograph.set_verbosity`` or ``AUTOGRAPH_VERBOSITY``.

Level 0 (default) logs nothing; 1 logs each conversion (function, file:line, time taken); 2
and above also log the converted source. Messages go to the ``autograph`` logger at INFO,
and to stdout too when ``set_verbosity(..., alsologtostdout=True)``. A level set by
``set_verbosity`` wins over the environment variable, as in TensorFlow.
"""
from __future__ import annotations

import logging
import os
import sys

logger = logging.getLogger("autograph")
_level: int | None = None
_to_stdout = False


def set_verbosity(level: int, alsologtostdout: bool = False) -> None:
    """Set the converter's log level (see the module docstring)."""
    global _level, _to_stdout
    if isinstance(level, bool) or not isinstance(level, int) or level < 0:
        raise ValueError(f"set_verbosity: level must be an int >= 0, got {level!r}")
    _level, _to_stdout = level, bool(alsologtostdout)


def get_verbosity() -> int:
    """The level in force: ``set_verbosity``'s, else ``AUTOGRAPH_VERBOSITY``'s, else 0."""
    if _level is not None:
        return _level
    raw = os.environ.get("AUTOGRAPH_VERBOSITY", "")
    try:
        return max(int(raw), 0) if raw.strip() else 0
    except ValueError:
        raise ValueError(f"AUTOGRAPH_VERBOSITY must be an integer, got {raw!r}") from None


def has_verbosity(level: int) -> bool:
    return get_verbosity() >= level


def log(level: int, message: str) -> None:
    """Log ``message`` when the verbosity is at least ``level``."""
    if get_verbosity() < level:
        return
    logger.info(message)
    if _to_stdout:
        print(message, file=sys.stdout)


def reset() -> None:
    """Back to the environment's level (tests)."""
    global _level, _to_stdout
    _level, _to_stdout = None, False
