"""Errors of the converter.

``ConversionError`` is raised while converting: the source is unavailable or a construct
cannot be rewritten. Errors found while the converted code runs use Python's own types
(``TypeError``, ``ValueError``, ``NotImplementedError``, ``UnboundLocalError``) so that code
written against plain Python keeps catching them.
"""
from __future__ import annotations


class AutoGraphError(Exception):
    """Base of the converter's own errors."""


class ConversionError(AutoGraphError):
    """A function cannot be converted; the message names the function, file and line."""


def where(filename: str, lineno) -> str:
    return f"{filename}:{lineno}" if lineno else filename
