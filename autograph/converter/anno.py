"""Annotations: analysis results attached to AST nodes under one attribute.

Analyses write facts (``live_in``, ``defined_in``, the activity of a block) onto the nodes
they describe; converters read them. Nodes created by converters carry none, so a
converter that needs facts about generated code must run its analysis again.
"""
from __future__ import annotations

_KEY = "_ag_anno"


def setanno(node, key: str, value) -> None:
    d = node.__dict__.get(_KEY)
    if d is None:
        d = {}
        node.__dict__[_KEY] = d
    d[key] = value


def getanno(node, key: str, default=None):
    d = node.__dict__.get(_KEY)
    if d is None:
        return default
    return d.get(key, default)


def hasanno(node, key: str) -> bool:
    d = node.__dict__.get(_KEY)
    return d is not None and key in d


def delanno(node, key: str) -> None:
    d = node.__dict__.get(_KEY)
    if d is not None:
        d.pop(key, None)
