"""``ast`` <-> ``gast``, fast.

``gast.ast_to_gast``/``gast_to_ast`` are general (every Python version) and slow on the
trees conversion handles. On the versions this project supports the two differ only in
parameters (``gast.Name`` with a ``Param`` context is ``ast.arg``), ``ExceptHandler.name`` (a
Name in gast, a string in ast) and fields one side lacks (``type_params`` before 3.12,
``Name.annotation``), so a direct copy does.

``to_gast`` also surveys the tree (node types, identifiers, attribute names) for the
pipeline; ``convert`` (to ast) gives a node without a location its parent's, which is what
``ast.fix_missing_locations`` would do, in the same pass.
"""
from __future__ import annotations

import ast

import gast

# Contexts and operators carry nothing: one shared instance per type (as ast.parse does).
_LEAF_BASES = ("expr_context", "operator", "unaryop", "cmpop", "boolop")
_to_ast_leaf = {getattr(gast, n): getattr(ast, n)() for n in dir(gast)
                if isinstance(getattr(gast, n), type) and hasattr(ast, n)
                and issubclass(getattr(gast, n), tuple(getattr(gast, b) for b in _LEAF_BASES))}
_to_gast_leaf = {type(v): k() for k, v in _to_ast_leaf.items()}


_ATOMS = frozenset({str, int, float, complex, bool, bytes, type(None), type(...)})


def convert(node, lineno: int = 1, col: int = 0):
    """The ``ast`` tree of ``node`` (a gast tree)."""
    return _converter(node.__class__)(node, lineno, col)


def _same(node, lineno, col):
    return node


def _list(nodes, lineno, col):
    return [_converter(n.__class__)(n, lineno, col) for n in nodes]


# gast class -> function copying one node into its ast class. Each is generated from the
# class's fields: a straight-line copy is about twice as fast as a loop over the fields.
_converters: dict = {list: _list}


def _converter(cls):
    found = _converters.get(cls)
    if found is None:
        found = _converters[cls] = _make_converter(cls)
    return found


def _make_converter(cls):
    leaf = _to_ast_leaf.get(cls)
    if leaf is not None:
        return lambda node, lineno, col: leaf
    if not (isinstance(cls, type) and issubclass(cls, gast.AST)):
        return _same
    if cls is gast.arguments:
        return _arguments
    if cls is gast.ExceptHandler:
        return _except_handler
    ast_cls = getattr(ast, cls.__name__)
    lines = ["def convert_node(node, lineno, col):",
             "    d = node.__dict__",
             "    lineno = d.get('lineno', lineno)",
             "    col = d.get('col_offset', col)",
             "    new = new_node(ast_cls)",
             "    nd = new.__dict__"]
    for f in ast_cls._fields:
        if f not in cls._fields:
            continue
        lines.append(f"    v = d.get({f!r})")
        if f in ("ctx", "op"):                  # always a context or an operator
            lines.append(f"    nd[{f!r}] = leaf[v.__class__]")
        else:                                   # atoms (names, constants, None) as they are
            lines.append(f"    nd[{f!r}] = v if v.__class__ in atoms else "
                         "converter(v.__class__)(v, lineno, col)")
    if "lineno" in ast_cls._attributes:
        lines += ["    nd['lineno'] = lineno",
                  "    nd['col_offset'] = col",
                  "    if 'end_lineno' in d:",
                  "        nd['end_lineno'] = d['end_lineno']",
                  "        nd['end_col_offset'] = d.get('end_col_offset')"]
    lines.append("    return new")
    namespace = {"new_node": ast_cls.__new__, "ast_cls": ast_cls, "converter": _converter,
                 "leaf": _to_ast_leaf, "atoms": _ATOMS}
    exec("\n".join(lines), namespace)
    return namespace["convert_node"]


def _except_handler(node, lineno, col):
    d = node.__dict__
    lineno = d.get("lineno", lineno)
    col = d.get("col_offset", col)
    name = node.name.id if node.name is not None else None
    return ast.ExceptHandler(type=convert(node.type, lineno, col), name=name,
                             body=convert(node.body, lineno, col), lineno=lineno,
                             col_offset=col)


