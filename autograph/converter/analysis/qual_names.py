"""Qualified names: ``x``, ``x.y``, ``d['k']``, ``l[0]`` as hashable values.

A qualified name (QN) is a string equal to its source text, so it hashes, compares and prints
as itself. A composite QN (attribute or subscript) knows its parent and its root (the plain
name it starts from). Subscripts qualify only with literal keys: ``d[k]`` with a variable
``k`` names no fixed location and is not a QN.
"""
from __future__ import annotations

from typing import Optional

import gast


class QN(str):
    """A qualified name. ``parent`` is None for a plain name."""

    def __new__(cls, text: str, parent: Optional["QN"] = None, attr: Optional[str] = None,
                key=None, has_key: bool = False):
        self = super().__new__(cls, text)
        self.parent = parent
        self.attr = attr
        self.key = key
        self.has_key = has_key
        self.root = parent.root if parent is not None else text
        self.is_composite = parent is not None
        return self

    def to_node(self, ctx=gast.Load):
        """A fresh AST for this name in context ``ctx`` (parents are always loaded)."""
        if self.parent is None:
            return gast.Name(id=str(self), ctx=ctx(), annotation=None, type_comment=None)
        value = self.parent.to_node(gast.Load)
        if self.attr is not None:
            return gast.Attribute(value=value, attr=self.attr, ctx=ctx())
        return gast.Subscript(value=value, slice=gast.Constant(value=self.key, kind=None),
                              ctx=ctx())


_plain: dict = {}


def plain(name: str) -> QN:
    """The QN of a plain name (shared: QNs are immutable)."""
    q = _plain.get(name)
    if q is None:
        q = _plain[name] = QN(name)
    return q


def from_node(node) -> Optional[QN]:
    """The QN an expression stands for, or None (calls, non-literal subscripts, ...)."""
    if isinstance(node, gast.Name):
        return plain(node.id)
    if isinstance(node, gast.Attribute):
        parent = from_node(node.value)
        if parent is None:
            return None
        return QN(f"{parent}.{node.attr}", parent, attr=node.attr)
    if isinstance(node, gast.Subscript):
        key = node.slice
        if not isinstance(key, gast.Constant) or not isinstance(key.value, (str, int)) or \
                isinstance(key.value, bool):
            return None
        parent = from_node(node.value)
        if parent is None:
            return None
        return QN(f"{parent}[{key.value!r}]", parent, key=key.value, has_key=True)
    return None
