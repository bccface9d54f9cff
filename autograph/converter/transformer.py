"""What every converter shares: the conversion context and a transformer base class."""
from __future__ import annotations

import ast

import gast

from autograph.converter import anno
from autograph.converter.errors import ConversionError
from autograph.converter.naming import Namer
from autograph.converter.per_class import PerClass


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


# Nodes without children worth visiting: contexts and operators (the classes, for a quick
# membership test).
_LEAVES = (gast.expr_context, gast.operator, gast.unaryop, gast.cmpop, gast.boolop)
LEAF_CLASSES = frozenset(c for c in vars(gast).values()
                         if isinstance(c, type) and issubclass(c, _LEAVES))

# Fields that never hold a node or a list of nodes (identifiers, numbers, flags, contexts
# and operators), by name; and those whose name holds a node in other classes.
_SCALAR_FIELDS = frozenset({"id", "ctx", "op", "ops", "attr", "kind", "type_comment", "arg",
                            "asname", "level", "module", "is_async", "conversion", "simple"})
_SCALAR_IN = {"name": (gast.FunctionDef, gast.AsyncFunctionDef, gast.ClassDef, gast.alias),
              "names": (gast.Global, gast.Nonlocal), "value": (gast.Constant,)}


# node class -> the names of its fields that may hold nodes: walks skip the others
CHILD_FIELDS = PerClass(lambda cls: tuple(f for f in cls._fields if f not in _SCALAR_FIELDS
                                           and cls not in _SCALAR_IN.get(f, ())))


class Base(gast.NodeTransformer):
    """A converter: one construct, one ``gast.NodeTransformer``.

    ``visit`` and ``generic_visit`` behave as ``ast.NodeTransformer``'s (a visit may return
    a node, a list of nodes, or None), minus the cost: the visitor method is looked up once
    per node type, and contexts and operators are not visited."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self._methods: dict = {}

    def visit(self, node):
        cls = node.__class__
        method = self._methods.get(cls)
        if method is None:
            method = _own_handler(self, cls) or self.generic_visit
            self._methods[cls] = method
        return method(node)

    def generic_visit(self, node):
        d = node.__dict__
        for field in CHILD_FIELDS[node.__class__]:
            old = d.get(field)
            if old.__class__ is list:
                new = []
                for value in old:
                    if value.__class__ not in LEAF_CLASSES and isinstance(value, gast.AST):
                        value = self.visit(value)
                        if value is None:
                            continue
                        if value.__class__ is list:
                            new.extend(value)
                            continue
                    new.append(value)
                old[:] = new
            elif old.__class__ not in LEAF_CLASSES and isinstance(old, gast.AST):
                d[field] = self.visit(old)
        return node

    def visit_block(self, stmts: list) -> list:
        """Visit a statement list; a visit may return one node, a list of nodes, or None."""
        out = []
        for s in stmts:
            r = self.visit(s)
            if r is None:
                continue
            if r.__class__ is list:
                out.extend(r)
            else:
                out.append(r)
        return out


_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")
# node class -> its fields among _BLOCKS
_BLOCK_FIELDS = PerClass(lambda cls: tuple(f for f in _BLOCKS if f in cls._fields))


def contains(stmts: list, kind, skip=()) -> bool:
    """Whether a statement of type ``kind`` stands in ``stmts`` or in their blocks, not
    looking inside statements of the types ``skip`` (nested functions, inner loops)."""
    stack = list(stmts)
    while stack:
        n = stack.pop()
        if isinstance(n, kind):
            return True
        if isinstance(n, skip):
            continue
        d = n.__dict__
        for field in _BLOCK_FIELDS[n.__class__]:
            stack.extend(d.get(field) or ())
    return False


class StatementTransformer(Base):
    """A converter of statements: it visits statement lists (blocks), never expressions,
    which is most of a tree."""

    def generic_visit(self, node):
        d = node.__dict__
        for field in _BLOCK_FIELDS[node.__class__]:
            old = d.get(field)
            if old.__class__ is list:
                old[:] = self.visit_block(old)
        return node


class Combined(Base):
    """Several expression converters in one walk of the tree: children first, then each
    converter's handler for the node's type, in the order given (a handler that returns a
    node of another type ends the chain: generated code is not converted again). The
    extra test of a ``for`` loop (an annotation) is walked too."""

    def __init__(self, ctx, converters):
        super().__init__(ctx)
        self._converters = converters
        self._chains: dict = {}
        for c in converters:
            c.generic_visit = _identity    # their children are visited by this walk

    def visit(self, node):
        cls = node.__class__
        chain = self._chains.get(cls)
        if chain is None:
            chain = [m for m in (_own_handler(c, cls) for c in self._converters)
                     if m is not None]
            self._chains[cls] = chain
        node = Base.generic_visit(self, node)
        if cls is gast.For:
            extra = anno.getanno(node, "extra_test")
            if extra is not None:
                anno.setanno(node, "extra_test", self.visit(extra))
        for handler in chain:
            node = handler(node)
            if node.__class__ is not cls:
                break
        return node


def _identity(node):
    return node


_handler_names: dict = {}   # (converter class, node class) -> its own handler's name, or ""


def _own_handler(converter, node_class):
    """The converter's handler for ``node_class`` nodes, unless it is ``ast.NodeVisitor``'s
    (which has ``visit_Constant``, a compatibility shim that only looks for ``visit_Num``
    and such)."""
    key = (converter.__class__, node_class)
    name = _handler_names.get(key)
    if name is None:
        name = "visit_" + node_class.__name__
        method = getattr(converter.__class__, name, None)
        if method is None or method is getattr(ast.NodeVisitor, name, None):
            name = ""
        _handler_names[key] = name
    return getattr(converter, name) if name else None


def mark_inline(node) -> None:
    """Mark the lambdas ``node`` passes as arguments as *inline*: generated to delay an
    expression, they read their names where they stand, not as closures."""
    for arg in node.args:
        if isinstance(arg, gast.Lambda):
            anno.setanno(arg, "inline", True)


_CONTEXTS = {gast.Load: gast.Load(), gast.Store: gast.Store(), gast.Del: gast.Del(),
             gast.Param: gast.Param()}


def name_node(name: str, ctx=gast.Load):
    new = gast.Name.__new__(gast.Name)    # the constructor checks its arguments: slower
    new.__dict__ = {"id": name, "ctx": _CONTEXTS[ctx], "annotation": None,
                    "type_comment": None}
    return new


def const(value):
    new = gast.Constant.__new__(gast.Constant)
    new.__dict__ = {"value": value, "kind": None}
    return new


def is_generated_call(node) -> bool:
    """A call to ``ag__.something`` inserted by a converter."""
    f = node.func
    return isinstance(f, gast.Attribute) and isinstance(f.value, gast.Name) and \
        f.value.id == "ag__"