def _arg(name, lineno, col):
    if name is None:
        return None
    d = name.__dict__
    lineno = d.get("lineno", lineno)
    new = _new_arg(ast.arg)
    new.__dict__ = {"arg": name.id, "annotation": convert(name.annotation, lineno, col),
                    "type_comment": d.get("type_comment"), "lineno": lineno,
                    "col_offset": d.get("col_offset", col)}
    return new


_new_arg = ast.arg.__new__


def _arguments(node, lineno, col):
    new = ast.arguments.__new__(ast.arguments)
    new.__dict__ = {
        "posonlyargs": [_arg(a, lineno, col) for a in node.posonlyargs],
        "args": [_arg(a, lineno, col) for a in node.args],
        "vararg": _arg(node.vararg, lineno, col),
        "kwonlyargs": [_arg(a, lineno, col) for a in node.kwonlyargs],
        "kw_defaults": [convert(x, lineno, col) for x in node.kw_defaults],
        "kwarg": _arg(node.kwarg, lineno, col),
        "defaults": [convert(x, lineno, col) for x in node.defaults]}
    return new


# ---- ast -> gast -------------------------------------------------------------------------

_gast_classes: dict = {}     # ast class -> (gast class, fields it has, located)


def _gast_target(cls):
    found = _gast_classes.get(cls)
    if found is None:
        g = getattr(gast, cls.__name__)
        found = (g, g._fields, "lineno" in g._attributes)
        _gast_classes[cls] = found
    return found


class Survey:
    """What a tree holds: node types (``kinds``), identifiers and attribute names
    (``names``), and whether a loop has an ``else`` block (``"loop-else"`` in kinds)."""
    __slots__ = ("kinds", "names")

    def __init__(self):
        self.kinds: set = set()
        self.names: set = set()


def to_gast(node, survey: Survey):
    """The ``gast`` tree of ``node`` (an ast tree), noting what it holds in ``survey``."""
    cls = node.__class__
    if cls is list:
        return [to_gast(n, survey) for n in node]
    leaf = _to_gast_leaf.get(cls)
    if leaf is not None:
        survey.kinds.add(leaf.__class__)
        return leaf
    if not isinstance(node, ast.AST):
        return node
    if cls is ast.arguments:
        return gast.arguments(
            args=[_param(a, survey) for a in node.args],
            posonlyargs=[_param(a, survey) for a in node.posonlyargs],
            vararg=_param(node.vararg, survey),
            kwonlyargs=[_param(a, survey) for a in node.kwonlyargs],
            kw_defaults=[to_gast(x, survey) for x in node.kw_defaults],
            kwarg=_param(node.kwarg, survey),
            defaults=[to_gast(x, survey) for x in node.defaults])
    g, fields, located = _gast_target(cls)
    survey.kinds.add(g)
    d = node.__dict__
    new = g.__new__(g)
    nd = new.__dict__
    for f in fields:
        v = d.get(f)
        if v.__class__ is list:
            nd[f] = [to_gast(x, survey) for x in v]
        elif isinstance(v, ast.AST):
            nd[f] = to_gast(v, survey)
        else:
            nd[f] = v
    if cls is ast.Name:
        survey.names.add(node.id)
    elif cls is ast.Attribute:
        survey.names.add(node.attr)
    elif cls is ast.FunctionDef or cls is ast.ClassDef:
        survey.names.add(node.name)
        nd["type_params"] = []
    elif cls is ast.Global or cls is ast.Nonlocal:
        survey.names.update(node.names)
    elif cls is ast.ExceptHandler and node.name is not None:
        nd["name"] = gast.Name(id=node.name, ctx=gast.Store(), annotation=None,
                               type_comment=None, lineno=node.lineno,
                               col_offset=node.col_offset)
        survey.names.add(node.name)
    elif (cls is ast.For or cls is ast.While) and node.orelse:
        survey.kinds.add("loop-else")
    if located:
        nd["lineno"] = d.get("lineno")
        nd["col_offset"] = d.get("col_offset")
        nd["end_lineno"] = d.get("end_lineno")
        nd["end_col_offset"] = d.get("end_col_offset")
    return new


def _param(a, survey):
    if a is None:
        return None
    survey.names.add(a.arg)
    return gast.Name(id=a.arg, ctx=gast.Param(), annotation=to_gast(a.annotation, survey),
                     type_comment=a.type_comment, lineno=a.lineno, col_offset=a.col_offset,
                     end_lineno=a.end_lineno, end_col_offset=a.end_col_offset)
