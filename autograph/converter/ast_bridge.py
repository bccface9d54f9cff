"""``ast`` <-> ``gast``, fast, by retyping nodes in place.

``gast.ast_to_gast``/``gast_to_ast`` are general (every Python version) and copy every node.
On the versions this project supports the two differ only in parameters (``gast.Name`` with
a ``Param`` context is ``ast.arg``), ``ExceptHandler.name`` (a Name in gast, a string in
ast) and fields one side lacks (``type_params`` before 3.12, ``Name.annotation``). Every
gast class derives from its ``ast`` namesake's base with the same layout, so a node changes
sides by assigning its ``__class__`` and mending those few fields: both directions consume
the tree they are given (pass a tree you own) and cost about a third of a copy.

``to_gast`` also surveys the tree (node types, identifiers, attribute names) for the
pipeline; ``convert`` (to ast) gives a node without a location its parent's, which is what
``ast.fix_missing_locations`` would do, in the same pass.
"""
from __future__ import annotations

import ast

import gast

from autograph.converter.per_class import PerClass

# Contexts and operators carry nothing: one shared instance per type (as ast.parse does).
_LEAF_BASES = ("expr_context", "operator", "unaryop", "cmpop", "boolop")
_to_ast_leaf = {getattr(gast, n): getattr(ast, n)() for n in dir(gast)
                if isinstance(getattr(gast, n), type) and hasattr(ast, n)
                and issubclass(getattr(gast, n), tuple(getattr(gast, b) for b in _LEAF_BASES))}
_to_gast_leaf = {type(v): k() for k, v in _to_ast_leaf.items()}

_ATOMS = frozenset({str, int, float, complex, bool, bytes, type(None), type(...)})

# Fields gast has and ast lacks (on this Python), with the value a parsed node gets.
_GAST_ONLY = {"annotation": "None", "type_comment": "None", "type_params": "[]"}


def _is_gast_class(cls) -> bool:
    return isinstance(cls, type) and getattr(gast, cls.__name__, None) is cls \
        and cls.__module__.startswith("gast")


def _generate(name: str, lines: list, namespace: dict):
    exec("\n".join(lines), namespace)
    return namespace[name]


# ---- gast -> ast -------------------------------------------------------------------------

def convert(node, lineno: int = 1, col: int = 0):
    """The ``ast`` tree of ``node`` (a gast tree, retyped in place)."""
    return _converters[node.__class__](node, lineno, col)


def _unchanged(node, *_):
    return node


def _list(nodes, lineno, col):
    for i, n in enumerate(nodes):
        if n.__class__ not in _ATOMS:
            nodes[i] = _converters[n.__class__](n, lineno, col)
    return nodes


def _make_converter(cls):
    """The function retyping a node of ``cls`` (and what it holds) to ast, generated from
    the class's fields: a straight-line body is about twice as fast as a loop over the
    fields. ast classes get ``_unchanged``: a node reached twice (shared) is converted once."""
    leaf = _to_ast_leaf.get(cls)
    if leaf is not None:
        return lambda node, lineno, col: leaf
    if not _is_gast_class(cls):
        return _unchanged
    if cls is gast.arguments:
        return _arguments
    if cls is gast.ExceptHandler:
        return _except_handler
    ast_cls = getattr(ast, cls.__name__)
    lines = ["def convert_node(node, lineno, col):",
             "    node.__class__ = ast_cls",
             "    d = node.__dict__"]
    if "lineno" in ast_cls._attributes:
        lines += ["    lineno = d.setdefault('lineno', lineno)",
                  "    col = d.setdefault('col_offset', col)"]
    for f in cls._fields:
        if f not in ast_cls._fields:
            lines.append(f"    d.pop({f!r}, None)")
        elif f in ("ctx", "op"):                # always a context or an operator
            lines.append(f"    d[{f!r}] = leaf[d[{f!r}].__class__]")
        else:                                   # atoms (names, constants, None) as they are
            lines += [f"    v = d.get({f!r})",
                      "    if v.__class__ not in atoms:",
                      f"        d[{f!r}] = converters[v.__class__](v, lineno, col)"]
    lines.append("    return node")
    return _generate("convert_node", lines, {"ast_cls": ast_cls, "converters": _converters,
                                             "leaf": _to_ast_leaf, "atoms": _ATOMS})


def _except_handler(node, lineno, col):
    d = node.__dict__
    node.__class__ = ast.ExceptHandler
    lineno = d.setdefault("lineno", lineno)
    col = d.setdefault("col_offset", col)
    d["name"] = node.name.id if node.name is not None else None
    d["type"] = convert(node.type, lineno, col)
    _list(node.body, lineno, col)
    return node


