"""What every converter shares: the conversion context and a transformer base class."""
from __future__ import annotations

import gast

from autograph.converter.errors import ConversionError
from autograph.converter.naming import Namer


class UnsupportedConstructError(ConversionError, NotImplementedError):
    """A construct the converter refuses (``yield``, ...): a ConversionError that is also a
    NotImplementedError."""


class Context:
    """One conversion: the function's name and file, and the namer for generated symbols."""

    def __init__(self, name: str, filename: str, namer: Namer):
        self.name = name
        self.filename = filename
        self.namer = namer

    def error(self, node, message: str, cls=ConversionError) -> ConversionError:
        line = getattr(node, "lineno", None)
        where = f"{self.filename}:{line}" if line else self.filename
        return cls(f"{self.name} ({where}): {message}")


class Base(gast.NodeTransformer):
    """A converter: one construct, one ``gast.NodeTransformer``."""

    def __init__(self, ctx: Context):
        self.ctx = ctx

    def visit_block(self, stmts: list) -> list:
        """Visit a statement list; a visit may return one node, a list of nodes, or None."""
        out = []
        for s in stmts:
            r = self.visit(s)
            if r is None:
                continue
            if isinstance(r, list):
                out.extend(r)
            else:
                out.append(r)
        return out


def name_node(name: str, ctx=gast.Load):
    return gast.Name(id=name, ctx=ctx(), annotation=None, type_comment=None)


def const(value):
    return gast.Constant(value=value, kind=None)


def is_generated_call(node) -> bool:
    """A call to ``ag__.something`` inserted by a converter."""
    f = node.func
    return isinstance(f, gast.Attribute) and isinstance(f.value, gast.Name) and \
        f.value.id == "ag__"
