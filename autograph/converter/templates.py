"""Templates: generated code written as real Python with named holes.

A template is parsed once; each use clones it and fills the holes::

    replace('''
        def body_name():
            nonlocal_names
            body
        ag__.if_stmt(test, body_name, ...)
    ''', body_name="if_body", body=[...stmts], test=<expr node>, ...)

A hole is a bare name in the template. What fills it decides how:

- a string renames: variables, function and parameter names, ``nonlocal``/``global`` names;
- a list of strings fills a parameter list or a ``nonlocal`` statement (empty: removed);
- an expression node replaces the name (its context follows the hole: Load or Store);
- a list of statements replaces an expression statement that is just the hole;
- a list of expressions is spliced into the tuple, list or call arguments holding the hole.

Every node the template creates gets the line of ``origin``, so generated code maps back to
the user's statement it came from.

Conversion fills dozens of templates per function, so each (template, set of holes) is
compiled once into a builder: a Python function that constructs the template's nodes
directly and calls the filler only at holes.
"""
from __future__ import annotations

import textwrap

import gast

from autograph.converter.transformer import CHILD_FIELDS, LEAF_CLASSES

_parsed: dict = {}
_LOCATION = ("lineno", "col_offset", "end_lineno", "end_col_offset")


def _template(source: str) -> list:
    body = _parsed.get(source)
    if body is None:
        body = gast.parse(textwrap.dedent(source)).body
        for node in gast.walk(gast.Module(body=body, type_ignores=[])):
            for attr in _LOCATION:
                node.__dict__.pop(attr, None)
        _parsed[source] = body
    return body


# Contexts and operators hold nothing and are never mutated: copies can share them.
_SHARED = (gast.expr_context, gast.operator, gast.unaryop, gast.cmpop, gast.boolop)


def clone(node):
    """A deep copy of an AST (without analysis annotations)."""
    if isinstance(node, list):
        return [clone(n) for n in node]
    if isinstance(node, gast.AST) and not isinstance(node, _SHARED):
        new = node.__class__.__new__(node.__class__)
        d = new.__dict__
        for f in node._fields:
            d[f] = clone(getattr(node, f, None))
        src = node.__dict__
        for attr in _LOCATION:
            if attr in src:
                d[attr] = src[attr]
        return new
    return node


def set_lines(node, lineno) -> None:
    """Give ``lineno`` to every node under ``node`` that has no line yet. A node that has
    one is taken to be located with all it holds (parsed code, stamped templates)."""
    if lineno is None:
        return
    stack = [node]
    while stack:
        n = stack.pop()
        cls = n.__class__
        if cls is list:
            stack.extend(n)
            continue
        if cls in LEAF_CLASSES or not isinstance(n, gast.AST):
            continue
        d = n.__dict__
        if "lineno" in d:
            continue
        if "lineno" in cls._attributes:
            d["lineno"] = lineno
            d["col_offset"] = 0
        for f in CHILD_FIELDS[cls]:
            v = d.get(f)
            if v.__class__ is list or isinstance(v, gast.AST):
                stack.append(v)


def _origin_line(origin):
    if origin is None:
        return 1
    if isinstance(origin, int):
        return origin
    return getattr(origin, "lineno", 1)


def replace(source: str, origin=None, **holes) -> list:
    """The template's statements with its holes filled."""
    key = (source, *holes)     # a call site passes its holes in one order
    build = _builders.get(key)
    if build is None:
        build = _builders[key] = _compile(_template(source), frozenset(holes))
    return build(_Filler(holes, _origin_line(origin)))


_builders: dict = {}


def _compile(template: list, holes: frozenset):
    """A function ``build(filler) -> statements`` equivalent to ``filler.fill_list(template)``
    with the template's structure unrolled into constructor calls."""
    consts: list = []

    def const(value) -> str:
        consts.append(value)
        return f"C[{len(consts) - 1}]"

    def is_hole_site(n) -> bool:
        """Nodes whose filling depends on the holes' values (may splice or vanish)."""
        cls = n.__class__
        return (cls is gast.Expr and n.value.__class__ is gast.Name and n.value.id in holes) \
            or (cls is gast.Name and n.id in holes) or cls is gast.Nonlocal or cls is gast.Global

    def fill_site(n) -> str:
        """The filling of a hole site in a list (a hole name goes straight to its filler)."""
        if n.__class__ is gast.Name:
            return f"f._fill_name({const(n)}, True)"
        return f"f.fill({const(n)}, True)"

    def gen_list(nodes: list, body: bool) -> str:
        if not any(n is not None and is_hole_site(n) for n in nodes):
            return "[" + "".join(gen(n) + ", " for n in nodes) + "]"
        items = "".join((fill_site(n) if n is not None and is_hole_site(n)
                         else "NONE" if n is None else gen(n)) + ", " for n in nodes)
        return f"f.splice([{items}], {body})"

    def gen(n) -> str:
        if n is None:
            return "None"
        if isinstance(n, _SHARED):
            return const(n)
        cls = n.__class__
        if not isinstance(n, gast.AST):
            return const(n)
        if cls is gast.Name and n.id in holes:
            return f"f._fill_name({const(n)}, False)"
        if is_hole_site(n):
            return f"f.fill({const(n)})"
        fields = []
        for name in n._fields:
            v = n.__dict__.get(name)
            if v.__class__ is list:
                fields.append(f"{name!r}: {gen_list(v, name == 'body')}")
            else:
                fields.append(f"{name!r}: {gen(v)}")
        if cls is gast.FunctionDef and n.name in holes:
            fields = [f for f in fields if not f.startswith("'name':")]
            fields.append(f"'name': f.holes[{n.name!r}]")
        if "lineno" in cls._attributes:
            fields.append("'lineno': line, 'col_offset': 0")
        return f"node({const(cls)}, {{{', '.join(fields)}}})"

    code = f"def build(f):\n    line = f.line\n    return {gen_list(template, False)}\n"
    namespace = {"C": consts, "node": _node, "NONE": _NONE}
    exec(compile(code, "<autograph-template>", "exec"), namespace)
    return namespace["build"]