def _arg(name, lineno, col):
    if name is None or name.__class__ is ast.arg:
        return name
    d = name.__dict__
    lineno = d.get("lineno", lineno)
    new = _new_arg(ast.arg)
    new.__dict__ = {"arg": name.id, "annotation": convert(name.annotation, lineno, col),
                    "type_comment": d.get("type_comment"), "lineno": lineno,
                    "col_offset": d.get("col_offset", col),
                    "end_lineno": d.get("end_lineno"), "end_col_offset": d.get("end_col_offset")}
    return new


_new_arg = ast.arg.__new__


def _arguments(node, lineno, col):
    node.__class__ = ast.arguments
    d = node.__dict__
    for f in ("posonlyargs", "args", "kwonlyargs"):
        d[f] = [_arg(a, lineno, col) for a in d[f]]
    d["vararg"] = _arg(d["vararg"], lineno, col)
    d["kwarg"] = _arg(d["kwarg"], lineno, col)
    _list(d["kw_defaults"], lineno, col)
    _list(d["defaults"], lineno, col)
    return node


_converters = PerClass(_make_converter)
_converters[list] = _list


# ---- ast -> gast -------------------------------------------------------------------------

class Survey:
    """What a tree holds: node types (``kinds``), identifiers and attribute names
    (``names``), and whether a loop has an ``else`` block (``"loop-else"`` in kinds)."""
    __slots__ = ("kinds", "names")

    def __init__(self):
        self.kinds: set = set()
        self.names: set = set()


def to_gast(node, survey: Survey):
    """The ``gast`` tree of ``node`` (an ast tree, retyped in place), noting what it holds
    in ``survey``."""
    return _retypers[node.__class__](node, survey)


def _retype_list(nodes, survey):
    for i, n in enumerate(nodes):
        if n.__class__ not in _ATOMS:
            nodes[i] = _retypers[n.__class__](n, survey)
    return nodes


# what the survey notes of a node, by class
_SURVEYED = {
    "Name": ["    names.add(d['id'])"],
    "Attribute": ["    names.add(d['attr'])"],
    "FunctionDef": ["    names.add(d['name'])"],
    "ClassDef": ["    names.add(d['name'])"],
    "Global": ["    names.update(d['names'])"],
    "Nonlocal": ["    names.update(d['names'])"],
    "For": ["    if d['orelse']:", "        kinds.add('loop-else')"],
    "While": ["    if d['orelse']:", "        kinds.add('loop-else')"],
    "ExceptHandler": ["    if d['name'] is not None:",
                      "        names.add(d['name'])",
                      "        d['name'] = gast.Name(id=d['name'], ctx=gast.Store(),"
                      " annotation=None, type_comment=None, lineno=d['lineno'],"
                      " col_offset=d['col_offset'])"],
}


def _make_retyper(cls):
    leaf = _to_gast_leaf.get(cls)
    if leaf is not None:
        def retype_leaf(node, survey):
            survey.kinds.add(leaf.__class__)
            return leaf
        return retype_leaf
    if not (isinstance(cls, type) and issubclass(cls, ast.AST)) or _is_gast_class(cls):
        return _unchanged
    if cls is ast.arguments:
        return _retype_arguments
    g = getattr(gast, cls.__name__)
    lines = ["def retype(node, survey):",
             "    node.__class__ = g",
             "    kinds, names = survey.kinds, survey.names",
             "    kinds.add(g)",
             "    d = node.__dict__"]
    for f in g._fields:
        if f not in cls._fields:
            lines.append(f"    d[{f!r}] = {_GAST_ONLY[f]}")
        elif f in ("ctx", "op"):
            lines += [f"    v = leaf[d[{f!r}].__class__]",
                      "    kinds.add(v.__class__)",
                      f"    d[{f!r}] = v"]
        else:
            lines += [f"    v = d.get({f!r})",
                      "    if v.__class__ not in atoms:",
                      f"        d[{f!r}] = retypers[v.__class__](v, survey)"]
    lines += _SURVEYED.get(cls.__name__, [])
    lines.append("    return node")
    return _generate("retype", lines, {"g": g, "gast": gast, "retypers": _retypers,
                                       "leaf": _to_gast_leaf, "atoms": _ATOMS})


_retypers = PerClass(_make_retyper)
_retypers[list] = _retype_list


def _retype_arguments(node, survey):
    node.__class__ = gast.arguments
    survey.kinds.add(gast.arguments)
    d = node.__dict__
    for f in ("posonlyargs", "args", "kwonlyargs"):
        d[f] = [_param(a, survey) for a in d[f]]
    d["vararg"] = _param(d["vararg"], survey)
    d["kwarg"] = _param(d["kwarg"], survey)
    _retype_list(d["kw_defaults"], survey)
    _retype_list(d["defaults"], survey)
    return node


def _param(a, survey):
    if a is None:
        return None
    survey.names.add(a.arg)
    return gast.Name(id=a.arg, ctx=gast.Param(), annotation=to_gast(a.annotation, survey),
                     type_comment=a.type_comment, lineno=a.lineno, col_offset=a.col_offset,
                     end_lineno=a.end_lineno, end_col_offset=a.end_col_offset)
