"""Tables keyed by node class whose entries are made on first use: the walks of the converter
look up per-class handlers and field lists once per class instead of once per node."""
from __future__ import annotations


class PerClass(dict):
    """class -> ``make(class)``, made on first use."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, cls):
        found = self[cls] = self.make(cls)
        return found
