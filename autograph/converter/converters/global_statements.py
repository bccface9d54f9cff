"""Stores to ``global`` names write the module's dictionary.

Converted code runs with its own globals (they hold ``ag__source_map`` and read every other
name from the module, live), so a plain ``global x; x = 1`` would bind ``x`` there, unseen
by the module. Every store to a name a function declares global becomes a store into the
module's dictionary (``ag__module``); loads need nothing.

    global counter              global counter
    counter += 1         ->     ag__module['counter'] += 1
"""
from __future__ import annotations

import gast

from autograph.converter.transformer import Base, const, name_node


class GlobalStoreTransformer(Base):

    def __init__(self, ctx):
        super().__init__(ctx)
        self._declared = [frozenset()]

    def visit_FunctionDef(self, node):
        names = set()
        for s in gast.walk(gast.Module(body=node.body, type_ignores=[])):
            if isinstance(s, gast.Global):
                names.update(s.names)
            elif isinstance(s, gast.Nonlocal):
                names.difference_update(s.names)
        self._declared.append(frozenset(names))
        node = self.generic_visit(node)
        self._declared.pop()
        return node

    def visit_Lambda(self, node):
        self._declared.append(frozenset())
        node = self.generic_visit(node)
        self._declared.pop()
        return node

    def visit_Name(self, node):
        if not isinstance(node.ctx, gast.Load) and node.id in self._declared[-1]:
            return gast.Subscript(value=name_node("ag__module"), slice=const(node.id),
                                  ctx=node.ctx, lineno=getattr(node, "lineno", 1),
                                  col_offset=getattr(node, "col_offset", 0))
        return node


def transform(node, ctx):
    return GlobalStoreTransformer(ctx).visit(node)
