"""The one error type for files that cannot be written or read back."""
from __future__ import annotations


class SerializationError(ValueError):
    """A graph, saved model or weights file is malformed, tampered with, or cannot be written.

    The message names the file (and where in it) so a user can tell which file is bad."""
