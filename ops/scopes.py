"""``ag.name_scope``: TensorFlow 2's name scopes, which prefix the names of variables.

The active scopes live in ``state.name_scopes`` (one entry per level, joined with "/" by
whoever names something, e.g. ``Variable``). A name ending in "/" is absolute: it replaces
the enclosing scopes instead of nesting under them, and "" returns to the root, as in TF.
"""
from __future__ import annotations

from ops.context import state

__all__ = ["name_scope"]


class name_scope:
    """``with ag.name_scope("layer1") as scope:`` -> ``scope == "layer1/"``; nested scopes
    join with "/" (``"outer/inner/"``) and variables created inside are named under them."""

    def __init__(self, name: str):
        if not isinstance(name, str):
            raise ValueError(f"name for name_scope must be a string, not {type(name).__name__}")
        self._name = name
        self._saved: list | None = None

    @property
    def name(self) -> str:
        return self._name

    def __enter__(self) -> str:
        if self._saved is not None:
            raise RuntimeError(f"name_scope {self._name!r} is already entered; make a new one")
        self._saved = list(state.name_scopes)
        if not self._name:
            scopes = []
        elif self._name.endswith("/"):
            scopes = [self._name.rstrip("/")]
        else:
            scopes = self._saved + [self._name]
        state.name_scopes[:] = scopes
        return "/".join(scopes) + "/" if scopes else ""

    def __exit__(self, *exc) -> None:
        state.name_scopes[:] = self._saved
        self._saved = None