_NONE = object()    # a None item of a template list (a hole filled with None vanishes instead)


def _node(cls, fields: dict):
    new = cls.__new__(cls)
    new.__dict__ = fields
    return new


def replace_as_expression(source: str, origin=None, **holes):
    """A one-expression template, filled."""
    stmts = replace(source, origin, **holes)
    if len(stmts) != 1 or not isinstance(stmts[0], gast.Expr):
        raise ValueError(f"template is not one expression: {source!r}")
    return stmts[0].value


def _set_ctx(node, ctx_type) -> None:
    if isinstance(node, (gast.Name, gast.Attribute, gast.Subscript, gast.Starred)):
        node.ctx = ctx_type()
    if isinstance(node, (gast.Tuple, gast.List)):
        node.ctx = ctx_type()
        for e in node.elts:
            _set_ctx(e, ctx_type)
    if isinstance(node, gast.Starred):
        _set_ctx(node.value, ctx_type)


class _Filler:
    def __init__(self, holes: dict, line):
        self.holes = holes
        self.line = line
        self.used: set = set()

    def _value(self, name):
        """The filling for hole ``name`` (an AST is cloned after its first use); fillings
        made without a location get the template's line."""
        value = self.holes[name]
        if isinstance(value, (gast.AST, list)):
            if name in self.used:
                return clone(value)
            self.used.add(name)
            set_lines(value, self.line)
        return value

    def splice(self, filled: list, body: bool) -> list:
        """A filled list: hole fillings that are lists are spliced in, None dropped; an
        empty ``body`` holds ``pass``."""
        out = []
        for r in filled:
            if r.__class__ is list:
                out.extend(r)
            elif r is _NONE:
                out.append(None)
            elif r is not None:
                out.append(r)
        if not out and body:
            out.append(gast.Pass(lineno=self.line or 1, col_offset=0))
        return out

    def fill_list(self, nodes: list) -> list:
        out = []
        for n in nodes:
            if n is None:          # e.g. the key of ``**kwargs`` in a dict display
                out.append(None)
                continue
            r = self.fill(n, in_list=True)
            if r.__class__ is list:
                out.extend(r)
            elif r is not None:
                out.append(r)
        return out

    def fill(self, node, in_list=False):
        """A filled copy of the template node ``node`` (templates are never modified)."""
        cls = node.__class__
        if isinstance(node, _SHARED):
            return node
        if cls is gast.Expr and node.value.__class__ is gast.Name and \
                node.value.id in self.holes:
            value = self._value(node.value.id)
            if isinstance(value, (list, gast.stmt)):
                return value
        if cls is gast.Name and node.id in self.holes:
            return self._fill_name(node, in_list)
        new = cls.__new__(cls)
        d = new.__dict__
        if cls is gast.Nonlocal or cls is gast.Global:
            names = []
            for n in node.names:
                v = self.holes.get(n, n)
                names.extend(v if isinstance(v, (list, tuple)) else [v])
            if not names:
                return None
            d["names"] = names
        else:
            src = node.__dict__
            for f in node._fields:
                v = src.get(f)
                if v.__class__ is list:
                    v = self.fill_list(v)
                    if not v and f == "body":
                        v = [gast.Pass(lineno=self.line or 1, col_offset=0)]
                elif isinstance(v, gast.AST):
                    v = self.fill(v)
                d[f] = v
            if cls is gast.FunctionDef and node.name in self.holes:
                d["name"] = self.holes[node.name]
        if self.line is not None and "lineno" in cls._attributes:
            d["lineno"] = self.line
            d["col_offset"] = 0
        return new

    def _fill_name(self, node, in_list):
        value = self._value(node.id)
        if isinstance(value, str):
            return _node(gast.Name, {"id": value, "ctx": node.ctx, "annotation": node.annotation,
                                     "type_comment": None, "lineno": self.line or 1,
                                     "col_offset": 0})
        if value is None:
            return _node(gast.Constant, {"value": None, "kind": None, "lineno": self.line or 1,
                                         "col_offset": 0})
        if isinstance(value, (list, tuple)):
            if not in_list:
                raise ValueError(f"hole {node.id!r} takes a list but sits outside a list")
            items = []
            for v in value:
                if isinstance(v, str):
                    items.append(_node(gast.Name, {"id": v, "ctx": node.ctx,
                                                   "annotation": None, "type_comment": None,
                                                   "lineno": self.line or 1, "col_offset": 0}))
                else:
                    items.append(v)
            return items
        ctx = type(node.ctx)
        if isinstance(value, (gast.Name, gast.Attribute, gast.Subscript, gast.Starred,
                              gast.Tuple, gast.List)) and not isinstance(value.ctx, ctx):
            value = clone(value)      # the same node may fill a Load and a Store position
            _set_ctx(value, ctx)
        return value
