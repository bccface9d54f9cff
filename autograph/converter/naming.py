"""Fresh names for generated symbols that never collide with the user's."""
from __future__ import annotations


class Namer:
    """Hands out ``base``, ``base_1``, ``base_2`` ... skipping every name already in use."""

    def __init__(self, taken):
        self._taken = set(taken)

    def new(self, base: str) -> str:
        name, k = base, 0
        sep = "" if base.endswith("_") else "_"
        while name in self._taken:
            k += 1
            name = f"{base}{sep}{k}"
        self._taken.add(name)
        return name

    def reserve(self, name: str) -> None:
        self._taken.add(name)
